"""Evidence files: recognise them from their bytes, keep originals byte for byte, make clean
display copies, and check later that nothing changed.

Originals live in the "evidence" storage under random names; derived images live in
DERIVED_DIR and can be regenerated from the originals at any time.
"""

import hashlib
import io
import os
import secrets
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import mutagen.aac
import mutagen.mp3
import mutagen.mp4
import mutagen.oggflac
import mutagen.oggopus
import mutagen.oggspeex
import mutagen.oggvorbis
import mutagen.wave
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from .models import Evidence

CHUNK_SIZE = 1024 * 1024
HEAD_SIZE = 64

# Display copies: (longest side in pixels, JPEG quality).
DERIVED_VARIANTS = {
    "thumbnail": (400, 80),
    "preview": (1600, 85),
    # For the dossier: readable on paper, light enough for a few hundred in one PDF.
    "print": (1100, 68),
}


class EvidenceRejected(Exception):
    """A file the app will not keep; the message is written for the person who sent it."""


class FileProblem(Exception):
    """A stored file that is gone, or whose bytes no longer match the fingerprint taken when it
    was received (or made). `found_sha256` is what the bytes hash to now ("" when missing)."""

    CHANGED = "changed"
    MISSING = "missing"

    def __init__(self, problem: str, found_sha256: str = ""):
        super().__init__(problem)
        self.problem = problem
        self.found_sha256 = found_sha256


class AlreadyAnExhibit(EvidenceRejected):
    """The case already holds this very file (the same SHA-256): it is that exhibit."""

    def __init__(self, existing: Evidence):
        self.existing = existing
        super().__init__(
            _("The same file is already exhibit %(number)s, so it was not stored again.")
            % {"number": existing.exhibit_number}
        )


@dataclass(frozen=True)
class FileType:
    kind: str
    content_type: str


# The extension a served original gets, from its detected type (never from the user's name).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/wav": "wav",
    "audio/ogg": "ogg",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "application/xml": "xml",  # a phone's export of texts or calls (message_import.py)
    "application/json": "json",  # a chat app's export (incidents/sources/)
    "application/zip": "zip",  # an export zipped with its media
    "text/plain": "txt",  # a chat app's text export (WhatsApp)
    "text/csv": "csv",  # a table of messages or calls from another tool
    "message/rfc822": "eml",  # an e-mail message (message_import.py)
    "application/mbox": "mbox",  # a mailbox (message_import.py)
}


def evidence_storage():
    return storages["evidence"]


# --- recognising files -----------------------------------------------------------------------

