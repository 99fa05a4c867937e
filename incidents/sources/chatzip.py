"""What the readers of zipped chat exports share (Telegram, Facebook Messenger, Instagram): a look
at an archive's names to recognise it, reading a JSON member as a stream, and the files a
message names, found in the archive. Every archive is opened through archives.py."""

import mimetypes
import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext as _

from .archives import ZIP_ERRORS, is_inside, read_member
from .base import HEAD_BYTES
from .items import FileUnreadable, Picture


def zip_names(stream) -> list[str]:
    """The names in an archive, to recognise an export (the archive is checked whole when it
    is opened to be read); [] when it cannot be listed. The stream is left at its start."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (*ZIP_ERRORS, zipfile.LargeZipFile):
        return []
    finally:
        stream.seek(0)


def member_head(stream, name: str) -> bytes | None:
    """The first bytes of a member, or None when they cannot be read (a password, damage)."""
    try:
        with zipfile.ZipFile(stream) as archive, archive.open(name) as member:
            return member.read(HEAD_BYTES)
    except (*ZIP_ERRORS, KeyError):
        return None
    finally:
        stream.seek(0)


@contextmanager
def opened(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator:
    """A member as a stream; damage found while reading it becomes FileUnreadable."""
    try:
        with archive.open(member) as stream:
            yield stream
    except ZIP_ERRORS:
        raise FileUnreadable(
            _("%(name)s in the ZIP archive is damaged, so nothing was read from the archive.")
            % {"name": member.filename[:80]}
        ) from None


def content_type(name: str, given: str = "") -> str:
    """A file's type as the export gives it, or as its name says."""
    if given and "/" in given:
        return given[:100]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def member_named(archive: zipfile.ZipFile, near: str, path: str) -> zipfile.ZipInfo | None:
    """The member a message's file path names: relative to the folder of `near` (the JSON
    member) or to any folder above it (Meta's paths start at the export's root, which a
    re-zipped export puts in a folder of its own)."""
    if not path or "://" in path:
        return None
    folder = posixpath.dirname(near)
    parts = folder.split("/") if folder else []
    for depth in range(len(parts), -1, -1):
        candidate = posixpath.normpath(posixpath.join(*parts[:depth], path))
        if not is_inside(candidate):
            continue
        try:
            return archive.getinfo(candidate)
        except KeyError:
            continue
    return None


def picture(archive, member: zipfile.ZipInfo | None, seq: int, kind: str) -> Picture | None:
    """A file a message names, read from the archive, or None when it is not there, is larger
    than an exhibit may be, or cannot be read (its message still names it)."""
    limit = settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024
    if member is None or member.is_dir() or member.file_size > limit:
        return None
    try:
        data = read_member(archive, member, limit)
    except FileUnreadable:
        return None
    return Picture(seq, kind, posixpath.basename(member.filename)[:200], data)
