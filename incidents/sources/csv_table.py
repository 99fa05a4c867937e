"""The reader of message and call-log tables saved as CSV by other tools. A CSV file does not
say which column is what, so the first scan stops with items.NeedsAnswers and a preview of the
first rows; the user says which column holds the time (and in what form), the direction, the
other party, the text, or the call's outcome and duration (incidents/csv_mapping.py). The file
is only ever read as text: a cell that looks like a spreadsheet formula is kept as written and
never worked out. Rows the columns given do not fit are skipped, each counted with its reason.
"""

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Reader
from .items import (
    LATEST_MS,
    NAME,
    NUMBER,
    CallItem,
    FileUnreadable,
    MessageItem,
    NeedsAnswers,
    SkippedItem,
)

PARSER_VERSION = "stalkerlog-csv 1.0"
PREVIEW_ROWS = 5
MAX_CELL = 64 * 1024  # one cell; a longer one is not a message table's
TIME_FORMATS = ("iso", "dmy", "mdy", "unix_s", "unix_ms")
IN, OUT = "in", "out"
# The words a cell of the direction (or call type) and outcome columns says, in English and in
# Spanish (case and accents ignored: "Pérdida" is "perdida"), and what each means: the
# direction, and the call's outcome (None where the word does not say). A call missed,
# rejected or blocked came in.
_WORDS = (
    # (direction, outcome): the English words; the Spanish words
    (
        (IN, None),
        (
            "in",
            "incoming",
            "incoming call",
            "inbound",
            "received",
            "receive",
            "inbox",
            "1",
            "r",
            "recv",
        ),
        ("entrante", "entrada", "recibido", "recibida", "llamada entrante", "bandeja de entrada"),
    ),
    (
        (OUT, None),
        ("out", "outgoing", "outgoing call", "outbound", "sent", "send", "outbox", "2", "s"),
        ("saliente", "salida", "enviado", "enviada", "llamada saliente", "bandeja de salida"),
    ),
    (
        (None, "answered"),
        ("answered", "connected", "ok"),
        ("contestada", "contestado", "atendida", "atendido", "respondida", "conectada"),
    ),
    (
        (IN, "missed"),
        ("missed", "missed call", "no answer", "unanswered"),
        ("perdida", "perdido", "llamada perdida", "no contestada", "sin respuesta"),
    ),
    ((IN, "rejected"), ("rejected", "declined"), ("rechazada", "rechazado", "llamada rechazada")),
    ((IN, "blocked"), ("blocked",), ("bloqueada", "bloqueado", "llamada bloqueada")),
    ((IN, "voicemail"), ("voicemail",), ("buzon de voz", "mensaje de voz")),
)
CELL_WORDS = {word: meaning for meaning, english, spanish in _WORDS for word in english + spanish}
# A party cell that names no number (compared as plain_word gives it), in English; in Spanish.
WITHHELD_WORDS = {"", "private", "unknown", "withheld", "anonymous", "restricted", "hidden"}
WITHHELD_WORDS |= {"privado", "desconocido", "oculto", "anonimo", "restringido", "numero oculto"}
DATE_TIME = re.compile(
    r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})[ ,T]+"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$",
    re.IGNORECASE,
)


def shape_of(header: list[str]) -> str:
    """A fingerprint of a table's header row: files of the same shape share it."""
    cells = [" ".join(cell.split()).casefold() for cell in header]
    return hashlib.sha256("\x1f".join(cells).encode()).hexdigest()


