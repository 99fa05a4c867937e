"""Pages for the records of the guide's steps: no-contact notices, police contacts, court orders,
and the changes to daily life the user had to make. They work alike, so one set of views serves
them, configured per kind."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import security, services
from .confirm_forms import TrashForm
from .forms import EvidenceUploadForm, NoticeForm, PoliceContactForm, ProtectiveOrderForm
from .history import amendment_history, record_details
from .life_change_forms import LifeChangeForm
from .models import AuditEvent, Evidence, Incident, Record
from .models.kinds import STEP_KINDS, RecordKind
from .orders import breaking
from .uploads import handle_upload, upload_limits


@dataclass(frozen=True)
class RecordPages:
    """How the record pages show one kind of record; what the kind is comes from its RecordKind
    (models/kinds.py)."""

    record: RecordKind
    form: type[ModelForm]
    intro: str  # one or two sentences at the top of the list
    order_by: tuple[str, ...]

    @property
    def model(self) -> type[Record]:
        return self.record.model

    @property
    def noun(self) -> str:
        return self.record.singular

    @property
    def plural(self) -> str:
        return self.record.plural

    @property
    def takes_files(self) -> bool:
        return self.record.takes_files


PAGES = {
    "notice": RecordPages(
        record=STEP_KINDS["notice"],
        form=NoticeForm,
        intro=_(
            "A no-contact notice is the moment you told the person, once and plainly, that you "
            "want no relationship and no contact. Record each one with the exact words: anything "
            "they do after it cannot be passed off as a misunderstanding."
        ),
        order_by=("-given_at",),
    ),
    "police": RecordPages(
        record=STEP_KINDS["police"],
        form=PoliceContactForm,
        intro=_(
            "Each time you report to the police or speak with them, note who you spoke to and the "
            "report number. Reporting early, and adding each new incident to the same report, "
            "shows a pattern rather than a one-off."
        ),
        order_by=("-contacted_at",),
    ),
    "order": RecordPages(
        record=STEP_KINDS["order"],
        form=ProtectiveOrderForm,
        intro=_(
            "Protective and restraining orders, injunctions and bail conditions. While an order "
            "is in force, the form for each incident shows its terms and asks whether the "
            "incident broke it."
        ),
        order_by=("-issued_on",),
    ),
    "change": RecordPages(
        record=STEP_KINDS["change"],
        form=LifeChangeForm,
        intro=_(
            "What you had to change because of what is happening: moving, a new phone number, "
            "other routes, new locks or cameras, time off work or school, going out less, "
            "seeing a doctor or a counsellor. Each one, with its date, shows the police and a "
            "court what this has cost you."
        ),
        order_by=("-changed_on", "-id"),
    ),
}


def _kind(kind: str) -> RecordPages:
    try:
        return PAGES[kind]
    except KeyError:
        raise Http404("No such page.") from None


def _get_record(request, kind: RecordPages, record_id, *, in_trash=False) -> Record:
    records = kind.model.objects.owned_by(request.user).select_related("case")
    records = records.in_trash() if in_trash else records.live()
    return get_object_or_404(records, uuid=record_id)


def record_list(request, kind):
    config = _kind(kind)
    records = config.model.objects.owned_by(request.user).live().order_by(*config.order_by)
    records = records.select_related("case")  # the demo badge
    context = {"kind": kind, "config": config, "records": records}
    return render(request, "incidents/record_list.html", context)


def record_new(request, kind):
    config = _kind(kind)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {name: now for name in config.form.PAST_FIELDS}
    source = _source_incident(request) if kind == "change" else None
    if source:
        # Only what the incident itself says: its day and its person. Nothing is chosen.
        initial.update(changed_on=timezone.localdate(source.occurred_at), case=source.case)
    form = config.form(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        if "case" not in form.fields:
            record.case = services.default_case(request.user)
        services.record_save(record=record, links=_links(form, record))
        if config.takes_files:
            messages.success(request, _("Saved. You can attach files to it below."))
        else:
            messages.success(request, _("Saved."))
        return redirect(record)
    context = {"kind": kind, "config": config, "form": form, "source": source}
    return render(request, "incidents/record_form.html", context)


def _links(form, record: Record) -> dict:
    """The links the form chose, by field name (see Record.LINKED_FIELDS)."""
    return {name: form.cleaned_data[name] for name in record.LINKED_FIELDS if name in form.fields}


def _source_incident(request) -> Incident | None:
    """The user's own live incident named in ?incident=, if any (a stranger's is ignored)."""
    incidents = Incident.objects.owned_by(request.user).live().select_related("case")
    try:
        return incidents.filter(uuid=request.GET.get("incident", "")).first()
    except ValidationError:  # not a UUID
        return None


def record_detail(request, kind, record_id):
    config = _kind(kind)
    return _render_detail(request, kind, config, _get_record(request, config, record_id))


def _render_detail(request, kind, config, record, *, upload_form=None, problems=(), status=200):
    context = {
        "kind": kind,
        "config": config,
        "record": record,
        "details": record_details(record),
        "history": amendment_history(record),
    }
    if config.takes_files:
        context.update(
            evidence=Evidence.objects.for_record(record).live().order_by("exhibit_number"),
            upload_form=upload_form or EvidenceUploadForm(),
            upload_problems=problems,
            **upload_limits(request.user),
        )
    if kind == "police":
        context["linked_incidents"] = (
            record.incidents.live().select_related("case").order_by("occurred_at")
        )
    if kind == "order":
        context["breaches"] = record.case.incidents.live().filter(breaking(record))
    return render(request, "incidents/record_detail.html", context, status=status)


def record_edit(request, kind, record_id):
    config = _kind(kind)
    record = _get_record(request, config, record_id)
    form = config.form(request.POST or None, instance=record, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The form wrote into `record` while validating; amend a fresh copy instead.
        original = _get_record(request, config, record_id)
        changes = {f: form.cleaned_data[f] for f in form.fields if f in record.HISTORY_FIELDS}
        links = _links(form, record)
        amended = services.record_amend(record=original, changes=changes, links=links)
        messages.success(request, "Amended." if amended else "Saved.")
        return redirect(original)
    context = {"kind": kind, "config": config, "form": form, "record": record}
    return render(request, "incidents/record_form.html", context)


def record_delete(request, kind, record_id):
    config = _kind(kind)
    record = _get_record(request, config, record_id)
    form = TrashForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_trash(record=record, reason=form.cleaned_data["reason"])
        security.audit(request, AuditEvent.Action.TRASH, security.describe(record))
        messages.success(request, _("Moved to the trash. You can restore it from there."))
        return redirect(f"{kind}_list")
    context = {
        "kind": kind,
        "config": config,
        "record": record,
        "form": form,
        "trash_days": settings.TRASH_KEEP_DAYS,
    }
    return render(request, "incidents/record_confirm_delete.html", context)


@require_POST
def record_restore(request, kind, record_id):
    config = _kind(kind)
    record = _get_record(request, config, record_id, in_trash=True)
    services.record_restore(record=record)
    security.audit(request, AuditEvent.Action.RESTORE, security.describe(record))
    messages.success(request, _("Restored."))
    return redirect(record)


@require_POST
def record_evidence_upload(request, kind, record_id):
    config = _kind(kind)
    if not config.takes_files:
        raise Http404("No such page.")
    record = _get_record(request, config, record_id)
    page_url = record.get_absolute_url()
    answer = handle_upload(request, case=record.case, attached_to=record, page_url=page_url)
    return answer.response or _render_detail(
        request, kind, config, record, upload_form=answer.form, problems=answer.problems, status=400
    )
