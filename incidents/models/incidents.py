import uuid
from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import limits
from .base import CaseOwnedQuerySet, Record
from .cases import Case

# The user has not answered "what you did": left empty, or pre-filled and never confirmed.
ANSWER_MISSING = models.Q(response="") | models.Q(response_confirmed=False)


class IncidentQuerySet(CaseOwnedQuerySet):
    def answer_missing(self):
        """Entries whose "what you did" the user has not answered (or not confirmed)."""
        return self.filter(ANSWER_MISSING)

    def summary(self) -> dict:
        """Counts for the dashboard, in one query."""
        now = timezone.now()
        summary = self.aggregate(
            total=models.Count("id"),
            last_7_days=models.Count(
                "id", filter=models.Q(occurred_at__gte=now - timedelta(days=7))
            ),
            last_30_days=models.Count(
                "id", filter=models.Q(occurred_at__gte=now - timedelta(days=30))
            ),
            contacts=models.Sum("count"),
            latest=models.Max("occurred_at"),
        )
        latest = summary["latest"]
        summary["days_since_latest"] = (
            (timezone.localdate() - timezone.localdate(latest)).days if latest else None
        )
        return summary


# A quick entry's title: its first words, at most this many and this long.
TITLE_WORDS = 8
TITLE_LENGTH = 60


