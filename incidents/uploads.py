"""Receiving evidence uploads from a form or from the upload script, for any page that has one."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import quota, services
from .evidence import AlreadyAnExhibit, EvidenceRejected
from .forms import EVIDENCE_ACCEPT, EvidenceUploadForm
from .models import Case, Evidence


def upload_limits(user) -> dict:
    return {
        "max_file_mb": settings.EVIDENCE_MAX_FILE_MB,
        "max_request_mb": settings.EVIDENCE_MAX_REQUEST_MB,
        "max_files": settings.EVIDENCE_MAX_FILES,
        "accept": EVIDENCE_ACCEPT,
        "storage": quota.usage(user),
    }


@dataclass(frozen=True)
class UploadProblem:
    """Why one file was not added; for a file the case already holds, which exhibit it is and
    how to attach that exhibit to this record as well."""

    text: str
    exhibit_url: str = ""
    exhibit_number: int | None = None
    attach_url: str = ""

    def __str__(self) -> str:
        return self.text


def _duplicate(upload, existing: Evidence, attached_to) -> UploadProblem:
    """The message for a file the case already holds, and the offer to attach it here too."""
    record = existing.attached_to
    where = str(record) if record is not None else _("the documents filed on this person")
    if existing.deleted_at is not None:
        where = _("%(where)s (it is in the trash, from where it can be restored)") % {
            "where": where
        }
    text = _(
        "“%(name)s” was not stored again: the same file is already exhibit %(number)s, "
        "attached to %(where)s."
    ) % {"name": upload.name, "number": existing.exhibit_number, "where": where}
    attach_url = ""
    attachable = existing.deleted_at is None and attached_to is not None
    if attachable and not Evidence.objects.for_record(attached_to).filter(pk=existing.pk).exists():
        attach_url = reverse(
            "evidence_attach",
            kwargs={
                "evidence_id": existing.uuid,
                "kind": Evidence.attachment_field(attached_to),
                "record_id": attached_to.uuid,
            },
        )
    elif attachable:
        text = f"{text} {_('It is attached to this record too.')}"
    return UploadProblem(
        text=text,
        exhibit_url=evidence_url(existing) if existing.deleted_at is None else "",
        exhibit_number=existing.exhibit_number,
        attach_url=attach_url,
    )


def _receive(request, *, case: Case, attached_to=None):
    """Keep every acceptable file of the request. Returns (form, kept, problems)."""
    # A body over EVIDENCE_MAX_REQUEST_MB never gets here: body_limit refuses it unread.
    room = quota.usage(case.owner)
    if not room.left:
        # Refused before the body is read, as nothing more can be kept.
        problem = _(
            "There is no room left for more files (%(usage)s). Files in the trash count until "
            "they are removed for good. The person who runs this server can allow more room "
            "(EVIDENCE_QUOTA_MB)."
        ) % {"usage": room.text}
        return EvidenceUploadForm(), [], [UploadProblem(problem)]
    try:
        if len(request.FILES.getlist("files")) > settings.EVIDENCE_MAX_FILES:
            raise TooManyFilesSent
        form = EvidenceUploadForm(request.POST, request.FILES)
        valid = form.is_valid()
    except TooManyFilesSent:
        problem = _("Send at most %(n)s files at a time.") % {"n": settings.EVIDENCE_MAX_FILES}
        return EvidenceUploadForm(), [], [UploadProblem(problem)]
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
        except AlreadyAnExhibit as duplicate:
            problems.append(_duplicate(upload, duplicate.existing, attached_to))
        except EvidenceRejected as rejection:
            problems.append(UploadProblem(f"“{upload.name}” was not added. {rejection}"))
    return form, kept, problems


@dataclass(frozen=True)
class UploadAnswer:
    """What an upload request gets: `response` (a redirect, or JSON for the upload script), or,
    when something was refused, None and the form and problems for the view to show its page
    again with them."""

    form: EvidenceUploadForm
    problems: list[UploadProblem]
    response: HttpResponse | None = None


def _answer(request, *, form, kept, problems, page_url) -> UploadAnswer:
    """Redirect after a clean upload; otherwise leave the page to the view, with the reasons."""
    problems = problems + [UploadProblem(str(error)) for error in form.errors.get("files", [])]
    if request.headers.get("Accept") == "application/json":
        status = 400 if problems and not kept else 200
        return UploadAnswer(form, problems, JsonResponse(_json(kept, problems), status=status))
    if kept:
        messages.success(request, f"{len(kept)} file{'s' if len(kept) != 1 else ''} added.")
    if problems or form.errors:
        return UploadAnswer(form, problems)
    return UploadAnswer(form, problems, redirect(page_url))


def _json(kept: list[Evidence], problems: list[UploadProblem]) -> dict:
    return {
        "kept": [{"name": item.original_name, "url": evidence_url(item)} for item in kept],
        "problems": [problem.text for problem in problems],
        "duplicates": [
            {
                "number": problem.exhibit_number,
                "url": problem.exhibit_url,
                "attach_url": problem.attach_url,
            }
            for problem in problems
            if problem.exhibit_number
        ],
    }


def evidence_url(item: Evidence) -> str:
    return reverse("evidence_detail", kwargs={"evidence_id": item.uuid})


def handle_upload(request, *, case: Case, attached_to=None, page_url: str) -> UploadAnswer:
    """Keep the acceptable files of an upload request and say how to answer it: the view sends
    `response` when there is one, and otherwise shows its page again (status 400) with `form`
    and `problems`. Scripted uploads (Accept: application/json) get a JSON response."""
    form, kept, problems = _receive(request, case=case, attached_to=attached_to)
    return _answer(request, form=form, kept=kept, problems=problems, page_url=page_url)
