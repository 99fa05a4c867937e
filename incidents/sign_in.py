"""Password guessing: where a request comes from, the pauses that slow a guesser down, the
devices that have signed in before and are never kept out by them, and what a paused sign-in
page says.

Three limits, all of which end by themselves (none can be used to lock the owner out for good):
- per user name *and* address (django-axes): AXES_FAILURE_LIMIT wrong passwords pause that name
  from that address for AXES_COOLOFF_TIME; tries during the pause are not checked and do not
  make it longer;
- per user name from every address together: after SIGN_IN_FREE_GUESSES wrong passwords, each
  further guess waits for a delay that doubles up to SIGN_IN_MAX_DELAY_MINUTES, forgotten after
  a day without a wrong password;
- a device that has signed in to the account before (a signed cookie) is exempt from both, but
  not from the password check: SIGN_IN_DEVICE_FAILURES wrong passwords in a row on it forget it.
"""

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from .models import KnownDevice, SignInGuesses, User

DEVICE_SALT = "incidents.sign_in.known_device"
# The per-name count is forgotten after this long without a wrong password.
GUESSES_FORGOTTEN_AFTER = timedelta(days=1)


def client_ip(request: HttpRequest) -> str | None:
    """The address that failures are counted against.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to X-Forwarded-For, so
    the real one is that many places from the end; anything before it the client could forge.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _now(request: HttpRequest | None) -> datetime:
    """The time of this attempt, as django-axes took it (one clock for all the limits)."""
    return getattr(request, "axes_attempt_time", None) or timezone.now()


# --- devices that have signed in before -------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def known_device(request: HttpRequest, username: str | None) -> KnownDevice | None:
    """The device this request comes from, if it has signed in to `username` before."""
    raw = request.COOKIES.get(settings.KNOWN_DEVICE_COOKIE_NAME)
    if not raw or not username:
        return None
    try:
        token = signing.loads(
            raw, salt=DEVICE_SALT, max_age=timedelta(days=settings.KNOWN_DEVICE_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(token, str):
        return None
    return (
        KnownDevice.objects.filter(
            token_hash=_token_hash(token), **{f"user__{User.USERNAME_FIELD}": username}
        )
        .select_related("user")
        .first()
    )


def known_device_allowed(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: a known device is not held up by the pauses (its password is
    still checked, and its own wrong passwords are counted on it)."""
    return known_device(request, (credentials or {}).get("username")) is not None