# ISO media ("ftyp") brands: what phones write into MP4, MOV and M4A files.
AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A "}
QUICKTIME_BRANDS = {b"qt  "}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"mif1", b"msf1", b"avif"}
OLD_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def detect_type(head: bytes) -> FileType | None:
    """The type of a file from its first bytes, or None if it is not one the app keeps."""
    if head.startswith(b"\xff\xd8\xff"):
        return FileType(Evidence.Kind.IMAGE, "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType(Evidence.Kind.IMAGE, "image/png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType(Evidence.Kind.IMAGE, "image/webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return FileType(Evidence.Kind.AUDIO, "audio/wav")
    if head.startswith(b"%PDF-"):
        return FileType(Evidence.Kind.PDF, "application/pdf")
    if head.startswith(b"OggS"):
        return FileType(Evidence.Kind.AUDIO, "audio/ogg")
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return FileType(Evidence.Kind.AUDIO, "audio/mpeg")
    if _is_adts_aac(head):
        return FileType(Evidence.Kind.AUDIO, "audio/aac")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in AUDIO_BRANDS:
            return FileType(Evidence.Kind.AUDIO, "audio/mp4")
        if brand in QUICKTIME_BRANDS:
            return FileType(Evidence.Kind.VIDEO, "video/quicktime")
        if brand in HEIF_BRANDS:
            return None
        return FileType(Evidence.Kind.VIDEO, "video/mp4")
    if head[4:8] in OLD_QUICKTIME_ATOMS:
        return FileType(Evidence.Kind.VIDEO, "video/quicktime")
    return None


def _is_mpeg_audio_frame(head: bytes) -> bool:
    # 11 sync bits, then a version that is not "reserved" and a layer that is not "reserved".
    return (
        len(head) >= 2
        and head[0] == 0xFF
        and head[1] & 0xE0 == 0xE0
        and head[1] & 0x18 != 0x08
        and head[1] & 0x06 != 0
    )


def _is_adts_aac(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def recognise(head: bytes, claimed_type: str) -> FileType:
    """Accept a file by its content; refuse it if it is unknown or contradicts its claim."""
    if _is_heif(head):
        raise EvidenceRejected(
            _(
                "This is an HEIC photo (the iPhone format), which the app cannot read yet. "
                "Share it as a JPEG instead: on the iPhone, choose Options › Most Compatible "
                "when sharing, or take a screenshot of it."
            )
        )
    file_type = detect_type(head)
    if file_type is None:
        raise EvidenceRejected(
            _(
                "This is not a file type the app keeps. It accepts photos and screenshots "
                "(JPEG, PNG, WebP), PDF documents, audio (MP3, M4A, AAC, WAV, OGG) and video "
                "(MP4, MOV)."
            )
        )
    claimed_family = claimed_type.split("/")[0].lower()
    family = file_type.content_type.split("/")[0]
    # Phones label voice memos in MP4 containers as audio; the container alone can't tell.
    if file_type.content_type == "video/mp4" and claimed_family == "audio":
        return FileType(Evidence.Kind.AUDIO, "audio/mp4")
    # A browser that does not know the type says "application/octet-stream"; that is no claim.
    claims_a_type = claimed_type.lower() not in {"", "application/octet-stream"}
    known_family = claimed_family in {"image", "audio", "video", "application"}
    if claims_a_type and known_family and claimed_family != family:
        raise EvidenceRejected(
            _(
                "The file says it is %(claimed)s, but its content is %(actual)s. It may be "
                "damaged or renamed, so it was not kept."
            )
            % {"claimed": claimed_type, "actual": file_type.content_type}
        )
    return file_type


# --- receiving uploads -----------------------------------------------------------------------


@dataclass
class Received:
    """An upload written to a private staging file, with what was learned while writing it."""

    path: Path
    size: int
    sha256: str
    file_type: FileType


def staging_dir() -> Path:
    path = settings.EVIDENCE_DIR / ".staging"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def receive(upload) -> Received:
    """Stream an upload to a staging file, hashing as it goes. Leaves nothing behind on error."""
    max_bytes = settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024
    digest = hashlib.sha256()
    size = 0
    file_type = None
    fd, name = tempfile.mkstemp(dir=staging_dir(), prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks(CHUNK_SIZE):
                if not chunk:
                    continue
                if file_type is None:
                    file_type = recognise(chunk[:HEAD_SIZE], upload.content_type or "")
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceRejected(
                        _("This file is larger than the limit of %(mb)s MB.")
                        % {"mb": settings.EVIDENCE_MAX_FILE_MB}
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if file_type is None:
            raise EvidenceRejected(_("This file is empty."))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path=path, size=size, sha256=digest.hexdigest(), file_type=file_type)


class StagedFile(File):
    """Lets FileSystemStorage move the staging file into place with one rename."""

    def temporary_file_path(self) -> str:
        return self.file.name


def store(received: Received) -> str:
    """Move a received file into the evidence storage under a new random name."""
    token = secrets.token_hex(16)
    name = f"originals/{token[:2]}/{token}"
    with open(received.path, "rb") as f:
        stored = evidence_storage().save(name, StagedFile(f))
    received.path.unlink(missing_ok=True)
    return stored


# A process killed while receiving an upload leaves its partial copy behind: Django's spooled
# copy of the request body (in FILE_UPLOAD_TEMP_DIR) or a staging file. Both grow as the bytes
# arrive, so one untouched for this long belongs to no request still running.
ABANDONED_AFTER = 3600  # seconds


def remove_abandoned_uploads() -> int:
    """Remove the partial copies of uploads cut off by a killed process; returns how many."""
    cutoff = time.time() - ABANDONED_AFTER
    leftovers = [*staging_dir().glob("upload-*")]
    if settings.FILE_UPLOAD_TEMP_DIR:
        leftovers += Path(settings.FILE_UPLOAD_TEMP_DIR).glob("*.upload*")
    removed = 0
    for path in leftovers:
        with suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


# --- images ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    captured_at: datetime | None
    camera: str


def open_image(source) -> Image.Image:
    """Open an image, refusing oversized ones before any pixel is decoded."""
    too_large = EvidenceRejected(
        _("This image is too large to open safely. A screenshot or an ordinary photo will work.")
    )
    try:
        image = Image.open(source)
    except Image.DecompressionBombError:  # Pillow's own guard, for the most extreme sizes
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise EvidenceRejected(_("This image cannot be read. It may be damaged.")) from None
    if image.width * image.height > settings.IMAGE_MAX_PIXELS:
        image.close()
        raise too_large
    return image


_strict_lock = threading.Lock()


@contextmanager
def _strict_decoding():
    """Make Pillow fail on a truncated image while reading one.

    WeasyPrint switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported (for
    the dossier), after which a cut-off upload would decode "successfully" and be kept.
    """
    with _strict_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def inspect_image(path: Path, content_type: str) -> ImageFacts:
    """Check that the whole image decodes, and read its size and camera data."""
    with open_image(path) as image:
        width, height = image.size
        exif = image.getexif()
    try:
        with _strict_decoding(), Image.open(path) as image:
            if content_type == "image/png":
                image.verify()  # checks every chunk without holding the pixels in memory
            else:
                # Decoding at reduced size still reads every byte, so truncation shows.
                image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
                image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise EvidenceRejected(
            _(
                "This image is incomplete or damaged, so it was not kept. "
                "Try saving it again on your device."
            )
        ) from None
    return ImageFacts(width, height, _exif_time(exif), _exif_camera(exif))


def _exif_time(exif: Image.Exif) -> datetime | None:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    raw = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(raw, str):
        return None
    try:
        taken = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str):
        try:
            return datetime.fromisoformat(taken.isoformat() + offset.strip("\x00 "))
        except ValueError:
            pass
    # No offset recorded: the camera's clock was on local time, taken to be the user's.
    return timezone.make_aware(taken)


def _exif_camera(exif: Image.Exif) -> str:
    make = str(exif.get(ExifTags.Base.Make, "")).strip("\x00 ")
    model = str(exif.get(ExifTags.Base.Model, "")).strip("\x00 ")
    if model.startswith(make):
        make = ""
    return " ".join(part for part in (make, model) if part)[:200]


def derived_file(evidence: Evidence, variant: str) -> Path:
    return settings.DERIVED_DIR / str(evidence.uuid) / f"{variant}.jpg"


def make_derived(evidence: Evidence, variants: list[str]) -> dict[str, str]:
    """Make display copies (upright, resized, without metadata) from one reading of the
    original, the largest first, each shrunk from the one before. The bytes read are checked
    against the original's fingerprint first (FileProblem if they differ or are gone).
    Returns each copy's SHA-256, to be stored as its own fingerprint."""
    sizes = sorted(variants, key=lambda v: -DERIVED_VARIANTS[v][0])
    try:
        with evidence_storage().open(evidence.stored_name, "rb") as original:
            raw = original.read()
    except FileNotFoundError:
        raise FileProblem(FileProblem.MISSING) from None
    found = hashlib.sha256(raw).hexdigest()
    if found != evidence.sha256:
        raise FileProblem(FileProblem.CHANGED, found)
    data = io.BytesIO(raw)
    # Strict: a copy of an original damaged since upload must fail, not show grey blocks.
    with _strict_decoding(), open_image(data) as image:
        biggest = DERIVED_VARIANTS[sizes[0]][0]
        image.draft("RGB", (biggest, biggest))
        # A new image: no EXIF, no GPS, no ICC profile is carried over.
        picture = ImageOps.exif_transpose(image).convert("RGB")
    fingerprints = {}
    for variant in sizes:
        longest, quality = DERIVED_VARIANTS[variant]
        picture.thumbnail((longest, longest), Image.Resampling.LANCZOS, reducing_gap=1.0)
        encoded = io.BytesIO()
        picture.save(encoded, "JPEG", quality=quality, optimize=True)
        fingerprints[variant] = hashlib.sha256(encoded.getbuffer()).hexdigest()
        path = derived_file(evidence, variant)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(encoded.getbuffer())
        os.replace(tmp, path)
    return fingerprints


# --- audio and video -------------------------------------------------------------------------

# mutagen's reader for each detected type; Ogg holds one of several codecs.
MEDIA_READERS = {
    "audio/mpeg": (mutagen.mp3.MP3,),
    "audio/mp4": (mutagen.mp4.MP4,),
    "video/mp4": (mutagen.mp4.MP4,),
    "video/quicktime": (mutagen.mp4.MP4,),
    "audio/aac": (mutagen.aac.AAC,),
    "audio/wav": (mutagen.wave.WAVE,),
    "audio/ogg": (
        mutagen.oggvorbis.OggVorbis,
        mutagen.oggopus.OggOpus,
        mutagen.oggflac.OggFLAC,
        mutagen.oggspeex.OggSpeex,
    ),
}


def media_duration(source, content_type: str) -> float | None:
    """The length in seconds of a recording (a path or an open binary file), read from its
    headers without changing it, or None if the file does not say."""
    for reader in MEDIA_READERS.get(content_type, ()):
        try:
            if hasattr(source, "seek"):
                source.seek(0)
            length = reader(source).info.length
        # A damaged or unusual file can make a reader fail in many ways; the length is then
        # unknown, and the file is kept all the same: it is evidence, not a recording to play.
        except Exception:  # noqa: S112
            continue
        if length and length > 0:
            return float(length)
    return None


def stored_media_duration(item: Evidence) -> float | None:
    """The length of a kept recording: as read at upload, or read now from the original."""
    if item.duration is not None:
        return item.duration
    try:
        with evidence_storage().open(item.stored_name, "rb") as original:
            return media_duration(original, item.content_type)
    except OSError:
        return None


# --- checking integrity ----------------------------------------------------------------------


@dataclass
class IntegrityReport:
    checked: int = 0
    missing: list[Evidence] = field(default_factory=list)
    changed: list[Evidence] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.stray)


def file_sha256(name: str) -> str:
    with evidence_storage().open(name, "rb") as f:
        return sha256_and_size(f)[0]


def sha256_and_size(f) -> tuple[str, int]:
    """Hash an open file in chunks, never holding it whole in memory."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: f.read(CHUNK_SIZE), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def original_problem(item: Evidence) -> FileProblem | None:
    """Re-hash an original: None when it still matches what was received, else the problem."""
    try:
        with evidence_storage().open(item.stored_name, "rb") as f:
            found, size = sha256_and_size(f)
    except FileNotFoundError:
        return FileProblem(FileProblem.MISSING)
    if (found, size) != (item.sha256, item.size):
        return FileProblem(FileProblem.CHANGED, found)
    return None


def check_integrity(evidence, *, look_for_strays: bool = False) -> IntegrityReport:
    """Re-hash each original and compare it with the hash taken when it was received."""
    report = IntegrityReport()
    storage = evidence_storage()
    known = set()
    for item in evidence.iterator():
        known.add(item.stored_name)
        report.checked += 1
        if not storage.exists(item.stored_name):
            report.missing.append(item)
        elif file_sha256(item.stored_name) != item.sha256:
            report.changed.append(item)
    if look_for_strays:
        report.stray = [name for name in _stored_names() if name not in known]
    return report


def _stored_names(directory: str = "originals"):
    # Not exists(): in a bucket a folder is only a prefix, which exists() never finds.
    try:
        subdirs, files = evidence_storage().listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for sub in sorted(subdirs):
        yield from _stored_names(f"{directory}/{sub}")
