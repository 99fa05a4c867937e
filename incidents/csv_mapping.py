"""A CSV table's columns as the user described them, remembered per header row and owner, so
the next file of the same shape is read the same way (models/csv_mappings.py)."""

from django.db import transaction
from django.utils import timezone

from .models import CsvMapping, MessageImport, User
from .sources.items import NeedsAnswers


@transaction.atomic
def remember(owner: User, shape: str, columns: dict, time_zone: str) -> CsvMapping:
    """Keep (or replace) the owner's description of the tables with this header row."""
    mapping, _created = CsvMapping.objects.update_or_create(
        owner=owner,
        shape=shape,
        defaults={"columns": {**columns, "time_zone": time_zone}, "updated_at": timezone.now()},
    )
    return mapping


def remembered(owner: User, shape: str) -> dict | None:
    """The columns the owner gave last for tables of this shape (with "time_zone"), or None."""
    mapping = CsvMapping.objects.owned_by(owner).filter(shape=shape).first()
    return dict(mapping.columns) if mapping else None


def remembered_answers(job: MessageImport) -> dict:
    """The answers an ASKING job's table takes from what its owner said for the same shape;
    NeedsAnswers when nothing is remembered for it."""
    shape = job.options.get("preview", {}).get("shape", "")
    columns = remembered(job.case.owner, shape) if shape else None
    if columns is None:
        raise NeedsAnswers(job.options.get("ask", ["columns"]))
    zone = columns.pop("time_zone", "") or job.options.get("time_zone", "UTC")
    return {"columns": columns, "time_zone": zone}
