"""Turning the items read from an export file into kept records (models/messages.py), in bulk:
the records that are not kept yet, one custody entry for each batch of them (custody.log_batch),
and the pictures of picture messages as exhibits of their own."""

from operator import attrgetter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from . import custody, services
from .evidence import AlreadyAnExhibit, EvidenceRejected
from .models import Call, Case, Evidence, Message, MessageImport
from .sources.items import CallItem, MessageItem, Picture


def record_for(item, keys: list[str], matching: list[str], job: MessageImport, key: str):
    """The unsaved record of an item whose number (`matching`) the user chose."""
    common = {
        "element": item.element,
        "line": item.line,
        "dedupe_key": key,
        "direction": item.direction,
        "address_key": matching[0],
        "contact_name": item.contact_name,
        "recovered": item.recovered,
    }
    if isinstance(item, CallItem):
        return _new(
            Call,
            job,
            common,
            address=item.address[:200],
            outcome=item.outcome,
            call_type=item.call_type,
            started_at=item.started_at,
            duration=item.duration,
            withheld=item.withheld,
        )
    return _message(item, keys, matching, job, common)


def _message(item: MessageItem, keys: list[str], matching: list[str], job, common: dict):
    address, recipients = item.address, item.recipients
    if item.direction == "out" and len(item.parties) > 1:
        # A message sent to a group: the chosen number is the address, the rest recipients.
        address = item.parties[keys.index(matching[0])]
        recipients = [party for party in item.parties if party != address]
    return _new(
        Message,
        job,
        common,
        address=address[:200],
        channel=item.channel,
        box=item.box,
        sent_at=item.sent_at,
        subject=item.subject[:500],
        body=item.body,
        recipients=recipients,
        attachments=item.attachments,
        details=item.details,
    )


_DEFAULTS: dict[type, tuple[dict, tuple]] = {}


def _new(model, job: MessageImport, common: dict, **values):
    """An unsaved record of `job`, as `model(**fields)` would make it, without running the
    model's constructor (about a seventh of an import's time, by the hundred thousand): each
    field's default, then the values given (by field name, as the constructor takes them; none
    of them a relation)."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        fields = model._meta.concrete_fields
        made = tuple(
            (f.attname, f.default) for f in fields if f.has_default() and callable(f.default)
        )
        fixed = {f.attname: f.get_default() for f in fields if f.attname not in dict(made)}
        defaults = _DEFAULTS[model] = (fixed, made)
    fixed, made = defaults
    record = model.__new__(model)
    record.__dict__.update(fixed)
    for attname, default in made:
        record.__dict__[attname] = default()
    record.__dict__.update(common, case_id=job.case_id, source_id=job.pk, **values)
    record._state = ModelState()
    record._state.fields_cache.update(case=job.case, source=job)
    return record


def keep_new(job: MessageImport, pending: list, stored: list[Evidence]) -> tuple[list, int]:
    """Save the records of `pending` ((record, pictures) pairs, all of one kind, in file order)
    that the case does not hold yet, log them as one batch, and keep their pictures (appended
    to `stored`). Returns the records saved and how many pictures were refused. Call it in a
    transaction."""
    if not pending:
        return [], 0
    case = job.case
    model = type(pending[0][0])
    keys = [record.dedupe_key for record, _pictures in pending]
    existing = set(
        model.objects.filter(case=case, dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = [(record, pictures) for record, pictures in pending if record.dedupe_key not in existing]
    if not new:
        return [], 0
    kept = [record for record, _pictures in new]
    custody.log_batch(job, kept, user_id=case.owner_id)
    _insert(model, kept)
    refused = 0
    for record, pictures in new:
        for picture in pictures:
            refused += not _keep_picture(case, record, picture, stored)
    return kept, refused


# Field types whose values the database takes as Python gives them: every other field's value
# is prepared by the field itself (times, uuids, JSON), as the ORM would.
_PLAIN = {
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "TextField",
}


def _insert(model, records: list) -> None:
    """Insert the new records of one custody batch in one statement run for every row, below
    the ORM (whose per-value work was most of an import's time), then read back their ids."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    automatic = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for field in automatic:
        now = field.pre_save(records[0], add=True)
        for record in records[1:]:
            setattr(record, field.attname, now)
    prepare = [(i, how) for i, f in enumerate(fields) if (how := _preparer(f, connection))]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    read = attrgetter(*(f.attname for f in fields))
    rows = []
    for record in records:
        row = list(read(record))
        for i, how in prepare:
            row[i] = how(row[i])
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({values})", rows)  # noqa: S608
    batch = model.objects.filter(custody_batch=records[0].custody_batch)
    ids = dict(batch.values_list("uuid", "pk"))
    for record in records:
        record.pk = ids[record.uuid]
        record._state.adding = False


def _preparer(field, db):
    """How a field's value goes to the database: None for a value taken as Python gives it;
    times and uuids the way the field would prepare them, with less work for each value."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    if kind == "DateTimeField":
        adapt = db.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if kind == "UUIDField" and not db.features.has_native_uuid_field:
        return lambda value: None if value is None else value.hex
    if kind == "JSONField":  # most texts have no recipients or attachments: an empty list
        empty = field.get_db_prep_save([], connection=db)
        return lambda value: empty if value == [] else field.get_db_prep_save(value, connection=db)
    return lambda value: field.get_db_prep_save(value, connection=db)


def _keep_picture(case: Case, message: Message, picture: Picture, stored: list) -> bool:
    """Keep one picture as an exhibit attached to its message (through the same checks as any
    upload); a picture the case holds already is attached as that exhibit. False if refused."""
    name = picture.name or f"picture-{message.element}-{picture.seq}"
    upload = SimpleUploadedFile(name, picture.data, picture.content_type)
    caption = _("Picture %(part)s of item %(element)s in exhibit %(exhibit)s") % {
        "part": picture.seq,
        "element": message.element,
        "exhibit": message.source.source.exhibit_number,
    }
    try:
        stored.append(
            services.evidence_add(case=case, upload=upload, attached_to=message, caption=caption)
        )
    except AlreadyAnExhibit as already:
        services.evidence_attach(item=already.existing, record=message)
    except EvidenceRejected:
        return False
    return True
