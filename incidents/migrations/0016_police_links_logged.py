"""A police contact's links to the incidents it reported are now kept in its history and its
custody fingerprint. Each contact that already has links gets one custody entry with the new
fingerprint, so the log still matches it; contacts without links match their old entries."""

import hashlib
import json
from datetime import UTC, datetime

from django.db import migrations
from django.utils import timezone

from incidents.custody import entry_hash

# PoliceContact's fingerprinted fields at this migration (HISTORY_FIELDS, the trash and the
# links): frozen here, as a migration must not follow later code.
FINGERPRINTED = (
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
    "deleted_at",
)


def _fingerprint(contact) -> str:
    """As incidents.custody.content_sha256 computes it for a police contact at this point."""
    fields = {}
    for name in FINGERPRINTED:
        value = getattr(contact, contact._meta.get_field(name).attname)
        fields[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    fields["incidents"] = sorted(str(incident.uuid) for incident in contact.incidents.all())
    fields["uuid"] = str(contact.uuid)
    data = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def log_existing_links(apps, schema_editor):
    PoliceContact = apps.get_model("incidents", "PoliceContact")
    CustodyEntry = apps.get_model("incidents", "CustodyEntry")
    CustodyHead = apps.get_model("incidents", "CustodyHead")
    linked = (
        PoliceContact.objects.filter(incidents__isnull=False)
        .distinct()
        .select_related("case")
        .prefetch_related("incidents")
        .order_by("pk")
    )
    if not linked.exists():
        return
    head = CustodyHead.objects.select_for_update().get(pk=1)
    for contact in linked:
        entry = CustodyEntry(
            sequence=head.sequence + 1,
            recorded_at=timezone.now(),
            user_id=contact.case.owner_id,
            action="amended",
            object_type="policecontact",
            object_uuid=contact.uuid,
            content_sha256=_fingerprint(contact),
            file_sha256="",
            previous_hash=head.entry_hash,
        )
        entry.entry_hash = entry_hash(entry)
        entry.save()
        head.sequence, head.entry_hash = entry.sequence, entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_exhibits_data")]

    operations = [migrations.RunPython(log_existing_links, migrations.RunPython.noop)]
