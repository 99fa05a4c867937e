"""Share links: making, revoking and checking them, and slowing down anyone guessing at them.

A link carries a random token (32 bytes, `secrets.token_urlsafe`) after the `#` of its address.
Browsers never send that part to a server, so no access log, proxy or Referer header sees it:
the recipient's page reads it with a few lines of script and posts it (see share_views). The
database keeps only its SHA-256. Every visit, download and refusal is a custody-log entry on
the share, which its owner sees beside the link.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import custody
from .models import CustodyEntry, Export, Share, SignInGuesses, User
from .sign_in import GUESSES_FORGOTTEN_AFTER, guess_delay

MAKING = (Export.Status.QUEUED, Export.Status.RUNNING)
DEFAULT_DAYS = 14
MAX_DAYS = 90
Action = CustodyEntry.Action
REFUSALS = {
    "expired": Action.SHARE_EXPIRED,
    "closed": Action.SHARE_CLOSED,
    "over_cap": Action.SHARE_OVER_CAP,
    "wrong_passphrase": Action.SHARE_WRONG_PASS,
}
# What the owner's list shows for each entry on a share.
SHARE_ACTIONS = (Action.SHARED, Action.SHARE_REVOKED, Action.SHARE_OPENED)
SHARE_ACTIONS += (Action.SHARE_DOWNLOADED, *REFUSALS.values())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewShare:
    share: Share
    token: str  # shown to the owner once, never stored


@transaction.atomic
def share_create(
    *,
    export: Export,
    recipient: str,
    role: str,
    days: int = DEFAULT_DAYS,
    max_downloads: int | None = None,
    passphrase: str = "",
) -> NewShare:
    """Make a link to an export for one named recipient: a finished one, or a copy just asked
    for (marked for them), which the link hands out once it is made."""
    finished = export.status == Export.Status.DONE and export.sha256
    if not finished and export.status not in MAKING:
        raise ValueError("Only a finished file, or one being made, can be shared.")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"A link lasts from 1 to {MAX_DAYS} days.")
    token = secrets.token_urlsafe(32)
    share = Share.objects.create(
        owner=export.owner,
        case=export.case,
        export=export,
        recipient=recipient.strip(),
        role=role,
        token_hash=token_hash(token),
        passphrase_hash=make_password(passphrase) if passphrase else "",
        expires_at=timezone.now() + timedelta(days=days),
        max_downloads=max_downloads,
    )
    custody.log(Action.SHARED, share, file_sha256=export.sha256)
    return NewShare(share, token)


@transaction.atomic
def share_revoke(*, share: Share) -> bool:
    """Close a link at once. False if it was already closed."""
    closed = Share.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if closed:
        share.refresh_from_db()
        custody.log(Action.SHARE_REVOKED, share)
    return bool(closed)


def shares_revoke_for_export(*, export: Export) -> int:
    """Deleting an export revokes its links: call inside the deletion's transaction."""
    shares = list(Share.objects.filter(export=export, revoked_at__isnull=True))
    for share in shares:
        share_revoke(share=share)
    return len(shares)


def find(token: str) -> Share | None:
    """The share a token opens, whatever its state; None for a token that opens nothing."""
    if not token or len(token) > 100:
        return None
    return (
        Share.objects.select_related("export", "owner").filter(token_hash=token_hash(token)).first()
    )


def refusal(share: Share) -> str:
    """Why the link cannot be used now ("" when it can, though its file may still be being
    made: see is_ready)."""
    if share.revoked_at is not None or share.export is None:
        return "closed"
    if share.expires_at <= timezone.now():
        return "expired"
    export = share.export
    if export.status not in (Export.Status.DONE, *MAKING):
        return "closed"
    cap = share.max_downloads
    if cap is not None and share.downloads >= cap:
        return "over_cap"
    return ""


@transaction.atomic
def refusal_log(*, share: Share, reason: str) -> None:
    """Write a refused try to the custody log, on the share."""
    custody.log(REFUSALS[reason], share)


@transaction.atomic
def visit_log(*, share: Share) -> None:
    custody.log(Action.SHARE_OPENED, share)


def count_download(*, share: Share) -> bool:
    """Take one download from the cap; False when none are left (two tries at once get one)."""
    rows = Share.objects.filter(pk=share.pk)
    if share.max_downloads is not None:
        rows = rows.filter(downloads__lt=F("max_downloads"))
    return bool(rows.update(downloads=F("downloads") + 1))


def is_ready(share: Share) -> bool:
    """Whether the shared file is made (a copy marked for the recipient takes a minute)."""
    return share.export.status == Export.Status.DONE and bool(share.export.sha256)


def shared_with_line(recipient: str) -> str:
    """The words at the foot of every page of a copy made for a share."""
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    return _("Shared with %(recipient)s on %(date)s") % {"recipient": recipient, "date": today}


def passphrase_ok(share: Share, passphrase: str) -> bool:
    if not share.passphrase_hash:
        return True
    return bool(passphrase) and check_password(passphrase, share.passphrase_hash)


def entries(share: Share):
    """The custody entries of one link, oldest first: what its owner sees beside it."""
    return CustodyEntry.objects.filter(object_uuid=share.uuid).order_by("sequence")


def for_export(user: User, export: Export):
    return Share.objects.owned_by(user).filter(export=export)


# --- slowing guesses down -----------------------------------------------------------------------
# The same doubling pause as sign-in (sign_in.guess_delay) and the same table, under keys of
# their own: token guesses are counted by address, wrong passphrases by link.


def guess_key(kind: str, value: str) -> str:
    return salted_hmac(f"incidents.shares.{kind}", value, algorithm="sha256").hexdigest()


def paused_until(key: str, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    row = SignInGuesses.objects.filter(name_hash=key).first()
    if row is None or row.last_failure_at < now - GUESSES_FORGOTTEN_AFTER:
        return None
    until = row.last_failure_at + guess_delay(row.failures)
    return until if until > now else None


@transaction.atomic
def guess_failed(key: str) -> None:
    now = timezone.now()
    SignInGuesses.objects.filter(Q(last_failure_at__lt=now - GUESSES_FORGOTTEN_AFTER)).delete()
    row, created = SignInGuesses.objects.select_for_update().get_or_create(
        name_hash=key, defaults={"failures": 1, "last_failure_at": now}
    )
    if not created:
        SignInGuesses.objects.filter(pk=row.pk).update(
            failures=F("failures") + 1, last_failure_at=now
        )
