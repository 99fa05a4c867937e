"""The reader of WhatsApp's "Export chat": the chat's text file alone, or the ZIP archive of the
text file with the media (iPhone: `_chat.txt`; Android: `WhatsApp Chat with <Name>.txt`, named
in the phone's language): the text file at the archive's root whose first line is a chat
entry (chat_member). The line forms and marks are in whatsapp_lines.py.

What the file does not say, the user does (`options`):
- `time_zone`: the times are the phone's clock, with no zone. They are read in this IANA zone
  (UTC if none is given). A time that happens twice when clocks go back is read as the first
  of the two (fold 0, still summer time); a time that never happens when clocks go forward is
  read with the offset in force before the change (so 02:30 becomes 03:30 local time). Either
  case is marked in the item's `details["local_time"]` ("repeated" or "skipped").
- `date_order`: "dmy" or "mdy" when no date in the file has a day past 12 to decide it; until
  answered the dates are read day-first and `open_questions()` names it.
- `me`: which sender is the user (the import flow reads it, not this reader).

The file is streamed line by line (a ZIP member too), twice when the date order must first be
learned from the whole file; media are read one at a time, each up to the evidence size limit.
"""

import io
import zipfile
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import chatzip
from . import whatsapp_lines as lines
from .archives import ZIP_ERRORS, is_zip, open_zip
from .base import Reader
from .items import NAME, FileUnreadable, MessageItem, SkippedItem

PARSER_VERSION = "stalkerlog-whatsapp-txt 1.0"
FORMAT = "whatsapp"
# WhatsApp caps a message at 65,536 characters; a longer "message" is not a chat.
MAX_MESSAGE_CHARS = 100_000
READ_LINE = 64 * 1024
# WhatsApp is reported to export at most about this many of a chat's latest messages.
CUT_WITHOUT_MEDIA, CUT_WITH_MEDIA = 40_000, 10_000
NEAR_CUT = 0.95
# How many entries may come before the encryption note in a whole chat (group creation etc.).
NOTE_WITHIN = 5
EPOCH, MILLISECOND = datetime(1970, 1, 1), timedelta(milliseconds=1)
MAX_HOURS_KEPT = 100_000
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "heic": "image/heic",
    "mp4": "video/mp4",
    "3gp": "video/3gpp",
    "mov": "video/quicktime",
    "opus": "audio/ogg",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pdf": "application/pdf",
    "vcf": "text/vcard",
}
WHATSAPP_MEDIA_PREFIXES = ("IMG-", "VID-", "PTT-", "AUD-", "STK-", "DOC-")
# A ZIP's text files whose start is read, at most, to find the chat among them.
CHAT_LOOKED_AT = 50
FIRST_LINE_BYTES = 4096  # read of each of them, for its first line


def content_type(name: str) -> str:
    """The type a media file's name says (the app checks the bytes before keeping it)."""
    return CONTENT_TYPES.get(PurePosixPath(name).suffix[1:].lower(), "application/octet-stream")


