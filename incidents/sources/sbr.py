"""The reader of SMS Backup & Restore exports (and the same format written by other tools, such
as signalbackup-tools): `sms-*.xml` with <sms> and <mms> items, `calls-*.xml` with <call> items.

It streams: the file is read in chunks, repaired on the way (sbr_repair.py) and fed to expat,
and each item is handed on as soon as its element ends, so memory stays the same whatever the
file's size. No DTD or entity declaration is accepted, so nothing in the file can expand. The
reader knows nothing of the app's records: it yields plain items, each with its place in the
file (its number among the items, and its line), for incidents/message_import.py to keep.
"""

import base64
import binascii
from collections import deque
from collections.abc import Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Reader
from .items import CallItem, FileUnreadable, MessageItem, Picture, SkippedItem
from .sbr_repair import TooLarge, repaired_chunks

# Cited by every imported item: change it whenever what is read from a file changes.
PARSER_VERSION = "stalkerlog-sbr-xml 1.0"
FORMATS = {"smses": "sbr_sms", "calls": "sbr_calls"}
ITEMS = {"sms", "mms", "call"}
# No single element may run longer than this (an MMS with a video is a few MB of base64).
MAX_ELEMENT_BYTES = 128 * 1024 * 1024

MMS_FROM, MMS_TO, MMS_CC, MMS_BCC = "137", "151", "130", "129"
SMS_DIRECTIONS = {1: "in", 2: "out", 4: "out", 5: "out", 6: "out"}
MMS_DIRECTIONS = {1: "in", 2: "out", 4: "out"}
# Call type: (direction, outcome); outgoing calls are answered if they lasted.
CALL_TYPES = {
    1: ("in", "answered"),
    2: ("out", None),
    3: ("in", "missed"),
    4: ("in", "voicemail"),
    5: ("in", "rejected"),
    6: ("in", "blocked"),
    7: ("in", "answered"),  # answered on another device
}
WITHHELD_PRESENTATION = {"2", "3", "4"}  # restricted, unknown, payphone


def _text(value: str | None) -> str:
    """An attribute's text; the app writes the word "null" for an empty column."""
    return "" if value in (None, "null") else value


def _number(value: str | None) -> int | None:
    try:
        return int(_text(value))
    except ValueError:
        return None


