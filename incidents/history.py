"""The history of a record, as a person reads it: what changed, from what, to what, and when it
went to the trash or came back."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Record


def _versions(record: Record) -> tuple[list, list[dict]]:
    """The revisions (from prefetched rows when there are) and every version of the record's
    own fields, oldest first, the current one last. A field added after a version was kept is
    taken to have held, then, what the next version holds: it was not changed by then."""
    revisions = list(record.revisions.all())
    versions = [dict(r.data) for r in revisions] + [record.snapshot()]
    for older, newer in zip(versions[-2::-1], versions[:0:-1], strict=True):
        for name in record.ADDED_LATER:
            older.setdefault(name, newer.get(name))
    return revisions, versions


def _changed_fields(record: Record, before: dict, after: dict) -> list[str]:
    return [name for name in record.tracked_fields() if before.get(name) != after.get(name)]


def amendment_history(record: Record) -> list[dict]:
    """Each amendment, trash and restore, newest first. An amendment lists the fields it
    changed (old and new values); a trash gives the user's reason, if any."""
    revisions, versions = _versions(record)
    labels = {}
    history = []
    for revision, before, after in zip(revisions, versions, versions[1:], strict=False):
        changes = [
            {
                "field": record._meta.get_field(name).verbose_name,
                "before": _readable(record, name, before.get(name), labels),
                "after": _readable(record, name, after.get(name), labels),
            }
            for name in _changed_fields(record, before, after)
        ]
        history.append({"kind": "amended", "at": revision.replaced_at, "changes": changes})
    history += [
        {"kind": event.action, "at": event.at, "reason": event.reason}
        for event in record.trash_events.all()
    ]
    return sorted(history, key=lambda item: item["at"], reverse=True)


def change_summary(record: Record) -> dict | None:
    """For the dossier's changes appendix: the values first entered in every field changed
    since, then each change with its date, and the trash and restores. None if the record was
    never changed. Reads only prefetched revisions and trash events (and a related record's
    name when a record was moved to another person)."""
    revisions, versions = _versions(record)
    events = list(record.trash_events.all())
    if not revisions and not events:
        return None
    labels = {}
    ever_changed = []
    steps = []
    for revision, before, after in zip(revisions, versions, versions[1:], strict=False):
        names = _changed_fields(record, before, after)
        ever_changed += [name for name in names if name not in ever_changed]
        steps.append(
            {
                "kind": "amended",
                "at": revision.replaced_at,
                "changes": [
                    (_label(record, name), _readable(record, name, after.get(name), labels))
                    for name in names
                ],
            }
        )
    steps += [{"kind": e.action, "at": e.at, "reason": e.reason} for e in events]
    first = [
        (_label(record, name), _readable(record, name, versions[0].get(name), labels))
        for name in record.tracked_fields()
        if name in ever_changed
    ]
    entered_at = getattr(record, "created_at", None) or getattr(record, "received_at", None)
    steps.sort(key=lambda step: step["at"])
    return {"record": record, "entered_at": entered_at, "first": first, "steps": steps}


def record_details(record: Record) -> list[tuple[str, str]]:
    """The record's own fields as (label, value) for a detail page, leaving out empty ones."""
    data = record.snapshot()
    return [
        (record._meta.get_field(name).verbose_name, _readable(record, name, data[name], {}))
        for name in record.HISTORY_FIELDS
        if name != "case" and data[name] not in ("", None)
    ]


def _label(record: Record, name: str) -> str:
    return str(record._meta.get_field(name).verbose_name)


def _readable(record: Record, name: str, value, labels: dict):
    """A stored value as the user would write it: labels, local times, yes/no. `labels` keeps
    the names of related records already looked up."""
    field = record._meta.get_field(name)
    if value is None or value == "" or value == []:
        return _("(empty)")
    if field.many_to_many:  # linked records, by id
        linked = field.related_model.objects.filter(uuid__in=value)
        names = sorted(str(record) for record in linked)
        return ", ".join(names + [_("(deleted)")] * (len(value) - len(names)))
    if field.is_relation:
        if value not in labels:
            related = field.related_model.objects.filter(uuid=value).first()
            labels[value] = str(related) if related else _("(deleted)")
        return labels[value]
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.get_internal_type() == "DateTimeField":
        return date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")
    if field.get_internal_type() == "DateField":
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    return value