def _text_head(head: bytes) -> str | None:
    """The first bytes as text, or None if they are not UTF-8 text."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


class CsvReader(Reader):
    """Reads a CSV table with a header row, row by row, with the columns the user named in
    `options["columns"]`; without them, `items()` raises NeedsAnswers with a preview."""

    label = gettext_lazy("CSV table of messages or calls")
    version = PARSER_VERSION
    formats = ("csv_messages", "csv_calls")
    address_kind = NUMBER
    content_type = "text/csv"
    questions = ("columns", "me")

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        text = _text_head(head)
        if not text:
            return False
        sample = text[: 16 * 1024].rsplit("\n", 1)[0] if "\n" in text[:-1] else text
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            if not csv.Sniffer().has_header(sample):
                return False
        except csv.Error:
            return False
        rows = csv.reader(io.StringIO(sample), dialect)
        header, first = next(rows, []), next(rows, [])
        named = [cell for cell in header if cell.strip()]
        # A header row of two or more short names, and a row under it of the same width.
        return len(named) >= 2 and len(first) == len(header) and max(map(len, named)) <= 80

    def description(self) -> str:
        if self.format == "csv_calls":
            return _("a call log saved as a CSV table")
        return _("messages saved as a CSV table")

    def open_questions(self) -> list[str]:
        columns = self.options.get("columns") or {}
        return ["me"] if columns.get("direction") is None and self.format else []

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) for every row, the header first."""
        text = io.TextIOWrapper(self.stream, encoding="utf-8-sig", newline="")
        head = text.read(16 * 1024)
        try:
            dialect = csv.Sniffer().sniff(head.rsplit("\n", 1)[0] or head, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        text.seek(0)
        rows = csv.reader(text, dialect)
        line = 1
        try:
            for cells in rows:
                yield line, cells
                line = rows.line_num + 1
                self.bytes_read = self.stream.tell()
        except UnicodeDecodeError:
            raise FileUnreadable(
                _("This CSV file is not saved as UTF-8 text. Save it again as “CSV UTF-8”.")
            ) from None
        except csv.Error:
            raise FileUnreadable(
                _("Line %(line)s of this CSV file cannot be read as a table row.") % {"line": line}
            ) from None
        finally:
            if not self.stream.closed:
                text.detach()  # the stream stays open for whoever opened it

    def items(self) -> Iterator[MessageItem | CallItem | SkippedItem]:
        rows = self._rows()
        _line, header = next(rows, (1, []))
        columns = self.options.get("columns")
        if not columns:
            preview = [cells for _n, (_line, cells) in zip(range(PREVIEW_ROWS), rows, strict=False)]
            raise NeedsAnswers(
                ["columns"],
                {"header": header, "rows": preview, "shape": shape_of(header)},
            )
        self.format = "csv_calls" if columns.get("kind") == "calls" else "csv_messages"
        zone = ZoneInfo(self.options.get("time_zone") or "UTC")
        for element, (line, cells) in enumerate(rows, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            yield self._item(element, line, cells, columns, zone)

    def _item(self, element: int, line: int, cells: list[str], columns: dict, zone):
        def cell(name: str) -> str:
            index = columns.get(name)
            if index is None or index >= len(cells):
                return ""
            return cells[index][:MAX_CELL]

        if any(columns.get(n) is not None and columns[n] >= len(cells) for n in ("time", "party")):
            return SkippedItem(element, line, "bad_row")
        date_ms = parse_time(cell("time"), columns.get("time_format", "iso"), zone)
        if date_ms is None:
            return SkippedItem(element, line, "no_time")
        direction = _direction(cell("direction")) if columns.get("direction") is not None else ""
        if direction is None:
            return SkippedItem(element, line, "bad_row")
        party_kind = NAME if columns.get("party_kind") == NAME else NUMBER
        if columns.get("kind") == "calls":
            return _call(element, line, cell, direction, date_ms, party_kind)
        party = cell("party").strip()
        if not party:
            return SkippedItem(element, line, "bad_row")
        return MessageItem(
            element=element,
            line=line,
            recovered=False,
            channel="other",
            box={"in": 1, "out": 2}.get(direction, 0),
            direction=direction,
            date_ms=date_ms,
            address=party,
            parties=[party],
            recipients=[],
            contact_name=cell("name").strip(),
            subject="",
            body=cell("text"),
            address_kind=party_kind,
        )


def plain_word(value: str) -> str:
    """A cell's word as CELL_WORDS and WITHHELD_WORDS list it: no case, accents or extra
    spaces."""
    letters = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in letters if not unicodedata.combining(c)).split())


def _direction(value: str) -> str | None:
    direction, _outcome = CELL_WORDS.get(plain_word(value), (None, None))
    return direction


def _call(element, line, cell, direction, date_ms, party_kind) -> CallItem | SkippedItem:
    duration = parse_duration(cell("duration"))
    if duration is None:
        return SkippedItem(element, line, "bad_row")
    outcome = _outcome(cell("outcome")) or _outcome(cell("direction"))
    if outcome is None or (outcome == "answered" and not duration):
        outcome = "answered" if duration else "missed"
    if direction == "out" and outcome != "answered":
        outcome = "unanswered"
    party = cell("party").strip()
    return CallItem(
        element=element,
        line=line,
        recovered=False,
        call_type=0,
        direction=direction or "in",
        outcome=outcome,
        date_ms=date_ms,
        duration=duration,
        address=party,
        withheld=plain_word(party) in WITHHELD_WORDS,
        contact_name=cell("name").strip(),
        address_kind=party_kind,
    )


def _outcome(value: str) -> str | None:
    return CELL_WORDS.get(plain_word(value), (None, None))[1]


def parse_duration(value: str) -> int | None:
    """Seconds from '95', '1:35' or '0:01:35'; 0 for an empty cell; None if unreadable."""
    value = value.strip()
    if not value:
        return 0
    try:
        parts = [int(part) for part in value.split(":")]
    except ValueError:
        return None
    if len(parts) > 3 or any(part < 0 for part in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def parse_time(value: str, form: str, zone) -> int | None:
    """UTC milliseconds from a cell in the given form (TIME_FORMATS); a time without a zone is
    read in `zone`. None when the cell does not hold a time in that form."""
    value = value.strip()
    try:
        if form in ("unix_s", "unix_ms"):
            number = float(value)
            ms = round(number * 1000 if form == "unix_s" else number)
        else:
            at = (
                datetime.fromisoformat(value.replace("Z", "+00:00"))
                if form == "iso"
                else _day_first_or_month_first(value, form)
            )
            if at is None:
                return None
            if at.tzinfo is None:
                at = at.replace(tzinfo=zone)
            ms = round(at.astimezone(UTC).timestamp() * 1000)
    except (ValueError, OverflowError):
        return None
    return ms if 0 < ms < LATEST_MS else None


def _day_first_or_month_first(value: str, form: str) -> datetime | None:
    found = DATE_TIME.match(value)
    if not found:
        return None
    first, second, year, hour, minute, second_s, half = found.groups()
    day, month = (first, second) if form == "dmy" else (second, first)
    year_n = int(year) + (2000 if len(year) == 2 else 0)
    hour_n = int(hour)
    if half:
        if hour_n > 12:
            return None
        hour_n = hour_n % 12 + (12 if half.lower().startswith("p") else 0)
    return datetime(year_n, int(month), int(day), hour_n, int(minute), int(second_s or 0))
