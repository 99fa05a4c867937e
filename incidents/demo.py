"""Demonstration data, kept apart from a real record: which account has it, and removing it.

Demo data lives only in cases marked `is_demo` (made by `manage.py seed_demo`); everything in
such a case is invented. Pages show a banner while an account holds any, every dossier page of a
demo case says so, and one action removes it all, logging each record in the custody log.
"""

import logging
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from . import custody, evidence, exports
from .models import (
    Case,
    Evidence,
    Export,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    User,
)

logger = logging.getLogger(__name__)

# What a case holds, files first (they point at the records), the case itself last.
RECORD_MODELS = (Evidence, Incident, NoContactNotice, PoliceContact, ProtectiveOrder)


@dataclass(frozen=True)
class DemoSummary:
    cases: list[Case]
    incidents: int
    files: int


def has_real_records(user: User) -> bool:
    """Whether the user has recorded anything outside a demo case (in the trash too)."""
    real = Case.objects.owned_by(user).filter(is_demo=False)
    return any(model.objects.filter(case__in=real).exists() for model in RECORD_MODELS)


def demo_summary(user: User) -> DemoSummary | None:
    """The user's demo cases and what they hold, or None when there are none."""
    cases = list(Case.objects.owned_by(user).filter(is_demo=True))
    if not cases:
        return None
    return DemoSummary(
        cases=cases,
        incidents=Incident.objects.filter(case__in=cases).count(),
        files=Evidence.objects.filter(case__in=cases).count(),
    )


def demo_remove(*, user: User) -> int:
    """Delete every demo case of the user with all it holds; return how many records went.

    Each record's removal is logged in the custody log, in the same transaction as the delete;
    the files go after it commits (a file that cannot be removed is logged, and
    `verify_evidence` reports it as a stray). Real cases are never touched."""
    cases = Case.objects.owned_by(user).filter(is_demo=True)
    items = Evidence.objects.filter(case__in=cases)
    originals = list(items.values_list("stored_name", flat=True))
    derived = [settings.DERIVED_DIR / str(uuid) for uuid in items.values_list("uuid", flat=True)]
    finished = [exports.export_path(export) for export in Export.objects.filter(case__in=cases)]
    removed = 0
    with transaction.atomic():
        for case in cases.select_for_update():
            records = [r for model in RECORD_MODELS for r in model.objects.filter(case=case)]
            for record in [*records, case]:
                custody.log(custody.Action.DEMO_REMOVED, record, user_id=user.pk)
            removed += len(records) + 1
            case.delete()
    _remove_files(originals, derived, finished)
    return removed


def _remove_files(originals: list[str], derived: list, finished: list) -> None:
    storage = evidence.evidence_storage()
    for name in originals:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not remove a file of demonstration data")
    for path in derived:
        shutil.rmtree(path, ignore_errors=True)
    for path in finished:
        if path is not None:
            path.unlink(missing_ok=True)
