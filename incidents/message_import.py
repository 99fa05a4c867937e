"""Importing a phone's messages and calls from an export file, in three steps the user sees:

1. `message_import_receive`: the file is received, hashed, its format recognised by its content
   and read through once (incidents/sources/) to list the numbers (or names, or addresses) it
   holds with their counts. A file that cannot be read is refused with
   the reason and nothing is kept; a readable one is kept as an exhibit, byte for byte.
2. `message_import_choose`: the user picks the numbers that belong to the person of concern.
   The rest of the list (the user's private life) is then dropped: only its counts remain.
3. `message_import_run`: the file is read again and only the chosen numbers' items are kept,
   each citing the file, its place in it and the reader's version. An item already kept (the
   same file again, or a later export that overlaps) is not added twice. Pictures of picture
   messages become exhibits of their own, attached to their message.
"""

import hashlib
import json
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from . import csv_mapping, custody, evidence, message_questions, quota
from . import message_records as records
from .models import Case, Evidence, MessageImport, User
from .numbers import WITHHELD, home_region, number_key, profile_numbers
from .sources import reader_for, reader_of
from .sources.items import (
    ACCOUNT,
    EMAIL,
    NAME,
    CallItem,
    FileUnreadable,
    NeedsAnswers,
    SkippedItem,
)
from .sources.keys import address_key

# How many found numbers a job keeps to choose from, and forms of each number shown.
MAX_NUMBERS_LISTED = 500
FORMS_SHOWN = 3


@dataclass
class Staged:
    path: Path
    size: int
    sha256: str
    name: str


@dataclass
class ScanResult:
    format: str
    version: str = ""  # the reader's
    description: str = ""  # what the file is, in the user's words
    warnings: list = field(default_factory=list)  # the reader's sentences about the file
    items: int = 0
    recovered: int = 0
    numbers: dict = field(default_factory=dict)  # key -> {"written", "name", "messages", ...}
    content_type: str = ""  # of the file, as its reader found it (a ZIP, or the file inside)
    # What the found sentence says (message_questions.found_sentence): totals, the first and
    # last times, what the addresses are, and the first item (for an example of its date).
    found: dict = field(default_factory=dict)
    ask: list = field(default_factory=list)  # the questions still open after the scan
    example: str = ""  # a date as the file writes it, when its order is asked
    asking: NeedsAnswers | None = None  # the file cannot be read until these are answered


def person_region(case: Case, numbers: list[str] = ()) -> str:
    """The country national numbers in the person's files are read in (`numbers`: the person's
    numbers given for this import, when their profile has none)."""
    known = profile_numbers(case.phone_numbers) + list(numbers)
    return home_region(known, case.owner.time_zone)


def profile_keys(case: Case, region: str) -> set[str]:
    """The matching keys of the numbers on the person's profile."""
    return {number_key(n, region) for n in profile_numbers(case.phone_numbers)}


def item_keys(item, region: str) -> list[str]:
    """The keys of the addresses that decide whose item it is."""
    if isinstance(item, CallItem) and item.withheld:
        return [WITHHELD]
    return [address_key(item.address_kind, party, region) for party in item.parties]


# --- 1. receiving and scanning ---------------------------------------------------------------


def message_import_receive(
    *, case: Case, upload, numbers: list[str] = (), options: dict | None = None
) -> MessageImport:
    """Keep an export file as an exhibit of the case and list the numbers it holds. Raises
    FileUnreadable (with the reason, keeping nothing) when the file cannot be read whole, or
    EvidenceRejected when there is no room for it. The same file received again is not stored
    twice: the new job reads the exhibit already kept. A file that cannot be read before the
    user says how (a CSV table's columns) is kept, and its job waits, ASKING."""
    staged = _stage(upload)
    options = {"time_zone": case.owner.time_zone, **(options or {})}
    try:
        region = person_region(case, numbers)
        with open(staged.path, "rb") as stream:
            scan = scan_stream(stream, region, profile_keys(case, region), options)
        return _keep(case, staged, scan, region, options)
    finally:
        staged.path.unlink(missing_ok=True)


