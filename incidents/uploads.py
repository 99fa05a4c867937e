"""Receiving evidence uploads from a form or from the upload script, for any page that has one."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import quota, services
from .evidence import EvidenceRejected
from .forms import EvidenceUploadForm
from .models import Case, Evidence


def upload_limits(user) -> dict:
    return {
        "max_file_mb": settings.EVIDENCE_MAX_FILE_MB,
        "max_request_mb": settings.EVIDENCE_MAX_REQUEST_MB,
        "max_files": settings.EVIDENCE_MAX_FILES,
        "storage": quota.usage(user),
    }


def _receive(request, *, case: Case, attached_to=None):
    """Keep every acceptable file of the request. Returns (form, kept, problems)."""
    limit = settings.EVIDENCE_MAX_REQUEST_MB
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit * 1024 * 1024:
        # Refused before the body is read: nothing of it reached the disk.
        problem = f"These files are more than {limit} MB together. Send them in smaller groups."
        return EvidenceUploadForm(), [], [problem]
    room = quota.usage(case.owner)
    if not room.left:
        # Refused before the body is read, as nothing more can be kept.
        problem = _(
            "There is no room left for more files (%(usage)s). Files in the trash count until "
            "they are removed for good. The person who runs this server can allow more room "
            "(EVIDENCE_QUOTA_MB)."
        ) % {"usage": room.text}
        return EvidenceUploadForm(), [], [problem]
    try:
        form = EvidenceUploadForm(request.POST, request.FILES)
        valid = form.is_valid()
    except TooManyFilesSent:
        problem = f"Send at most {settings.EVIDENCE_MAX_FILES} files at a time."
        return EvidenceUploadForm(), [], [problem]
    kept, problems = [], []
    for upload in form.cleaned_data["files"] if valid else []:
        try:
            kept.append(
                services.evidence_add(
                    case=case,
                    attached_to=attached_to,
                    upload=upload,
                    caption=form.cleaned_data["caption"],
                )
            )
        except EvidenceRejected as rejection:
            problems.append(f"“{upload.name}” was not added. {rejection}")
    return form, kept, problems


def _respond(request, *, form, kept, problems, page_url, render_page):
    """Redirect after a clean upload; otherwise show the page again with the reasons."""
    problems = problems + [str(error) for error in form.errors.get("files", [])]
    if request.headers.get("Accept") == "application/json":
        answer = {
            "kept": [{"name": item.original_name, "url": evidence_url(item)} for item in kept],
            "problems": problems,
        }
        return JsonResponse(answer, status=400 if problems and not kept else 200)
    if kept:
        messages.success(request, f"{len(kept)} file{'s' if len(kept) != 1 else ''} added.")
    if problems or form.errors:
        return render_page(form, problems)
    return redirect(page_url)


def evidence_url(item: Evidence) -> str:
    return reverse("evidence_detail", kwargs={"evidence_id": item.uuid})


def handle_upload(request, *, case: Case, attached_to=None, page_url: str, render_page):
    """Keep the acceptable files of an upload request and answer it.

    `render_page(form, problems)` shows the page again when something was refused; scripted
    uploads (Accept: application/json) get a JSON answer instead.
    """
    form, kept, problems = _receive(request, case=case, attached_to=attached_to)
    return _respond(
        request, form=form, kept=kept, problems=problems, page_url=page_url, render_page=render_page
    )