class Incident(Record):
    """One contact, attempt or sighting, as the user reports it."""

    class Kind(models.TextChoices):
        CALLS = "calls", _("Phone calls")
        TEXTS = "texts", _("Text messages")
        SOCIAL_MEDIA = "social_media", _("Social media")
        EMAIL = "email", _("E-mail")
        SHOWED_UP_HOME = "showed_up_home", _("Showed up at home")
        SHOWED_UP_WORK = "showed_up_work", _("Showed up at work or school")
        FOLLOWING = "following", _("Following")
        WATCHING = "watching", _("Watching or waiting nearby")
        TRACKING = "tracking", _("Tracking device or spyware")
        GIFTS = "gifts", _("Gifts, letters or parcels")
        THIRD_PARTIES = "third_parties", _("Contacted friends, family or employer")
        PROPERTY_DAMAGE = "property_damage", _("Damaged property")
        THREATS = "threats", _("Threats")
        SABOTAGE = "sabotage", _("Sabotage (work, money, reputation)")
        VIOLENCE = "violence", _("Violence")
        OTHER = "other", _("Something else")

    class Slii(models.TextChoices):
        """Groups used by stalking-prevention trainers to describe a course of conduct."""

        SURVEILLANCE = "surveillance", _("Surveillance")
        LIFE_INVASION = "life_invasion", _("Life invasion")
        INTIMIDATION = "intimidation", _("Intimidation")
        INTERFERENCE = "interference", _("Interference through sabotage or attack")

    SLII_BY_KIND = {
        Kind.FOLLOWING: Slii.SURVEILLANCE,
        Kind.WATCHING: Slii.SURVEILLANCE,
        Kind.TRACKING: Slii.SURVEILLANCE,
        Kind.CALLS: Slii.LIFE_INVASION,
        Kind.TEXTS: Slii.LIFE_INVASION,
        Kind.SOCIAL_MEDIA: Slii.LIFE_INVASION,
        Kind.EMAIL: Slii.LIFE_INVASION,
        Kind.SHOWED_UP_HOME: Slii.LIFE_INVASION,
        Kind.SHOWED_UP_WORK: Slii.LIFE_INVASION,
        Kind.GIFTS: Slii.LIFE_INVASION,
        Kind.THIRD_PARTIES: Slii.LIFE_INVASION,
        Kind.PROPERTY_DAMAGE: Slii.INTIMIDATION,
        Kind.THREATS: Slii.INTIMIDATION,
        Kind.SABOTAGE: Slii.INTERFERENCE,
        Kind.VIOLENCE: Slii.INTERFERENCE,
    }

    class Effect(models.IntegerChoices):
        NONE = 0, _("Not at all")
        SOME = 1, _("Somewhat: uneasy or upset")
        SERIOUS = 2, _("A lot: afraid, or I changed what I do")
        SEVERE = 3, _("Severely: I feared for my safety")

    class Response(models.TextChoices):
        NONE = "none", _("I did not respond")
        BLOCKED = "blocked", _("I blocked or reported them, without replying")
        POLICE = "police", _("I called the police")
        REPLIED = "replied", _("I replied or spoke to them")
        OTHER = "other", _("Something else")

    # The danger flags, in the order a reader should see them.
    DANGER_FLAGS = {
        "threat_to_harm": _("Threat to harm or kill"),
        "weapon": _("Weapon mentioned or seen"),
        "violence": _("Physical violence"),
        "break_in": _("Breaking in or entering"),
        "threat_of_suicide": _("Threat of suicide"),
        "violates_order": _("Violates a court order"),
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_at = models.DateTimeField(_("when it happened"))
    is_approximate = models.BooleanField(_("the time is approximate"), default=False)
    ended_at = models.DateTimeField(_("when it ended"), null=True, blank=True)
    kind = models.CharField(
        _("what kind of contact"), max_length=32, choices=Kind.choices, default=Kind.OTHER
    )
    channel = models.CharField(
        _("how"),
        max_length=200,
        blank=True,
        help_text=_("For example: WhatsApp, landline, Instagram."),
    )
    location = models.CharField(_("where"), max_length=300, blank=True)
    description = models.TextField(_("what happened"), max_length=limits.LONG_TEXT)
    exact_words = models.TextField(
        _("exact words"),
        blank=True,
        help_text=_("Copy what they said or wrote, word for word."),
        max_length=limits.LONG_TEXT,
    )
    witnesses = models.TextField(
        _("witnesses"),
        blank=True,
        help_text=_("Names and how to reach them. One person per line."),
        max_length=limits.LIST,
    )
    others_present = models.TextField(_("who else was there"), blank=True, max_length=limits.LIST)
    count = models.PositiveIntegerField(
        _("how many times"), default=1, help_text=_("For example 14 for fourteen missed calls.")
    )
    effect_level = models.PositiveSmallIntegerField(
        _("how it affected you"), choices=Effect.choices, null=True, blank=True
    )
    effect_notes = models.TextField(
        _("more about how it affected you"),
        blank=True,
        help_text=_("Fear, lost sleep, changes you made: routes, locks, work."),
        max_length=limits.NOTE,
    )
    # Empty until the user answers: the app never answers for them.
    response = models.CharField(
        _("what you did"), max_length=16, choices=Response.choices, blank=True, default=""
    )
    # False only for entries saved while the form pre-filled "I did not respond": that answer
    # stays as it was, shown as "not confirmed" until the user confirms or changes it.
    response_confirmed = models.BooleanField(_("answer confirmed"), default=True, editable=False)
    response_notes = models.TextField(
        _("more about what you did"), blank=True, max_length=limits.NOTE
    )
    threat_to_harm = models.BooleanField(DANGER_FLAGS["threat_to_harm"], default=False)
    weapon = models.BooleanField(DANGER_FLAGS["weapon"], default=False)
    violence = models.BooleanField(DANGER_FLAGS["violence"], default=False)
    break_in = models.BooleanField(DANGER_FLAGS["break_in"], default=False)
    threat_of_suicide = models.BooleanField(DANGER_FLAGS["threat_of_suicide"], default=False)
    violates_order = models.BooleanField(DANGER_FLAGS["violates_order"], default=False)
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Imported messages and calls this incident is about ("these 14 texts"), set only through
    # incidents/citations.py, so that history and the custody log keep them.
    messages = models.ManyToManyField(
        "Message", blank=True, related_name="incidents", verbose_name=_("texts cited")
    )
    calls = models.ManyToManyField(
        "Call", blank=True, related_name="incidents", verbose_name=_("calls cited")
    )

    # What the amendment history records and compares, in the order the form shows it.
    HISTORY_FIELDS = (
        "case",
        "occurred_at",
        "is_approximate",
        "ended_at",
        "kind",
        "channel",
        "location",
        "description",
        "exact_words",
        "witnesses",
        "others_present",
        "count",
        "effect_level",
        "effect_notes",
        "response",
        "response_notes",
        *DANGER_FLAGS,
        "response_confirmed",
    )
    LINKED_FIELDS = ("messages", "calls")
    # Citations came with migration 0019: an incident citing nothing matches its old entries.
    ADDED_LATER = {"response_confirmed": True, "messages": [], "calls": []}

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="incident_case_occurred_idx"),
            models.Index(fields=["deleted_at"], name="incident_deleted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("occurred_at")),
                name="incident_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(count__gte=1), name="incident_count_positive"
            ),
        ]

    def __str__(self) -> str:
        day = formats.date_format(timezone.localtime(self.occurred_at), "SHORT_DATE_FORMAT")
        return gettext("%(kind)s, %(day)s") % {"kind": self.get_kind_display(), "day": day}

    def get_absolute_url(self) -> str:
        return reverse("incident_detail", kwargs={"incident_id": self.uuid})

    @property
    def title(self) -> str:
        """What headings call the entry: its kind, or, while the kind is left at "Something
        else" (a quick entry), its first words."""
        words = self.description.split()
        if self.kind != self.Kind.OTHER or not words:
            return self.get_kind_display()
        title = " ".join(words[:TITLE_WORDS])
        if len(title) > TITLE_LENGTH:
            return title[: TITLE_LENGTH - 1].rstrip() + "…"
        return f"{title}…" if len(words) > TITLE_WORDS else title

    @property
    def slii_group(self) -> str:
        group = self.SLII_BY_KIND.get(self.kind)
        return group.label if group else ""

    @property
    def response_state(self) -> str:
        """ "answered", "not_recorded" or "not_confirmed" (a pre-filled answer never confirmed)."""
        if not self.response:
            return "not_recorded"
        return "answered" if self.response_confirmed else "not_confirmed"

    @property
    def danger_labels(self) -> list[str]:
        return [str(label) for field, label in self.DANGER_FLAGS.items() if getattr(self, field)]
