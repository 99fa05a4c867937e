"""The amendment history of a record, as a person reads it: what changed, from what, to what."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format

from .models import Record


def amendment_history(record: Record) -> list[dict]:
    """Each amendment, newest first, with the fields it changed (old and new values)."""
    revisions = list(record.revisions.all())
    versions = [r.data for r in revisions] + [record.snapshot()]
    history = []
    for revision, before, after in zip(revisions, versions, versions[1:], strict=False):
        changes = [
            {
                "field": record._meta.get_field(name).verbose_name,
                "before": _readable(record, name, before.get(name)),
                "after": _readable(record, name, after.get(name)),
            }
            for name in record.HISTORY_FIELDS
            if before.get(name) != after.get(name)
        ]
        history.append({"amended_at": revision.replaced_at, "changes": changes})
    return history[::-1]


def record_details(record: Record) -> list[tuple[str, str]]:
    """The record's own fields as (label, value) for a detail page, leaving out empty ones."""
    data = record.snapshot()
    return [
        (record._meta.get_field(name).verbose_name, _readable(record, name, data[name]))
        for name in record.HISTORY_FIELDS
        if name != "case" and data[name] not in ("", None)
    ]


def _readable(record: Record, name: str, value):
    """A stored value as the user would write it: labels, local times, yes/no."""
    field = record._meta.get_field(name)
    if value is None or value == "":
        return "(empty)"
    if field.is_relation:
        related = field.related_model.objects.filter(uuid=value).first()
        return str(related) if related else "(deleted)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.get_internal_type() == "DateTimeField":
        return date_format(timezone.localtime(datetime.fromisoformat(value)), "j F Y, H:i")
    if field.get_internal_type() == "DateField":
        return date_format(date.fromisoformat(value), "j F Y")
    return value