def _stage(upload) -> Staged:
    """Stream an upload to a private staging file, hashing it; nothing is left on error."""
    limit = settings.MESSAGE_IMPORT_MAX_FILE_MB * 1024 * 1024
    digest, size = hashlib.sha256(), 0
    fd, name = tempfile.mkstemp(dir=evidence.staging_dir(), prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks(evidence.CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise FileUnreadable(
                        _("This file is larger than the limit of %(limit)s.")
                        % {"limit": filesizeformat(limit)}
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    original = os.path.basename(upload.name or "") or "export.xml"
    return Staged(path, size, digest.hexdigest(), original[:255])


def scan_stream(
    stream, region: str, suggested: set[str], options: dict | None = None, reader_class=None
) -> ScanResult:
    """Read a whole file once and count its items per number. FileUnreadable if it cannot be
    read to the end; `asking` set if it cannot be read before the user answers."""
    reader_class = reader_class or reader_for(stream)
    reader = reader_class(stream, options=options)
    scan = ScanResult(format="", version=reader.version)
    try:
        for item in reader.readable_items():
            _scan_item(scan, item, region)
    except NeedsAnswers as asked:
        scan.format, scan.asking = reader.format or reader.formats[0], asked
        scan.description = str(reader.description())[:200]
        scan.content_type = reader.content_type
        return scan
    if not reader.format:
        raise FileUnreadable(_("The file holds no export."))
    scan.format = reader.format
    scan.description = str(reader.description())[:200]
    scan.warnings = [str(warning) for warning in reader.warnings]
    scan.content_type = reader.content_type
    scan.ask = _open_questions(reader)
    if "date_order" in scan.ask:  # the start of a line, to show how this file writes dates
        stream.seek(0)
        scan.example = message_questions.date_example(stream, scan.found.get("first_item"))
    for key, found in scan.numbers.items():
        found["suggested"] = key in suggested
    return scan


def _open_questions(reader) -> list[str]:
    """The reader's open questions. The flow always gives a time zone (the owner's, until the
    user says), so the zone is asked whenever the reader would ask it without one."""
    given = reader.options
    reader.options = {k: v for k, v in given.items() if k != "time_zone"}
    try:
        return reader.open_questions()
    finally:
        reader.options = given


def _scan_item(scan: ScanResult, item, region: str) -> None:
    scan.items += 1
    scan.recovered += item.recovered
    if isinstance(item, SkippedItem):
        return  # counted, with its reason, when the import reads the file again
    found = scan.found
    if not found:
        member = getattr(item, "details", {}).get("member")
        found.update(kind=item.address_kind, first_item=[item.line, member])
    kind = "calls" if isinstance(item, CallItem) else "messages"
    found[kind] = found.get(kind, 0) + 1
    found["first_ms"] = min(found.get("first_ms", item.date_ms), item.date_ms)
    found["last_ms"] = max(found.get("last_ms", item.date_ms), item.date_ms)
    for key in dict.fromkeys(item_keys(item, region)):
        _count_number(scan.numbers, key, item)


def _count_number(numbers: dict, key: str, item) -> None:
    found = numbers.get(key)
    if found is None:
        found = numbers[key] = {"key": key, "written": [], "name": "", "messages": 0, "calls": 0}
    found["calls" if isinstance(item, CallItem) else "messages"] += 1
    written = "" if key == WITHHELD else item.address
    if written and written not in found["written"] and len(found["written"]) < FORMS_SHOWN:
        found["written"].append(written)
    if not found["name"] and item.contact_name:
        found["name"] = item.contact_name


def _numbers_listed(scan: ScanResult) -> list[dict]:
    """The numbers found, the person's own first, then by how often they appear."""
    ordered = sorted(
        scan.numbers.values(), key=lambda n: (not n["suggested"], -(n["messages"] + n["calls"]))
    )
    return ordered[:MAX_NUMBERS_LISTED]


def _keep(case: Case, staged: Staged, scan: ScanResult, region: str, options) -> MessageImport:
    """The exhibit (made now, or the one holding the same file) and the job reading it, both
    or neither: a file moved into place is removed again if the rows are not saved."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            job = _keep_rows(case, staged, scan, region, stored)
            job.options = options
            scanned(job, scan)
            job.save()
            return job
    except BaseException:
        for name in stored:
            evidence.evidence_storage().delete(name)
        raise


def _keep_rows(case, staged: Staged, scan: ScanResult, region: str, stored: list) -> MessageImport:
    owner = User.objects.select_for_update(no_key=True).get(pk=case.owner_id)
    Case.objects.select_for_update(no_key=True).filter(pk=case.pk).get()
    source = Evidence.objects.filter(case=case, sha256=staged.sha256).first()
    if source is None:
        quota.check_room(owner, staged.size)
        source = _exhibit(case, staged, stored, scan.content_type)
    return MessageImport.objects.create(case=case, source=source, format=scan.format, region=region)


def scanned(job: MessageImport, scan: ScanResult) -> None:
    """Put what a scan found on its job (not saved): the numbers and counts, the reader's
    warnings and open questions; or, for a file that needs answers first, the questions and
    the preview that helps answer them (ASKING)."""
    job.format, job.parser_version, job.description = scan.format, scan.version, scan.description
    if scan.asking is not None:
        job.status = MessageImport.Status.ASKING
        job.options = {**job.options, "ask": scan.asking.questions, "preview": scan.asking.preview}
        return
    job.status = MessageImport.Status.SCANNED
    job.numbers_found = _numbers_listed(scan)
    job.items_found, job.recovered, job.warnings = scan.items, scan.recovered, scan.warnings
    found = dict(scan.found, people=len(scan.numbers))
    options = {k: v for k, v in job.options.items() if k != "preview"}
    job.options = {**options, "ask": scan.ask, "found": found}
    if scan.example:
        job.options["example"] = scan.example


def message_import_answer(*, job: MessageImport, answers: dict) -> MessageImport:
    """Read an ASKING job's file again with the user's answers (a CSV table's columns): the
    job is then SCANNED, or still ASKING. Raises FileUnreadable, changing nothing, when the
    file cannot be read with them. A table's columns are remembered for its shape."""
    options = {**job.options, **answers}
    shape = job.options.get("preview", {}).get("shape", "")
    storage, name = evidence.evidence_storage(), job.source.stored_name
    with storage.open(name, "rb") as stream:
        suggested = profile_keys(job.case, job.region)
        scan = scan_stream(stream, job.region, suggested, options, reader_of(job.format))
    if scan.asking is None and not scan.numbers:
        raise FileUnreadable(
            _(
                "Read this way, no row of the file gives a message or a call. Check the "
                "columns chosen and how the times are written."
            )
        )
    with transaction.atomic():
        job.options = options
        scanned(job, scan)
        job.heartbeat_at = timezone.now()
        job.save()
        if shape and answers.get("columns"):
            csv_mapping.remember(job.case.owner, shape, answers["columns"], options["time_zone"])
    return job


def _exhibit(case: Case, staged: Staged, stored: list, content_type: str) -> Evidence:
    """The export file as the case's next exhibit, moved into the evidence storage."""
    file_type = evidence.FileType(Evidence.Kind.MESSAGES, content_type)
    received = evidence.Received(staged.path, staged.size, staged.sha256, file_type)
    stored.append(evidence.store(received))
    item = Evidence.objects.create(
        case=case,
        exhibit_number=Evidence.objects.next_exhibit_number(case),
        caption=_("Exported messages or calls"),
        original_name=staged.name,
        stored_name=stored[-1],
        kind=Evidence.Kind.MESSAGES,
        content_type=content_type,
        size=staged.size,
        sha256=staged.sha256,
    )
    custody.log(custody.Action.UPLOADED, item, file_sha256=item.sha256)
    return item


# --- 2. choosing the numbers ------------------------------------------------------------------


@transaction.atomic
def message_import_choose(
    *, job: MessageImport, keys: list[str], answers: dict | None = None
) -> MessageImport:
    """Keep the user's choice of numbers and answers (message_questions.answered) and queue the
    import. The numbers not chosen are dropped from the job: what they were is the user's
    private life, not evidence."""
    if not keys:
        raise ValueError("Choose at least one of the numbers found.")
    listed = {n["key"]: n for n in job.numbers_found}
    chosen = [key for key in dict.fromkeys(keys) if key in listed]
    job.options = message_questions.answered(job, chosen, answers or {})
    others = [n for key, n in listed.items() if key not in chosen]
    job.numbers_chosen = chosen
    job.numbers_found = [listed[key] for key in chosen]
    job.reasons = {
        "other_numbers": len(others),
        "other_items": sum(n["messages"] + n["calls"] for n in others),
    }
    job.status = MessageImport.Status.QUEUED
    job.heartbeat_at = timezone.now()
    job.save()
    return job


def import_file(
    *,
    case: Case,
    path: Path,
    numbers: list[str],
    addresses: list[str] = (),
    me: str = "",
    options: dict | None = None,
    found=None,
) -> MessageImport:
    """Import one file from the server's disk with the given numbers (written any way), or the
    person's profile numbers, and other addresses (names, e-mail addresses, account ids);
    `me`: the user's own address in a file that does not say who sent what; `options`: the
    answers to the file's questions (time_zone, date_order), applied once the file is read
    (the zone is used for the first reading too). Receive, choose and run in one
    go (the import_messages command); `found(job)` is told what the file holds first. Raises
    NeedsAnswers, naming what is missing, when the file leaves a question that must be
    answered (the file is then kept, nothing imported)."""
    answers = {k: v for k, v in (options or {}).items() if v}
    with open(path, "rb") as stream:
        upload = File(stream, name=path.name)
        # Read first with the zone only: what the file itself leaves open is asked of the user.
        zone = {"time_zone": answers["time_zone"]} if answers.get("time_zone") else {}
        job = message_import_receive(case=case, upload=upload, numbers=numbers, options=zone)
    if job.status == MessageImport.Status.ASKING:
        job = message_import_answer(job=job, answers=csv_mapping.remembered_answers(job))
    if found is not None:
        found(job)
    message_questions.check_answered(job, answers)
    keys = [number_key(n, job.region) for n in numbers or profile_numbers(case.phone_numbers)]
    keys += [address_key(kind, a, job.region) for a in addresses for kind in KINDS_BY_HAND]
    if me:
        answers["me"] = address_key(job.options["found"].get("kind", NAME), me, job.region)
    message_import_choose(job=job, keys=keys, answers=answers)
    return message_import_run(job=job)


# The kinds of address a person may give by hand, each tried for a match in the file.
KINDS_BY_HAND = (NAME, EMAIL, ACCOUNT)


def resolve_direction(item, keys: list[str], chosen: dict[str, str], me: str, region: str) -> list:
    """For a message whose file names only its sender (chat exports, mailboxes): received if
    the sender is the person; sent if the sender is the user (`me`) and it went to the person
    (or names no recipient), or, when the user's own address is not known, if the person is
    its only recipient. The item is completed and the keys that decide it are returned, or []
    when it is neither: someone else's, or the user's to someone else (a friend, in another
    chat of the same export). `chosen`: the person's keys and written forms."""
    if any(key in chosen for key in keys):
        item.direction, item.box = "in", 1
        return keys
    to_person = [r for r in item.recipients if address_key(item.address_kind, r, region) in chosen]
    if me:
        sent = me in keys and (to_person or not item.recipients)
    else:
        sent = to_person and len(to_person) == len(item.recipients)
    if not sent:
        return []
    sender = item.parties[0] if item.parties else ""
    item.direction, item.box = "out", 2
    item.details = {**item.details, "sender": sender}
    item.recipients = [r for r in item.recipients if r not in to_person]
    item.parties = to_person or [next(iter(chosen.values()), "")]
    item.address = item.parties[0]
    return [address_key(item.address_kind, party, region) for party in item.parties]


def dedupe_key(item, keys: list[str], seen: defaultdict) -> str:
    """A stable fingerprint of what the file says about an item: the same in every export
    that holds it. The nth copy of identical items in one file gets its own key."""
    if isinstance(item, CallItem):
        facts = ["call", sorted(keys), item.date_ms, item.call_type, item.duration]
    else:
        facts = [item.channel, sorted(keys), item.date_ms, item.box, item.message_id, item.body]
    base = hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()
    seen[base] += 1
    return hashlib.sha256(f"{base}#{seen[base]}".encode()).hexdigest()


# --- 3. importing ------------------------------------------------------------------------------

BATCH_SIZE = 5000
# Pictures wait in memory until their batch is kept: a batch is kept early past this many bytes.
BATCH_PICTURE_BYTES = 32 * 1024 * 1024


class ImportFailed(Exception):
    """An import that could not finish; the message is written for the user."""


def message_import_run(*, job: MessageImport) -> MessageImport:
    """Keep the chosen numbers' items of the job's file, in batches (each in one transaction,
    with its custody entries), and count the rest. Safe to run again after an interruption:
    items kept by the first run are recognised and not added twice."""
    job.status, job.error, job.progress = MessageImport.Status.RUNNING, "", 0
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "error", "progress", "heartbeat_at"])
    try:
        _import(job)
    except (FileUnreadable, ImportFailed) as error:
        return _finish(job, MessageImport.Status.FAILED, str(error))
    return _finish(job, MessageImport.Status.DONE)


def _finish(job: MessageImport, status: str, error: str = "") -> MessageImport:
    with transaction.atomic():
        job.status, job.error, job.finished_at = status, error[:500], timezone.now()
        if status == MessageImport.Status.DONE:
            job.progress = 100
        job.save()
        if status == MessageImport.Status.DONE:
            custody.log(custody.Action.IMPORTED, job, user_id=job.case.owner_id)
    return job


def _import(job: MessageImport) -> None:
    source = job.source
    problem = evidence.original_problem(source)
    if problem is not None:
        raise ImportFailed(
            _(
                "The export file kept as exhibit %(number)s no longer matches its fingerprint, "
                "so it was not read."
            )
            % {"number": source.exhibit_number}
        )
    batch = _Batch(job)
    with evidence.evidence_storage().open(source.stored_name, "rb") as stream:
        reader = reader_of(job.format)(stream, pictures=True, options=job.options)
        for item in reader.readable_items():
            batch.take(item)
            if len(batch.pending) >= BATCH_SIZE or batch.picture_bytes > BATCH_PICTURE_BYTES:
                batch.flush(progress=reader.bytes_read * 100 // max(source.size, 1))
    batch.flush(progress=100)


class _Batch:
    """The items of one job waiting to be kept, and the job's running counts."""

    def __init__(self, job: MessageImport):
        self.job = job
        self.case = job.case
        self.chosen = set(job.numbers_chosen)
        self.written = {n["key"]: message_questions.first_written(n) for n in job.numbers_found}
        self.pending: list = []  # (record, pictures)
        self.picture_bytes = 0  # held by the pending pictures
        self.seen: defaultdict = defaultdict(int)
        self.reasons = Counter({k: v for k, v in job.reasons.items() if k.startswith("other_")})
        job.added = job.already_there = job.skipped = job.recovered = job.pictures = 0

    def take(self, item) -> None:
        job = self.job
        if isinstance(item, SkippedItem):
            self._skip(item.reason)
            return
        keys = item_keys(item, job.region)
        if getattr(item, "direction", None) == "":
            keys = resolve_direction(
                item, keys, self.written, job.options.get("me", ""), job.region
            )
        matching = [k for k in keys if k in self.chosen]
        if not matching:
            self._skip("other_number")  # the user's private life: counted, never kept
            return
        job.recovered += item.recovered
        record = records.record_for(item, keys, matching, job, dedupe_key(item, keys, self.seen))
        pictures = getattr(item, "pictures", [])
        self.pending.append((record, pictures))
        self.picture_bytes += sum(len(picture.data) for picture in pictures)

    def _skip(self, reason: str) -> None:
        self.job.skipped += 1
        self.reasons[reason] += 1

    def flush(self, *, progress: int) -> None:
        """Keep the pending items that are not kept already, with their batch's custody entry
        and their pictures, and save the job's counts, in one transaction."""
        pending, self.pending, self.picture_bytes = self.pending, [], 0
        stored: list[Evidence] = []
        try:
            with transaction.atomic():
                kept, refused = records.keep_new(self.job, pending, stored)
                self.reasons["picture_refused"] += refused
                self.job.added += len(kept)
                self.job.already_there += len(pending) - len(kept)
                self.reasons["already_there"] = self.job.already_there
                self.job.pictures += len(stored)
                self._save_progress(progress)
        except BaseException:
            for item in stored:  # their rows were rolled back: their files must go too
                evidence.evidence_storage().delete(item.stored_name)
            raise

    def _save_progress(self, progress: int) -> None:
        job = self.job
        job.progress = min(progress, 99)
        job.heartbeat_at = timezone.now()
        job.reasons = {k: v for k, v in self.reasons.items() if v}
        job.save(
            update_fields=[
                "progress",
                "heartbeat_at",
                "added",
                "already_there",
                "skipped",
                "recovered",
                "pictures",
                "reasons",
            ]
        )
