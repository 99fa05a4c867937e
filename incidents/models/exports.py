"""Dossiers and evidence packages, made in the background and downloaded by their owner."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import OwnedQuerySet
from .cases import Case

# A job that has said nothing for this long was interrupted (the worker stopped or crashed).
STALE_AFTER = timedelta(minutes=5)


class ExportQuerySet(OwnedQuerySet):
    def stale(self):
        """Jobs left queued or running by a worker that is gone."""
        return self.filter(
            status__in=[Export.Status.QUEUED, Export.Status.RUNNING],
            heartbeat_at__lt=timezone.now() - STALE_AFTER,
        )


class Export(models.Model):
    class Kind(models.TextChoices):
        DOSSIER = "dossier", _("PDF dossier")
        PACKAGE = "package", _("Evidence package (ZIP)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    options = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=200, blank=True)  # what it is doing, for the user
    error = models.CharField(max_length=500, blank=True)  # why it failed, for the user
    # Relative to EXPORTS_DIR; empty until the file is complete.
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the finished file, byte for byte
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="export_status_idx")]

    def __str__(self) -> str:
        made = formats.date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return gettext("%(kind)s of %(made)s") % {"kind": self.get_kind_display(), "made": made}

    def get_absolute_url(self) -> str:
        return reverse("export_detail", kwargs={"export_id": self.uuid})

    @property
    def version(self) -> str:
        """Which dossier this is, in a word or two: the short or the full version."""
        if self.kind != self.Kind.DOSSIER:
            return ""
        return _("short version") if self.options.get("short") else _("full version")

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
