"""Account safety: the sessions a user is signed in with, the sign-in history, the audit of
sensitive actions, and deleting an account with everything it holds.

The sign-in signals are connected in apps.py; each receiver only calls a function here.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AccountSafety, AuditEvent, Evidence, SignIn, User, UserSession
from .models.kinds import kind_of
from .sign_in import client_ip

# Keys in the session itself, read by the expiry middleware (Unix times).
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# How often a busy session writes "last seen": once a minute is precise enough for expiry.
TOUCH_EVERY = 60


def session_store(key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.SESSION_IDLE_MINUTES)


def absolute_limit() -> timedelta:
    return timedelta(days=settings.SESSION_ABSOLUTE_DAYS)


# --- who is asking --------------------------------------------------------------------------


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("iPhone", _("an iPhone")),
    ("iPad", _("an iPad")),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", _("a Chromebook")),
    ("Macintosh", _("a Mac")),
    ("Linux", "Linux"),
]


def device_name(agent: str) -> str:
    """The browser and system in plain words ("Firefox on Windows"), from a user agent."""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if browser and system:
        return gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    # Scripts and tools name themselves first ("curl/8.1"); show that name, shortened.
    first = re.split(r"[\s/;(]", agent.strip(), maxsplit=1)[0][:40]
    return first or gettext("Unknown browser")


def session_ref(key: str | None) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else ""


# --- sessions -------------------------------------------------------------------------------


def session_started(request, user: User) -> None:
    """After a sign-in (the session key is already new): remember it and the sign-in."""
    now = timezone.now()
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    ip, agent = client_ip(request), user_agent(request)
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": ip,
            "user_agent": agent,
        },
    )
    SignIn.objects.create(user=user, at=now, succeeded=True, ip=ip, user_agent=agent)


def sign_in_failed(request, username: str) -> None:
    """Keep a failed attempt on an existing account; nothing for a name without one."""
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is None:
        return
    ip = client_ip(request) if request else None
    agent = user_agent(request) if request else ""
    SignIn.objects.create(user=user, succeeded=False, ip=ip, user_agent=agent)


def session_keep(request, *, keep: bool) -> None:
    """The session cookie lasts SESSION_COOKIE_AGE when the user asked to be kept signed in on
    this device, and ends with the browser otherwise (the idle limit applies either way)."""
    request.session.set_expiry(settings.SESSION_COOKIE_AGE if keep else 0)


def session_ended(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_rekeyed(*, old: str | None, new: str | None) -> None:
    """Follow a session to its new key (Django changes it when the password changes)."""
    if old and new and old != new:
        UserSession.objects.filter(session_key=old).update(session_key=new)


def session_touch(request, now: float) -> None:
    """Note activity on a signed-in session: in the session, and in its row (made if missing,
    for sessions that began before this was tracked)."""
    request.session[LAST_SEEN_AT] = now
    request.session.setdefault(SIGNED_IN_AT, now)
    if request.session.session_key is None:
        request.session.save()
    seen = timezone.now()
    updated = UserSession.objects.filter(
        session_key=request.session.session_key, user=request.user
    ).update(last_seen_at=seen)
    if not updated:
        UserSession.objects.create(
            user=request.user,
            session_key=request.session.session_key,
            created_at=datetime.fromtimestamp(request.session[SIGNED_IN_AT], tz=UTC),
            last_seen_at=seen,
            ip=client_ip(request),
            user_agent=user_agent(request),
        )


def sessions_active(user: User) -> list[UserSession]:
    """The user's sessions that still work. Rows whose session has ended some other way (expired,
    removed from the store, or left behind by a password change) are cleared on the way."""
    alive, gone = [], []
    idle_since = timezone.now() - idle_limit()
    started_since = timezone.now() - absolute_limit()
    for row in UserSession.objects.filter(user=user):
        store = session_store(row.session_key)
        expired = row.last_seen_at < idle_since or row.created_at < started_since
        # An ended or expired session loads as empty, so it has no hash either.
        if expired or not _hash_matches(store, user):
            gone.append(row)
        else:
            alive.append(row)
    for row in gone:
        session_store().delete(row.session_key)
    UserSession.objects.filter(pk__in=[row.pk for row in gone]).delete()
    return alive


def _hash_matches(store, user: User) -> bool:
    """Whether the session still signs in: a password change invalidates the others."""
    stored = store.get("_auth_user_hash")
    return stored is not None and stored == user.get_session_auth_hash()


def sessions_end_others(*, user: User, keep: str | None) -> int:
    """Sign out every session of the user but `keep`. Returns how many were ended."""
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    store = session_store()
    for key in keys:
        store.delete(key)
    rows.delete()
    return len(keys)


# --- sign-in history and notices --------------------------------------------------------------


def safety_state(user: User) -> AccountSafety:
    return AccountSafety.objects.get_or_create(user=user)[0]


def failures_unseen(user: User) -> int:
    seen = safety_state(user).failures_seen_at
    failures = SignIn.objects.owned_by(user).filter(succeeded=False)
    return (failures.filter(at__gt=seen) if seen else failures).count()


def failures_mark_seen(user: User) -> None:
    AccountSafety.objects.update_or_create(user=user, defaults={"failures_seen_at": timezone.now()})


def advice_dismiss(user: User) -> None:
    AccountSafety.objects.update_or_create(
        user=user, defaults={"advice_dismissed_at": timezone.now()}
    )


# --- audit ------------------------------------------------------------------------------------


def audit(request, action: str, description: str = "") -> AuditEvent:
    """Record a sensitive action by the signed-in user. `description` names the object; never
    put what the user wrote into it."""
    return AuditEvent.objects.create(
        user=request.user,
        action=action,
        description=description[:200],
        session_ref=session_ref(request.session.session_key),
        device=device_name(user_agent(request))[:100],
        ip=client_ip(request),
    )


def describe(obj) -> str:
    """'Incident of 3 March 2024', 'Exhibit 4': what an audit entry says about an object."""
    if isinstance(obj, Evidence) and getattr(obj, "exhibit_number", None):
        return gettext("Exhibit %(number)s") % {"number": obj.exhibit_number}
    kind = kind_of(obj)
    name = capfirst(kind.singular if kind else obj._meta.verbose_name)
    when = getattr(obj, kind.when if kind else "received_at", None)
    if when is None:
        return name
    if hasattr(when, "hour"):
        when = timezone.localtime(when)
    return gettext("%(name)s of %(day)s") % {"name": name, "day": date_format(when, "DATE_FORMAT")}
