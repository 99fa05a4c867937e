"""Checking files before they leave: originals against the SHA-256 taken when they were received,
display copies against the fingerprint taken when they were made. A file found changed or
missing is refused, logged in the custody log and the activity log, and shown to its owner on
the home page until a later check finds it whole again."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from . import custody, security
from .evidence import FileProblem, derived_file, make_derived, original_problem
from .models import AuditEvent, DisplayCopy, Evidence, Export, IntegrityAlert


def _owner(obj: Model) -> int:
    return obj.owner_id if isinstance(obj, Export) else obj.case.owner_id


def report_problem(obj: Evidence | Export, problem: FileProblem, *, label: str, request=None):
    """Record a file found changed or missing: a custody entry, an activity entry and a notice
    for the owner, once for as long as the notice stays open."""
    target = {"evidence": obj} if isinstance(obj, Evidence) else {"export": obj}
    user_id = _owner(obj)
    with transaction.atomic():
        alerts = IntegrityAlert.objects.select_for_update().filter(user_id=user_id, **target)
        if alerts.open().filter(problem=problem.problem).exists():
            return
        IntegrityAlert.objects.create(
            user_id=user_id, problem=problem.problem, label=label[:200], **target
        )
        custody.log(
            custody.Action.INTEGRITY, obj, user_id=user_id, file_sha256=problem.found_sha256
        )
        if request is not None and request.user.pk == user_id:
            security.audit(request, AuditEvent.Action.INTEGRITY, label)
        else:  # found by a background job: no browser to name
            AuditEvent.objects.create(
                user_id=user_id, action=AuditEvent.Action.INTEGRITY, description=label[:200]
            )


def clear_alerts(obj: Evidence | Export) -> None:
    """The file checked out whole (restored from a backup, say): its notice goes."""
    target = {"evidence": obj} if isinstance(obj, Evidence) else {"export": obj}
    IntegrityAlert.objects.filter(**target).open().update(cleared_at=timezone.now())


def open_alerts(user) -> list[IntegrityAlert]:
    """The owner's files found changed or missing and not yet whole again."""
    return list(IntegrityAlert.objects.owned_by(user).open())


def exhibit_label(item: Evidence) -> str:
    number = item.exhibit_number
    return _("Exhibit %(number)s") % {"number": number}


# --- display copies ----------------------------------------------------------------------------


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def display_copy(item: Evidence, variant: str) -> tuple[Path, str]:
    """A display copy that matches the fingerprint taken when it was made; made again, from an
    original checked against its own fingerprint, when it is missing or does not match.
    Raises FileProblem when the original itself is changed or gone."""
    path = derived_file(item, variant)
    known = item.display_copies.filter(variant=variant).values_list("sha256", flat=True).first()
    if known and file_sha256(path) == known:
        return path, known
    made = make_derived(item, [variant])
    remember_copies(item, made)
    return path, made[variant]


def remember_copies(item: Evidence, made: dict[str, str]) -> None:
    for variant, sha256 in made.items():
        DisplayCopy.objects.update_or_create(
            evidence=item, variant=variant, defaults={"sha256": sha256, "made_at": timezone.now()}
        )


# --- the dossier's exhibits --------------------------------------------------------------------


@dataclass
class ExhibitCheck:
    problem: FileProblem | None = None
    made: dict[str, str] = field(default_factory=dict)  # display copies made again


def check_exhibit(item: Evidence, variants: tuple[str, ...], known: dict[str, str]) -> ExhibitCheck:
    """Re-hash one original and, for an image, check its display copies (making them again from
    the checked original when needed). Touches no database: it runs in a drawing process."""
    problem = original_problem(item)
    if problem is not None or not variants:
        return ExhibitCheck(problem)
    if all(known.get(v) and file_sha256(derived_file(item, v)) == known[v] for v in variants):
        return ExhibitCheck()
    try:
        return ExhibitCheck(made=make_derived(item, list(variants)))
    except FileProblem as changed:  # changed between the two readings
        return ExhibitCheck(changed)


def check_exhibits(exhibits: list[Evidence], *, variants: tuple[str, ...], run) -> None:
    """Check every exhibit of a dossier before it is drawn, with `run(function, calls)` (the
    dossier's process pool). An exhibit found changed or missing gets `file_problem` set, is
    reported, and is described instead of drawn."""
    known = {}
    for copy in DisplayCopy.objects.filter(evidence__in=exhibits, variant__in=variants):
        known.setdefault(copy.evidence_id, {})[copy.variant] = copy.sha256
    calls = [(item, variants if item.is_image else (), known.get(item.id, {})) for item in exhibits]
    whole = []
    for item, result in zip(exhibits, run(check_exhibit, calls), strict=True):
        item.file_problem = result.problem.problem if result.problem else ""
        if result.problem:
            report_problem(item, result.problem, label=exhibit_label(item))
        else:
            whole.append(item.id)
            remember_copies(item, result.made)
    IntegrityAlert.objects.filter(evidence__in=whole).open().update(cleared_at=timezone.now())
