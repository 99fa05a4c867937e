"""A small reader of a made-up chat format for the import flow's tests: like a chat export, it
names senders only, gives times without a zone, and writes dates whose order (03/04) only the
whole file can decide. It is a real Reader, put first in READERS by the tests that use it,
so the flow's questions are tested without depending on any one real format.

    TESTCHAT
    03/04/2025, 14:22 - Sam: Where are you?
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from incidents import sources
from incidents.sources.base import Reader
from incidents.sources.items import NAME, FileUnreadable, MessageItem, SkippedItem

LINE = re.compile(r"^(\d\d)/(\d\d)/(\d{4}), (\d\d):(\d\d) - ([^:]+): (.*)$")
CUT_SHORT = "The chat ends in the middle of a message: it may have been cut short."


class ChatLines(Reader):
    label = "a test chat"
    version = "test-chat 1"
    formats = ("whatsapp",)
    address_kind = NAME
    content_type = "text/plain"
    questions = ("time_zone", "date_order", "me")

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        return head.startswith(b"TESTCHAT\n")

    def _lines(self) -> list[tuple[int, re.Match | None]]:
        text = self.stream.read().decode("utf-8")
        return [(n, LINE.match(line)) for n, line in enumerate(text.splitlines()[1:], start=2)]

    def _order(self, lines) -> str:
        """dmy or mdy as the file decides it, else the user's answer, else ''."""
        for _n, found in lines:
            if found and int(found.group(1)) > 12:
                return "dmy"
            if found and int(found.group(2)) > 12:
                return "mdy"
        return self.options.get("date_order", "")

    def items(self):
        lines = self._lines()
        self.decided = self._order(lines)
        zone = ZoneInfo(self.options["time_zone"])
        for element, (line, found) in enumerate(lines, start=1):
            if found is None:
                if line == len(lines) + 1:
                    self.warnings.append(CUT_SHORT)
                yield SkippedItem(element, line, "no_time")
                continue
            first, second, year, hour, minute, sender, body = found.groups()
            day, month = (first, second) if self.decided != "mdy" else (second, first)
            at = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=zone)
            self.format = "whatsapp"
            yield MessageItem(
                element=element,
                line=line,
                recovered=False,
                channel="whatsapp",
                box=0,
                direction="",
                date_ms=round(at.timestamp() * 1000),
                address=sender,
                parties=[sender],
                recipients=[],
                contact_name=sender,
                subject="",
                body=body,
                address_kind=NAME,
            )
        if not lines:
            raise FileUnreadable("This chat is empty.")

    def open_questions(self) -> list[str]:
        # Like a real chat reader: what the options answer is not open (the zone included).
        open_ = [q for q in self.questions if not self.options.get(q)]
        return [q for q in open_ if q != "date_order" or not self.decided]

    def description(self) -> str:
        return "a test chat"


def read_chats_first(monkeypatch) -> None:
    """Put ChatLines before the real readers (READERS is looked up at each use)."""
    monkeypatch.setattr(sources, "READERS", [ChatLines, *sources.READERS])
