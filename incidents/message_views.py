"""Pages of the import of messages and calls: the upload, the numbers found, the preview, the
job's progress and result, and each imported item with its note and its reason to be left out.
Every job and item is fetched for its owner only; anyone else gets 404."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import csv_mapping, message_found, message_jobs, message_services, sources
from .evidence import EvidenceRejected
from .message_forms import ColumnsForm, HideForm, ImportUploadForm, NoteForm, NumbersForm
from .message_import import message_import_answer, message_import_receive
from .message_questions import OTHER_SENDER, answered, found_label
from .models import Call, Message, MessageImport
from .models.kinds import IMPORTED_KINDS
from .services import default_case
from .sources.items import SKIP_REASONS, FileUnreadable

SHOWN_ITEMS = 200  # imported items listed on a job's page


def _get_job(request, import_id) -> MessageImport:
    jobs = MessageImport.objects.owned_by(request.user).select_related("case", "source")
    return get_object_or_404(jobs, uuid=import_id)


def _get_item(request, kind: str, record_id):
    if kind not in IMPORTED_KINDS:
        raise Http404("No such page.")
    records = IMPORTED_KINDS[kind].model.objects.owned_by(request.user)
    return get_object_or_404(records.select_related("case", "source__source"), uuid=record_id)


def message_import_new(request):
    """Choose an export file; it is received, hashed and read to list its numbers."""
    posted = request.method == "POST"
    form = ImportUploadForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        case = form.cleaned_data.get("case") or default_case(request.user)
        try:
            job = message_import_receive(case=case, upload=form.cleaned_data["file"])
        except (FileUnreadable, EvidenceRejected) as error:
            form.add_error("file", str(error))
        else:
            return redirect(job)
    imports = MessageImport.objects.owned_by(request.user).select_related("source")[:20]
    known = sources.known_formats()
    context = {"form": form, "imports": imports, "known": known}
    return render(request, "incidents/message_import_new.html", context, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def message_import_detail(request, import_id):
    """The job as it stands: numbers to choose, a preview, progress, or the result."""
    job = _get_job(request, import_id)
    if job.status == MessageImport.Status.ASKING:
        return _columns_page(request, job)
    if job.status != MessageImport.Status.SCANNED:
        return _job_page(request, job)
    form = _numbers_form(request, job)
    # "Choose again" on the preview posts the answers back: the page shows them as given.
    back = "back" in request.POST
    if request.method == "POST" and form.is_valid() and not back:
        keys = form.cleaned_data["numbers"]
        if "confirm" in request.POST:
            message_jobs.message_import_start(job=job, keys=keys, answers=form.answers())
            return redirect(job)
        return _preview(request, job, keys, form.answers())
    if not form.is_bound:
        suggested = [n["key"] for n in job.numbers_found if n["suggested"]]
        form.initial["numbers"] = suggested
        form.initial["me"] = OTHER_SENDER if len(job.numbers_found) == 2 else ""
    kind = job.options.get("found", {}).get("kind", "")
    context = {
        "job": job,
        "form": form,
        "found": _found_rows(job, form),
        "sentence": message_found.found_sentence(job),
        "addresses": message_found.address_words(kind),
        "heading": message_found.choose_heading(kind),
        "questions": [
            form[name] for name in ("time_zone", "date_order", "me") if name in form.fields
        ],
    }
    return render(request, "incidents/message_import_numbers.html", context, status=_status(form))


def _numbers_form(request, job: MessageImport) -> NumbersForm:
    return NumbersForm(
        request.POST if request.method == "POST" else None,
        found=job.numbers_found,
        ask=job.options.get("ask", []),
        zone=job.options.get("time_zone") or request.user.time_zone,
        example=job.options.get("example", ""),
    )


def _columns_page(request, job: MessageImport):
    """A CSV table: the user says which column is what, reads the first rows so, and confirms."""
    preview = job.options.get("preview", {})
    header = preview.get("header", [])
    form = ColumnsForm(request.POST if request.method == "POST" else None, header=header)
    rows = []
    if request.method == "POST" and form.is_valid():
        zone = form.cleaned_data["time_zone"]
        if "confirm" in request.POST:
            answers = {"columns": form.columns(), "time_zone": zone}
            try:
                message_import_answer(job=job, answers=answers)
            except FileUnreadable as error:
                form.add_error(None, str(error))
            else:
                return redirect(job)
        else:
            try:
                rows = message_found.rows_read(job, form.columns(), zone)
            except FileUnreadable as error:
                form.add_error(None, str(error))
    if not form.is_bound:
        form.initial = _columns_initial(job, request.user.time_zone)
    context = {"job": job, "form": form, "preview": preview, "rows": rows}
    return render(request, "incidents/message_import_columns.html", context, status=_status(form))


def _columns_initial(job: MessageImport, zone: str) -> dict:
    """What the owner said for a table of the same shape, or a plain start."""
    known = csv_mapping.remembered(job.case.owner, job.options.get("preview", {}).get("shape", ""))
    initial = {"kind": "messages", "time_format": "iso", "party_kind": "number", "time_zone": zone}
    if known:
        initial.update({k: v for k, v in known.items() if v is not None}, remembered=True)
    return initial


def _found_rows(job: MessageImport, form) -> list[dict]:
    ticked = set(form["numbers"].value() or [])
    return [{**n, "ticked": n["key"] in ticked, "label": found_label(n)} for n in job.numbers_found]


def _preview(request, job: MessageImport, keys: list[str], answers: dict):
    chosen = [{**n, "label": found_label(n)} for n in job.numbers_found if n["key"] in keys]
    job.options = answered(job, keys, answers)  # (not saved: for the words)
    shown = message_found.preview_items(job, keys, job.options)
    job.numbers_found = chosen
    context = {
        "job": job,
        "chosen": chosen,
        "answers": answers,
        "shown": shown,
        "confirmed": message_found.confirmations(job),
        "messages_count": sum(n["messages"] for n in chosen),
        "calls_count": sum(n["calls"] for n in chosen),
        "left_out": job.items_found - sum(n["messages"] + n["calls"] for n in chosen),
    }
    return render(request, "incidents/message_import_preview.html", context)


def _job_page(request, job: MessageImport):
    reasons = [(SKIP_REASONS[k], n) for k, n in job.reasons.items() if k in SKIP_REASONS and n]
    items = []
    if job.status == MessageImport.Status.DONE:
        model = Call if job.format == MessageImport.Format.SBR_CALLS else Message
        items = model.objects.owned_by(request.user).filter(source__source=job.source)
        items = items.order_by("element")[:SHOWN_ITEMS]
    context = {
        "job": job,
        "reasons": reasons,
        "items": items,
        "confirmed": message_found.confirmations(job),
        "slow": message_jobs.is_slow_to_start(job),
    }
    return render(request, "incidents/message_import_detail.html", context)


def message_import_status(request, import_id):
    """The job's state for the progress page's script (static/js/export-progress.js)."""
    job = _get_job(request, import_id)
    response = JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "progress": job.progress,
            "stage": _("%(added)s added so far") % {"added": job.added},
            "finished": job.is_finished or job.status == MessageImport.Status.SCANNED,
            "slow": message_jobs.is_slow_to_start(job),
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def message_import_retry(request, import_id):
    job = _get_job(request, import_id)
    if job.status == MessageImport.Status.FAILED:
        message_jobs.message_import_retry(job=job)
    return redirect(job)


def imported_detail(request, kind: str, record_id):
    """One imported text or call, where it comes from, and what the user added to it."""
    item = _get_item(request, kind, record_id)
    note_form = NoteForm(initial={"note": item.note}, prefix="note")
    hide_form = HideForm(prefix="hide")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "note":
            note_form = NoteForm(request.POST, prefix="note")
            if note_form.is_valid():
                message_services.imported_note_set(item=item, note=note_form.cleaned_data["note"])
                messages.success(request, _("Your note is saved."))
                return redirect(item)
        elif action == "hide":
            hide_form = HideForm(request.POST, prefix="hide")
            if hide_form.is_valid():
                message_services.imported_hide(item=item, reason=hide_form.cleaned_data["reason"])
                messages.success(request, _("It is left out of the dossier."))
                return redirect(item)
        elif action == "show":
            message_services.imported_show(item=item)
            messages.success(request, _("It is back in the dossier."))
            return redirect(item)
    context = {
        "item": item,
        "kind": kind,
        "described": IMPORTED_KINDS[kind],
        "note_form": note_form,
        "hide_form": hide_form,
        "exhibits": item.evidence.all() if kind == "message" else [],
        "history": item.revisions.all(),
    }
    bound = note_form.is_bound or hide_form.is_bound
    return render(request, "incidents/imported_detail.html", context, status=400 if bound else 200)
