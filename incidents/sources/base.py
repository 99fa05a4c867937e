"""What every reader of an export file offers (incidents/sources/__init__.py chooses one for a
file by its content). A reader reads an open binary stream, kept byte for byte as an exhibit,
and yields plain items (items.py) in the file's order; it never writes anything."""

from abc import ABC, abstractmethod
from collections.abc import Iterator

from .items import NUMBER, CallItem, MessageItem, SkippedItem, readable

# How much of a file (or of a ZIP member) is read to recognise its format.
HEAD_BYTES = 64 * 1024


class Reader(ABC):
    """One format. Subclasses set the class attributes and write `sniff` and `items`."""

    label: str  # the format's name, for the user ("SMS Backup & Restore")
    # Cited by every imported item: change it whenever what is read from a file changes.
    version: str
    formats: tuple[str, ...]  # the MessageImport.Format values this reader writes
    address_kind: str = NUMBER  # what the items' addresses are (items.py)
    # Of the exhibit that keeps the file; a reader sets its own once it knows (a ZIP archive).
    content_type: str = "application/octet-stream"
    # What the user may be asked, for a format whose file does not say it: e.g. "time_zone"
    # (WhatsApp's times have none), "date_order" (03/04), "me" (which sender is the user),
    # "columns" (a CSV file's). Answers reach the reader as `options`; a reader that cannot
    # read at all without one raises items.NeedsAnswers.
    questions: tuple[str, ...] = ()

    def __init__(self, stream, *, pictures: bool = False, options: dict | None = None):
        self.stream = stream
        self.pictures = pictures  # decode attachments (Picture items) too
        self.options = options or {}
        self.format: str | None = None  # one of `formats`, known after the first item
        self.bytes_read = 0  # how far the reader is, for the progress bar
        # Plain sentences for the user about the file, found while reading (a chat that looks
        # cut short, chats the export leaves out): shown before the import, and in the dossier.
        self.warnings: list[str] = []

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes, stream) -> bool:
        """Whether the file is in this format, from its first bytes (`head`) and, if need be,
        the seekable stream (left where it was found)."""

    @abstractmethod
    def items(self) -> Iterator[MessageItem | CallItem | SkippedItem]:
        """Every item of the file in order. Raises items.FileUnreadable, with the reason, at
        damage that cannot be repaired (items already handed on are then to be dropped)."""

    def readable_items(self) -> Iterator[MessageItem | CallItem | SkippedItem]:
        """items(), with an item whose time no message can have (before 1970, after 2199)
        handed on as skipped: every reading of a file (scan, preview, import) goes through
        here, so none of them meets an impossible date."""
        for item in self.items():
            yield readable(item)

    def open_questions(self) -> list[str]:
        """After reading the file through: which of `questions` the user must still answer
        (e.g. "date_order" only when no date in the file decides it)."""
        return list(self.questions)

    def description(self) -> str:
        """What the file is, in the user's words, after it was read through ("a WhatsApp chat
        from an Android phone"): the import page adds the counts and dates."""
        return self.label
