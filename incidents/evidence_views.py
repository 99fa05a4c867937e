"""The evidence pages: a person's files, one file with its caption, its original and its
images, moving it to the trash and back, and attaching it to a further record."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import (
    custody,
    handouts,
    integrity,
    security,
    services,
)
from .access import get_case
from .confirm_forms import TrashForm
from .evidence import (
    EXTENSIONS,
    EvidenceRejected,
    FileProblem,
    check_integrity,
    evidence_storage,
)
from .forms import (
    EvidenceCaptionForm,
    EvidenceUploadForm,
    GalleryFilterForm,
    valid_filters,
)
from .history import amendment_history
from .models import (
    AuditEvent,
    Evidence,
)
from .responses import local_path, private_file_response, sends_bytes
from .uploads import evidence_url, handle_upload, upload_limits


def _get_evidence(request, evidence_id, *, in_trash=False) -> Evidence:
    items = Evidence.objects.owned_by(request.user).select_related("case", "incident")
    items = items.in_trash() if in_trash else items.live()
    return get_object_or_404(items, uuid=evidence_id)


@require_POST
def case_evidence_upload(request, case_id):
    case = get_case(request, case_id)
    page_url = reverse("evidence_gallery", kwargs={"case_id": case.uuid})
    answer = handle_upload(request, case=case, page_url=page_url)
    return answer.response or _render_gallery(
        request, case, upload_form=answer.form, upload_problems=answer.problems, status=400
    )


def evidence_gallery(request, case_id):
    return _render_gallery(request, get_case(request, case_id))


def _render_gallery(request, case, *, upload_form=None, upload_problems=(), check=None, status=200):
    filter_form = GalleryFilterForm(request.GET or None)
    filters = valid_filters(filter_form)
    items = case.evidence.shown().select_related("incident")
    if kind := filters.get("kind"):
        items = items.filter(kind=kind)
    items = items.in_period("received_at", filters.get("date_from"), filters.get("date_to"))
    items = items.order_by("exhibit_number")
    context = {
        "case": case,
        "items": items,
        "filter_form": filter_form,
        "upload_form": upload_form or EvidenceUploadForm(),
        "upload_problems": upload_problems,
        "check": check,
        **upload_limits(request.user),
    }
    return render(request, "incidents/evidence_gallery.html", context, status=status)


@require_POST
def evidence_check(request, case_id):
    case = get_case(request, case_id)
    report = check_integrity(case.evidence.all())
    return _render_gallery(request, case, check=report)


def evidence_detail(request, evidence_id):
    item = _get_evidence(request, evidence_id)
    form = EvidenceCaptionForm(request.POST or None, initial={"caption": item.caption})
    if request.method == "POST" and form.is_valid():
        if services.record_amend(record=item, changes=form.cleaned_data):
            messages.success(request, _("Caption saved. The earlier one is kept in the history."))
        return redirect(evidence_url(item))
    context = {"item": item, "form": form, "history": amendment_history(item)}
    return render(request, "incidents/evidence_detail.html", context)


def evidence_delete(request, evidence_id):
    item = _get_evidence(request, evidence_id)
    form = TrashForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_trash(record=item, reason=form.cleaned_data["reason"])
        security.audit(request, AuditEvent.Action.TRASH, security.describe(item))
        messages.success(request, _("Moved to the trash. You can restore it from there."))
        # Back to what the file was attached to, unless that is in the trash too.
        record = item.attached_to
        if record is not None and record.deleted_at is None:
            return redirect(record)
        return redirect("evidence_gallery", case_id=item.case.uuid)
    context = {"item": item, "form": form, "trash_days": settings.TRASH_KEEP_DAYS}
    return render(request, "incidents/evidence_confirm_delete.html", context)


@require_POST
def evidence_restore(request, evidence_id):
    item = _get_evidence(request, evidence_id, in_trash=True)
    services.record_restore(record=item)
    security.audit(request, AuditEvent.Action.RESTORE, security.describe(item))
    messages.success(request, _("Restored."))
    return redirect(evidence_url(item))


@require_POST
def evidence_attach(request, evidence_id, kind, record_id):
    """Attach an exhibit of the case to one more of the case's records (the file is not copied)."""
    item = _get_evidence(request, evidence_id)
    if kind not in Evidence.ATTACHMENT_FIELDS:
        raise Http404("No such kind of record.")
    records = Evidence._meta.get_field(kind).related_model.objects.owned_by(request.user)
    record = get_object_or_404(records.live(), uuid=record_id, case_id=item.case_id)
    number = item.exhibit_number
    if services.evidence_attach(item=item, record=record):
        messages.success(
            request,
            _("Exhibit %(number)s is now attached here as well. It keeps its number.")
            % {"number": number},
        )
    else:
        messages.info(
            request, _("Exhibit %(number)s was already attached here.") % {"number": number}
        )
    return redirect(record)


def evidence_original(request, evidence_id):
    """The original file, byte for byte, once it is checked against its fingerprint. PDFs may
    open in the browser; the rest download."""
    item = _get_evidence(request, evidence_id)
    number = item.exhibit_number
    label = integrity.exhibit_label(item)
    try:
        handouts.verify(
            request,
            item,
            size=item.size,
            file_sha256=item.sha256,
            open_file=lambda: evidence_storage().open(item.stored_name, "rb"),
            path=local_path(item.stored_name),
            label=label,
        )
    except (FileProblem, handouts.Unreachable) as problem:
        return handouts.refused(request, item, problem, label=label)
    inline = item.kind == Evidence.Kind.PDF and "download" not in request.GET
    extension = EXTENSIONS.get(item.content_type, "bin")
    response = private_file_response(
        request,
        item.stored_name,
        content_type=item.content_type,
        filename=f"exhibit-{number}-{str(item.uuid)[:8]}.{extension}",
        inline=inline,
        etag=item.sha256,
    )
    if sends_bytes(request, response):
        audit = (AuditEvent.Action.ORIGINAL_DOWNLOAD, label)
        handouts.log(
            request, item, file_sha256=item.sha256, action=custody.Action.DOWNLOADED, audit=audit
        )
    return response


def evidence_thumbnail(request, evidence_id):
    return _derived_image(request, evidence_id, "thumbnail")


def evidence_preview(request, evidence_id):
    return _derived_image(request, evidence_id, "preview")


def _derived_image(request, evidence_id, variant: str):
    """A display copy, checked against the fingerprint taken when it was made (made again from
    a checked original if it does not match)."""
    item = _get_evidence(request, evidence_id)
    if not item.is_image:
        raise Http404("Only images have previews.")
    try:
        path, sha256 = integrity.display_copy(item, variant)
    except FileProblem as problem:
        label = integrity.exhibit_label(item)
        integrity.report_problem(item, problem, label=label, request=request)
        return handouts.refused(request, item, problem, label=label)
    except (EvidenceRejected, OSError):  # unreadable on disk since it was checked
        raise Http404("The original of this file is missing or unreadable.") from None
    response = private_file_response(
        request, path, content_type="image/jpeg", filename=f"{variant}.jpg", inline=True,
        etag=sha256,
    )  # fmt: skip
    if sends_bytes(request, response):
        handouts.log(request, item, file_sha256=sha256, action=custody.Action.SHOWN, audit=None)
    return response
