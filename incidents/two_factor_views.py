"""Two-factor sign-in pages: the code step of signing in, and turning two-factor on, moving it
to a new phone, or off. Every change needs the password and a code, and signs out every other
session (one the stalker might hold)."""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import recovery_views, security, sign_in, two_factor
from .account_forms import SignInCodeForm, TwoFactorChangeForm

# Set once the password and a current code were given for moving two-factor to a new phone:
# until then, the setup page is only for turning it on.
REPLACE_UNTIL = "two_factor_replace_until"
REPLACE_MINUTES = 10
# The new backup codes, shown once on the next page and then forgotten.
NEW_CODES = "two_factor_new_codes"


def login_code(request):
    """The second step of signing in (the middleware sends password-only sessions here)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.user.is_verified() or not two_factor.two_factor_enabled(request.user):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = SignInCodeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        django_otp.login(request, form.device)
        # A new key for the session that now opens everything: a key seen before the code was
        # given (a cookie copied after the password step) is worth nothing.
        old_key = request.session.session_key
        request.session.cycle_key()
        security.session_rekeyed(old=old_key, new=request.session.session_key)
        sign_in.attempts_reset(request, request.user.get_username())
        if form.device.name == two_factor.BACKUP_DEVICE_NAME:
            left = two_factor.backup_codes_left(request.user)
            messages.info(request, _("Backup code used. You have %(left)s left.") % {"left": left})
        response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
        sign_in.device_remember(request, response, request.user)
        return response
    return render(request, "incidents/login_code.html", {"form": form, "next": next_url})


def two_factor_offer(request):
    """Shown once an account is made: two-factor sign-in offered, with the reason, and
    skippable (REQUIRE_TWO_FACTOR sends the account to the setup page instead)."""
    if two_factor.two_factor_enabled(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    # A new account's recovery codes are shown here, once, above the offer.
    codes = request.session.pop(recovery_views.NEW_CODES, None)
    request.session.pop(recovery_views.AFTER_CODES, None)
    return render(request, "incidents/two_factor_offer.html", {"codes": codes})


def two_factor_settings(request):
    enabled = two_factor.two_factor_enabled(request.user)
    form = TwoFactorChangeForm(request.POST or None, request=request) if enabled else None
    if request.method == "POST" and enabled and form.is_valid():
        if request.POST.get("action") == "off" and settings.REQUIRE_TWO_FACTOR:
            messages.error(
                request,
                _("This server asks every account to use two-factor sign-in, so it stays on."),
            )
            return redirect("two_factor")
        if request.POST.get("action") == "off":
            two_factor.two_factor_disable(user=request.user)
            _end_other_sessions(request)
            messages.success(request, _("Two-factor sign-in is off. Your password alone signs in."))
            return redirect("two_factor")
        request.session[REPLACE_UNTIL] = time.time() + REPLACE_MINUTES * 60
        return redirect("two_factor_setup")
    context = {
        "enabled": enabled,
        "form": form,
        "backup_codes_left": two_factor.backup_codes_left(request.user) if enabled else 0,
        "require_two_factor": settings.REQUIRE_TWO_FACTOR,
    }
    return render(request, "incidents/two_factor.html", context)


def two_factor_setup(request):
    replacing = two_factor.two_factor_enabled(request.user)
    if replacing and request.session.get(REPLACE_UNTIL, 0) < time.time():
        return redirect("two_factor")
    device = two_factor.totp_pending(request.user)
    form = TwoFactorChangeForm(request.POST or None, request=request, device=device)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.two_factor_enable(user=request.user, device=device)
        request.session.pop(REPLACE_UNTIL, None)
        django_otp.login(request, device)
        _end_other_sessions(request)
        request.session[NEW_CODES] = codes
        return redirect("two_factor_codes")
    context = {
        "form": form,
        "replacing": replacing,
        "required": settings.REQUIRE_TWO_FACTOR and not replacing,
        "qr_svg": two_factor.totp_qr_svg(device),
        "secret": two_factor.totp_secret(device),
    }
    return render(request, "incidents/two_factor_setup.html", context)


def two_factor_codes(request):
    codes = request.session.pop(NEW_CODES, None)
    if codes is None:
        return redirect("two_factor")
    return render(request, "incidents/two_factor_codes.html", {"codes": codes})


def _end_other_sessions(request) -> None:
    ended = security.sessions_end_others(user=request.user, keep=request.session.session_key)
    sign_in.devices_forget_others(request, request.user)
    if ended:
        messages.info(request, _("Every other device signed in to this account was signed out."))
