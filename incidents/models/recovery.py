"""Ways back into an account after a forgotten password: one-time recovery codes the owner
keeps, and a one-time reset link the host makes. Only hashes of either are stored."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecoveryCode(models.Model):
    """One of the account's ten one-time codes (also its two-factor backup codes). Deleted when
    used; only its SHA-256 is kept, so neither the host nor a stolen backup can read it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class PasswordResetLink(models.Model):
    """A one-time link made with `manage.py reset_password`. Only the hash of its token is
    kept; it stops working when used, when it expires, or when a newer link is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reset link of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class BackupRun(models.Model):
    """One scheduled backup: when it ran, whether it worked, the folder it made (a name inside
    BACKUP_DIR), or what went wrong in plain words."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    folder = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["succeeded", "started_at"], name="backuprun_ok_idx")]

    def __str__(self) -> str:
        outcome = "backup" if self.succeeded else "failed backup"
        return f"{outcome} at {self.started_at:%Y-%m-%d %H:%M}"
