"""Ways back in after a forgotten password: the ten one-time recovery codes (which are also the
two-factor backup codes) and the host's one-time reset link. Both end every session of the
account and leave an entry in its activity log."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from . import security, sign_in
from .models import AccountSafety, AuditEvent, PasswordResetLink, RecoveryCode, User

RECOVERY_CODE_COUNT = 10
RESET_LINK_MINUTES = 30
# No look-alike characters: the codes are written on paper and typed on a phone.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_GROUPS, GROUP_LENGTH = 4, 4  # 16 characters: about 79 bits, beyond any guessing


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def code_hash(code: str) -> str:
    """SHA-256 of the code as typed, without spaces, dashes or capitals."""
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_code() -> str:
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


@transaction.atomic
def codes_issue(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones, returned to be shown once."""
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=code_hash(c)) for c in codes)
    AccountSafety.objects.filter(user=user).update(recovery_codes_due=False)
    return codes


def codes_due_mark(user: User) -> None:
    """An account the host made: its codes are made at its first sign-in, shown only there."""
    AccountSafety.objects.update_or_create(user=user, defaults={"recovery_codes_due": True})


def codes_due(user: User) -> bool:
    """Whether the account's recovery codes are to be made at this sign-in."""
    return AccountSafety.objects.filter(user=user, recovery_codes_due=True).exists()


def codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user).count()


def code_use(user: User | None, code: str) -> bool:
    """Use up one of the account's codes: True once, then never again for the same code.
    With no account, the same hash is computed and nothing matches (no timing difference)."""
    digest = code_hash(code)
    if not _normalise(code):
        return False
    # The row is deleted in the same statement that finds it: two requests with the same code
    # cannot both succeed. With no account the same query runs (and finds nothing).
    deleted, _ = RecoveryCode.objects.filter(user=user, code_hash=digest).delete()
    return deleted > 0


# --- resetting the password ---------------------------------------------------------------------


def _log(user: User, action: str, description: str, request=None) -> None:
    """An activity entry the owner sees on the account's activity page."""
    AuditEvent.objects.create(
        user=user,
        action=action,
        description=description[:200],
        device=security.device_name(security.user_agent(request))[:100] if request else "",
        ip=sign_in.client_ip(request) if request else None,
    )


def _end_everything(user: User) -> int:
    """Sign the account out everywhere and forget its known devices."""
    ended = security.sessions_end_others(user=user, keep=None)
    user.known_devices.all().delete()
    return ended


def _set_password(user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def password_reset_with_code(*, user: User | None, code: str, password: str, request) -> bool:
    """Use up one recovery code and set the new password, ending every session and leaving
    an activity entry. False (and nothing changed) when the code is not one of the account's,
    or there is no account."""
    if not code_use(user, code):
        return False
    _set_password(user, password)
    _end_everything(user)
    _log(user, AuditEvent.Action.RECOVERY_CODE_USED, "Password", request)
    return True


def reset_link_lifetime() -> timedelta:
    return timedelta(minutes=RESET_LINK_MINUTES)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def reset_link_make(user: User) -> str:
    """A new one-time token for `user`, valid RESET_LINK_MINUTES; earlier unused links stop
    working. Returns the token (only its hash is stored)."""
    now = timezone.now()
    PasswordResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    PasswordResetLink.objects.create(
        user=user,
        token_hash=_token_hash(token),
        created_at=now,
        expires_at=now + reset_link_lifetime(),
    )
    _log(user, AuditEvent.Action.RESET_LINK_MADE, f"Valid for {RESET_LINK_MINUTES} minutes")
    return token


def reset_link_find(token: str) -> PasswordResetLink | None:
    """The link for `token` if it can still be used (not used, not expired)."""
    return (
        PasswordResetLink.objects.filter(
            token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("user")
        .first()
    )


@transaction.atomic
def reset_link_use(*, link: PasswordResetLink, password: str, request) -> bool:
    """Set the new password through the link, once: False if it was used meanwhile."""
    now = timezone.now()
    claimed = PasswordResetLink.objects.filter(
        pk=link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        return False
    _set_password(link.user, password)
    _end_everything(link.user)
    _log(link.user, AuditEvent.Action.RESET_LINK_USED, "Password", request)
    return True
