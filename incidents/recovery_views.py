"""Getting back in after a forgotten password: 'Forgot your password?' with a recovery code,
the host's one-time reset link, and the recovery codes page of the account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import recovery, sign_in
from .models import AuditEvent, User
from .recovery_forms import ForgotPasswordForm, RecoveryCodesForm, ResetLinkForm, guess_failed
from .security import audit

# The new codes, shown once on the next page and then forgotten, and where to go after it.
NEW_CODES = "recovery_new_codes"
AFTER_CODES = "recovery_after_codes"


def codes_show_once(request, codes: list[str], then: str) -> None:
    """Keep new codes in the session for the one page that shows them."""
    request.session[NEW_CODES] = codes
    request.session[AFTER_CODES] = then


@login_not_required
def forgot_password(request):
    form = ForgotPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if recovery.password_reset_with_code(
            user=user,
            code=form.cleaned_data["code"],
            password=form.cleaned_data["new_password1"],
            request=request,
        ):
            sign_in.attempts_reset(request, username)
            left = recovery.codes_left(user)
            messages.success(request, _codes_left_message(left))
            return redirect("login")
        guess_failed(request, username)
        form.add_error(None, _("That user name and recovery code do not match."))
    return render(
        request,
        "incidents/forgot_password.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _codes_left_message(left: int) -> str:
    return ngettext(
        "Your password is changed and every device was signed out. Sign in with the new "
        "password. You have %(left)d recovery code left.",
        "Your password is changed and every device was signed out. Sign in with the new "
        "password. You have %(left)d recovery codes left.",
        left,
    ) % {"left": left}


@login_not_required
def reset_link(request, token: str):
    link = recovery.reset_link_find(token)
    if link is None:
        return render(request, "incidents/reset_link_gone.html", status=404)
    form = ResetLinkForm(request.POST or None, request=request, user=link.user)
    if request.method == "POST" and form.is_valid():
        if recovery.reset_link_use(
            link=link, password=form.cleaned_data["new_password1"], request=request
        ):
            sign_in.attempts_reset(request, link.user.get_username())
            messages.success(
                request,
                _(
                    "Your password is changed and every device was signed out. "
                    "Sign in with the new password."
                ),
            )
            return redirect("login")
        return render(request, "incidents/reset_link_gone.html", status=404)
    context = {"form": form, "expires_at": link.expires_at, "username": link.user.get_username()}
    return render(request, "incidents/reset_link.html", context, status=400 if form.errors else 200)


def recovery_codes(request):
    """How many codes are left, and making a new set (the old ones stop working)."""
    form = RecoveryCodesForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        codes = recovery.codes_issue(request.user)
        audit(request, AuditEvent.Action.RECOVERY_CODES_NEW, "Recovery codes")
        codes_show_once(request, codes, then=reverse("recovery_codes"))
        return redirect("recovery_codes_new")
    context = {"form": form, "left": recovery.codes_left(request.user)}
    return render(
        request, "incidents/recovery_codes.html", context, status=400 if form.errors else 200
    )


def recovery_codes_new(request):
    codes = request.session.pop(NEW_CODES, None)
    then = request.session.pop(AFTER_CODES, None) or reverse("dashboard")
    if codes is None:
        return redirect("recovery_codes")
    return render(request, "incidents/recovery_codes_new.html", {"codes": codes, "then": then})
