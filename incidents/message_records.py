"""Turning the items read from an export file into kept records (models/messages.py), in bulk:
the records that are not kept yet, their custody entries, and the pictures of picture messages
as exhibits of their own."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from . import custody, services
from .evidence import AlreadyAnExhibit, EvidenceRejected
from .models import Call, Case, Evidence, Message, MessageImport
from .sources.items import CallItem, MessageItem, Picture


def record_for(item, keys: list[str], matching: list[str], job: MessageImport, key: str):
    """The unsaved record of an item whose number (`matching`) the user chose."""
    common = {
        "case": job.case,
        "source": job,
        "element": item.element,
        "line": item.line,
        "dedupe_key": key,
        "direction": item.direction,
        "address_key": matching[0],
        "contact_name": item.contact_name,
        "recovered": item.recovered,
    }
    if isinstance(item, CallItem):
        return Call(
            **common,
            address=item.address[:200],
            outcome=item.outcome,
            call_type=item.call_type,
            started_at=item.started_at,
            duration=item.duration,
            withheld=item.withheld,
        )
    return _message(item, keys, matching, common)


def _message(item: MessageItem, keys: list[str], matching: list[str], common: dict) -> Message:
    address, recipients = item.address, item.recipients
    if item.direction == "out" and len(item.parties) > 1:
        # A message sent to a group: the chosen number is the address, the rest recipients.
        address = item.parties[keys.index(matching[0])]
        recipients = [party for party in item.parties if party != address]
    return Message(
        **common,
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


def keep_new(case: Case, pending: list, stored: list[Evidence]) -> tuple[list, int]:
    """Save the records of `pending` ((record, pictures) pairs) that the case does not hold
    yet, log them, and keep their pictures (appended to `stored`). Returns the records saved
    and how many pictures were refused. Call it in a transaction."""
    if not pending:
        return [], 0
    model = type(pending[0][0])
    keys = [record.dedupe_key for record, _pictures in pending]
    existing = set(
        model.objects.filter(case=case, dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = [(record, pictures) for record, pictures in pending if record.dedupe_key not in existing]
    model.objects.bulk_create([record for record, _pictures in new], batch_size=500)
    custody.log_many(
        custody.Action.CREATED, [record for record, _pictures in new], user_id=case.owner_id
    )
    refused = 0
    for record, pictures in new:
        for picture in pictures:
            refused += not _keep_picture(case, record, picture, stored)
    return [record for record, _pictures in new], refused


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
