import uuid

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from .base import CaseOwnedQuerySet, Record
from .cases import Case
from .incidents import Incident
from .steps import NoContactNotice, PoliceContact, ProtectiveOrder


class EvidenceQuerySet(CaseOwnedQuerySet):
    def shown(self):
        """Live files whose record is live too: a trashed incident takes its files with it."""
        trashed = models.Q()
        for name in ("incident", "notice", "police_contact", "order"):
            trashed |= models.Q(**{f"{name}__deleted_at__isnull": False})
        return self.live().exclude(trashed)

    def exhibit_numbers(self) -> dict[int, int]:
        """Map file id to exhibit number, per case, over the files in this queryset.

        Call it on all of a case's files. Numbers fixed by a dossier stay as they are; the
        others follow them in order of their record's time, then of upload. A file attached
        to an incident, a notice or a police contact takes its time; anything else (court
        orders, documents filed on the case) its upload time. Files in the trash keep their
        place, so moving one there renumbers nothing.
        """
        rows = self.annotate(
            record_time=Coalesce(
                "incident__occurred_at",
                "notice__given_at",
                "police_contact__contacted_at",
                "received_at",
            )
        ).values_list("id", "case_id", "exhibit_number", "record_time", "received_at")
        numbers, highest = {}, {}
        for pk, case_id, fixed, *_ in rows:
            if fixed:
                numbers[pk] = fixed
                highest[case_id] = max(highest.get(case_id, 0), fixed)
        in_order = sorted(rows, key=lambda row: (row[3], row[4], row[0]))
        for pk, case_id, fixed, *_ in in_order:
            if not fixed:
                highest[case_id] = numbers[pk] = highest.get(case_id, 0) + 1
        return numbers


class Evidence(Record):
    """One file, kept byte for byte as received. Derived images are a cache apart from it."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        PDF = "pdf", "PDF document"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"

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
    caption = models.CharField(
        max_length=300, blank=True, help_text="For example: text from 555-0100, 21:14."
    )
    original_name = models.CharField("file name on your device", max_length=255)
    # Random, server-chosen, relative to the evidence storage; nothing user-given goes in it.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("size in bytes")
    sha256 = models.CharField("SHA-256", max_length=64)
    received_at = models.DateTimeField("received by the server", default=timezone.now)
    # Fixed when the file first goes into a dossier, so the number cited there stays its own.
    exhibit_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    captured_at = models.DateTimeField("taken on (from the file)", null=True, blank=True)
    camera = models.CharField("camera (from the file)", max_length=200, blank=True)

    HISTORY_FIELDS = ("caption",)
    # What a file can be attached to; a file attached to none of them is filed on the case.
    ATTACHMENT_FIELDS = ("incident", "notice", "police_contact", "order")
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