def refuse_by_first_bytes(head: bytes) -> None:
    """Refuse, with a reason, a file that plainly is not an XML export."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"PK"):  # (the bytes after it are already repaired: not compared)
        raise FileUnreadable(
            _("This is a ZIP archive. Unzip it first and choose the .xml file inside.")
        )
    if not start:
        raise FileUnreadable(_("This file is empty."))
    if not start.startswith(b"<"):
        raise FileUnreadable(
            _(
                "This is not an XML file. Choose the sms-….xml or calls-….xml file that "
                "SMS Backup & Restore wrote."
            )
        )


class SbrReader(Reader):
    """Reads one export file (an open binary stream) item by item: `for item in reader.items()`.
    After the first item, `format` says which kind of file it is; `bytes_read` follows the
    progress through the file. With `pictures`, the pictures of MMS are decoded too."""

    label = gettext_lazy("SMS Backup & Restore export")
    version = PARSER_VERSION
    formats = tuple(FORMATS.values())
    content_type = "application/xml"

    def __init__(self, stream, *, pictures: bool = False, options: dict | None = None):
        super().__init__(stream, pictures=pictures, options=options)
        self._element = 0
        self._current: dict | None = None
        self._pending: list = []
        self._repairs: deque[int] = deque()
        self._parser = self._make_parser()

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        """Any XML file: this reader explains why one that is not an export cannot be read."""
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")

    def description(self) -> str:
        if self.format == FORMATS["calls"]:
            return _("a call log from SMS Backup & Restore")
        return _("texts and picture messages from SMS Backup & Restore")

    def _make_parser(self):
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.StartDoctypeDeclHandler = self._refuse_declarations
        parser.EntityDeclHandler = self._refuse_declarations
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        return parser

    def items(self) -> Iterator[MessageItem | CallItem | SkippedItem]:
        """Every item of the file in order. Raises FileUnreadable, with the reason, at the first
        damage that cannot be repaired (items already handed on are then to be dropped)."""
        first = True
        try:
            for data, repairs, consumed in repaired_chunks(self.stream, MAX_ELEMENT_BYTES):
                if first:
                    refuse_by_first_bytes(data[:64])
                    first = False
                self._repairs.extend(repairs)
                self.bytes_read = consumed
                self._parser.Parse(data, False)
                yield from self._handed_on()
            self._finishing = True
            self._parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise FileUnreadable(self._explain(error)) from None
        except TooLarge as error:
            raise FileUnreadable(str(error)) from None
        yield from self._handed_on()

    def _handed_on(self) -> list:
        items, self._pending = self._pending, []
        return items

    _finishing = False

    def _explain(self, error: expat.ExpatError) -> str:
        if self._finishing or error.code in (
            expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
            expat.errors.codes[expat.errors.XML_ERROR_PARTIAL_CHAR],
        ):
            return _(
                "The file stops in the middle (line %(line)s): it was probably cut off while "
                "being copied. Nothing was imported. Copy it from the phone again, or make a "
                "new backup."
            ) % {"line": error.lineno}
        return _("The file is damaged at line %(line)s (%(problem)s), so nothing was imported.") % {
            "line": error.lineno,
            "problem": expat.errors.messages[error.code],
        }

    def _refuse_declarations(self, *args) -> None:
        raise FileUnreadable(
            _(
                "The file declares entities of its own (a DTD), which a phone's export never "
                "does. It was not read."
            )
        )

    # --- expat's events ---------------------------------------------------------------------

    def _start(self, name: str, attrs: dict) -> None:
        if self.format is None:
            if name not in FORMATS:
                raise FileUnreadable(
                    _(
                        "This XML file is not an SMS Backup & Restore export (it starts with "
                        "<%(name)s>, where an export starts with <smses> or <calls>)."
                    )
                    % {"name": name[:40]}
                )
            self.format = FORMATS[name]
            return
        current = self._current
        if current is None:
            if name in ITEMS:
                self._element += 1
                self._current = {
                    "name": name,
                    "attrs": attrs,
                    "line": self._parser.CurrentLineNumber,
                    "start": self._parser.CurrentByteIndex,
                    "parts": [],
                    "addrs": [],
                }
            return
        if name == "part":
            if not self.pictures:
                attrs.pop("data", None)
            current["parts"].append(attrs)
        elif name == "addr":
            current["addrs"].append((attrs.get("address", ""), attrs.get("type", "")))

    def _end(self, name: str) -> None:
        current = self._current
        if current is None or name != current["name"]:
            return
        self._current = None
        recovered = self._repaired_within(current["start"], self._parser.CurrentByteIndex)
        build = {"sms": _sms, "mms": self._mms, "call": _call}[name]
        self._pending.append(build(current, self._element, recovered))

    def _repaired_within(self, start: int, end: int) -> bool:
        repairs = self._repairs
        while repairs and repairs[0] < start:
            repairs.popleft()
        found = False
        while repairs and repairs[0] <= end:
            repairs.popleft()
            found = True
        return found

    def _mms(self, current: dict, element: int, recovered: bool):
        item = _mms(current, element, recovered)
        if self.pictures and isinstance(item, MessageItem):
            item.pictures = _pictures(current["parts"])
        return item


# --- building items from attributes ---------------------------------------------------------


def _common(
    current: dict, element: int, recovered: bool, box_field: str, known: dict, drafts: bool = True
):
    """The box (or type) and time of an item, or the SkippedItem it becomes. Box 3 holds a
    message's drafts (for calls, type 3 is a missed call)."""
    attrs = current["attrs"]
    box = _number(attrs.get(box_field))
    date_ms = _number(attrs.get("date"))
    reason = None
    if drafts and box == 3:
        reason = "draft"
    elif box not in known:
        reason = "unknown_type"
    elif date_ms is None or date_ms <= 0:
        reason = "no_time"
    if reason:
        return SkippedItem(element, current["line"], reason, recovered)
    return box, date_ms


