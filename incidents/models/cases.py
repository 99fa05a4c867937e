import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import limits
from .base import OwnedQuerySet


class Case(models.Model):
    """Everything recorded about one person of concern."""

    class Relationship(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        FORMER_PARTNER = "former_partner", _("Former partner")
        PARTNER = "partner", _("Current or recent partner")
        DATE = "date", _("Someone I dated or met briefly")
        FAMILY = "family", _("Family member")
        FRIEND = "friend", _("Friend or former friend")
        ACQUAINTANCE = "acquaintance", _("Acquaintance")
        COLLEAGUE = "colleague", _("Colleague or client")
        NEIGHBOUR = "neighbour", _("Neighbour")
        ONLINE = "online", _("Someone I know only online")
        STRANGER = "stranger", _("Stranger")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases"
    )
    name = models.CharField(
        _("name of the person"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty if you don't know."),
    )
    aliases = models.TextField(
        _("other names and nicknames"),
        blank=True,
        help_text=_("One per line."),
        max_length=limits.LIST,
    )
    relationship = models.CharField(
        _("relationship"), max_length=32, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    description = models.TextField(
        _("what they look like and other details"),
        blank=True,
        help_text=_("Appearance, where they live or work, anything that helps identify them."),
        max_length=limits.NOTE,
    )
    phone_numbers = models.TextField(
        _("phone numbers"), blank=True, help_text=_("One per line."), max_length=limits.LIST
    )
    online_accounts = models.TextField(
        _("online accounts and e-mail addresses"),
        blank=True,
        help_text=_("One per line."),
        max_length=limits.LIST,
    )
    vehicles = models.TextField(
        _("vehicles"),
        blank=True,
        help_text=_("Make, colour, number plate. One per line."),
        max_length=limits.LIST,
    )
    addresses = models.TextField(
        _("addresses"), blank=True, help_text=_("One per line."), max_length=limits.LIST
    )
    is_demo = models.BooleanField(
        default=False, editable=False, help_text=_("Filled with invented sample data by seed_demo.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        label = self.name or str(_("Person of concern (name unknown)"))
        return _("%(name)s (sample data)") % {"name": label} if self.is_demo else label
