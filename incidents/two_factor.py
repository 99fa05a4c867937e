"""Two-factor sign-in (django-otp): a time-based code from an authenticator app, and the ten
one-time recovery codes (recovery.py) as backup codes for when the phone is lost."""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import recovery
from .models import User

# The device a sign-in with a recovery code is marked with (django-otp wants a device); it holds
# no codes itself: they are kept hashed by recovery.py.
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = recovery.RECOVERY_CODE_COUNT
# After this many wrong codes in a row the wait between tries stops growing: 2**9 s, 8.5 min.
MAX_BACKOFF_FAILURES = 10


def two_factor_enabled(user: User) -> bool:
    """Asked on every request (one query): the authenticator alone tells (recovery codes
    exist without it too, for a forgotten password)."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_pending(user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of 4."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The QR code as inline SVG, drawn here: the secret never leaves the server."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", title="QR code")


def code_verify(user: User, code: str):
    """The confirmed device the code belongs to, or None. A code is used up by a success:
    a recovery code is deleted, and an authenticator code is refused until a newer one appears.
    The authenticator slows down repeated failures (django-otp's throttling)."""
    code = "".join(code.split()).replace("-", "").lower()
    if not code:
        return None
    if not (code.isdigit() and len(code) == 6):
        if not recovery.code_use(user, code):
            return None
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        return device
    with transaction.atomic():
        # select_for_update: two requests with the same code cannot both succeed.
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            # django-otp doubles the wait after each failure without end, and the wait is the
            # device's, not the guesser's: someone with the password could keep the owner out
            # for days. Capped here; the sign-in lockout (per address) limits the guessing.
            count = min(device.throttling_failure_count, MAX_BACKOFF_FAILURES)
            device.throttling_failure_count = count
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def two_factor_enable(*, user: User, device: TOTPDevice) -> list[str]:
    """Make `device` the user's only authenticator and replace the recovery codes (the backup
    codes). Returns the new codes: only their hashes are stored, so they are shown only now."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    return recovery.codes_issue(user)


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Remove the authenticator: the password alone signs in again. The recovery codes stay,
    for a forgotten password."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def backup_codes_left(user: User) -> int:
    return recovery.codes_left(user)
