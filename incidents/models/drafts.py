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
