"""Account pages: the first run, settings and password, the accounts on this server (for the
owner), and the account's safety: where it is signed in, its sign-in history, the activity on
it, the safety advice, a copy of all its data, and deleting it. Everything here is about the
signed-in user's own account, so there is no one else's object to reach."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import (
    account_removal,
    demo,
    exports,
    recovery,
    security,
    services,
    sign_in,
)
from .account_forms import (
    AccountCreateForm,
    AccountDeleteForm,
    PasswordChangeForm,
    SettingsForm,
    SetupForm,
)
from .dossier import DossierOptions
from .middleware import language_cookie_set
from .models import (
    AuditEvent,
    Case,
    Export,
    SignIn,
    User,
)
from .recovery_views import codes_show_once

logger = logging.getLogger(__name__)
HISTORY_LENGTH = 100


def sessions(request):
    rows = security.sessions_active(request.user)
    current = request.session.session_key
    items = [
        {
            "row": row,
            "device": security.device_name(row.user_agent),
            "current": row.session_key == current,
        }
        for row in rows
    ]
    items.sort(key=lambda item: not item["current"])
    return render(request, "incidents/account_sessions.html", {"items": items})


@require_POST
def sessions_end_others(request):
    ended = security.sessions_end_others(user=request.user, keep=request.session.session_key)
    sign_in.devices_forget_others(request, request.user)
    security.audit(request, AuditEvent.Action.SIGN_OUT_OTHERS, f"{ended} other sign-ins ended")
    if ended:
        messages.success(
            request, _("Signed out everywhere else. Only this browser is signed in now.")
        )
    else:
        messages.info(request, _("You were not signed in anywhere else."))
    return redirect("account_sessions")


def session_alive(request):
    """Asked by session-alive.js while the user types: the request itself (through
    SessionExpiryMiddleware) keeps the sign-in from ending as idle."""
    return HttpResponse(status=204)


def sign_in_history(request):
    items = SignIn.objects.owned_by(request.user)[:HISTORY_LENGTH]
    for item in items:
        item.device = security.device_name(item.user_agent)
    security.failures_mark_seen(request.user)
    return render(request, "incidents/account_sign_ins.html", {"items": items})


def activity(request):
    events = AuditEvent.objects.owned_by(request.user)[:HISTORY_LENGTH]
    current = security.session_ref(request.session.session_key)
    return render(
        request, "incidents/account_activity.html", {"events": events, "current": current}
    )


def safety_advice(request):
    return render(request, "incidents/account_safety_advice.html")


@require_POST
def notice_dismiss(request):
    """Hide a dashboard notice: the safety advice, or the count of failed sign-ins."""
    if request.POST.get("notice") == "advice":
        security.advice_dismiss(request.user)
    else:
        security.failures_mark_seen(request.user)
    return redirect("dashboard")


def account_data(request):
    """A copy of everything: one evidence package (dossier, originals, data) per person."""
    cases = Case.objects.owned_by(request.user)
    if request.method == "POST":
        for case in cases:
            exports.export_start(
                user=request.user,
                case=case,
                kind=Export.Kind.PACKAGE,
                options=DossierOptions(case=str(case.uuid)),
            )
        security.audit(request, AuditEvent.Action.DATA_EXPORT, f"{len(cases)} evidence packages")
        messages.success(
            request, _("Started. Each package appears on the Dossier page when it is ready.")
        )
        return redirect("dossier")
    return render(request, "incidents/account_data.html", {"cases": cases})


def account_delete(request):
    form = AccountDeleteForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        account_removal.account_delete(user=user)
        messages.info(request, _("Your account and everything in it have been deleted."))
        return redirect("login")
    context = {
        "form": form,
        "other_owners": User.objects.filter(is_staff=True).exclude(pk=request.user.pk).exists(),
        "other_accounts": User.objects.exclude(pk=request.user.pk).exists(),
    }
    return render(
        request, "incidents/account_delete.html", context, status=400 if form.errors else 200
    )


def demo_data_remove(request):
    """Remove all the demonstration data (after a confirm page); real records stay."""
    summary = demo.demo_summary(request.user)
    if summary is None:
        messages.info(request, _("This account holds no demonstration data."))
        return redirect("dashboard")
    if request.method == "POST":
        removed = demo.demo_remove(user=request.user)
        security.audit(request, AuditEvent.Action.DEMO_REMOVE, f"{removed} demo records")
        messages.success(
            request,
            _("The demonstration data has been removed. Your own records are as they were."),
        )
        return redirect("dashboard")
    return render(request, "incidents/demo_remove.html", {"summary": summary})


@login_not_required
def setup(request):
    if User.objects.exists():
        raise Http404("Setup is done.")
    if not settings.SETUP_CODE_FILE.exists():
        # Started some other way than `make run`: the code goes to the server's log instead.
        logger.warning("First-run setup code: %s", services.setup_code_get_or_create())
    form = SetupForm(request.POST or None, language=request.LANGUAGE_CODE)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.owner_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
                language=form.cleaned_data["language"],
                jurisdiction=form.cleaned_data["jurisdiction"],
            )
        except PermissionError:
            raise Http404("Setup is done.") from None
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        translation.activate(user.language)  # the next message is already in it
        messages.success(
            request, _("Your account is ready. Only you can see what you record here.")
        )
        # Two-factor is offered (or, with REQUIRE_TWO_FACTOR, asked for) before anything else;
        # the recovery codes come first (with REQUIRE_TWO_FACTOR, with the two-factor setup).
        if settings.REQUIRE_TWO_FACTOR:
            response = redirect("two_factor_setup")
        else:
            codes_show_once(request, recovery.codes_issue(user), then=reverse("dashboard"))
            response = redirect("two_factor_offer")
        sign_in.device_remember(request, response, user)
        return response
    context = {"form": form, "setup_code_command": settings.SETUP_CODE_COMMAND}
    return render(request, "incidents/setup.html", context)


def account_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        security.audit(request, AuditEvent.Action.SETTINGS, "Account settings")
        translation.activate(user.language)  # the message below is in the new language
        messages.success(request, _("Settings saved."))
        response = redirect("account_settings")
        language_cookie_set(response, user.language)
        return response
    return render(request, "incidents/account_settings.html", {"form": form})


def password_change(request):
    form = PasswordChangeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        form.save()
        old_key = request.session.session_key
        update_session_auth_hash(request, form.user)  # gives this session a new key
        security.session_rekeyed(old=old_key, new=request.session.session_key)
        # Django already refuses the old sessions; ending them also clears them from the list.
        security.sessions_end_others(user=form.user, keep=request.session.session_key)
        sign_in.devices_forget_others(request, form.user)
        security.audit(request, AuditEvent.Action.PASSWORD, "Password")
        messages.success(
            request,
            _("Your password has been changed. Any other place you were signed in is signed out."),
        )
        return redirect("account_settings")
    return render(request, "incidents/password_change.html", {"form": form})


def account_list(request):
    """The owner of the server can add accounts for others; each sees only its own records."""
    if not request.user.is_staff:
        raise PermissionDenied
    form = AccountCreateForm(request.POST or None, language=request.LANGUAGE_CODE)
    if request.method == "POST" and form.is_valid():
        account = services.account_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            time_zone=form.cleaned_data["time_zone"],
            language=form.cleaned_data["language"],
            jurisdiction=form.cleaned_data["jurisdiction"],
        )
        recovery.codes_due_mark(account)
        messages.success(
            request,
            _(
                "Account “%(name)s” created. Its ten recovery codes are shown at its first "
                "sign-in, to its owner only."
            )
            % {"name": form.cleaned_data["username"]},
        )
        return redirect("account_list")
    accounts = User.objects.order_by("username").only("username", "is_staff", "last_login")
    return render(request, "incidents/account_list.html", {"form": form, "accounts": accounts})
