import uuid

from django.conf import settings
from django.db import models

from . import limits
from .base import OwnedQuerySet


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
    aliases = models.TextField(
        "other names and nicknames", blank=True, help_text="One per line.", max_length=limits.LIST
    )
    relationship = models.CharField(
        max_length=32, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    description = models.TextField(
        "what they look like and other details",
        blank=True,
        help_text="Appearance, where they live or work, anything that helps identify them.",
        max_length=limits.NOTE,
    )
    phone_numbers = models.TextField(blank=True, help_text="One per line.", max_length=limits.LIST)
    online_accounts = models.TextField(
        "online accounts and e-mail addresses",
        blank=True,
        help_text="One per line.",
        max_length=limits.LIST,
    )
    vehicles = models.TextField(
        blank=True, help_text="Make, colour, number plate. One per line.", max_length=limits.LIST
    )
    addresses = models.TextField(blank=True, help_text="One per line.", max_length=limits.LIST)
    is_demo = models.BooleanField(
        default=False, editable=False, help_text="Filled with invented sample data by seed_demo."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        label = self.name or "Person of concern (name unknown)"
        return f"{label} (sample data)" if self.is_demo else label
