"""Changes the user made to daily life because of the stalking: what most stalking laws mean by
the effect on the person, recorded as facts with a date, one record per change."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import limits
from .base import CaseOwnedQuerySet, Record
from .cases import Case


class LifeChange(Record):
    """One change made because of what happened: moving, a new number, new locks, time off."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("Moved home")
        NUMBER = "number", _("Changed phone number or accounts")
        ROUTES = "routes", _("Changed routes or routines")
        SECURITY = "security", _("Changed locks or added cameras")
        MISSED = "missed", _("Missed work or school")
        STAYED_IN = "stayed_in", _("Stopped going out, or go out less")
        HELP = "help", _("Sought medical or counselling help")
        OTHER = "other", _("Something else")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="life_changes")
    kind = models.CharField(_("what changed"), max_length=16, choices=Kind.choices)
    changed_on = models.DateField(_("when"), help_text=_("The day it started, or about then."))
    note = models.TextField(
        _("more about it"),
        blank=True,
        help_text=_("For example: what it cost, how long, what you had to give up."),
        max_length=limits.NOTE,
    )
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    HISTORY_FIELDS = ("case", "kind", "changed_on", "note")

    objects = CaseOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["changed_on", "id"]
        verbose_name = _("change to daily life")
        verbose_name_plural = _("changes to daily life")

    def __str__(self) -> str:
        day = formats.date_format(self.changed_on, "SHORT_DATE_FORMAT")
        return gettext("%(kind)s, %(day)s") % {"kind": self.get_kind_display(), "day": day}

    def get_absolute_url(self) -> str:
        return reverse("change_detail", kwargs={"record_id": self.uuid})
