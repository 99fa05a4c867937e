"""Backups: a consistent copy of the database and the evidence originals, taken while the app
runs, checked before it counts, and restored only into an empty installation.

Order matters. The database is copied first, from one snapshot; then exactly the files that
snapshot names are copied from the evidence storage. A file uploaded a moment later is simply
not in this backup (its row is not either); a file the snapshot names must be there, with the
SHA-256 taken on upload. Display copies and dossiers are left out: they are made again from
the originals. The secret key is left out too (see docs/backups.md).

A backup is written into a hidden ".incomplete-..." folder and renamed to its final name only
once every file has been read back and matched its hash, so a folder with a final name is
always a whole, checked backup.
"""

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

from .. import custody
from ..evidence import IntegrityReport, check_integrity, evidence_storage
from ..models import Evidence
from . import database
from .crypto import Cipher, Undecryptable, WrongPassphrase, check_params
from .files import (
    DATABASE_NAMES,
    EVIDENCE_PREFIX,
    FORMAT_VERSION,
    HEADER_NAME,
    MANIFEST_NAME,
    BackupError,
    BackupFiles,
    FileEntry,
    read_header,
    verify,
)

__all__ = ["BackupError", "backup_check", "backup_create", "backup_restore"]

# Where the commands read a passphrase from (the name of the variable, not a passphrase).
PASSPHRASE_VARIABLE = "BACKUP_PASSPHRASE"  # noqa: S105
BACKUP_PREFIX = "backup-"  # neutral: a folder name on a shared disk should not say what it is


@dataclass
class BackupResult:
    path: Path
    engine: str
    counts: dict[str, int]
    evidence_bytes: int
    database_bytes: int
    bytes_on_disk: int
    custody_head: str
    encrypted: bool
    manifest_sha256: str
    seconds: float


@dataclass
class CheckResult:
    manifest: dict
    manifest_sha256: str  # to compare with the one `backup` printed
    encrypted: bool


@dataclass
class RestoreResult:
    engine: str
    counts: dict[str, int]
    expected_counts: dict[str, int]
    integrity: IntegrityReport
    chain: custody.ChainReport
    custody_head: str
    encrypted: bool
    manifest_sha256: str
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- making a backup -------------------------------------------------------------------------


class DeletedWhileRunning(BackupError):
    """Files the snapshot named were deleted, with their rows, before they could be copied."""

    def __init__(self) -> None:
        super().__init__(
            "An account or evidence file was deleted while the backup ran, so no backup was "
            "made. Run it again."
        )


def backup_create(*, out: Path, passphrase: str | None = None) -> BackupResult:
    """Write a checked backup into a new folder under `out`. Raises BackupError, leaving
    nothing behind, if anything is missing, changed or unreadable."""
    started = time.monotonic()
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            f"The folder {out} cannot be created or used ({error.strerror}). Create it for the "
            "user the app runs as, or choose another with --out."
        ) from None
    cipher = Cipher.create(passphrase) if passphrase else None
    try:
        final, size_on_disk, manifest = _make_backup(out, cipher)
    except DeletedWhileRunning:
        # Deleting an account removes its rows first, then its files, so a snapshot taken
        # just before can name files already gone. A new snapshot no longer names them. Once
        # only: a second time is reported, not chased.
        final, size_on_disk, manifest = _make_backup(out, cipher)
    return BackupResult(
        path=final,
        engine=manifest["engine"],
        counts=manifest["counts"],
        evidence_bytes=sum(row["size"] for row in manifest["evidence"]),
        database_bytes=manifest["database"]["size"],
        bytes_on_disk=size_on_disk,
        custody_head=manifest["custody_head"],
        encrypted=cipher is not None,
        manifest_sha256=_sha256_of(final / MANIFEST_NAME),
        seconds=time.monotonic() - started,
    )


def _make_backup(out: Path, cipher: Cipher | None) -> tuple[Path, int, dict]:
    """One attempt, in a hidden folder of its own: the published folder, its size on the
    disk and its manifest."""
    staging = Path(tempfile.mkdtemp(prefix=".incomplete-", dir=out))
    try:
        files = BackupFiles(staging, cipher)
        manifest = _write_backup(files)
        problems = verify(files, files.read_manifest())
        if problems:
            raise BackupError("The backup did not match itself when read back:", problems)
        size_on_disk = files.file_size_on_disk()
        return _publish(staging, out), size_on_disk, manifest
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_backup(files: BackupFiles) -> dict:
    """The database first, then the files its snapshot names, then the manifest."""
    with _private_scratch() as scratch:
        copy = scratch / "database"
        snapshot = database.dump(copy)
        problems = database.check_copy(snapshot.engine, copy, snapshot.evidence)
        if problems:
            raise BackupError("The database copy failed its check:", problems)
        with open(copy, "rb") as source:
            database_entry = files.write(DATABASE_NAMES[snapshot.engine], source)
    evidence_entries = _copy_evidence(files, snapshot.evidence)
    manifest = {
        "version": FORMAT_VERSION,
        "created_at": snapshot.taken_at,
        "engine": snapshot.engine,
        "database": asdict(database_entry),
        "migrations": snapshot.migrations,
        "custody_head": snapshot.custody_head,
        "counts": snapshot.counts,
        "evidence": snapshot.evidence,
        "files": [asdict(entry) for entry in evidence_entries],
    }
    files.write_manifest(manifest)
    return manifest


