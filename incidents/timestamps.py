"""Trusted timestamps (RFC 3161) of the custody log's head.

The chain of hashes proves the order of the entries, not when they were written: whoever
controls the database could rebuild a consistent chain. A time-stamping authority's signature
over the head fixes that the head (and so every entry up to it) existed by the time it signed.

Off unless TIMESTAMP_URL is set: then the head is sent (its number and hash, as a SHA-256
fingerprint: nothing of the record itself) when a dossier or package is made, and by
`manage.py stamp_chain_head` (run it daily from cron or a systemd timer), each time only if
the log changed since the last token. Each token is checked against the authority's
certificate (TIMESTAMP_CA_FILE) before it is kept, logged in the custody log, printed as a
short reference in the dossier, carried in every package and checked again by verify_chain and
the package's verify.py. The protocol is rfc3161-client's (Trail of Bits), not our own.
"""

import hashlib
import logging
import urllib.error
import urllib.request
from datetime import UTC
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.db import transaction
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from . import custody
from .custody import Head
from .models import ChainTimestamp, CustodyEntry

logger = logging.getLogger(__name__)
# A TimeStampResp with its certificates is a few kilobytes; anything far larger is not one.
MAX_RESPONSE_BYTES = 256 * 1024


class TimestampFailed(Exception):
    """The authority could not be reached, or its answer is not a valid token for the head."""


def enabled() -> bool:
    return bool(settings.TIMESTAMP_URL)


def authority_pem() -> str:
    return Path(settings.TIMESTAMP_CA_FILE).read_text("ascii")


def token_problem(token: bytes, head: str, pem: str, *, nonce: int | None = None) -> str:
    """Why `token` is not the authority's valid signature over `head` ("" when it is): its
    signature, certificate chain to the certificates in `pem`, time-stamping purpose and the
    fingerprint it signed are all checked."""
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
        response = decode_timestamp_response(token)
    except ValueError:
        return "It cannot be read."
    builder = VerifierBuilder()
    for certificate in certificates:
        if certificate.issuer == certificate.subject:
            builder = builder.add_root_certificate(certificate)
        else:
            builder = builder.add_intermediate_certificate(certificate)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify_message(response, head.encode())
    except (VerificationError, ValueError) as error:
        return f"It does not verify ({str(error)[:160]})."
    return ""


def _ask(head: Head) -> tuple[bytes, int]:
    request = (
        TimestampRequestBuilder()
        .data(str(head).encode())
        .hash_algorithm(HashAlgorithm.SHA256)
        .cert_request(cert_request=True)
        .nonce(nonce=True)
        .build()
    )
    asked = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        settings.TIMESTAMP_URL,
        data=request.as_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
    )
    try:
        with urllib.request.urlopen(asked, timeout=settings.TIMESTAMP_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.read(MAX_RESPONSE_BYTES + 1), request.nonce
    except (urllib.error.URLError, OSError) as error:
        reason = f"The time-stamping authority could not be reached: {error}"
        raise TimestampFailed(reason) from None


def stamp(head: Head) -> ChainTimestamp:
    """Ask the authority to sign `head`, check its answer, keep it and log it."""
    token, nonce = _ask(head)
    pem = authority_pem()
    problem = token_problem(token, str(head), pem, nonce=nonce)
    if len(token) > MAX_RESPONSE_BYTES or problem:
        raise TimestampFailed(f"The time-stamping authority's answer was refused. {problem}")
    info = decode_timestamp_response(token).tst_info
    with transaction.atomic():
        row = ChainTimestamp.objects.create(
            sequence=head.sequence,
            entry_hash=head.entry_hash,
            token=token,
            authority_pem=pem,
            authority_url=settings.TIMESTAMP_URL[:500],
            stamped_at=info.gen_time.replace(tzinfo=info.gen_time.tzinfo or UTC),
            serial=str(info.serial_number)[:64],
        )
        file_sha256 = hashlib.sha256(token).hexdigest()
        custody.log(custody.Action.TIMESTAMPED, row, file_sha256=file_sha256)
    return row


def log_changed_since(last: ChainTimestamp | None) -> bool:
    """Whether anything but timestamps was logged after the last token."""
    entries = CustodyEntry.objects.exclude(action=custody.Action.TIMESTAMPED)
    if last is not None:
        entries = entries.filter(sequence__gt=last.sequence)
    return entries.exists()


def stamp_if_configured() -> ChainTimestamp | None:
    """Stamp the head if timestamps are on and the log changed since the last token. Failures
    are written to the server log and never stop what asked (a dossier is made without one)."""
    if not enabled():
        return None
    last = ChainTimestamp.objects.first()
    if not log_changed_since(last):
        return last
    try:
        return stamp(custody.chain_head())
    except (TimestampFailed, OSError) as error:
        logger.warning("No timestamp of the custody log's head: %s", error)
        return None


def latest_covering(head: Head | None) -> ChainTimestamp | None:
    """The newest token over this head or an earlier one: what a dossier with `head` cites."""
    if head is None:
        return None
    return ChainTimestamp.objects.filter(sequence__lte=head.sequence).first()


def problems(hashes: dict[int, str] | None = None) -> list[str]:
    """Every kept token checked again: its signature, and that the head it signed is in the
    chain (`hashes`, entry number to hash; read from the log when not given)."""
    found = []
    for row in ChainTimestamp.objects.order_by("sequence", "id").iterator():
        logged = (
            hashes.get(row.sequence)
            if hashes is not None
            else CustodyEntry.objects.filter(sequence=row.sequence)
            .values_list("entry_hash", flat=True)
            .first()
        )
        name = f"The timestamp of head {row.sequence} ({row.reference})"
        if logged != row.entry_hash:
            found.append(f"{name} is for a head the custody log no longer holds.")
            continue
        problem = token_problem(bytes(row.token), row.head, row.authority_pem)
        if problem:
            found.append(f"{name}: {problem}")
    return found