def _first_line(head: bytes) -> str:
    text = head[:FIRST_LINE_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff\r\n \t")
    return text.split("\n", 1)[0].rstrip("\r")


def _root_members(archive) -> dict:
    """The files at the archive's root by name; or, when every file is in one folder (an
    export unpacked and zipped again), the files of that folder."""
    files = [m for m in archive.infolist() if not m.is_dir()]
    folders = {m.filename.split("/", 1)[0] for m in files if "/" in m.filename}
    if len(folders) == 1 and all("/" in m.filename for m in files):
        prefix = folders.pop() + "/"
        files = [m for m in files if m.filename.startswith(prefix)]
        return {m.filename[len(prefix) :]: m for m in files if "/" not in m.filename[len(prefix) :]}
    return {m.filename: m for m in files if "/" not in m.filename}


def _named_as_whatsapp(name: str) -> bool:
    return name == "_chat.txt" or name.lower().startswith("whatsapp")


def chat_member(archive: zipfile.ZipFile, members: dict):
    """The chat's text file among an archive's root files, or None. It is found by what it
    holds, whatever its name or language (`_chat.txt` on an iPhone, "WhatsApp Chat with ….txt",
    "Chat de WhatsApp con ….txt" on Android): the first .txt file whose first line is a
    WhatsApp entry, those whose name says WhatsApp looked at first. Failing that, a file named
    as WhatsApp names it, or the only text file, whose reading then says what is wrong."""
    texts = sorted(
        (name for name in members if name.lower().endswith(".txt")),
        key=lambda name: (name != "_chat.txt", "whatsapp" not in name.lower(), name),
    )
    for name in texts[:CHAT_LOOKED_AT]:
        if _starts_as_chat(archive, members[name]):
            return members[name]
    if texts and (_named_as_whatsapp(texts[0]) or len(texts) == 1):
        return members[texts[0]]
    return None


def _starts_as_chat(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether a member's first line is a WhatsApp entry (its first 4 KB read, no more)."""
    try:
        with archive.open(member) as stream:
            head = stream.read(FIRST_LINE_BYTES)
    except ZIP_ERRORS:  # a password or damage: not this one
        return False
    return lines.header(_first_line(head)) is not None


def _read_lines(raw) -> Iterator[str]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)
    whole = True
    try:
        while piece := text.readline(READ_LINE):
            ended = piece.endswith("\n")
            piece = piece.rstrip("\n")
            yield piece if whole else "\0" + piece
            whole = ended
    finally:
        text.detach()


class WhatsAppReader(Reader):
    """Reads one exported chat (an open binary stream): `for item in reader.items()`."""

    label = gettext_lazy("WhatsApp chat export")
    version = PARSER_VERSION
    formats = (FORMAT,)
    address_kind = NAME
    questions = ("time_zone", "date_order", "me")

    def __init__(self, stream, *, pictures: bool = False, options: dict | None = None):
        super().__init__(stream, pictures=pictures, options=options)
        self.iphone = False
        self.date_order = ""  # as the file decides it ("dmy", "mdy"), or "" if it cannot
        self.messages = 0
        self.with_media = False
        self._archive = None
        self._members: dict = {}
        self._member = None
        self._zone = self._time_zone()
        self._hour_offsets: dict[datetime, timedelta | None] = {}  # by local hour

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        """A text file whose first line is a WhatsApp entry, or a ZIP archive holding one, or a
        file named as WhatsApp names its chat, or WhatsApp's media without a chat (to say then
        what is wrong with it)."""
        if not is_zip(head):
            return lines.header(_first_line(head)) is not None
        try:  # only the names: the archive is checked whole (archives.open_zip) when read
            archive = zipfile.ZipFile(stream)
            members = _root_members(archive)
            member = chat_member(archive, members)
            if member is None:
                return any(name.startswith(WHATSAPP_MEDIA_PREFIXES) for name in members)
            return _named_as_whatsapp(member.filename) or _starts_as_chat(archive, member)
        except (*ZIP_ERRORS, zipfile.LargeZipFile):
            return False

    def description(self) -> str:
        if self.iphone:
            return _("a WhatsApp chat from an iPhone")
        return _("a WhatsApp chat from an Android phone")

    def open_questions(self) -> list[str]:
        """The time zone and the user's name are never in the file; the date order is asked
        only when no date decides it."""
        return [
            question
            for question in self.questions
            if not self.options.get(question) and (question != "date_order" or not self.date_order)
        ]

    def _time_zone(self) -> zoneinfo.ZoneInfo:
        name = self.options.get("time_zone") or "UTC"
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise FileUnreadable(
                _("The time zone %(zone)s is not one the app knows. Choose it again.")
                % {"zone": str(name)[:60]}
            ) from None

    # --- opening the chat -------------------------------------------------------------------

    def _open_chat(self) -> None:
        self.stream.seek(0)
        if not is_zip(self.stream.read(4)):
            self.stream.seek(0)
            self.content_type = "text/plain"
            return
        self.content_type = "application/zip"
        self._archive = open_zip(self.stream)
        self._members = _root_members(self._archive)
        self._member = chat_member(self._archive, self._members)
        if self._member is None:
            raise FileUnreadable(
                _(
                    "This ZIP archive holds no WhatsApp chat (a _chat.txt or "
                    "“WhatsApp Chat with ….txt” file). Export the chat again and choose the "
                    "whole .zip file, or the .txt file alone."
                )
            )
        self.with_media = any(m is not self._member for m in self._members.values())

    def _lines(self) -> Iterator[str]:
        """The chat file's lines, without their endings; a line longer than READ_LINE comes
        in pieces, each after the first starting with "\0" (never the start of an entry).
        Damage inside a ZIP becomes FileUnreadable (chatzip.opened)."""
        if self._archive is None:
            self.stream.seek(0)
            yield from _read_lines(self.stream)
            return
        with chatzip.opened(self._archive, self._member) as raw:
            yield from _read_lines(raw)

    def _decide_date_order(self) -> None:
        """Learn the day and month order from the first date that decides it (not needed
        when the user has said it)."""
        if self.options.get("date_order") in ("dmy", "mdy"):
            return
        for line in self._lines():
            head = lines.header(line)
            if head is not None and (found := lines.day_first_evidence(head)):
                self.date_order = found
                return

    # --- reading ----------------------------------------------------------------------------

    def items(self) -> Iterator[MessageItem | SkippedItem]:
        """Every entry of the chat in order: messages, and WhatsApp's notes as skipped items.
        Raises FileUnreadable for a file that holds no chat."""
        self._open_chat()
        self._decide_date_order()
        self.format = FORMAT
        entries = 0
        first_note = None
        for number, (start, head, text) in enumerate(self._entries(), start=1):
            entries = number
            if first_note is None and lines.is_encryption_note(head):
                first_note = number
            yield self._item(number, start, head, text)
        if not entries:
            raise FileUnreadable(
                _("This WhatsApp chat holds no messages. Export the chat again from the phone.")
            )
        self._warn(first_note)

    def _entries(self) -> Iterator[tuple[int, lines.Header, str]]:
        """Each entry: its first line's number, its header and its whole text."""
        current = None
        chunks: list[str] = []
        size = 0
        for number, line in enumerate(self._lines(), start=1):
            if number % 1000 == 0:
                self.bytes_read = max(self.bytes_read, self.stream.tell())
            head = None if line.startswith("\0") else lines.header(line)
            if head is None:
                if current is None:
                    raise FileUnreadable(self._not_a_chat())
                piece = line[1:] if line.startswith("\0") else "\n" + line
                chunks.append(piece)
                size += len(piece)
                if size > MAX_MESSAGE_CHARS:
                    raise FileUnreadable(self._too_long(current[0]))
                continue
            if current is not None:
                yield current[0], current[1], "".join(chunks)
            current, chunks, size = (number, head), [head.text], len(head.text)
        if current is not None:
            yield current[0], current[1], "".join(chunks)

    def _not_a_chat(self) -> str:
        return _(
            "This file does not start like a WhatsApp chat (a date, a time and a name), so "
            "nothing was read. Choose the chat's .txt file, or the .zip WhatsApp made."
        )

    def _too_long(self, line: int) -> str:
        return _(
            "The message at line %(line)s runs longer than any WhatsApp message can, so this "
            "does not look like a WhatsApp chat. Nothing was imported."
        ) % {"line": line}

    def _item(self, number: int, line: int, head: lines.Header, text: str):
        self.iphone = self.iphone or head.iphone
        if lines.is_note(head):
            return SkippedItem(number, line, "system_line")
        order = self.options.get("date_order") or self.date_order or "dmy"
        local = lines.local_time(head, order)
        if local is None:
            return SkippedItem(number, line, "no_time")
        self.messages += 1
        date_ms, doubt = self._utc_ms(local)
        details = {"written_time": head.stamp}
        if doubt:
            details["local_time"] = doubt
        if self._member is not None:
            details["member"] = self._member.filename
        found = lines.marks(text, self._members)
        details.update({k: v for k, v in found.items() if k != "file"})
        item = MessageItem(
            element=number,
            line=line,
            recovered=False,
            channel="whatsapp",
            box=0,
            direction="",
            date_ms=date_ms,
            address=head.sender,
            parties=[head.sender],
            recipients=[],
            contact_name=head.sender[:200],
            subject="",
            body=text,
            address_kind=NAME,
            details=details,
        )
        if name := found.get("file"):
            self._attach(item, name)
        return item

    def _attach(self, item: MessageItem, name: str) -> None:
        """The attached file's name and type, and with `pictures` its bytes from the archive
        (a file the archive lacks, or one over the size limit, stays named but unread)."""
        attachment = {"seq": 1, "content_type": content_type(name), "name": name}
        member = self._members.get(name)
        if self._archive is not None and member is None:
            attachment["missing"] = True
        item.attachments = [attachment]
        if not (self.pictures and member is not None):
            return
        if member.file_size > settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024:
            attachment["too_large"] = True
            return
        # A damaged file stays named but unread; its message is kept.
        picture = chatzip.picture(self._archive, member, 1, attachment["content_type"])
        item.pictures = [picture] if picture else []

    def _utc_ms(self, local: datetime) -> tuple[int, str]:
        """As _utc_ms, with the offset looked up once per local hour in which the clocks do
        not change (almost every hour), for speed."""
        hour = local.replace(minute=0, second=0)
        if hour not in self._hour_offsets:
            if len(self._hour_offsets) > MAX_HOURS_KEPT:
                self._hour_offsets.clear()
            self._hour_offsets[hour] = _steady_offset(hour, self._zone)
        offset = self._hour_offsets[hour]
        if offset is None:
            return _utc_ms(local, self._zone)
        return (local - offset - EPOCH) // MILLISECOND, ""

    def _warn(self, first_note: int | None) -> None:
        """Say, never for certain, when the chat may lack its oldest messages."""
        if first_note is None or first_note > NOTE_WITHIN:
            self.warnings.append(
                _(
                    "The chat does not start with WhatsApp's note that messages are end-to-end "
                    "encrypted, which a whole chat usually starts with. Its oldest messages may "
                    "be missing from this export."
                )
            )
        cap = CUT_WITH_MEDIA if self.with_media else CUT_WITHOUT_MEDIA
        if self.messages >= cap * NEAR_CUT:
            self.warnings.append(
                _(
                    "This chat holds %(count)s messages. WhatsApp is reported to put at most "
                    "about %(cap)s of a chat's latest messages in one export (%(media)s), so its "
                    "oldest messages may have been left out: compare the first message with the "
                    "chat on the phone."
                )
                % {
                    "count": number_format(self.messages, force_grouping=True),
                    "cap": number_format(cap, force_grouping=True),
                    "media": _("with media") if self.with_media else _("without media"),
                }
            )


def _utc_ms(local: datetime, zone: zoneinfo.ZoneInfo) -> tuple[int, str]:
    """Milliseconds since 1970 in UTC of a phone's local time (fold 0: see the module), and
    "repeated" for a local time that happens twice, "skipped" for one that never does."""
    first = local.replace(tzinfo=zone)
    doubt = ""
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        doubt = "repeated" if back == local else "skipped"
    return int(first.timestamp() * 1000), doubt


def _steady_offset(hour: datetime, zone: zoneinfo.ZoneInfo) -> timedelta | None:
    """The one offset from UTC of a local hour in which the clocks do not change (the same at
    its start and its end, in both folds), or None."""
    start, end = hour.replace(tzinfo=zone), hour.replace(minute=59, second=59, tzinfo=zone)
    offsets = {t.replace(fold=fold).utcoffset() for t in (start, end) for fold in (0, 1)}
    return offsets.pop() if len(offsets) == 1 else None
