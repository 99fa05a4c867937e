"""Accounts, cases (one per person of concern) and incidents, with their amendment history.

Ownership has one root: every Case belongs to one User, and everything else belongs to a Case.
Views start every query from `owned_by(user)`.
"""

import uuid
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


def default_time_zone() -> str:
    return settings.TIME_ZONE


class User(AbstractUser):
    time_zone = models.CharField(
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default=default_time_zone,
        help_text="Times are shown and entered in this time zone.",
    )


class CaseQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)


class Case(models.Model):
    """Everything recorded about one person of concern."""

    class Relationship(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        FORMER_PARTNER = "former_partner", "Former partner"
        PARTNER = "partner", "Current or recent partner"
        DATE = "date", "Someone I dated or met briefly"
        FAMILY = "family", "Family member"
        FRIEND = "friend", "Friend or former friend"
        ACQUAINTANCE = "acquaintance", "Acquaintance"
        COLLEAGUE = "colleague", "Colleague or client"
        NEIGHBOUR = "neighbour", "Neighbour"
        ONLINE = "online", "Someone I know only online"
        STRANGER = "stranger", "Stranger"
        OTHER = "other", "Other"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases"
    )
    name = models.CharField(
        "name of the person", max_length=200, blank=True, help_text="Leave empty if you don't know."
    )
    aliases = models.TextField("other names and nicknames", blank=True, help_text="One per line.")
    relationship = models.CharField(
        max_length=32, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    description = models.TextField(
        "what they look like and other details",
        blank=True,
        help_text="Appearance, where they live or work, anything that helps identify them.",
    )
    phone_numbers = models.TextField(blank=True, help_text="One per line.")
    online_accounts = models.TextField(
        "online accounts and e-mail addresses", blank=True, help_text="One per line."
    )
    vehicles = models.TextField(blank=True, help_text="Make, colour, number plate. One per line.")
    addresses = models.TextField(blank=True, help_text="One per line.")
    is_demo = models.BooleanField(
        default=False, editable=False, help_text="Filled with invented sample data by seed_demo."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        label = self.name or "Person of concern (name unknown)"
        return f"{label} (sample data)" if self.is_demo else label

    def number_exhibits(self, items):
        """Give each of this case's files its exhibit number (as `exhibit_number`)."""
        numbers = Evidence.objects.filter(case=self).exhibit_numbers()
        for item in items:
            item.exhibit_number = numbers[item.id]
        return items


class IncidentQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(case__owner=user)

    def live(self):
        return self.filter(deleted_at__isnull=True)

    def in_trash(self):
        return self.filter(deleted_at__isnull=False)

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


class Incident(models.Model):
    """One contact, attempt or sighting, as the user reports it."""

    class Kind(models.TextChoices):
        CALLS = "calls", "Phone calls"
        TEXTS = "texts", "Text messages"
        SOCIAL_MEDIA = "social_media", "Social media"
        EMAIL = "email", "E-mail"
        SHOWED_UP_HOME = "showed_up_home", "Showed up at home"
        SHOWED_UP_WORK = "showed_up_work", "Showed up at work or school"
        FOLLOWING = "following", "Following"
        WATCHING = "watching", "Watching or waiting nearby"
        TRACKING = "tracking", "Tracking device or spyware"
        GIFTS = "gifts", "Gifts, letters or parcels"
        THIRD_PARTIES = "third_parties", "Contacted friends, family or employer"
        PROPERTY_DAMAGE = "property_damage", "Damaged property"
        THREATS = "threats", "Threats"
        SABOTAGE = "sabotage", "Sabotage (work, money, reputation)"
        VIOLENCE = "violence", "Violence"
        OTHER = "other", "Something else"

    class Slii(models.TextChoices):
        """Groups used by stalking-prevention trainers to describe a course of conduct."""

        SURVEILLANCE = "surveillance", "Surveillance"
        LIFE_INVASION = "life_invasion", "Life invasion"
        INTIMIDATION = "intimidation", "Intimidation"
        INTERFERENCE = "interference", "Interference through sabotage or attack"

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
        NONE = 0, "Not at all"
        SOME = 1, "Somewhat: uneasy or upset"
        SERIOUS = 2, "A lot: afraid, or I changed what I do"
        SEVERE = 3, "Severely: I feared for my safety"

    class Response(models.TextChoices):
        NONE = "none", "I did not respond"
        BLOCKED = "blocked", "I blocked or reported them, without replying"
        POLICE = "police", "I called the police"
        REPLIED = "replied", "I replied or spoke to them"
        OTHER = "other", "Something else"

    # The danger flags, in the order a reader should see them.
    DANGER_FLAGS = {
        "threat_to_harm": "Threat to harm or kill",
        "weapon": "Weapon mentioned or seen",
        "violence": "Physical violence",
        "break_in": "Breaking in or entering",
        "threat_of_suicide": "Threat of suicide",
        "violates_order": "Violates a court order",
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_at = models.DateTimeField("when it happened")
    is_approximate = models.BooleanField("the time is approximate", default=False)
    ended_at = models.DateTimeField("when it ended", null=True, blank=True)
    kind = models.CharField(
        "what kind of contact", max_length=32, choices=Kind.choices, default=Kind.OTHER
    )
    channel = models.CharField(
        "how", max_length=200, blank=True, help_text="For example: WhatsApp, landline, Instagram."
    )
    location = models.CharField("where", max_length=300, blank=True)
    description = models.TextField("what happened")
    exact_words = models.TextField(
        "exact words", blank=True, help_text="Copy what they said or wrote, word for word."
    )
    witnesses = models.TextField(
        blank=True, help_text="Names and how to reach them. One person per line."
    )
    others_present = models.TextField("who else was there", blank=True)
    count = models.PositiveIntegerField(
        "how many times", default=1, help_text="For example 14 for fourteen missed calls."
    )
    effect_level = models.PositiveSmallIntegerField(
        "how it affected you", choices=Effect.choices, null=True, blank=True
    )
    effect_notes = models.TextField(
        "more about how it affected you",
        blank=True,
        help_text="Fear, lost sleep, changes you made: routes, locks, work.",
    )
    response = models.CharField(
        "what you did", max_length=16, choices=Response.choices, default=Response.NONE
    )
    response_notes = models.TextField("more about what you did", blank=True)
    threat_to_harm = models.BooleanField(DANGER_FLAGS["threat_to_harm"], default=False)
    weapon = models.BooleanField(DANGER_FLAGS["weapon"], default=False)
    violence = models.BooleanField(DANGER_FLAGS["violence"], default=False)
    break_in = models.BooleanField(DANGER_FLAGS["break_in"], default=False)
    threat_of_suicide = models.BooleanField(DANGER_FLAGS["threat_of_suicide"], default=False)
    violates_order = models.BooleanField(DANGER_FLAGS["violates_order"], default=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("entered on", auto_now_add=True)
    amended_at = models.DateTimeField("last amended on", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

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
        return f"{self.get_kind_display()} on {self.occurred_at:%Y-%m-%d}"

    @property
    def slii_group(self) -> str:
        group = self.SLII_BY_KIND.get(self.kind)
        return group.label if group else ""

    @property
    def danger_labels(self) -> list[str]:
        return [label for field, label in self.DANGER_FLAGS.items() if getattr(self, field)]

    def snapshot(self) -> dict:
        """The user's own fields as plain JSON values, for the amendment history."""
        data = {}
        for field in INCIDENT_HISTORY_FIELDS:
            value = getattr(self, field)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, models.Model):
                value = str(value)
            data[field] = value
        return data


# What the amendment history records and compares, in the order the form shows it.
INCIDENT_HISTORY_FIELDS = [
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
    *Incident.DANGER_FLAGS,
]


class IncidentRevision(models.Model):
    """The incident as it stood before one amendment. Rows are only ever added."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField()
    # When this version was replaced, i.e. when the amendment was made.
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident} as before {self.replaced_at:%Y-%m-%d %H:%M}"


class EvidenceQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(case__owner=user)

    def live(self):
        return self.filter(deleted_at__isnull=True)

    def in_trash(self):
        return self.filter(deleted_at__isnull=False)

    def exhibit_numbers(self) -> dict[int, int]:
        """Map file id to exhibit number, counting per case over the files in this queryset.

        Call it on all of a case's files: numbers follow the incident's time, then the upload.
        Files in the trash keep their place, so moving one there does not renumber the rest.
        Documents filed on the case itself (no incident) take their upload time.
        """
        numbered = self.annotate(
            number=models.Window(
                RowNumber(),
                partition_by=[models.F("case_id")],
                order_by=[
                    Coalesce("incident__occurred_at", "received_at").asc(),
                    models.F("received_at").asc(),
                    models.F("id").asc(),
                ],
            )
        )
        return dict(numbered.values_list("id", "number"))


class Evidence(models.Model):
    """One file, kept byte for byte as received. Derived images are a cache apart from it."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        PDF = "pdf", "PDF document"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    caption = models.CharField(
        max_length=300, blank=True, help_text="For example: text from 555-0100, 21:14."
    )
    original_name = models.CharField("file name on your device", max_length=255)
    # Random, server-chosen, relative to the evidence storage; nothing user-given goes in it.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("size in bytes")
    sha256 = models.CharField("SHA-256", max_length=64)
    received_at = models.DateTimeField("received by the server", default=timezone.now)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    captured_at = models.DateTimeField("taken on (from the file)", null=True, blank=True)
    camera = models.CharField("camera (from the file)", max_length=200, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["case", "received_at"], name="evidence_case_received_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE
