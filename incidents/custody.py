"""The custody log: append an entry in the same transaction as the change it records, and check
later that no entry was changed, removed or moved.

Each entry's hash is the SHA-256 of a canonical JSON form of the entry, which includes the hash
of the entry before it. The head (the last number and hash) is printed in every dossier and kept
with every backup; a chain rewritten after that no longer reaches the same head.

Imported messages and calls are logged a batch at a time (`log_batch`): one entry fingerprints the
batch, and each item keeps its own fingerprint beside it, checked against the batch
(`altered_batches`) and against the item's row (`altered_records`).
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter, itemgetter

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from .models import (
    Call,
    Case,
    CustodyEntry,
    CustodyHead,
    Evidence,
    ExhibitLink,
    Message,
    MessageImport,
    Record,
)
from .models.kinds import RECORD_KINDS

GENESIS = "0" * 64  # the "previous hash" of the first entry
Action = CustodyEntry.Action
# Actions that change a record: their entries fingerprint the record as it stood afterwards.
CHANGES = {Action.CREATED, Action.AMENDED, Action.TRASHED, Action.RESTORED, Action.UPLOADED}


@dataclass(frozen=True)
class Head:
    sequence: int
    entry_hash: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.entry_hash}"

    @classmethod
    def parse(cls, text: str) -> "Head":
        """Read a head as printed in a dossier or a backup manifest: "NUMBER:HASH"."""
        sequence, _, entry_hash = text.strip().partition(":")
        if not sequence.isdigit() or len(entry_hash) != 64:
            raise ValueError(f"{text!r} is not a chain head; it looks like 1234:<64 hex digits>.")
        return cls(int(sequence), entry_hash.lower())


def canonical(entry: CustodyEntry) -> bytes:
    """The bytes an entry's hash is taken over. Changing this breaks every existing chain."""
    recorded_at = entry.recorded_at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = {
        "v": 1,
        "sequence": entry.sequence,
        "recorded_at": recorded_at,
        "user": entry.user_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object": str(entry.object_uuid) if entry.object_uuid else None,
        "content_sha256": entry.content_sha256,
        "file_sha256": entry.file_sha256,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: CustodyEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def content_sha256(obj: models.Model) -> str:
    """A fingerprint of a record's fields: it shows later whether the row still holds what was
    logged, without the log holding a word of it."""
    fields = {}
    added_later = getattr(obj, "ADDED_LATER", {})
    linked = getattr(obj, "LINKED_FIELDS", ())
    for name, attname in _fingerprinted(obj):
        # Related records by id; linked ones by their uuids.
        value = obj.linked_uuids(name) if name in linked else getattr(obj, attname)
        if name in added_later and value == added_later[name]:
            continue  # as every record logged before the field existed: same fingerprint
        # One spelling per value, however it was loaded: times in UTC.
        fields[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    fields["uuid"] = str(obj.uuid)
    data = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


_PLANS: dict[type, tuple[tuple[str, str], ...]] = {}


def _fingerprinted(obj: models.Model) -> tuple[tuple[str, str], ...]:
    """The fields a fingerprint is taken over, with their attribute names (known once per kind
    of record: an import fingerprints its items by the hundred thousand)."""
    if not isinstance(obj, Record):
        # A person's details: every field the user can edit.
        return tuple((name, obj._meta.get_field(name).attname) for name in model_to_dict(obj))
    plan = _PLANS.get(type(obj))
    if plan is None:
        names = (*obj.tracked_fields(), "deleted_at", *obj.CUSTODY_FIELDS)
        plan = tuple((name, obj._meta.get_field(name).attname) for name in names)
        _PLANS[type(obj)] = plan
    return plan


def log(
    action: str,
    obj: models.Model | None = None,
    *,
    user_id: int | None = None,
    file_sha256: str = "",
    content: str = "",
) -> CustodyEntry:
    """Append one entry. Call it inside the transaction that makes the change, so that the
    change and its entry are committed together or not at all. `content` is the fingerprint
    to log when it is not the object's own (a batch's, see `log_batch`)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A custody entry must be written in the change's own transaction.")
    if user_id is None and obj is not None:
        user_id = _owner_id(obj)
    head = _locked_head()
    entry = CustodyEntry(
        sequence=head.sequence + 1,
        recorded_at=timezone.now(),
        user_id=user_id,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "account",
        object_uuid=getattr(obj, "uuid", None),
        content_sha256=content or (content_sha256(obj) if action in CHANGES else ""),
        file_sha256=file_sha256,
        previous_hash=head.entry_hash,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save()
    head.sequence, head.entry_hash = entry.sequence, entry.entry_hash
    head.save(update_fields=["sequence", "entry_hash"])
    return entry


def log_batch(job: models.Model, records: list[Record], *, user_id: int) -> CustodyEntry:
    """One entry for a batch of records imported together by `job` (all of one kind, in their
    order in the file): it fingerprints each record as `log` would, and logs the fingerprint of
    the batch (`batch_sha256`). Each record is given the entry's number and its own fingerprint
    (`custody_batch`, `logged_sha256`) before it is saved, so that the batch can be taken again
    from the rows and checked (`altered_records`). Call it in the batch's own transaction."""
    records = sorted(records, key=attrgetter("element"))
    items = [(str(record.uuid), content_sha256(record)) for record in records]
    kind = records[0]._meta.model_name
    entry = log(
        Action.BATCH,
        job,
        user_id=user_id,
        content=batch_sha256(job.uuid, kind, items),
    )
    for record, (_uuid, fingerprint) in zip(records, items, strict=True):
        record.custody_batch, record.logged_sha256 = entry.sequence, fingerprint
    return entry


def batch_sha256(job_uuid, kind: str, items: list[tuple[str, str]]) -> str:
    """The fingerprint of a batch: the SHA-256 of a canonical JSON form of the import it belongs
    to, the kind of its records, their count and each one's uuid and fingerprint, in order.
    Changing this breaks every batch logged (verify.py computes it the same way)."""
    fields = {
        "v": 1,
        "import": str(job_uuid),
        "kind": kind,
        "count": len(items),
        "items": [list(item) for item in items],
    }
    data = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _owner_id(obj: models.Model) -> int:
    if hasattr(obj, "owner_id"):
        return obj.owner_id
    return obj.case.owner_id


def _locked_head() -> CustodyHead:
    """The head row, locked until the transaction ends: appends happen one at a time."""
    head = CustodyHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # The first entry ever, or the row was lost: carry on from the last entry there is.
    last = CustodyEntry.objects.order_by("-sequence").first()
    CustodyHead.objects.get_or_create(
        pk=1,
        defaults={
            "sequence": last.sequence if last else 0,
            "entry_hash": last.entry_hash if last else GENESIS,
        },
    )
    return CustodyHead.objects.select_for_update().get(pk=1)


def chain_head() -> Head:
    """The head as it stands: what a dossier prints and a backup keeps."""
    head = CustodyHead.objects.filter(pk=1).first()
    if head is None:
        return Head(0, GENESIS)
    return Head(head.sequence, head.entry_hash)


# --- verifying -------------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int
    head: Head
    problem: str = ""  # the first problem found, in words; empty when the chain is whole
    # How many entries from the start of the log can still be relied on when there is a
    # problem; None when that cannot be told (the log may have been rewritten from its start).
    intact: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem

    def intact_sentence(self) -> str:
        """What can still be relied on, in words, to follow the problem."""
        if self.intact is None:
            return (
                "Which entries before it are unchanged cannot be told: the log may have been "
                "rewritten from its start."
            )
        if self.intact == 0:
            return "No entry before it can be relied on."
        if self.intact == 1:
            return "Entry 1 is intact."
        return f"Entries 1 to {self.intact} are intact."


def verify_chain(*, anchors: tuple[Head, ...] = ()) -> ChainReport:
    """Recompute every entry's hash in order and name the first entry that does not fit.

    Anchors are heads written down earlier (in a dossier or a backup): the chain must still
    hold each of them, or it was rewritten after that point. Safe while the app runs: entries
    appended after the head was read are left for the next check.
    """
    head = CustodyHead.objects.filter(pk=1).first()
    previous = Head(0, GENESIS)
    seen = {}
    wanted = {anchor.sequence for anchor in anchors}
    entries = CustodyEntry.objects.order_by("sequence")
    if head is not None:
        entries = entries.filter(sequence__lte=head.sequence)
    for entry in entries.iterator(chunk_size=2000):
        problem, intact = _entry_problem(entry, previous)
        if problem:
            return ChainReport(previous.sequence, previous, problem, intact)
        previous = Head(entry.sequence, entry.entry_hash)
        if entry.sequence in wanted:
            seen[entry.sequence] = entry.entry_hash
    for problem, intact in (
        _head_problem(head, previous),
        _beyond_head(),
        (_anchor_problem(anchors, seen), None),
    ):
        if problem:
            return ChainReport(previous.sequence, previous, problem, intact)
    return ChainReport(checked=previous.sequence, head=previous)


# Each check below gives its problem in words ("" for none) and how many entries from the
# start can still be relied on: an entry whose own hash still fits may have been rewritten
# together with its hash, so only what comes before the first entry in doubt counts.


def _beyond_head() -> tuple[str, int | None]:
    """Entries past the head: the head was moved back to hide them. (The highest entry is read
    first: the head, read after, has reached at least every entry committed by then.)"""
    top = CustodyEntry.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    head = CustodyHead.objects.filter(pk=1).values_list("sequence", flat=True).first()
    if top is not None and head is not None and top > head:
        return f"Entries after {head} are not covered by the chain head: it was moved back.", head
    return "", None


def _entry_problem(entry: CustodyEntry, previous: Head) -> tuple[str, int | None]:
    expected = previous.sequence + 1
    if entry.sequence > expected:
        missing = (
            f"Entry {expected} is"
            if entry.sequence == expected + 1
            else f"Entries {expected} to {entry.sequence - 1} are"
        )
        return f"{missing} missing: removed from the log after being written.", previous.sequence
    if entry_hash(entry) != entry.entry_hash:
        problem = (
            f"Entry {entry.sequence} ({entry.action} {entry.object_type}) no longer matches "
            "its hash: it was changed or moved after being written."
        )
        return problem, previous.sequence
    if entry.previous_hash != previous.entry_hash:
        problem = (
            f"Entry {entry.sequence} does not follow entry {previous.sequence}: entries "
            "were changed, replaced or put in another order."
        )
        # Either entry was rewritten with a hash to match itself: neither can be relied on.
        return problem, max(previous.sequence - 1, 0)
    return "", None


def _head_problem(head: CustodyHead | None, last: Head) -> tuple[str, int | None]:
    if head is None:
        return ("The chain head is missing.", None) if last.sequence else ("", None)
    if head.sequence > last.sequence:
        first = last.sequence + 1
        if first == head.sequence:
            return f"Entry {first} is missing from the end of the log.", last.sequence
        problem = f"Entries {first} to {head.sequence} are missing from the end of the log."
        return problem, last.sequence
    if head.entry_hash != last.entry_hash:
        # The last entry may have been rewritten with a new hash of its own.
        return f"The chain head does not match entry {last.sequence}.", max(last.sequence - 1, 0)
    return "", None


def _anchor_problem(anchors: tuple[Head, ...], seen: dict[int, str]) -> str:
    for anchor in anchors:
        if anchor.sequence == 0:
            continue
        if anchor.sequence not in seen:
            return f"Entry {anchor.sequence}, recorded earlier as the head, is not in the log."
        if seen[anchor.sequence] != anchor.entry_hash:
            return (
                f"Entry {anchor.sequence} differs from the head recorded earlier: "
                "the log was rewritten after that point."
            )
    return ""


# Rows the log fingerprints, by the object_type their entries carry.
LOGGED_MODELS = (
    Case,
    Evidence,
    ExhibitLink,
    *(kind.model for kind in RECORD_KINDS.values() if kind.custody_logged),
)


def altered_records() -> list[str]:
    """Records whose fields (for evidence, also which file and its hash) differ from their last
    logged fingerprint: changed in the database behind the app's back; and batches of imported
    records that no longer add up to their logged fingerprint (a record changed together with
    the fingerprint kept beside it, removed, or added). Records made before the log existed
    have nothing to compare with.

    A record amended while this runs can look altered (its row read after the log was), so
    each one found is checked again against the log as it stands then."""
    found = _altered({model: _rows(model.objects.all()) for model in LOGGED_MODELS})
    suspects = defaultdict(list)
    for model, pk, _problem in found:
        suspects[model].append(pk)
    again = _altered({m: _rows(m.objects.filter(pk__in=pks)) for m, pks in suspects.items()})
    return [problem for _model, _pk, problem in again] + altered_batches()


def _rows(records: models.QuerySet) -> models.QuerySet:
    return records.prefetch_related(*getattr(records.model, "LINKED_FIELDS", ()))


def _altered(rows: dict) -> list[tuple]:
    entries = CustodyEntry.objects.order_by("sequence")
    # Later entries overwrite earlier ones: the last fingerprint of each record is kept.
    fields = dict(entries.exclude(content_sha256="").values_list("object_uuid", "content_sha256"))
    found = []
    for model, records in rows.items():
        name = model._meta.verbose_name.capitalize()
        for record in records.order_by("pk").iterator(chunk_size=2000):
            # An imported record logged in a batch: the fingerprint kept beside it, which the
            # batch's entry vouches for (altered_batches), unless an entry of its own follows.
            logged = fields.get(record.uuid) or getattr(record, "logged_sha256", "")
            if logged and logged != content_sha256(record):
                problem = f"{name} {record.uuid} differs from its last logged version."
                if record.uuid not in fields:
                    problem = (
                        f"{name} {record.uuid} (item {record.element} of its file) differs "
                        f"from its version logged in custody entry {record.custody_batch}."
                    )
                found.append((model, record.pk, problem))
    return found


def altered_batches() -> list[str]:
    """Batches of imported records (`log_batch`) whose records, taken again from the database
    in order with the fingerprints kept beside them, no longer give the batch's logged
    fingerprint. Batches of an import that is gone (its case was deleted) are not checked."""
    batches = {
        entry.sequence: entry
        for entry in CustodyEntry.objects.filter(action=Action.BATCH).only(
            "sequence", "object_uuid", "content_sha256"
        )
    }
    jobs = set(MessageImport.objects.values_list("uuid", flat=True))
    found, checked = [], set()
    for model in (Message, Call):
        for sequence, items in _batch_items(model, batches):
            checked.add(sequence)
            entry = batches[sequence]
            if (
                batch_sha256(entry.object_uuid, model._meta.model_name, items)
                != entry.content_sha256
            ):
                found.append(_batch_problem(entry, len(items)))
    for sequence, entry in sorted(batches.items()):
        if sequence not in checked and entry.object_uuid in jobs:
            found.append(_batch_problem(entry, 0))
    return found


def _batch_items(model, batches: dict) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """Each logged batch's records of `model`, as (entry number, [(uuid, fingerprint), ...]),
    read in one pass in the order they were logged."""
    rows = (
        model.objects.filter(custody_batch__isnull=False)
        .order_by("custody_batch", "element")
        .values_list("custody_batch", "uuid", "logged_sha256")
    )
    for sequence, group in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        if sequence in batches:  # (one committed after the entries were read waits)
            yield sequence, [(str(uuid), fingerprint) for _seq, uuid, fingerprint in group]


def _batch_problem(entry: CustodyEntry, count: int) -> str:
    return (
        f"The imported items logged together in custody entry {entry.sequence} (import "
        f"{entry.object_uuid}; {count} found) no longer match its fingerprint: one was "
        "changed, removed or added."
    )
