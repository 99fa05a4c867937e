"""What the app remembers about files it hands out: the fingerprint of each display copy it made,
which browser session was last handed which file (to verify and log a video player's many
requests once), and the files found changed on disk, shown to their owner until put right."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import OwnedQuerySet
from .evidence import Evidence
from .exports import Export


class DisplayCopy(models.Model):
    """The SHA-256 of a display copy (a thumbnail, a preview, a print image) as it was made from
    a verified original. A copy on disk that no longer matches it is made again."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="display_copies")
    variant = models.CharField(max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "variant"], name="display_copy_once")
        ]

    def __str__(self) -> str:
        return f"{self.variant} of {self.evidence_id}"


class HandOut(models.Model):
    """One file handed to one browser session. A player asks for a recording in many parts;
    they are verified once and logged once while they keep coming (see incidents.handouts)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # A short hash of the session key (as in AuditEvent), never the key itself.
    session_ref = models.CharField(max_length=16)
    object_uuid = models.UUIDField()
    file_sha256 = models.CharField(max_length=64)
    logged_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # The file's size and modification time when it was verified, where the storage tells them:
    # a file replaced within the window is hashed again at once.
    verified_stat = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_ref", "object_uuid", "file_sha256"], name="hand_out_once"
            )
        ]
        indexes = [models.Index(fields=["seen_at"], name="hand_out_seen_idx")]

    def __str__(self) -> str:
        return f"{self.object_uuid} to {self.session_ref}"


class IntegrityAlertQuerySet(OwnedQuerySet):
    owner_path = "user"

    def open(self):
        return self.filter(cleared_at__isnull=True)


class IntegrityAlert(models.Model):
    """A stored file found not to match the fingerprint taken when it was received (or made),
    or missing. Shown on the owner's home page until a later check finds it whole again."""

    class Problem(models.TextChoices):
        CHANGED = "changed", _("Changed")
        MISSING = "missing", _("Missing")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="integrity_alerts"
    )
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, null=True, blank=True)
    export = models.ForeignKey(Export, on_delete=models.CASCADE, null=True, blank=True)
    problem = models.CharField(max_length=10, choices=Problem.choices)
    label = models.CharField(max_length=200)  # "Exhibit 4", never what the user wrote
    found_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = IntegrityAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [models.Index(fields=["user", "cleared_at"], name="integrity_alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.problem}: {self.label}"
