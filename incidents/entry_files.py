"""Files while logging: the pictures and files sent with a new entry, kept with it in one save.

The entry and every file that passes the upload checks (type from the bytes, size, room left,
one exhibit per file) are saved in one transaction. A file the case already holds is not stored
again: that exhibit is attached to the new entry too. A file refused for another reason is named
with the reason on the entry's page, where it can be added again; the entry itself is kept.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import drafts, held_files, services
from .evidence import AlreadyAnExhibit, EvidenceRejected, evidence_storage
from .models import Evidence, Incident


@dataclass
class EntryFiles:
    """What became of the files sent with an entry."""

    kept: list[Evidence] = field(default_factory=list)
    attached: list[Evidence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


CAPTION_LIMIT = Evidence._meta.get_field("caption").max_length
TOO_LONG = gettext_lazy(
    "The caption for “%(name)s” is %(length)d characters long; the most it can hold is %(limit)d."
)

IN_TRASH = gettext_lazy(
    "“%(name)s” was not added: the same file is exhibit %(number)s, which is in the trash. "
    "Restore it from the trash, and it can be attached to this entry from the entry's page."
)
HELD = gettext_lazy(
    "The entry is not saved yet. Your files are kept here with their captions, and will be "
    "saved with the entry once the marked fields are right."
)


@dataclass
class Sent:
    """The files a new-entry form sent: those held from an earlier try, and new ones."""

    held: list[tuple] = field(default_factory=list)  # (HeldFile, caption)
    new: list[tuple] = field(default_factory=list)  # (file, caption)
    problems: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.held or self.new)


def entry_uploads(request: HttpRequest) -> Sent:
    """The files sent with the new-entry form, with their captions, and any problem with them."""
    sent = Sent(held=held_files.sent_back(request.user, request.POST))
    limit = settings.EVIDENCE_MAX_FILES
    try:
        files = request.FILES.getlist("files")
    except TooManyFilesSent:
        files = None
    if files is None or len(sent.held) + len(files) > limit:
        sent.problems.append(_("Send at most %(limit)s files with one entry.") % {"limit": limit})
        return sent
    captions = request.POST.getlist("file_captions")
    shared = request.POST.get("files_caption", "")
    for index, upload in enumerate(f for f in files if f.name or f.size):
        caption = (captions[index].strip() if index < len(captions) else "") or shared.strip()
        sent.new.append((upload, caption))
    for item, caption in [*sent.held, *sent.new]:
        if len(caption) > CAPTION_LIMIT:
            # Refused rather than cut short: the user's words are never shortened silently.
            name = getattr(item, "original_name", None) or item.name
            sent.problems.append(
                TOO_LONG % {"name": name, "length": len(caption), "limit": CAPTION_LIMIT}
            )
    return sent


def incident_save_with_files(*, incident: Incident, uploads: list[tuple]) -> EntryFiles:
    """Save a new incident, its files and the end of its draft in one transaction."""
    outcome = EntryFiles()
    try:
        with transaction.atomic():
            services.record_save(record=incident)
            drafts.draft_discard(user=incident.case.owner)
            held_files.release(incident.case.owner)
            for upload, caption in uploads:
                _keep_one(incident, upload, caption, outcome)
    except BaseException:
        # The rows went with the transaction; their stored files must go too.
        for item in outcome.kept:
            evidence_storage().delete(item.stored_name)
        raise
    finally:
        for upload, _caption in uploads:
            upload.close()
    return outcome


def _keep_one(incident: Incident, upload, caption: str, outcome: EntryFiles) -> None:
    try:
        item = services.evidence_add(
            case=incident.case, attached_to=incident, upload=upload, caption=caption
        )
    except AlreadyAnExhibit as duplicate:
        existing = duplicate.existing
        if existing.deleted_at is not None:
            # Attaching it would show nothing: the entry and the dossier list live files only.
            outcome.problems.append(
                IN_TRASH % {"name": upload.name, "number": existing.exhibit_number}
            )
        elif services.evidence_attach(item=existing, record=incident):
            outcome.attached.append(existing)
        # Otherwise the same file was chosen twice for this entry: it is kept once, counted once.
    except EvidenceRejected as rejection:
        outcome.problems.append(
            _("“%(name)s” was not added. %(reason)s") % {"name": upload.name, "reason": rejection}
        )
    else:
        outcome.kept.append(item)


def report(request: HttpRequest, outcome: EntryFiles) -> None:
    """Say what was saved, which files were attached as exhibits already held, which refused."""
    count = len(outcome.kept) + len(outcome.attached)
    if count:
        saved = ngettext("Saved with %(count)d file.", "Saved with %(count)d files.", count)
        messages.success(request, saved % {"count": count})
    else:
        messages.success(request, _("Saved. You can add more details or evidence at any time."))
    for item in outcome.attached:
        messages.info(
            request,
            _("“%(name)s” is already exhibit %(number)s; it is attached to this entry too.")
            % {"name": item.original_name, "number": item.exhibit_number},
        )
    for problem in outcome.problems:
        messages.error(request, problem)