def device_remember(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """After a complete sign-in: remember this device for the account (a new token each time,
    so a copied cookie stops working once the owner signs in again here)."""
    now = timezone.now()
    KnownDevice.objects.filter(
        user=user, last_used_at__lt=now - timedelta(days=settings.KNOWN_DEVICE_DAYS)
    ).delete()
    previous = known_device(request, user.get_username())
    if previous is not None:
        previous.delete()
    token = secrets.token_urlsafe(32)
    KnownDevice.objects.create(user=user, token_hash=_token_hash(token), last_used_at=now)
    response.set_cookie(
        settings.KNOWN_DEVICE_COOKIE_NAME,
        signing.dumps(token, salt=DEVICE_SALT),
        max_age=settings.KNOWN_DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def devices_forget_others(request: HttpRequest, user: User) -> int:
    """Forget every device of the account but this one (the password changed, or the owner
    signed out everywhere else: a device the stalker used must not stay exempt)."""
    others = KnownDevice.objects.filter(user=user)
    current = known_device(request, user.get_username())
    if current is not None:
        others = others.exclude(pk=current.pk)
    return others.delete()[0]


def _device_failed(device: KnownDevice) -> None:
    """A wrong password on a known device: after too many in a row it is a device like any
    other (someone else may be using it)."""
    if device.failures + 1 >= settings.SIGN_IN_DEVICE_FAILURES:
        device.delete()
    else:
        KnownDevice.objects.filter(pk=device.pk).update(failures=F("failures") + 1)


# --- guesses at one name from every address ------------------------------------------------------


def name_key(username: str) -> str:
    """What the limits count a user name by: a keyed hash, so that a password typed into the
    name box by mistake is never stored (and a stolen backup does not list the names tried)."""
    return salted_hmac("incidents.sign_in.name", username, algorithm="sha256").hexdigest()


def attempt_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: django-axes keeps the keyed hash of the name, not the name."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return name_key(username) if username else None


def guess_delay(failures: int) -> timedelta:
    """How long the next guess at a name waits after its `failures`-th wrong password: nothing
    for the first few, then 1 minute, doubling up to the cap."""
    extra = failures - settings.SIGN_IN_FREE_GUESSES
    if extra < 0:
        return timedelta(0)
    minutes = 2 ** min(extra, 20)
    return timedelta(minutes=min(minutes, settings.SIGN_IN_MAX_DELAY_MINUTES))


def _name_paused_until(username: str | None, now: datetime) -> datetime | None:
    if not username:
        return None
    row = SignInGuesses.objects.filter(name_hash=name_key(username)).first()
    if row is None or row.last_failure_at < now - GUESSES_FORGOTTEN_AFTER:
        return None
    until = row.last_failure_at + guess_delay(row.failures)
    return until if until > now else None


@transaction.atomic
def _name_guess_failed(username: str, now: datetime) -> None:
    SignInGuesses.objects.filter(last_failure_at__lt=now - GUESSES_FORGOTTEN_AFTER).delete()
    row, created = SignInGuesses.objects.select_for_update().get_or_create(
        name_hash=name_key(username), defaults={"failures": 1, "last_failure_at": now}
    )
    if not created:
        SignInGuesses.objects.filter(pk=row.pk).update(
            failures=F("failures") + 1, last_failure_at=now
        )


# --- one name from one address (django-axes) ----------------------------------------------------


def _address_paused_until(request: HttpRequest, username: str | None, now: datetime):
    """When the pause for this name from this address ends: once the failures still inside
    the cool-off, oldest first, drop below the limit."""
    cool_off = settings.AXES_COOLOFF_TIME
    if not username:
        return None
    rows = AccessAttempt.objects.filter(
        username=name_key(username), ip_address=client_ip(request), attempt_time__gte=now - cool_off
    ).order_by("attempt_time")
    counted = [(row.attempt_time, row.failures_since_start) for row in rows]
    total = sum(failures for _, failures in counted)
    until = None
    for attempt_time, failures in counted:
        if total < settings.AXES_FAILURE_LIMIT:
            break
        total -= failures
        until = attempt_time + cool_off
    return until if until is not None and until > now else None


# --- together -------------------------------------------------------------------------------


def paused_for(request: HttpRequest, username: str | None) -> timedelta | None:
    """How much longer sign-in with this name from this request is paused, or None. The same
    for a name with an account and one without."""
    if known_device(request, username) is not None:
        return None
    now = _now(request)
    ends = [
        until
        for until in (
            _address_paused_until(request, username, now),
            _name_paused_until(username, now),
        )
        if until is not None
    ]
    return max(ends) - now if ends else None


def pause_message(request: HttpRequest, username: str | None) -> str | None:
    """'Sign-in from here is paused for 14 more minutes.', or None when it is not paused."""
    left = paused_for(request, username)
    if left is None:
        return None
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return ngettext(
        "Sign-in from here is paused for %(minutes)d more minute, after several wrong "
        "passwords. A device you have signed in on before can still sign in.",
        "Sign-in from here is paused for %(minutes)d more minutes, after several wrong "
        "passwords. A device you have signed in on before can still sign in.",
        minutes,
    ) % {"minutes": minutes}


class SignInGuard(AxesDatabaseHandler):
    """django-axes' database handler, plus the per-name delay and the known devices."""

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        if not super().is_allowed(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        username = (credentials or {}).get("username")
        return _name_paused_until(username, _now(request)) is None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A try refused unchecked during a pause is not a guess: it does not lengthen anything.
        if request is not None and not getattr(request, "axes_locked_out", False):
            username = (credentials or {}).get("username")
            device = known_device(request, username)
            if device is not None:
                _device_failed(device)
            elif username:
                _name_guess_failed(username, _now(request))
        super().user_login_failed(sender, credentials, request, **kwargs)


def locked_out_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The page the view drew already says that sign-in is paused and for how long (in the
    same words whether the account exists or not), so that page is the answer."""
    if isinstance(original_response, HttpResponse):
        return original_response
    # Not reached with our views; kept so a paused request never gets axes' own text.
    return TemplateResponse(request, "incidents/login.html", {"form": None}, status=429)


def attempts_reset(request: HttpRequest, username: str) -> None:
    """Forget the failures of this user name from this address only: other names tried from
    the same address still count."""
    AccessAttempt.objects.filter(
        username=name_key(username), ip_address=client_ip(request)
    ).delete()
