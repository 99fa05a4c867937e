"""The guide's steps beyond the log itself: telling the person to stop (no-contact notices),
reporting to the police, court orders, and the user's own safety steps."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .. import jurisdictions
from . import limits
from .base import CaseOwnedQuerySet, OwnedQuerySet, Record
from .cases import Case
from .incidents import Incident


class NoContactNotice(Record):
    """The moment the person was told, plainly, to stop all contact."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("E-mail")
        SOCIAL_MEDIA = "social_media", _("Social media message")
        PHONE = "phone", _("Phone call")
        LETTER = "letter", _("Letter")
        LAWYER = "lawyer", _("Through a lawyer")
        POLICE = "police", _("Warning given by the police")
        OTHER = "other", _("Other")

    class Acknowledged(models.TextChoices):
        UNKNOWN = "unknown", _("I don't know")
        YES = "yes", _("Yes, they acknowledged it")
        NO = "no", _("No, they did not answer or ignored it")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    given_at = models.DateTimeField(_("when you told them"))
    method = models.CharField(_("how"), max_length=16, choices=Method.choices, default=Method.TEXT)
    words = models.TextField(
        _("the exact words"),
        help_text=_("What you said or wrote, word for word."),
        max_length=limits.NOTE,
    )
    witnesses = models.TextField(
        _("witnesses"),
        blank=True,
        help_text=_("Who saw or heard it, and how to reach them."),
        max_length=limits.LIST,
    )
    acknowledged = models.CharField(
        _("did they acknowledge it"),
        max_length=8,
        choices=Acknowledged.choices,
        default=Acknowledged.UNKNOWN,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=limits.NOTE)
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    HISTORY_FIELDS = ("case", "given_at", "method", "words", "witnesses", "acknowledged", "notes")

    objects = CaseOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["given_at", "id"]

    def __str__(self) -> str:
        day = formats.date_format(timezone.localtime(self.given_at), "SHORT_DATE_FORMAT")
        return gettext("No-contact notice, %(day)s") % {"day": day}

    def get_absolute_url(self) -> str:
        return reverse("notice_detail", kwargs={"record_id": self.uuid})


