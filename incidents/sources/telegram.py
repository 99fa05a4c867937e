"""The reader of Telegram Desktop's JSON export ("Export chat history", format JSON): the
`result.json` of one chat (`{"name", "type", "id", "messages": [...]}`) or of the whole account
(`{"personal_information", ..., "chats": {"list": [chat, ...]}, "left_chats": {...}}`), alone or
in a ZIP of the export's folder with its photos and files.

What it reads, per message: `date_unixtime` (seconds in UTC; the `date` beside it is the
exporting computer's local time without a zone, and is not used), `from_id` ("user123456789",
the account's stable id: the address), `from` (the name shown), `text` (a string, or a list of
strings and entity objects whose "text" parts are joined exactly as written), the attached
`photo` or `file` (a path in the export's folder, found in the ZIP), and marks kept as received
in `details` ("edited", "forwarded_from", "reply_to_message_id", ...). Service messages (someone
joined, a call began) are skipped with a reason. The file names only each message's sender, so
the import flow decides the direction once the user has chosen (items.py, message_import.py).

It streams (jsonstream.py): memory holds one message at a time, whatever the file's size.
"""

import posixpath
import re
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import chatzip
from .archives import is_zip, open_zip
from .base import Reader
from .items import ACCOUNT, FileUnreadable, MessageItem, SkippedItem
from .jsonstream import JsonWalker

# Cited by every imported item: change it whenever what is read from a file changes.
PARSER_VERSION = "stalkerlog-telegram-json 1.0"
FORMAT = "telegram"
CHAT_FIELDS = {"name", "type", "id"}
CHAT_LISTS = {"chats", "left_chats"}
CHAT_TYPE = re.compile(
    rb'"type":\s*"(personal_chat|bot_chat|saved_messages|private_group|private_supergroup|'
    rb'public_supergroup|private_channel|public_channel)"'
)
# How Telegram writes the id of a chat's other side in `from_id`: an account, or a group.
PEER_PREFIXES = {
    "personal_chat": "user",
    "bot_chat": "user",
    "saved_messages": "user",
    "private_group": "chat",
}
# What a message says besides its text, kept as received.
KEPT_FIELDS = (
    "edited",
    "edited_unixtime",
    "forwarded_from",
    "saved_from",
    "reply_to_message_id",
    "via_bot",
    "media_type",
    "sticker_emoji",
    "duration_seconds",
    "location_information",
    "contact_information",
    "poll",
)
# An attached file the export left out is named by a sentence in brackets, not a path.
NOT_INCLUDED = "("


def looks_like_telegram(head: bytes) -> bool:
    """Whether the first bytes of a JSON file are those of a Telegram Desktop export."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False
    return (
        b'"date_unixtime"' in head
        or CHAT_TYPE.search(head) is not None
        or (b'"personal_information"' in head and b'"user_id"' in head)
    )


def _result_names(names: list[str]) -> list[str]:
    """The result.json files of an archive, the one nearest its root first."""
    found = [n for n in names if posixpath.basename(n) == "result.json" and n.count("/") <= 2]
    return sorted(found, key=lambda n: (n.count("/"), n))


def _html_export(names: list[str]) -> bool:
    return any(
        posixpath.basename(n) in ("messages.html", "export_results.html") for n in names[:500]
    )


def _wanted(path: tuple) -> bool:
    """A chat's name, type and id, and each of its messages, in one chat or in the lists."""
    if path and path[0] in CHAT_LISTS:
        path = path[3:] if len(path) > 3 and path[1] == "list" else ()
    if len(path) == 1:
        return path[0] in CHAT_FIELDS
    return len(path) == 2 and path[0] == "messages"


