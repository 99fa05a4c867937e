"""The incident pages: logging one, reading it with its files and history, amending it, and
moving it to the trash and back."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import (
    drafts,
    entry_files,
    held_files,
    security,
    services,
)
from .access import get_incident
from .answers import answer_changes
from .citations import cited
from .confirm_forms import TrashForm
from .forms import (
    EvidenceUploadForm,
    IncidentForm,
)
from .history import amendment_history
from .models import AuditEvent, Case, Evidence
from .orders import BreachHint, breach_hint, orders_in_force
from .person_view import person_view
from .uploads import handle_upload, upload_limits


def incident_new(request):
    now = timezone.localtime().replace(second=0, microsecond=0)
    # A draft kept from an earlier visit fills the form again (shown as a draft, see the template).
    draft = drafts.draft_get(request.user) if request.method == "GET" else None
    # With one person chosen to be shown, a new entry is about them unless the user picks another.
    about = person_view(request).chosen
    initial = {"occurred_at": now, **({"case": about} if about else {})}
    initial.update(draft.fields if draft else {})
    form = IncidentForm(request.POST or None, user=request.user, initial=initial)
    sent = entry_files.Sent()
    if request.method == "POST":
        sent = entry_files.entry_uploads(request)
    if request.method == "POST" and form.is_valid() and not sent.problems:
        incident = form.save(commit=False)
        if "case" not in form.fields:
            incident.case = services.default_case(request.user)
        uploads = [*held_files.opened(sent.held), *sent.new]
        outcome = entry_files.incident_save_with_files(incident=incident, uploads=uploads)
        drafts.page_end(request)
        entry_files.report(request, outcome)
        return redirect("incident_detail", incident_id=incident.uuid)
    if request.method == "POST":
        # Nothing chosen is lost: the files wait on the server, listed on the form again.
        held = held_files.hold_again(user=request.user, held=sent.held, new=sent.new)
        if sent.any:
            sent.problems.append(entry_files.HELD)
    context = {
        "form": form,
        "draft": draft,
        "draft_page": drafts.page_token(request),
        "upload_limits": upload_limits(request.user),
        "file_problems": sent.problems,
        "held_files": held if request.method == "POST" else held_files.held_for(request.user),
        "files_caption": request.POST.get("files_caption", ""),
    }
    return render(request, "incidents/incident_form.html", context)


def incident_detail(request, incident_id):
    return _render_incident(request, get_incident(request, incident_id))


def _render_incident(request, incident, *, upload_form=None, upload_problems=(), status=200):
    context = {
        "incident": incident,
        "history": amendment_history(incident),
        "evidence": Evidence.objects.for_record(incident).live().order_by("exhibit_number"),
        "upload_form": upload_form or EvidenceUploadForm(),
        "upload_problems": upload_problems,
        # Name the person only once there is more than one to tell apart.
        "show_case": Case.objects.owned_by(request.user).count() > 1,
        "breach_hints": _unmarked_breaches(request.user, incident),
        "cited": cited(incident),
        **upload_limits(request.user),
    }
    return render(request, "incidents/incident_detail.html", context, status=status)


def _unmarked_breaches(user, incident) -> list[BreachHint]:
    """Orders in force that day whose terms this incident plainly matches, while the user has
    not said it broke one: a suggestion for the entry's page, never an answer."""
    if incident.violates_order:
        return []
    day = timezone.localdate(incident.occurred_at)
    hints = [
        breach_hint(order, incident.kind, incident.location)
        for order in orders_in_force(user, day).filter(case=incident.case)
    ]
    return [hint for hint in hints if hint.shown]


def incident_edit(request, incident_id):
    incident = get_incident(request, incident_id)
    form = IncidentForm(request.POST or None, instance=incident, user=request.user)
    if request.method == "POST":
        # The form writes into the instance while validating; keep a copy to compare against.
        original = get_incident(request, incident_id)
        if form.is_valid():
            changes = answer_changes(original, {f: form.cleaned_data[f] for f in form.fields})
            if services.record_amend(record=original, changes=changes):
                messages.success(request, _("Amended. The earlier version is kept in the history."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("incident_detail", incident_id=incident.uuid)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})


def incident_delete(request, incident_id):
    incident = get_incident(request, incident_id)
    form = TrashForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_trash(record=incident, reason=form.cleaned_data["reason"])
        security.audit(request, AuditEvent.Action.TRASH, security.describe(incident))
        messages.success(
            request, _("Moved to the trash. You can restore it from there."), extra_tags="trash"
        )
        return redirect("timeline")
    context = {"incident": incident, "form": form, "trash_days": settings.TRASH_KEEP_DAYS}
    return render(request, "incidents/incident_confirm_delete.html", context)


@require_POST
def incident_restore(request, incident_id):
    incident = get_incident(request, incident_id, in_trash=True)
    services.record_restore(record=incident)
    security.audit(request, AuditEvent.Action.RESTORE, security.describe(incident))
    messages.success(request, _("Restored."))
    return redirect("incident_detail", incident_id=incident.uuid)


@require_POST
def incident_evidence_upload(request, incident_id):
    incident = get_incident(request, incident_id)
    page_url = reverse("incident_detail", kwargs={"incident_id": incident.uuid})
    answer = handle_upload(request, case=incident.case, attached_to=incident, page_url=page_url)
    return answer.response or _render_incident(
        request, incident, upload_form=answer.form, upload_problems=answer.problems, status=400
    )