class PoliceContact(Record):
    """A report to, or a conversation with, the police."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("At a police station")
        PHONE = "phone", _("By phone (non-emergency)")
        EMERGENCY = "emergency", _("Emergency call")
        ONLINE = "online", _("Online report")
        VISIT = "visit", _("Officers came to me")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_contacts")
    contacted_at = models.DateTimeField(_("when"))
    method = models.CharField(
        _("how"), max_length=16, choices=Method.choices, default=Method.IN_PERSON
    )
    agency = models.CharField(
        _("police force or department"), max_length=200, blank=True, help_text=_("And the station.")
    )
    officer_name = models.CharField(_("officer's name"), max_length=200, blank=True)
    badge_number = models.CharField(_("badge or collar number"), max_length=100, blank=True)
    reference = models.CharField(
        _("report or case number"),
        max_length=100,
        blank=True,
        help_text=_("The crime reference, report or incident number they gave you."),
    )
    reported = models.TextField(_("what you reported"), blank=True, max_length=limits.LONG_TEXT)
    advice = models.TextField(_("what they advised"), blank=True, max_length=limits.NOTE)
    next_steps = models.TextField(_("next steps agreed"), blank=True, max_length=limits.NOTE)
    follow_up_on = models.DateField(
        _("follow up on"), null=True, blank=True, help_text=_("A date to check back with them.")
    )
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    incidents = models.ManyToManyField(
        Incident, blank=True, related_name="police_contacts", verbose_name=_("incidents reported")
    )
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    HISTORY_FIELDS = (
        "case",
        "contacted_at",
        "method",
        "agency",
        "officer_name",
        "badge_number",
        "reference",
        "reported",
        "advice",
        "next_steps",
        "follow_up_on",
        "follow_up_done",
    )
    LINKED_FIELDS = ("incidents",)
    # Links were first logged in migration 0016; a contact without any matches its old entries.
    ADDED_LATER = {"incidents": []}

    objects = CaseOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["contacted_at", "id"]
        indexes = [models.Index(fields=["follow_up_on"], name="police_follow_up_idx")]

    def __str__(self) -> str:
        day = formats.date_format(timezone.localtime(self.contacted_at), "SHORT_DATE_FORMAT")
        if self.reference:
            return gettext("Police, %(day)s (%(reference)s)") % {
                "day": day,
                "reference": self.reference,
            }
        return gettext("Police, %(day)s") % {"day": day}

    def get_absolute_url(self) -> str:
        return reverse("police_detail", kwargs={"record_id": self.uuid})


class ProtectiveOrder(Record):
    """A court order that tells the person to stay away."""

    # The kinds an order can be; each is shown by its name in the user's own legal system
    # (incidents/jurisdictions.py), so the stored value never changes with it. The field takes
    # its choices from jurisdictions.ORDER_KINDS, so a new kind needs no migration; these names
    # are for the code.
    class Type(models.TextChoices):
        PROTECTIVE = "protective", jurisdictions.ORDER_KINDS["protective"]
        PERSONAL = "personal", jurisdictions.ORDER_KINDS["personal"]
        NON_MOLESTATION = "non_molestation", jurisdictions.ORDER_KINDS["non_molestation"]
        STALKING = "stalking", jurisdictions.ORDER_KINDS["stalking"]
        RESTRAINING = "restraining", jurisdictions.ORDER_KINDS["restraining"]
        NON_HARASSMENT = "non_harassment", jurisdictions.ORDER_KINDS["non_harassment"]
        INTERDICT = "interdict", jurisdictions.ORDER_KINDS["interdict"]
        EMERGENCY = "emergency", jurisdictions.ORDER_KINDS["emergency"]
        PEACE_BOND = "peace_bond", jurisdictions.ORDER_KINDS["peace_bond"]
        INJUNCTION = "injunction", jurisdictions.ORDER_KINDS["injunction"]
        BAIL = "bail", jurisdictions.ORDER_KINDS["bail"]
        OTHER = "other", jurisdictions.ORDER_KINDS["other"]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="orders")
    order_type = models.CharField(
        _("type of order"),
        max_length=20,
        choices=jurisdictions.order_kind_choices,
        default=Type.PROTECTIVE,
    )
    court = models.CharField(_("court"), max_length=200, blank=True)
    case_number = models.CharField(_("court case number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    served_on = models.DateField(
        _("served on"), null=True, blank=True, help_text=_("When the person was given the order.")
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    terms = models.TextField(
        _("terms"),
        blank=True,
        help_text=_("What it forbids: contact of any kind, coming near your home…"),
        max_length=limits.NOTE,
    )
    distance = models.CharField(
        _("distance to keep"), max_length=100, blank=True, help_text=_("For example: 100 metres.")
    )
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    HISTORY_FIELDS = (
        "case",
        "order_type",
        "court",
        "case_number",
        "issued_on",
        "served_on",
        "expires_on",
        "terms",
        "distance",
    )

    objects = CaseOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="order_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        day = formats.date_format(self.issued_on, "SHORT_DATE_FORMAT")
        return pgettext("court order", "%(order)s, issued %(day)s") % {
            "order": self.get_order_type_display(),
            "day": day,
        }

    def get_absolute_url(self) -> str:
        return reverse("order_detail", kwargs={"record_id": self.uuid})

    def get_order_type_display(self) -> str:
        """The kind of order, named as the user's legal system names it."""
        return jurisdictions.order_name(self.order_type)

    def is_in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.issued_on <= on and (self.expires_on is None or on <= self.expires_on)


class SafetyStep(models.Model):
    """A further safety step the user ticks, with a date, on the checklist."""

    class Step(models.TextChoices):
        VOICEMAILS = "voicemails", _("Keep voicemails, call logs and messages (don't delete them)")
        TOLD_SOMEONE = "told_someone", _("Tell a trusted person, and security at work or school")
        DEVICES = "devices", _("Check phone, car and accounts for tracking; change passwords")
        ROUTES = "routes", _("Vary routes and routines where you can")
        COPY = "copy", _("Keep a copy of this log somewhere other than this device")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_steps"
    )
    step = models.CharField(max_length=20, choices=Step.choices)
    done_on = models.DateField(_("done on"))
    note = models.CharField(max_length=300, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "step"], name="safety_step_once_per_user")
        ]

    def __str__(self) -> str:
        day = formats.date_format(self.done_on, "SHORT_DATE_FORMAT")
        return gettext("%(step)s (%(day)s)") % {"step": self.get_step_display(), "day": day}
