import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import CaseOwnedQuerySet, OwnedQuerySet, Record
from .cases import Case
from .incidents import Incident
from .kinds import RECORD_KINDS
from .messages import Message
from .steps import NoContactNotice, PoliceContact, ProtectiveOrder


class EvidenceQuerySet(CaseOwnedQuerySet):
    def shown(self):
        """Live files whose record is live too: a trashed incident takes its files with it."""
        trashed = models.Q()
        for name in Evidence.ATTACHMENT_FIELDS:
            trashed |= models.Q(**{f"{name}__deleted_at__isnull": False})
        return self.live().exclude(trashed)

    def for_record(self, record):
        """The files of a record: those uploaded to it and those attached to it as well."""
        field = Evidence.attachment_field(record)
        also = ExhibitLink.objects.filter(**{field: record}).values("evidence_id")
        return self.filter(models.Q(**{field: record}) | models.Q(pk__in=also))

    def next_exhibit_number(self, case) -> int:
        """The number the case's next file gets. Call it with the case's row locked."""
        highest = self.filter(case=case).aggregate(n=models.Max("exhibit_number"))["n"]
        return (highest or 0) + 1


class Evidence(Record):
    """One file, kept byte for byte as received. Derived images are a cache apart from it."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")
        # A phone's export of texts or calls, kept as received (models/messages.py).
        MESSAGES = "messages", _("Message export")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    notice = models.ForeignKey(
        NoContactNotice, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    police_contact = models.ForeignKey(
        PoliceContact, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    order = models.ForeignKey(
        ProtectiveOrder, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    caption = models.CharField(
        max_length=300, blank=True, help_text=_("For example: text from 555-0100, 21:14.")
    )
    original_name = models.CharField(_("file name on your device"), max_length=255)
    # Random, server-chosen, relative to the evidence storage; nothing user-given goes in it.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    received_at = models.DateTimeField(_("received by the server"), default=timezone.now)
    # Given once, when the file is received, and never changed: the number cited everywhere.
    exhibit_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    captured_at = models.DateTimeField(_("taken on (from the file)"), null=True, blank=True)
    camera = models.CharField(_("camera (from the file)"), max_length=200, blank=True)
    duration = models.FloatField(_("length in seconds (from the file)"), null=True, blank=True)

    HISTORY_FIELDS = ("caption",)
    # What a file can be attached to; a file attached to none of them is filed on the case.
    # The field that attaches a file to each kind of record that holds files (models/kinds.py).
    ATTACHMENT_FIELDS = tuple(k.evidence_field for k in RECORD_KINDS.values() if k.takes_files)
    CUSTODY_FIELDS = ("case", *ATTACHMENT_FIELDS, "stored_name", "sha256", "size", "received_at")

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["case", "received_at"], name="evidence_case_received_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"
            ),
            models.UniqueConstraint(
                fields=["case", "exhibit_number"], name="evidence_exhibit_number_once_per_case"
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @classmethod
    def attachment_field(cls, record) -> str:
        """The name of the field that attaches a file to this kind of record."""
        for name in cls.ATTACHMENT_FIELDS:
            if isinstance(record, cls._meta.get_field(name).related_model):
                return name
        raise TypeError(f"Files cannot be attached to {type(record).__name__}.")

    @property
    def attached_to(self):
        return next(
            (getattr(self, f) for f in self.ATTACHMENT_FIELDS if getattr(self, f"{f}_id")), None
        )

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    @property
    def format_name(self) -> str:
        """The file's format in words, from its detected type."""
        return str(FORMAT_NAMES.get(self.content_type, self.content_type))

    @property
    def duration_text(self) -> str:
        """The length of a recording as H:MM:SS or M:SS, or "" if unknown."""
        if self.duration is None:
            return ""
        minutes, seconds = divmod(round(self.duration), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    def also_attached_to(self) -> list:
        """The records this file is attached to besides the one it was uploaded to."""
        return [link.record for link in self.links.all()]


FORMAT_NAMES = {
    "image/jpeg": _("JPEG image"),
    "image/png": _("PNG image"),
    "image/webp": _("WebP image"),
    "application/pdf": _("PDF document"),
    "audio/mpeg": _("MP3 audio"),
    "audio/mp4": _("MPEG-4 audio (M4A)"),
    "audio/aac": _("AAC audio"),
    "audio/wav": _("WAV audio"),
    "audio/ogg": _("Ogg audio"),
    "video/mp4": _("MPEG-4 video (MP4)"),
    "video/quicktime": _("QuickTime video (MOV)"),
    "application/xml": _("Export of texts or calls (XML)"),
    "message/rfc822": _("E-mail message (.eml)"),
    "application/mbox": _("Mailbox (.mbox)"),
    "application/json": _("Chat export (JSON)"),
    "application/zip": _("ZIP archive"),
    "text/plain": _("Text file"),
    "text/csv": _("Table (CSV)"),
}


def _exactly_one_record() -> models.Q:
    """A link names one record: one attachment field is set and every other one is empty."""
    condition = models.Q()
    for name in Evidence.ATTACHMENT_FIELDS:
        others = {other: None for other in Evidence.ATTACHMENT_FIELDS if other != name}
        condition |= models.Q(**{f"{name}__isnull": False}, **others)
    return condition


class ExhibitLinkQuerySet(OwnedQuerySet):
    owner_path = "evidence__case__owner"


class ExhibitLink(models.Model):
    """One exhibit attached to a further record of its case: one file, one exhibit number, shown
    on every record it belongs to. Rows are only added (each with its custody entry)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="exhibit_links", null=True, blank=True
    )
    notice = models.ForeignKey(
        NoContactNotice,
        on_delete=models.CASCADE,
        related_name="exhibit_links",
        null=True,
        blank=True,
    )
    police_contact = models.ForeignKey(
        PoliceContact, on_delete=models.CASCADE, related_name="exhibit_links", null=True, blank=True
    )
    order = models.ForeignKey(
        ProtectiveOrder,
        on_delete=models.CASCADE,
        related_name="exhibit_links",
        null=True,
        blank=True,
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="exhibit_links", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ExhibitLinkQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one_record(), name="exhibit_link_one_record"),
            *(
                models.UniqueConstraint(
                    fields=["evidence", name], name=f"exhibit_link_once_per_{name}"
                )
                for name in Evidence.ATTACHMENT_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"Exhibit {self.evidence.exhibit_number} also attached to {self.record}"

    @property
    def record(self):
        return next(
            getattr(self, f) for f in Evidence.ATTACHMENT_FIELDS if getattr(self, f"{f}_id")
        )

    @property
    def case(self):
        """The case of its file: what the custody log takes the owner from."""
        return self.evidence.case
