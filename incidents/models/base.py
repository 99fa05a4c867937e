"""What the user's records share: ownership through a case, the trash, and amendments that keep
the version they replace."""

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OwnedQuerySet(models.QuerySet):
    """Records that belong to one user. Views start every query from `owned_by(user)`."""

    owner_path = "owner"  # the lookup from the record to its user

    def owned_by(self, user):
        return self.filter(**{self.owner_path: user})


class CaseOwnedQuerySet(OwnedQuerySet):
    """Records that belong to a user through their case, and can go to the trash."""

    owner_path = "case__owner"

    def live(self):
        return self.filter(deleted_at__isnull=True)

    def in_trash(self):
        return self.filter(deleted_at__isnull=False)

    def for_person(self, case):
        """Only this person's records; everyone's when `case` is None."""
        return self if case is None else self.filter(case=case)

    def in_period(self, field: str, start=None, end=None):
        """Records whose `field` falls from `start` to `end` (days, both included; None leaves
        that end open). A time is compared by its day in the active (the user's) time zone."""
        is_time = self.model._meta.get_field(field).get_internal_type() == "DateTimeField"
        lookup = f"{field}__date" if is_time else field
        records = self
        if start:
            records = records.filter(**{f"{lookup}__gte": start})
        if end:
            records = records.filter(**{f"{lookup}__lte": end})
        return records


class Revision(models.Model):
    """A record as it stood before one amendment. Rows are only ever added."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    data = models.JSONField()
    # When this version was replaced, i.e. when the amendment was made.
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="revision_record_idx")]

    def __str__(self) -> str:
        return (
            f"{self.content_type.model} {self.object_id} before {self.replaced_at:%Y-%m-%d %H:%M}"
        )


class TrashEvent(models.Model):
    """A record moved to the trash or restored from it, with the reason the user gave. Rows are
    only ever added. (The custody log holds the same events, but never any of the user's words.)
    """

    class Action(models.TextChoices):
        TRASHED = "trashed", _("Moved to the trash")
        RESTORED = "restored", _("Restored from the trash")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="trashevent_record_idx")]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Record(models.Model):
    """A user's record: it can go to the trash and come back, and amendments keep history."""

    # The user's own fields, in the order the form shows them: what history records and compares.
    HISTORY_FIELDS: tuple[str, ...] = ()
    # What else the custody log fingerprints (besides these and the trash): fields the app sets.
    CUSTODY_FIELDS: tuple[str, ...] = ()
    # Fields added after records were first kept, with the value every earlier record is taken
    # to have had. Holding that value, a field is left out of the custody fingerprint (so the
    # fingerprints logged before it existed still match) and missing from older revisions.
    ADDED_LATER: dict[str, object] = {}
    # Links to other records (many-to-many) that history and the custody log keep like fields:
    # as the sorted ids of the records linked. Set only through the services.
    LINKED_FIELDS: tuple[str, ...] = ()

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    amended_at = models.DateTimeField(_("last amended on"), null=True, blank=True, editable=False)
    revisions = GenericRelation(Revision)
    trash_events = GenericRelation(TrashEvent)

    class Meta:
        abstract = True

    def snapshot(self) -> dict:
        """The user's own fields as plain JSON values."""
        data = {}
        for name in self.HISTORY_FIELDS:
            value = getattr(self, name)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, models.Model):
                value = str(value.uuid)  # the label is looked up when history is shown
            data[name] = value
        for name in self.LINKED_FIELDS:
            data[name] = self.linked_uuids(name)
        return data

    def linked_uuids(self, name: str) -> list[str]:
        """The ids of the records linked through `name`, sorted (prefetched rows if there are)."""
        if self.pk is None:
            return []
        return sorted(str(linked.uuid) for linked in getattr(self, name).all())

    @classmethod
    def tracked_fields(cls) -> tuple[str, ...]:
        """What history compares: the user's own fields and the links they chose."""
        return (*cls.HISTORY_FIELDS, *cls.LINKED_FIELDS)
