"""Pages. Every view is signed-in only (LoginRequiredMiddleware) unless marked otherwise, and
every object is fetched through an access helper that answers 404 to anyone but its owner."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from . import services
from .forms import (
    AccountCreateForm,
    CaseForm,
    IncidentForm,
    SettingsForm,
    SetupForm,
    TimelineFilterForm,
)
from .models import INCIDENT_HISTORY_FIELDS, Case, Incident, User
from .timeline import filtered_incidents, timeline_page


def _get_case(request, case_id) -> Case:
    return get_object_or_404(Case.objects.owned_by(request.user), uuid=case_id)


def _get_incident(request, incident_id, *, in_trash=False) -> Incident:
    incidents = Incident.objects.owned_by(request.user).select_related("case")
    incidents = incidents.in_trash() if in_trash else incidents.live()
    return get_object_or_404(incidents, uuid=incident_id)


# --- first run and accounts -------------------------------------------------------------


@login_not_required
def setup(request):
    if User.objects.exists():
        raise Http404("Setup is done.")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.owner_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except PermissionError:
            raise Http404("Setup is done.") from None
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account is ready. Only you can see what you record here.")
        return redirect("dashboard")
    return render(request, "incidents/setup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "incidents/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if not User.objects.exists():
            return redirect("setup")
        return super().dispatch(request, *args, **kwargs)


def account_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("account_settings")
    return render(request, "incidents/account_settings.html", {"form": form})


def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, "Your password has been changed.")
        return redirect("account_settings")
    return render(request, "incidents/password_change.html", {"form": form})


def account_list(request):
    """The owner of the server can add accounts for others; each sees only its own records."""
    if not request.user.is_staff:
        raise PermissionDenied
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, f"Account “{form.cleaned_data['username']}” created.")
        return redirect("account_list")
    accounts = User.objects.order_by("username").only("username", "is_staff", "last_login")
    return render(request, "incidents/account_list.html", {"form": form, "accounts": accounts})


# --- dashboard and timeline ---------------------------------------------------------------


def dashboard(request):
    incidents = Incident.objects.owned_by(request.user).live()
    context = {
        "summary": incidents.summary(),
        "recent": incidents.select_related("case")[:5],
    }
    return render(request, "incidents/dashboard.html", context)


def timeline(request):
    filter_form = TimelineFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    incidents = filtered_incidents(request.user, filters)
    page, days = timeline_page(incidents, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "days": days,
        "query": query.urlencode(),
        "is_filtered": any(filters.values()) if filters else False,
    }
    return render(request, "incidents/timeline.html", context)


# --- incidents ------------------------------------------------------------------------------


def incident_new(request):
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        incident = form.save(commit=False)
        if "case" not in form.fields:
            incident.case = services.case_for_new_incident(request.user)
        incident.save()
        messages.success(request, "Saved. You can add more details or evidence at any time.")
        return redirect("incident_detail", incident_id=incident.uuid)
    return render(request, "incidents/incident_form.html", {"form": form})


def incident_detail(request, incident_id):
    incident = _get_incident(request, incident_id)
    context = {
        "incident": incident,
        "history": _amendment_history(incident),
        # Name the person only once there is more than one to tell apart.
        "show_case": Case.objects.owned_by(request.user).count() > 1,
    }
    return render(request, "incidents/incident_detail.html", context)


def _amendment_history(incident: Incident) -> list[dict]:
    """Each amendment, newest first, with the fields it changed (old and new values)."""
    revisions = list(incident.revisions.all())
    versions = [r.data for r in revisions] + [incident.snapshot()]
    history = []
    for revision, before, after in zip(revisions, versions, versions[1:], strict=False):
        changes = [
            {
                "field": Incident._meta.get_field(f).verbose_name,
                "before": _history_value(f, before.get(f)),
                "after": _history_value(f, after.get(f)),
            }
            for f in INCIDENT_HISTORY_FIELDS
            if before.get(f) != after.get(f)
        ]
        history.append({"amended_at": revision.replaced_at, "changes": changes})
    return history[::-1]


def _history_value(field_name: str, value):
    """A stored history value as the user would write it: labels, local times, yes/no."""
    field = Incident._meta.get_field(field_name)
    if value is None or value == "":
        return "(empty)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.get_internal_type() == "DateTimeField":
        return date_format(timezone.localtime(datetime.fromisoformat(value)), "j F Y, H:i")
    return value


def incident_edit(request, incident_id):
    incident = _get_incident(request, incident_id)
    form = IncidentForm(request.POST or None, instance=incident, user=request.user)
    if request.method == "POST":
        # The form writes into the instance while validating; keep a copy to compare against.
        original = _get_incident(request, incident_id)
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in form.fields}
            if services.incident_amend(incident=original, changes=changes):
                messages.success(request, "Amended. The earlier version is kept in the history.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("incident_detail", incident_id=incident.uuid)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})


def incident_delete(request, incident_id):
    incident = _get_incident(request, incident_id)
    if request.method == "POST":
        services.incident_trash(incident=incident)
        messages.success(
            request, "Moved to the trash. You can restore it from there.", extra_tags="trash"
        )
        return redirect("timeline")
    context = {"incident": incident, "trash_days": settings.TRASH_KEEP_DAYS}
    return render(request, "incidents/incident_confirm_delete.html", context)


@require_POST
def incident_restore(request, incident_id):
    incident = _get_incident(request, incident_id, in_trash=True)
    services.incident_restore(incident=incident)
    messages.success(request, "Restored.")
    return redirect("incident_detail", incident_id=incident.uuid)


def trash(request):
    incidents = Incident.objects.owned_by(request.user).in_trash().order_by("-deleted_at")
    return render(request, "incidents/trash.html", {"incidents": incidents})


# --- cases ----------------------------------------------------------------------------------


def case_list(request):
    cases = Case.objects.owned_by(request.user)
    if len(cases) == 1:
        return redirect("case_detail", case_id=cases[0].uuid)
    return render(request, "incidents/case_list.html", {"cases": cases})


def case_new(request):
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = form.save(commit=False)
        case.owner = request.user
        case.save()
        messages.success(request, "Saved.")
        return redirect("case_detail", case_id=case.uuid)
    return render(request, "incidents/case_form.html", {"form": form})


def case_detail(request, case_id):
    case = _get_case(request, case_id)
    summary = case.incidents.live().summary()
    return render(request, "incidents/case_detail.html", {"case": case, "summary": summary})


def case_edit(request, case_id):
    case = _get_case(request, case_id)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect(reverse("case_detail", kwargs={"case_id": case.uuid}))
    return render(request, "incidents/case_form.html", {"form": form, "case": case})