def _copy_evidence(files: BackupFiles, rows: list[dict]) -> list[FileEntry]:
    """Copy each original through the storage API (local disk or a bucket alike)."""
    storage = evidence_storage()
    entries, problems, missing = [], [], []
    for row in rows:
        name = row["stored_name"]
        try:
            with storage.open(name, "rb") as source:
                entry = files.write(EVIDENCE_PREFIX + name, source)
        except FileNotFoundError:
            missing.append(name)
            continue
        if entry.sha256 != row["sha256"]:
            problems.append(f"{name}: changed since upload (its SHA-256 differs)")
        entries.append(entry)
    if missing:
        still_recorded = _still_recorded(missing)
        if not still_recorded and not problems:
            raise DeletedWhileRunning
        problems += [f"{name}: missing from the evidence storage" for name in still_recorded]
    if problems:
        raise BackupError(
            "Some evidence originals on this server are missing or changed, so no backup was "
            "made (earlier backups still hold them). Run `manage.py verify_evidence` for details:",
            problems,
        )
    return entries


def _still_recorded(names: list[str]) -> list[str]:
    """Those of `names` the live database (not the snapshot) still has a row for: their
    files are really missing, not just deleted a moment ago."""
    live = set(Evidence.objects.filter(stored_name__in=names).values_list("stored_name", flat=True))
    return [name for name in names if name in live]