def _text(value) -> str:
    """A message's text: a string, or strings and entities ({"type", "text"}) joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in value
            if isinstance(part, str | dict)
        )
    return ""


def _recipients(chat: dict, sender: str) -> list[str]:
    """Where a message went, as Telegram writes ids: in a personal chat (whose id is the other
    account's) that account, in a group the group, in Saved Messages the user; the flow then
    never takes the user's message in one chat for a message to the person in another."""
    if not isinstance(chat.get("id"), int):
        return []
    peer = f"{PEER_PREFIXES.get(chat.get('type'), 'channel')}{chat['id']}"
    if peer == sender and chat.get("type") != "saved_messages":  # the user's own notes
        return []
    return [peer]


def _unix_ms(value) -> int | None:
    try:
        seconds = int(str(value))
    except ValueError:
        return None
    return seconds * 1000 if seconds > 0 else None


class TelegramReader(Reader):
    """Reads a Telegram Desktop JSON export, a result.json or a ZIP of its folder."""

    label = gettext_lazy("Telegram Desktop export (JSON)")
    version = PARSER_VERSION
    formats = (FORMAT,)
    address_kind = ACCOUNT
    content_type = "application/json"

    def __init__(self, stream, *, pictures: bool = False, options: dict | None = None):
        super().__init__(stream, pictures=pictures, options=options)
        self._element = 0
        self._chats: list[str] = []
        self._local_only = 0  # messages with a local time and no zone
        self._archive: zipfile.ZipFile | None = None
        self._member = ""

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        if not is_zip(head):
            return looks_like_telegram(head)
        names = chatzip.zip_names(stream)
        for name in _result_names(names):
            member = chatzip.member_head(stream, name)
            if member is None or looks_like_telegram(member):
                return True  # one that cannot be read is explained when it is read
        return bool(names) and _html_export(names) and not _result_names(names)

    def description(self) -> str:
        if len(self._chats) == 1:
            return _("a Telegram chat (%(name)s) exported from Telegram Desktop") % {
                "name": self._chats[0][:80]
            }
        return ngettext(
            "a Telegram Desktop export of %(count)s chat",
            "a Telegram Desktop export of %(count)s chats",
            len(self._chats),
        ) % {"count": len(self._chats)}

    def items(self) -> Iterator[MessageItem | SkippedItem]:
        head = self.stream.read(4)
        self.stream.seek(0)
        if is_zip(head):
            yield from self._zip_items()
        else:
            yield from self._json_items(self.stream)
        if self.format is None:
            raise FileUnreadable(
                _(
                    "This JSON file is not a Telegram chat export: it holds no messages. In "
                    "Telegram Desktop, open the chat, choose Export chat history and the "
                    "format JSON."
                )
            )
        if self._local_only:
            self.warnings.append(self._local_only_warning())

    def _zip_items(self) -> Iterator:
        self._archive = open_zip(self.stream)
        self.content_type = "application/zip"
        names = _result_names(self._archive.namelist())
        if not names:
            raise FileUnreadable(self._no_result_json(self._archive.namelist()))
        member = self._archive.getinfo(names[0])
        self._member = member.filename
        with chatzip.opened(self._archive, member) as stream:
            yield from self._json_items(stream, member.compress_size / max(member.file_size, 1))

    def _no_result_json(self, names: list[str]) -> str:
        if _html_export(names):
            return _(
                "This Telegram export was saved as web pages (HTML), which the app cannot read "
                "message by message. In Telegram Desktop, export the chat again and choose the "
                "format JSON."
            )
        return _("This ZIP archive holds no Telegram export (result.json).")

    def _json_items(self, stream, packed: float = 1.0) -> Iterator:
        walker = JsonWalker(stream, _wanted)
        chat, chat_path = {}, None
        for path, value, line in walker.values():
            self.bytes_read = int(walker.bytes_read * packed)
            if path[-2:-1] == ("messages",):
                if chat_path != path[:-2]:
                    chat, chat_path = {}, path[:-2]
                    self._chats.append("")
                self.format = FORMAT
                yield self._item(value, line, chat)
            else:
                if chat_path != path[:-1]:
                    chat, chat_path = {}, path[:-1]
                    self._chats.append("")
                chat[path[-1]] = value
                self._chats[-1] = str(chat.get("name") or chat.get("id", ""))

    def _item(self, message, line: int, chat: dict) -> MessageItem | SkippedItem:
        self._element += 1
        element = self._element
        if not isinstance(message, dict) or message.get("type") not in ("message", "service"):
            return SkippedItem(element, line, "unknown_type")
        if message["type"] == "service":
            return SkippedItem(element, line, "service")
        sender = message.get("from_id")
        if not isinstance(sender, str) or not sender.strip():
            return SkippedItem(element, line, "no_sender")
        date_ms = _unix_ms(message.get("date_unixtime"))
        if date_ms is None:
            self._local_only += "date" in message
            return SkippedItem(element, line, "no_time")
        attachments, pictures = self._attached(message)
        return MessageItem(
            element=element,
            line=line,
            recovered=False,
            channel="telegram",
            box=0,
            direction="",
            date_ms=date_ms,
            address=sender,
            parties=[sender],
            recipients=_recipients(chat, sender),
            contact_name=str(message.get("from") or "")[:200],
            subject="",
            body=_text(message.get("text")),
            message_id=f"{chat.get('id', '')}:{message.get('id', '')}",
            address_kind=ACCOUNT,
            details=self._details(message, chat, sender),
            attachments=attachments,
            pictures=pictures,
        )

    def _details(self, message: dict, chat: dict, sender: str) -> dict:
        details = {
            "chat": str(chat.get("name") or chat.get("id", "")),
            "chat_id": chat.get("id", ""),
            "chat_type": chat.get("type", ""),
            "from_id": sender,
        }
        details.update({key: message[key] for key in KEPT_FIELDS if key in message})
        for key in ("photo", "file"):
            if str(message.get(key, "")).startswith(NOT_INCLUDED):
                details[f"{key}_not_included"] = message[key]
        if self._member:
            details["member"] = self._member
        return details

    def _attached(self, message: dict) -> tuple[list[dict], list]:
        """The photo or file a message carries, and with `pictures` its bytes from the ZIP."""
        attachments, pictures = [], []
        for seq, key in enumerate(("photo", "file"), start=1):
            path = message.get(key)
            if not isinstance(path, str) or not path:
                continue
            included = not path.startswith(NOT_INCLUDED)
            name = posixpath.basename(path)[:200] if included else ""
            given = "image/jpeg" if key == "photo" else str(message.get("mime_type", ""))
            kind = chatzip.content_type(name, given)
            attachments.append({"seq": seq, "content_type": kind, "name": name})
            if self.pictures and self._archive is not None and included:
                member = chatzip.member_named(self._archive, self._member, path)
                if found := chatzip.picture(self._archive, member, seq, kind):
                    pictures.append(found)
        return attachments, pictures

    def _local_only_warning(self) -> str:
        return ngettext(
            "%(count)s message has only the exporting computer's local time, without a time "
            "zone, and was not imported. A recent Telegram Desktop writes the exact time: "
            "export the chat again with it.",
            "%(count)s messages have only the exporting computer's local time, without a time "
            "zone, and were not imported. A recent Telegram Desktop writes the exact time: "
            "export the chat again with it.",
            self._local_only,
        ) % {"count": self._local_only}
