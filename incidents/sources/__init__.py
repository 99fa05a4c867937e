"""The readers of the export files the app imports (one module per format), and the choice of
one for a file by its content, never its name. Every reader yields the same plain items
(items.py), which incidents/message_import.py keeps as records.

To add a format: a Reader subclass (base.py) in its own module, its MessageImport.Format and
Message.Channel values, and a place in READERS."""

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from .base import HEAD_BYTES, Reader
from .csv_table import CsvReader
from .items import FileUnreadable
from .mail import EmlReader, MboxReader
from .meta import MetaReader
from .sbr import SbrReader
from .telegram import TelegramReader
from .whatsapp import WhatsAppReader

# Tried in order, the most particular first. A reader that takes any file of its kind to say
# why it cannot be read (SbrReader takes any XML file) comes after the others of that kind.
# CsvReader takes any text that reads as a table with a header row: always last.
READERS: list[type[Reader]] = [
    MboxReader,
    EmlReader,
    SbrReader,
    TelegramReader,
    MetaReader,
    WhatsAppReader,
    CsvReader,
]


def reader_for(stream) -> type[Reader]:
    """The reader of a file (a seekable binary stream, left at its start), or FileUnreadable
    saying what the app can read."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head.strip():
        raise FileUnreadable(_("This file is empty."))
    for reader in READERS:
        found = reader.sniff(head, stream)
        stream.seek(0)
        if found:
            return reader
    raise FileUnreadable(_unknown(head))


def reader_of(format: str) -> type[Reader]:
    """The reader that wrote a MessageImport.Format value."""
    return next(reader for reader in READERS if format in reader.formats)


def known_formats() -> str:
    """The formats the app reads, in the user's words, as one list."""
    return get_text_list([str(reader.label) for reader in READERS], _("and"))


def _unknown(head: bytes) -> str:
    known = known_formats()
    if head.startswith(b"PK"):
        return _("This ZIP archive holds no export the app can read. It reads: %(known)s.") % {
            "known": known
        }
    return _("The app cannot read this file. It reads: %(known)s.") % {"known": known}
