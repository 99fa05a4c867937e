"""An entry being written and not yet saved: kept on the server (never in the browser, which
someone else may look at) so that a sign-in ending mid-sentence loses nothing. A draft is not
part of the log: the timeline, the patterns and the dossier never read it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import OwnedQuerySet


class Draft(models.Model):
    """The fields of one unsaved form, as the browser last sent them."""

    class Form(models.TextChoices):
        INCIDENT = "incident", _("New incident")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    form = models.CharField(max_length=32, choices=Form.choices, default=Form.INCIDENT)
    # Field name to the text typed (a list where a field holds several values).
    fields = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "form"], name="draft_one_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} draft of {self.saved_at:%Y-%m-%d %H:%M}"


class HeldFile(models.Model):
    """A file sent with a new entry that could not be saved yet (a field to correct), held in
    the staging folder with its caption until the entry is saved or the draft thrown away, so
    it need not be chosen again (incidents/held_files.py)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_files"
    )
    token = models.CharField(max_length=32, unique=True)  # also the staging file's name
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)  # as the browser said
    # As last written: it may be longer than an exhibit's caption can be, and is then refused
    # with the entry (and shown again) rather than cut short.
    caption = models.TextField(blank=True)
    held_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return self.original_name
