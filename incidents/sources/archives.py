"""Opening a ZIP archive someone chose, without trusting it: chat exports come zipped with their
media (WhatsApp, Telegram, Facebook and Instagram), and a hostile archive can hide a path that
leads outside its folder, a password, or a small file that unpacks to gigabytes (a zip bomb).
Members are only ever read into memory or a stream, never unpacked to the disk by their name."""

import posixpath
import zipfile
import zlib

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .items import FileUnreadable

# What reading a member of a damaged or unusual archive can raise.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)

MAX_MEMBERS = 50_000
# A member that unpacks to more than this many times its packed size, past the first MB, is not
# a chat's media (photos and videos hardly pack at all; text packs about 5 to 10 times).
MAX_RATIO = 200
FREE_BYTES = 1024 * 1024
READ_CHUNK = 1024 * 1024


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def open_zip(stream) -> zipfile.ZipFile:
    """The archive, checked whole before any member is read; FileUnreadable says what is wrong."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileUnreadable(
            _("This ZIP archive is damaged or incomplete, so nothing was read from it.")
        ) from None
    if len(members) > MAX_MEMBERS:
        raise FileUnreadable(
            _("This ZIP archive holds more than %(count)s files, far more than an export has.")
            % {"count": MAX_MEMBERS}
        )
    total = 0
    for member in members:
        _check(member)
        total += member.file_size
    if total > settings.MESSAGE_IMPORT_MAX_FILE_MB * 1024 * 1024:
        raise FileUnreadable(_unpacks_too_large())
    return archive


def _check(member: zipfile.ZipInfo) -> None:
    if not is_inside(member.filename):
        raise FileUnreadable(
            _(
                "This ZIP archive holds a file whose path leads outside its folder "
                "(%(name)s). An export never does that, so it was not opened."
            )
            % {"name": member.filename[:80]}
        )
    if member.flag_bits & 0x1:
        raise FileUnreadable(
            _("This ZIP archive is protected by a password. Export it again without one.")
        )
    if member.file_size > FREE_BYTES and member.file_size > MAX_RATIO * max(
        member.compress_size, 1
    ):
        raise FileUnreadable(_unpacks_too_large())


def is_inside(name: str) -> bool:
    """Whether a member's path stays inside the archive's folder."""
    path = name.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return False
    return not posixpath.normpath(path).startswith("..")


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, read no further than `limit` (an archive can lie about sizes)."""
    data = bytearray()
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(READ_CHUNK):
                data += chunk
                if len(data) > limit:
                    raise FileUnreadable(
                        _("%(name)s in the ZIP archive is larger than the limit of %(limit)s.")
                        % {"name": member.filename[:80], "limit": filesizeformat(limit)}
                    )
    except ZIP_ERRORS:
        raise FileUnreadable(
            _("%(name)s in the ZIP archive is damaged, so nothing was read from the archive.")
            % {"name": member.filename[:80]}
        ) from None
    return bytes(data)


def _unpacks_too_large() -> str:
    return _(
        "This ZIP archive would unpack to far more than an export holds (it looks built to "
        "fill the disk), so it was not opened."
    )