def _publish(staging: Path, out: Path) -> Path:
    """Give the checked backup its final name, never replacing an existing backup."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M%SZ")
    for folder, _, _ in os.walk(staging):
        _fsync_directory(Path(folder))  # the files are synced as written; their names too
    for attempt in range(1, 100):
        final = out / f"{BACKUP_PREFIX}{stamp}{'' if attempt == 1 else f'-{attempt}'}"
        if final.exists():
            continue
        try:
            os.rename(staging, final)  # fails on a non-empty folder; never merges into one
        except OSError:
            continue
        _fsync_directory(out)
        return final
    raise BackupError(f"Could not find a free name for the backup in {out}.")


# --- restoring -------------------------------------------------------------------------------


def backup_open(
    source: Path, passphrase: Callable[[], str], *, expect_encrypted: bool = False
) -> tuple[BackupFiles, dict]:
    """Read a backup's header and manifest, asking for the passphrase only if it has one.

    `expect_encrypted` (a restore without --allow-plain, or a passphrase given) refuses a
    backup that says it is not encrypted: only encryption makes a backup impossible to forge,
    and an unencrypted folder put in place of an encrypted one would otherwise be restored
    without a word."""
    encryption = read_header(source)["encryption"]
    if encryption is None and expect_encrypted:
        unset = f"unset {PASSPHRASE_VARIABLE} and " if os.environ.get(PASSPHRASE_VARIABLE) else ""
        raise BackupError(
            "This backup is not encrypted, so it was refused: an unencrypted backup may have "
            "been put in place of an encrypted one. If you know this one was made without "
            f"--encrypt, {unset}run the restore again with --allow-plain. Nothing was restored."
        )
    cipher = None if encryption is None else _open_cipher(source, encryption, passphrase)
    files = BackupFiles(source, cipher)
    return files, files.read_manifest()


def _open_cipher(source: Path, encryption: dict, passphrase: Callable[[], str]) -> Cipher:
    """The settings are checked before the passphrase is asked for, and refused if damaged
    or out of range: backup.json is not sealed, and anyone holding the backup can edit it."""
    try:
        check_params(encryption)
        return Cipher.open(passphrase(), encryption)
    except WrongPassphrase:
        raise BackupError(
            "The passphrase does not open this backup. Nothing was restored."
        ) from None
    except Undecryptable as error:
        raise BackupError(f"{source / HEADER_NAME} cannot be used: {error}") from None


def backup_check(
    *, source: Path, passphrase: Callable[[], str], expect_encrypted: bool = False
) -> CheckResult:
    """Check a backup where it lies (an off-site copy, say) without restoring anything, or
    raise BackupError naming every missing or changed file."""
    files, manifest = backup_open(source, passphrase, expect_encrypted=expect_encrypted)
    problems = verify(files, manifest)
    if problems:
        raise BackupError("The backup failed its check:", problems)
    return CheckResult(
        manifest=manifest,
        manifest_sha256=_sha256_of(source / MANIFEST_NAME),
        encrypted=files.cipher is not None,
    )


def backup_restore(
    *, source: Path, passphrase: Callable[[], str], expect_encrypted: bool = False
) -> RestoreResult:
    """Restore a backup into an empty installation. Everything is checked before anything is
    written: a wrong passphrase, a changed or missing file, or a target that already holds data
    stops it with nothing restored."""
    started = time.monotonic()
    files, manifest = backup_open(source, passphrase, expect_encrypted=expect_encrypted)
    _check_compatible(manifest)
    _check_target_is_empty()
    problems = verify(files, manifest)
    if problems:
        raise BackupError("The backup failed its check, so nothing was restored:", problems)
    try:
        _restore_database(files, manifest)
        _restore_evidence(files, manifest["evidence"])
        call_command("migrate", interactive=False, verbosity=0)
    except (BackupError, OSError, Undecryptable) as error:
        raise BackupError(
            "The restore stopped part way, so this installation is incomplete. Empty its "
            f"database and data directory before trying again. What went wrong: {error}"
        ) from error
    return _restore_report(files, manifest, started)


def _check_compatible(manifest: dict) -> None:
    here = database.engine()
    if manifest["engine"] != here:
        raise BackupError(
            f"This backup holds a {manifest['engine']} database, but this installation uses "
            f"{here} (DATABASE_URL). Restore it into the same kind of database."
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of the app (it knows migrations this one "
            f"does not: {', '.join(unknown)}). Update the app, then restore."
        )


def _check_target_is_empty() -> None:
    tables = database.tables_with_data()
    if tables:
        raise BackupError(
            "The database this installation uses already holds data (in "
            f"{', '.join(tables[:5])}), so nothing was restored. Restore into a new, empty "
            "data directory or database."
        )
    try:
        folders, names = evidence_storage().listdir("originals")
    except FileNotFoundError:
        return
    if folders or names:
        raise BackupError(
            "The evidence storage already holds files (under originals/), so nothing was "
            "restored. Restore into a new, empty data directory."
        )


def _restore_database(files: BackupFiles, manifest: dict) -> None:
    expected = FileEntry(**manifest["database"])
    with _private_scratch() as scratch:
        copy = scratch / "database"
        with open(copy, "xb") as target:
            found = files.copy_out(expected.path, target)
        if found != expected:
            raise BackupError(f"{expected.path} changed while it was being restored.")
        problems = database.check_copy(manifest["engine"], copy, manifest["evidence"])
        if problems:
            raise BackupError("The database copy failed its check:", problems)
        database.load(manifest["engine"], copy)


def _restore_evidence(files: BackupFiles, rows: list[dict]) -> None:
    """Put each original back through the storage API, each checked before it is saved."""
    storage = evidence_storage()
    with _private_scratch() as scratch:
        for row in rows:
            name = row["stored_name"]
            staged = scratch / "file"
            with open(staged, "w+b") as target:
                found = files.copy_out(EVIDENCE_PREFIX + name, target)
                if found.sha256 != row["sha256"]:
                    raise BackupError(
                        f"{EVIDENCE_PREFIX}{name} changed while it was being restored."
                    )
                target.seek(0)
                saved = storage.save(name, File(target, name=name))
            staged.unlink()
            if saved != name:
                raise BackupError(f"The evidence storage kept {name} under another name ({saved}).")


def _restore_report(files: BackupFiles, manifest: dict, started: float) -> RestoreResult:
    """The checks a restore ends with: every file against its row, and the custody chain,
    which must still hold the head written down when the backup was made (an anchor: a log cut
    short or rewritten before that point fails)."""
    anchor = custody.Head.parse(manifest["custody_head"])
    chain = custody.verify_chain(anchors=(anchor,))
    integrity = check_integrity(Evidence.objects.all())
    counts = {label: model.objects.count() for label, model in database.COUNTED.items()}
    result = RestoreResult(
        engine=manifest["engine"],
        counts=counts,
        expected_counts=manifest["counts"],
        integrity=integrity,
        chain=chain,
        custody_head=str(custody.chain_head()),
        encrypted=files.cipher is not None,
        manifest_sha256=_sha256_of(files.root / MANIFEST_NAME),
        seconds=time.monotonic() - started,
    )
    result.problems = _restore_problems(result, manifest)
    return result


def _restore_problems(result: RestoreResult, manifest: dict) -> list[str]:
    problems = [
        f"{item.stored_name}: missing after the restore" for item in result.integrity.missing
    ]
    problems += [
        f"{item.stored_name}: does not match its SHA-256" for item in result.integrity.changed
    ]
    if not result.chain.ok:
        problems.append(f"custody chain: {result.chain.problem}")
    if result.custody_head != manifest["custody_head"]:
        # The anchor above shows the backup's head is still in the log; this shows nothing
        # came after it: the restored log is the one backed up, no entry added.
        problems.append(
            f"custody chain head: {result.custody_head} after the restore, but "
            f"{manifest['custody_head']} in the backup"
        )
    for label, expected in result.expected_counts.items():
        if result.counts.get(label) != expected:
            problems.append(
                f"{label}: {result.counts.get(label)} restored, {expected} in the backup"
            )
    return problems


# --- helpers ---------------------------------------------------------------------------------


@contextmanager
def _private_scratch() -> Iterator[Path]:
    """A temporary folder beside the live data (never in the backup folder): an encrypted
    backup must not leave plain text on the disk it is carried away on."""
    parent = settings.DATA_DIR / "tmp"
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="backup-", dir=parent) as scratch:
        yield Path(scratch)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
