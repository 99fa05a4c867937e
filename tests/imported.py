"""Imported messages and calls for tests, made without the export reader: the export file kept as
an exhibit (stored, hashed and numbered as the import keeps it), an import job citing it, and
Message and Call rows citing their place in the file, logged in the custody chain."""

import hashlib
import secrets
from datetime import UTC, datetime

from django.core.files.base import ContentFile
from django.db import transaction

from incidents import custody
from incidents.evidence import evidence_storage
from incidents.models import Call, Case, Evidence, Message, MessageImport
from incidents.services import record_save

SAM = "+44 7700 900123"
SAM_KEY = "447700900123"


def in_may_2024(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in May 2024, in UTC: when these tests' messages and calls happen."""
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


def person_named_sam(user, zone: str = "UTC") -> Case:
    """The user's person of concern, named Sam (saved as the person's page saves it), with the
    user in `zone`."""
    user.time_zone = zone
    user.save()
    case = Case.objects.owned_by(user).get()
    case.name = "Sam"
    record_save(record=case)
    return case


def export_file(case: Case, content: bytes = b"", name: str = "sms-20240601.xml") -> Evidence:
    """The phone's export file as an exhibit of the case, byte for byte with its SHA-256."""
    content = content or f"<smses count='0' nonce='{secrets.token_hex(8)}'/>".encode()
    stored = evidence_storage().save(f"originals/{secrets.token_hex(16)}", ContentFile(content))
    with transaction.atomic():
        exhibit = Evidence.objects.create(
            case=case,
            original_name=name,
            stored_name=stored,
            kind=Evidence.Kind.MESSAGES,
            content_type="application/xml",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            exhibit_number=Evidence.objects.next_exhibit_number(case),
        )
        custody.log(custody.Action.UPLOADED, exhibit, file_sha256=exhibit.sha256)
    return exhibit


def import_job(case: Case, source: Evidence | None = None) -> MessageImport:
    return MessageImport.objects.create(
        case=case,
        source=source or export_file(case),
        format=MessageImport.Format.SBR_MESSAGES,
        parser_version="test 1",
        status=MessageImport.Status.DONE,
    )


def _common(job: MessageImport, element: int, direction: str, address: str) -> dict:
    return {
        "case": job.case,
        "source": job,
        "element": element,
        "line": element + 1,
        "dedupe_key": hashlib.sha256(f"{job.pk}-{element}".encode()).hexdigest(),
        "direction": direction,
        "address": address,
        "address_key": SAM_KEY,
    }


def text(job, element: int, at: datetime, body: str = "", direction="in", **extra) -> Message:
    """An unsaved text at its place in the file."""
    box = 1 if direction == "in" else 2
    fields = _common(job, element, direction, extra.pop("address", SAM))
    return Message(channel="sms", box=box, sent_at=at, body=body, **fields, **extra)


def call(job, element: int, at: datetime, outcome="missed", direction="in", **extra) -> Call:
    """An unsaved call at its place in the file."""
    call_type = {"missed": 3, "rejected": 5, "answered": 1 if direction == "in" else 2}
    fields = _common(job, element, direction, extra.pop("address", SAM))
    return Call(
        outcome=outcome,
        call_type=call_type.get(outcome, 3),
        started_at=at,
        **fields,
        **extra,
    )


def keep(items: list) -> list:
    """Save unsaved messages and calls as the import does: in bulk, each in the custody log."""
    with transaction.atomic():
        for model in (Message, Call):
            rows = [item for item in items if isinstance(item, model)]
            if rows:
                model.objects.bulk_create(rows)
                saved = list(model.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]))
                # One entry each, as messages and calls imported before custody batches were.
                for item in saved:
                    custody.log(custody.Action.CREATED, item)
    return items
