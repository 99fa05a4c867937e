"""The plain items every reader yields (readers know nothing of the app's records), and the
reasons an item is not imported. incidents/message_import.py turns items into records.

Each item carries its place in the file (`element`, its number among the items, and `line`),
so anyone can read the same file again and find it. `parties` are the addresses that decide
whose item it is (for a received message its sender, for a sent one its recipients), written
as the file writes them; `address_kind` says what they are, so they are matched the right way
(incidents/sources/keys.py).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.translation import gettext_lazy

# What an item's addresses are: phone numbers, names as a chat app shows them (WhatsApp,
# Messenger), e-mail addresses, or an account's stable id in a service (Telegram's from_id).
NUMBER, NAME, EMAIL, ACCOUNT = "number", "name", "email", "account"

# Why an item was not imported, by the key a job counts it under.
SKIP_REASONS = {
    "other_number": gettext_lazy("with other people or numbers (counted, not stored)"),
    "draft": gettext_lazy("drafts, never sent"),
    "no_time": gettext_lazy("without a readable time"),
    "unknown_type": gettext_lazy("of a type the file format does not define"),
    "already_there": gettext_lazy("already imported from this or an earlier file"),
    "system_line": gettext_lazy("notes WhatsApp writes into a chat (not messages)"),
    "picture_refused": gettext_lazy("pictures of a type the app does not keep (named in the text)"),
    "service": gettext_lazy("notices of the chat app itself (someone joined, a call began)"),
    "too_large": gettext_lazy("too large to read (an e-mail over 64 MB)"),
    "damaged": gettext_lazy("damaged, so they could not be read"),
    "no_sender": gettext_lazy("without a readable sender"),
    "bad_row": gettext_lazy(
        "rows of a table that the columns given do not fit (a cell missing, or a direction, "
        "number or duration that cannot be read)"
    ),
}


class FileUnreadable(Exception):
    """A file this reader cannot read; the message is written for the person who chose it."""


class NeedsAnswers(Exception):
    """The file cannot be read until the user says how (which column of a CSV file is what):
    `questions` names what to ask (Reader.questions), `preview` shows the file to help."""

    def __init__(self, questions: list[str], preview: dict | None = None):
        super().__init__(", ".join(questions))
        self.questions = questions
        self.preview = preview or {}


@dataclass(frozen=True)
class Picture:
    seq: int
    content_type: str
    name: str
    data: bytes


@dataclass
class MessageItem:
    element: int
    line: int
    recovered: bool
    channel: str  # "sms" or "mms"
    box: int
    direction: str
    date_ms: int
    address: str  # the sender (received) or the first recipient (sent), as written
    parties: list[str]  # the numbers that decide whose message it is
    recipients: list[str]  # everyone else in a group message, as written
    contact_name: str
    subject: str
    body: str
    message_id: str = ""
    address_kind: str = NUMBER
    # What else the file says about the item, kept as received (an e-mail's headers, the
    # sender's id in a chat service, a chat app's own marks such as "edited").
    details: dict = field(default_factory=dict)
    attachments: list[dict] = field(default_factory=list)  # parts other than text
    pictures: list[Picture] = field(default_factory=list)  # read only when asked for

    @property
    def sent_at(self) -> datetime:
        return from_ms(self.date_ms)


@dataclass
class CallItem:
    element: int
    line: int
    recovered: bool
    call_type: int
    direction: str
    outcome: str
    date_ms: int
    duration: int
    address: str
    withheld: bool
    contact_name: str
    address_kind: str = NUMBER

    @property
    def parties(self) -> list[str]:
        return [self.address]

    @property
    def started_at(self) -> datetime:
        return from_ms(self.date_ms)


@dataclass
class SkippedItem:
    element: int
    line: int
    reason: str  # a key of SKIP_REASONS
    recovered: bool = False


# Times outside these (UTC milliseconds, after 1 January 1970 and before 1 January 2200) are not
# a message's: a damaged file, or a CSV column read in the wrong unit. Such an item is skipped as
# "no_time" (message_import.py), never turned into a date Python cannot hold.
LATEST_MS = 7_258_118_400_000


def has_readable_time(item) -> bool:
    return 0 < item.date_ms < LATEST_MS


def readable(item):
    """The item, or the SkippedItem it is when its time is outside any message's."""
    if isinstance(item, SkippedItem) or has_readable_time(item):
        return item
    return SkippedItem(item.element, item.line, "no_time", item.recovered)


def from_ms(value: int) -> datetime:
    """A time in the file: milliseconds since 1970 in UTC."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)
