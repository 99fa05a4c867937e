"""The only changes an imported text or call takes: the user's note, and hiding it from the
dossier with a reason (or showing it again). What the file says about the item never changes.
Each change keeps the version it replaces and is written to the custody log."""

from django.db import transaction
from django.utils import timezone

from .models.messages import ImportedRecord
from .services import record_amend


@transaction.atomic
def imported_note_set(*, item: ImportedRecord, note: str) -> bool:
    """Set the user's note on an imported item; False when it was already that."""
    return record_amend(record=item, changes={"note": note.strip()})


@transaction.atomic
def imported_hide(*, item: ImportedRecord, reason: str) -> bool:
    """Leave an imported item out of the dossier, for the reason given (it is required, so the
    changes appendix can say why). False when it was already hidden for that reason."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is needed to leave an item out of the dossier.")
    hidden_at = item.hidden_at or timezone.now()
    return record_amend(record=item, changes={"hidden_reason": reason, "hidden_at": hidden_at})


@transaction.atomic
def imported_show(*, item: ImportedRecord) -> bool:
    """Put a hidden item back in the dossier; the reason it was hidden stays in its history."""
    if item.hidden_at is None:
        return False
    return record_amend(record=item, changes={"hidden_reason": "", "hidden_at": None})