def _sms(current: dict, element: int, recovered: bool):
    found = _common(current, element, recovered, "type", SMS_DIRECTIONS)
    if isinstance(found, SkippedItem):
        return found
    box, date_ms = found
    attrs = current["attrs"]
    address = attrs.get("address", "")
    return MessageItem(
        element=element,
        line=current["line"],
        recovered=recovered,
        channel="sms",
        box=box,
        direction=SMS_DIRECTIONS[box],
        date_ms=date_ms,
        address=address,
        parties=[address],
        recipients=[],
        contact_name=_contact(attrs),
        subject=_text(attrs.get("subject")),
        body=attrs.get("body", ""),
    )


def _contact(attrs: dict) -> str:
    name = _text(attrs.get("contact_name"))
    return "" if name == "(Unknown)" else name[:200]


def _mms(current: dict, element: int, recovered: bool):
    found = _common(current, element, recovered, "msg_box", MMS_DIRECTIONS)
    if isinstance(found, SkippedItem):
        return found
    box, date_ms = found
    attrs = current["attrs"]
    addrs = [(address, kind) for address, kind in current["addrs"] if _text(address)]
    sender = next((a for a, kind in addrs if kind == MMS_FROM), "")
    to = [a for a, kind in addrs if kind in (MMS_TO, MMS_CC, MMS_BCC) and a != sender]
    if not to and not sender:
        to = [a for a in _text(attrs.get("address")).split("~") if a]
    direction = MMS_DIRECTIONS[box]
    if direction == "in":
        sender = sender or _text(attrs.get("address"))
        parties, recipients = [sender], (to if len(to) > 1 else [])
    else:
        parties, recipients = to, to[1:]
    parts = sorted(current["parts"], key=lambda p: _number(p.get("seq")) or 0)
    texts = [_text(p.get("text")) for p in parts if p.get("ct") == "text/plain"]
    return MessageItem(
        element=element,
        line=current["line"],
        recovered=recovered,
        channel="mms",
        box=box,
        direction=direction,
        date_ms=date_ms,
        address=parties[0] if parties else "",
        parties=parties,
        recipients=recipients,
        contact_name=_contact(attrs),
        subject=_text(attrs.get("sub")),
        body="\n".join(t for t in texts if t),
        message_id=_text(attrs.get("m_id")),
        attachments=[
            {"seq": _number(p.get("seq")) or 0, "content_type": p.get("ct", ""), "name": _name(p)}
            for p in parts
            if p.get("ct") not in ("text/plain", "application/smil")
        ],
    )


def _name(part: dict) -> str:
    for key in ("name", "fn", "cl"):
        if value := _text(part.get(key)):
            return value[:200]
    return ""


def _pictures(parts: list[dict]) -> list[Picture]:
    """The pictures of an MMS, decoded from base64 (a part that does not decode is left out;
    the message's attachment list still names it)."""
    pictures = []
    for part in parts:
        if not part.get("ct", "").startswith("image/") or not part.get("data"):
            continue
        try:
            data = base64.b64decode(part["data"])
        except (binascii.Error, ValueError):
            continue
        pictures.append(Picture(_number(part.get("seq")) or 0, part["ct"], _name(part), data))
    return pictures


def _call(current: dict, element: int, recovered: bool):
    found = _common(current, element, recovered, "type", CALL_TYPES, drafts=False)
    if isinstance(found, SkippedItem):
        return found
    call_type, date_ms = found
    attrs = current["attrs"]
    number = _text(attrs.get("number"))
    duration = max(_number(attrs.get("duration")) or 0, 0)
    direction, outcome = CALL_TYPES[call_type]
    if outcome is None:
        outcome = "answered" if duration > 0 else "unanswered"
    withheld = (
        attrs.get("presentation") == "2"
        or not any(c.isdigit() for c in number)
        or number.startswith("-")
    )
    return CallItem(
        element=element,
        line=current["line"],
        recovered=recovered,
        call_type=call_type,
        direction=direction,
        outcome=outcome,
        date_ms=date_ms,
        duration=duration,
        address=number,
        withheld=withheld,
        contact_name=_contact(attrs),
    )
