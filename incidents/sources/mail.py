"""The readers of e-mail: one message saved as an `.eml` file, and mailboxes in the mbox format
(what Thunderbird keeps and Google Takeout exports). Both are recognised by their content: an
mbox starts with a "From " line, a message with header fields such as Received:, From: and
Date:. mail_message.py turns each message into an item.

A mailbox is streamed: it is read line by line and split on its "From " lines, and only one
message is held at a time, so a mailbox of several gigabytes is read in the same memory as a
small one. A message larger than MAX_MESSAGE_BYTES is skipped, counted under its reason.

Which messages are the user's and which the person's, the file does not say (a mailbox holds
both): each item names its sender, and the import decides once the user has chosen."""

import re
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Reader
from .items import EMAIL, MessageItem, SkippedItem
from .mail_message import message_item

# Cited by every imported item: change it whenever what is read from a file changes.
PARSER_VERSION = "stalkerlog-mail 1.0"
# The largest message read (Gmail and Outlook send up to about 25 MB of attachments, which is
# about 35 MB once encoded); a message is held in memory while it is read, a few times over.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
LINE_CHUNK = 1024 * 1024  # a longer line is read in pieces
HEADER_LINES = 200  # looked at to recognise a message's header

HEADER_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")
MAIL_FIELDS = {
    b"received",
    b"from",
    b"to",
    b"date",
    b"subject",
    b"message-id",
    b"mime-version",
    b"return-path",
    b"delivered-to",
    b"dkim-signature",
}
# An mbox "From " line, written by every mail program: "From sender Mon Jan  1 10:00:00 2024".
ENVELOPE = re.compile(
    rb"From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb" +\d{1,2} +\d{1,2}:\d\d"
)
QUOTED_FROM = re.compile(rb">+From ")  # a body line starting "From ", quoted by the mailbox


def looks_like_headers(head: bytes) -> bool:
    """Whether `head` starts with an e-mail's header: "Name: value" fields (continued on
    indented lines) up to a blank line, among them From: and another field mail always has."""
    lines = head.split(b"\n", HEADER_LINES)[:HEADER_LINES]
    if not head.endswith(b"\n") and len(lines) > 1:
        lines = lines[:-1]  # cut off by the end of `head`
    names = set()
    for number, line in enumerate(lines):
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t") and number:
            continue
        field = HEADER_FIELD.match(line)
        if field is None:
            return False
        names.add(field[1].lower())
    return b"from" in names and len(names & MAIL_FIELDS) >= 2


class MailReader(Reader):
    """What the two mail readers share: items of kind EMAIL, each from mail_message.py."""

    version = PARSER_VERSION
    address_kind = EMAIL
    formats: tuple[str, ...] = ()
    # A mailbox names its owner nowhere: without the user's own address, a message of theirs
    # to the person and to others is not known to be theirs (message_import.resolve_direction).
    questions = ("me",)

    def _messages(self) -> Iterator[tuple[int, bytes | None, str]]:
        """(line, raw bytes or None when too large, the mbox "From " line) of each message."""
        raise NotImplementedError

    def items(self) -> Iterator[MessageItem | SkippedItem]:
        self.format = self.formats[0]
        for element, (line, raw, envelope) in enumerate(self._messages(), 1):
            if raw is None:
                yield SkippedItem(element, line, "too_large")
                continue
            item = message_item(raw, element, line, self.options, self.pictures)
            if envelope and isinstance(item, MessageItem):
                item.details["envelope"] = envelope
            yield item


class EmlReader(MailReader):
    """One message saved from a mail program (.eml): the file is the message."""

    label = gettext_lazy("E-mail message (.eml)")
    formats = ("eml",)
    content_type = "message/rfc822"

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        return looks_like_headers(head.removeprefix(b"\xef\xbb\xbf"))

    def description(self) -> str:
        return _("an e-mail message")

    def _messages(self):
        raw = self.stream.read(MAX_MESSAGE_BYTES + 1)
        self.bytes_read = len(raw)
        yield 1, (raw.removeprefix(b"\xef\xbb\xbf") if len(raw) <= MAX_MESSAGE_BYTES else None), ""


class MboxReader(MailReader):
    """A mailbox: messages one after another, each after a "From " line. A body line that
    starts with "From " is written ">From " in the file (mboxrd and mboxo quoting); one ">" is
    taken off such lines, as mboxrd says, to give the message as it was sent."""

    label = gettext_lazy("Mailbox (.mbox, from Thunderbird or Google Takeout)")
    formats = ("mbox",)
    content_type = "application/mbox"

    def __init__(self, stream, *, pictures: bool = False, options: dict | None = None):
        super().__init__(stream, pictures=pictures, options=options)
        self._program = ""

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        first, _newline, rest = head.partition(b"\n")
        return first.startswith(b"From ") and looks_like_headers(rest)

    def description(self) -> str:
        if self._program == "gmail":
            return _("a Gmail mailbox from Google Takeout")
        if self._program == "thunderbird":
            return _("a Thunderbird mailbox")
        return _("a mailbox (mbox)")

    def _messages(self):
        current: _Message | None = None
        line, at_line_start, after_blank = 0, True, True
        while chunk := self.stream.readline(LINE_CHUNK):
            self.bytes_read += len(chunk)
            starts_line, at_line_start = at_line_start, chunk.endswith(b"\n")
            line += starts_line
            if starts_line and _separates(chunk, after_blank):
                if current is not None:
                    yield current.finished()
                current, after_blank = _Message(line, chunk), False
                continue
            after_blank = starts_line and at_line_start and not chunk.strip(b"\r\n")
            if current is not None:
                current.add(chunk, starts_line)
                if not self._program and starts_line and chunk[:2] in (b"X-", b"x-"):
                    self._program = _program(chunk)
        if current is not None:
            yield current.finished()


def _separates(line: bytes, after_blank: bool) -> bool:
    """Whether a line starts the next message: a "From " line after a blank line, or one with
    the sender and date every mail program writes there."""
    return line.startswith(b"From ") and (after_blank or ENVELOPE.match(line) is not None)


class _Message:
    """The lines of one message of a mailbox, as they are read."""

    def __init__(self, line: int, envelope: bytes):
        self.line = line
        self.envelope = envelope.rstrip(b"\r\n").decode("utf-8", "replace")[:500]
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes, starts_line: bool) -> None:
        if starts_line and chunk[:1] == b">" and QUOTED_FROM.match(chunk):
            chunk = chunk[1:]
        self.size += len(chunk)
        if self.size > MAX_MESSAGE_BYTES:
            self.parts = []  # too large: only its size is followed, to the next message
        else:
            self.parts.append(chunk)

    def finished(self) -> tuple[int, bytes | None, str]:
        if self.size > MAX_MESSAGE_BYTES:
            return self.line, None, self.envelope
        raw = b"".join(self.parts)
        self.parts = []
        # The blank line before the next "From " line belongs to the mailbox, not the message.
        if raw.endswith(b"\r\n\r\n"):
            raw = raw[:-2]
        elif raw.endswith(b"\n\n"):
            raw = raw[:-1]
        return self.line, raw, self.envelope


def _program(line: bytes) -> str:
    """The mail program that wrote a mailbox, from a header only it writes."""
    lower = line[:20].lower()
    if lower.startswith((b"x-gmail-labels:", b"x-gm-thrid:")):
        return "gmail"
    if lower.startswith(b"x-mozilla-status"):
        return "thunderbird"
    return ""
