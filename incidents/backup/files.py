"""The files of one backup folder: written and read back encrypted or not, always hashed as
plain text, and checked against the backup's manifest.

A backup folder holds:

- backup.json: always readable; says which format this is and, for an encrypted backup, how
  to derive the key from the passphrase (never the key itself);
- manifest.json: what the backup holds (encrypted along with everything else when a
  passphrase is used);
- the database copy and evidence/<stored name> for each original.
"""

import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .crypto import Cipher, Undecryptable

FORMAT = "stalkerlog-backup"
FORMAT_VERSION = 1
HEADER_NAME = "backup.json"
MANIFEST_NAME = "manifest.json"
DATABASE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
EVIDENCE_PREFIX = "evidence/"
READ_SIZE = 1024 * 1024

# Names inside a backup come from a file that may have been tampered with: only plain
# relative paths, so nothing can be read or written outside the backup or the storage.
SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")
SHA256 = re.compile(r"[0-9a-f]{64}")
CUSTODY_HEAD = re.compile(r"[0-9]+:[0-9a-f]{64}")  # as custody.Head prints it


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the person running it."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([self.args[0], *(f"  - {problem}" for problem in self.problems)])


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


class BackupFiles:
    """One backup folder. Everything written is hashed as plain text on the way in, and
    everything read is hashed again on the way out, so a check never trusts the disk."""

    def __init__(self, root: Path, cipher: Cipher | None = None):
        self.root = root
        self.cipher = cipher

    def path(self, name: str) -> Path:
        if not SAFE_NAME.fullmatch(name):
            raise BackupError(f"The manifest names a file that cannot be right: {name!r}.")
        return self.root / name

    def write(self, name: str, source: BinaryIO) -> FileEntry:
        """Copy `source` into the backup (sealed if encrypted), and flush it to the disk."""
        path = self.path(name)
        self._make_folders(path.parent)
        digest, size = hashlib.sha256(), 0
        with open(path, "xb", opener=_private) as target:
            sink = self.cipher.writer(target, name) if self.cipher else target
            for chunk in iter(lambda: source.read(READ_SIZE), b""):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
            if self.cipher:
                sink.close()
            target.flush()
            os.fsync(target.fileno())
        return FileEntry(name, size, digest.hexdigest())

    def _make_folders(self, folder: Path) -> None:
        """Each level private (mkdir(parents=True) would give the upper ones the umask's mode)."""
        inside = folder.relative_to(self.root)
        for level in [*reversed(inside.parents), inside]:
            (self.root / level).mkdir(mode=0o700, exist_ok=True)

    def chunks(self, name: str) -> Iterator[bytes]:
        """The plain text of a file in the backup, decrypted and checked chunk by chunk."""
        with open(self.path(name), "rb") as source:
            if self.cipher:
                yield from self.cipher.chunks(source, name)
            else:
                yield from iter(lambda: source.read(READ_SIZE), b"")

    def copy_out(self, name: str, target: BinaryIO) -> FileEntry:
        """Write a file's plain text to `target`, hashing it on the way."""
        digest, size = hashlib.sha256(), 0
        for chunk in self.chunks(name):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
        return FileEntry(name, size, digest.hexdigest())

    def digest(self, name: str) -> FileEntry:
        return self.copy_out(name, _Discard())

    def write_manifest(self, manifest: dict) -> FileEntry:
        """The manifest, then the header that says how to read it."""
        data = json.dumps(manifest, indent=1, sort_keys=True).encode()
        entry = self.write(MANIFEST_NAME, io.BytesIO(data))
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "encryption": self.cipher.params if self.cipher else None,
        }
        with open(self.root / HEADER_NAME, "x", opener=_private) as f:
            json.dump(header, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        return entry

    def read_manifest(self) -> dict:
        try:
            data = b"".join(self.chunks(MANIFEST_NAME))
        except FileNotFoundError:
            raise BackupError(f"{MANIFEST_NAME} is missing, so nothing can be checked.") from None
        except Undecryptable as error:
            raise BackupError(f"{MANIFEST_NAME} cannot be read: {error}") from None
        try:
            manifest = json.loads(data)
        except ValueError:
            raise BackupError(f"{MANIFEST_NAME} is damaged (not JSON).") from None
        _check_manifest_shape(manifest)
        return manifest

    def file_size_on_disk(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def read_header(root: Path) -> dict:
    """The readable header of a backup folder, checked to be a format this version knows."""
    try:
        header = json.loads((root / HEADER_NAME).read_text())
    except FileNotFoundError:
        raise BackupError(f"{root} is not a backup: it has no {HEADER_NAME}.") from None
    except ValueError:
        raise BackupError(f"{root / HEADER_NAME} is damaged (not JSON).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{root} is not a backup made by this app.")
    if header.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"{root} was written in backup format {header.get('version')!r}; this version of "
            f"the app reads format {FORMAT_VERSION}. Use the version that made it."
        )
    # Only null (not encrypted) or settings: anything else, a missing key included, must not
    # pass for "not encrypted".
    if "encryption" not in header or not isinstance(header["encryption"], dict | None):
        raise BackupError(
            f"{root / HEADER_NAME} is damaged: it does not say whether the backup is encrypted."
        )
    return header


def verify(files: BackupFiles, manifest: dict) -> list[str]:
    """Re-hash every file the manifest lists and check that every evidence row of the
    database copy has its file, with the hash taken on upload. Returns the problems found."""
    problems = []
    for entry in [manifest["database"], *manifest["files"]]:
        problem = _file_problem(files, FileEntry(**entry))
        if problem:
            problems.append(problem)
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    for row in manifest["evidence"]:
        name = EVIDENCE_PREFIX + row["stored_name"]
        if name not in listed:
            problems.append(f"{name}: named in the database but not in the backup")
        elif listed[name] != row["sha256"]:
            problems.append(f"{name}: differs from the SHA-256 taken when it was uploaded")
    return problems


def _file_problem(files: BackupFiles, expected: FileEntry) -> str:
    try:
        found = files.digest(expected.path)
    except FileNotFoundError:
        return f"{expected.path}: missing"
    except Undecryptable as error:
        return f"{expected.path}: {error}"
    if found.sha256 != expected.sha256 or found.size != expected.size:
        return f"{expected.path}: changed (its SHA-256 differs from the manifest)"
    return ""


def _check_manifest_shape(manifest: object) -> None:
    """Refuse a manifest that lacks or garbles anything a check or a restore reads later,
    before any of them runs: a damaged or hand-edited manifest then gets one plain message,
    not a failure half-way through, perhaps after the database was loaded."""
    if not isinstance(manifest, dict):
        raise BackupError(f"{MANIFEST_NAME} is damaged or not from this app.")
    missing = [key for key in MANIFEST_FIELDS if key not in manifest]
    if missing:
        raise BackupError(
            f"{MANIFEST_NAME} is incomplete (it has no {', '.join(missing)}): it was damaged "
            "or edited, or is not from this app, so the backup cannot be used."
        )
    wrong = [key for key, valid in MANIFEST_FIELDS.items() if not valid(manifest[key])]
    if wrong:
        raise BackupError(
            f"{MANIFEST_NAME} is damaged or was edited ({', '.join(wrong)} not as this app "
            "writes it), so the backup cannot be used."
        )


# What each field of a manifest must look like (see _check_manifest_shape).
Check = Callable[[object], bool]


def _text(value: object) -> bool:
    return isinstance(value, str)


def _number(value: object) -> bool:
    return type(value) is int and value >= 0


def _matching(pattern: re.Pattern) -> Check:
    return lambda value: isinstance(value, str) and pattern.fullmatch(value) is not None


def _mapping(valid: Check) -> Check:
    return lambda value: (
        isinstance(value, dict)
        and all(isinstance(key, str) and valid(item) for key, item in value.items())
    )


def _listing(valid: Check) -> Check:
    return lambda value: isinstance(value, list) and all(valid(item) for item in value)


def _record(**fields: Check) -> Check:
    return lambda value: (
        isinstance(value, dict)
        and value.keys() == fields.keys()
        and all(valid(value[key]) for key, valid in fields.items())
    )


_FILE = _record(path=_matching(SAFE_NAME), size=_number, sha256=_matching(SHA256))
_ROW = _record(stored_name=_matching(SAFE_NAME), size=_number, sha256=_matching(SHA256))
MANIFEST_FIELDS: dict[str, Check] = {
    "version": lambda value: type(value) is int and value == FORMAT_VERSION,
    "created_at": _text,
    "engine": lambda value: isinstance(value, str) and value in DATABASE_NAMES,
    "database": _FILE,
    "migrations": _mapping(_text),
    "custody_head": _matching(CUSTODY_HEAD),
    "counts": _mapping(_number),
    "evidence": _listing(_ROW),
    "files": _listing(_FILE),
}


def _private(path, flags):
    return os.open(path, flags, 0o600)


class _Discard:
    def write(self, data: bytes) -> None:
        pass
