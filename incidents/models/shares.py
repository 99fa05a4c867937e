"""Share links: one finished dossier or package, opened without an account by one named
recipient until the link expires, is revoked, reaches its download cap or loses its file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import OwnedQuerySet
from .cases import Case
from .exports import Export


class ShareQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class Share(models.Model):
    """The link's token is never stored: only its SHA-256, which is what a visit is looked up by."""

    class Role(models.TextChoices):
        ADVOCATE = "advocate", _("Advocate or support worker")
        LAWYER = "lawyer", _("Lawyer")
        POLICE = "police", _("Police officer")
        OTHER = "other", _("Someone else")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    # Kept when the export is deleted (the link is revoked then), so a later try is still logged.
    export = models.ForeignKey(
        Export, on_delete=models.SET_NULL, null=True, blank=True, related_name="shares"
    )
    recipient = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)  # Django's password hasher
    expires_at = models.DateTimeField()
    max_downloads = models.PositiveIntegerField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.recipient}"
