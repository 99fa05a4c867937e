import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import jurisdictions, security
from .job_language import job_language
from .two_factor import two_factor_enabled


class UserTimezoneMiddleware:
    """Show and read times in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """Show the pages in the signed-in user's own language and legal words. Before sign-in,
    LocaleMiddleware has chosen from the language cookie or the browser's Accept-Language; the
    cookie is kept to the user's choice, so the sign-in page after signing out stays in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            jurisdictions.deactivate()
            return self.get_response(request)
        language = job_language(user)  # the user's, if the app still has it
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        # Scoped to this request, so no later response in the thread shows these legal words.
        with jurisdictions.override(user.jurisdiction):
            response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            language_cookie_set(response, language)
        return response


def language_cookie_set(response, language: str) -> None:
    """Remember the language in the browser, for the pages shown before sign-in."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class TwoFactorRequiredMiddleware:
    """With two-factor on, the password alone opens nothing: until a code is given, every page
    but the code page and signing out sends the user to the code page. With REQUIRE_TWO_FACTOR,
    an account without it is sent to set it up before anything else."""

    ALLOWED = {"login_code", "logout"}
    SETTING_UP = {"two_factor_setup", "two_factor_codes", "logout", "session_alive"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in self.ALLOWED:
            return None
        if two_factor_enabled(user):
            return redirect_to_login(request.get_full_path(), reverse("login_code"))
        if settings.REQUIRE_TWO_FACTOR and request.resolver_match.url_name not in self.SETTING_UP:
            return redirect("two_factor_setup")
        return None


class SessionExpiryMiddleware:
    """End a sign-in left unused for SESSION_IDLE_MINUTES, or older than SESSION_ABSOLUTE_DAYS,
    so that a phone or computer picked up by someone else later is no longer signed in. The
    next request goes to the sign-in page (LoginRequiredMiddleware), with a message saying why.
    Also keeps the "Where you are signed in" list up to date."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        now = time.time()
        session = request.session
        started = session.get(security.SIGNED_IN_AT, now)
        last_seen = session.get(security.LAST_SEEN_AT, now)
        idle = now - last_seen > security.idle_limit().total_seconds()
        if idle or now - started > security.absolute_limit().total_seconds():
            logout(request)
            if idle:
                text = _(
                    "You were signed out because it was not used for a while. Please sign in again."
                )
            else:
                text = _(
                    "You were signed out because it had lasted its full time. Please sign in again."
                )
            messages.info(request, text)
        elif security.SIGNED_IN_AT not in session or now - last_seen >= security.TOUCH_EVERY:
            security.session_touch(request, now)
