"""The custody log: every change to the record, and every file that left the server, in one
append-only chain. Each entry carries the SHA-256 of the one before, so an entry edited, removed
or moved afterwards breaks the chain at that point (see `incidents.custody`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustodyEntry(models.Model):
    """One event. It names the record and fingerprints its content, never the content itself."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        AMENDED = "amended", _("Amended")
        TRASHED = "trashed", _("Moved to the trash")
        RESTORED = "restored", _("Restored from the trash")
        UPLOADED = "uploaded", _("File uploaded")
        DOWNLOADED = "downloaded", _("File opened or downloaded")
        SHOWN = "shown", _("Display copy shown")
        INTEGRITY = "integrity_failed", _("Stored file no longer matches its fingerprint")
        EXPORTED = "exported", _("Dossier or package made")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")
        DEMO_REMOVED = "demo_removed", _("Demonstration data removed")
        SHARED = "shared", _("Share link made")
        SHARE_REVOKED = "share_revoked", _("Share link revoked")
        SHARE_OPENED = "share_opened", _("Share link opened")
        SHARE_DOWNLOADED = "share_download", _("File downloaded through a share link")
        SHARE_EXPIRED = "share_expired", _("Refused: the share link had expired")
        SHARE_CLOSED = "share_closed", _("Refused: the share link was revoked")
        SHARE_OVER_CAP = "share_over_cap", _("Refused: the share link's downloads were used up")
        SHARE_WRONG_PASS = "share_wrong_pass", _("Refused: wrong passphrase")
        TIMESTAMPED = "timestamped", _("Chain head timestamped")
        IMPORTED = "imported", _("Messages or calls imported from a file")
        BATCH = "imported_batch", _("Messages or calls imported, fingerprinted as one batch")

    # No foreign keys: an entry must outlive what it describes (an account can be deleted).
    sequence = models.PositiveBigIntegerField(unique=True)
    recorded_at = models.DateTimeField()
    user_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_uuid = models.UUIDField(null=True)
    # SHA-256 of the record's own fields as they stood after the action (see Record.snapshot).
    content_sha256 = models.CharField(max_length=64, blank=True)
    # SHA-256 of a file that was stored or handed out, byte for byte.
    file_sha256 = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "custody entries"
        indexes = [models.Index(fields=["object_uuid"], name="custody_object_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}"


class CustodyHead(models.Model):
    """The latest entry's number and hash, in a single row. Appending locks this row, so entries
    are numbered one at a time on every database; and an entry cut off the end of the chain
    still shows, as the head then points past the last one."""

    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:12]}"
