"""The reader of Facebook Messenger and Instagram messages from Meta's "Download your
information" (format JSON): one conversation's `message_1.json` (`message_2.json`... go further
back), alone or in the ZIP of the export, where each conversation is a folder under
`messages/inbox/`, `message_requests/`, `filtered_threads/`, `archived_threads/` or
`e2ee_cutover/` (all are read: a first contact often waits among the message requests).

What it reads, per message: `sender_name` (a name only: Meta gives no account id, so the
address is the name), `timestamp_ms` (UTC), `content`, the attached `photos`, `videos`,
`audio_files`, `files`, `gifs` and `sticker` (paths from the export's root, found in the ZIP),
and, kept as received in `details`: `type`, `is_unsent` (the sender removed the message: it is
kept, since the file shows it was sent), `share`, `reactions`, `call_duration`, `missed`. Group
notices (`Subscribe`, `Unsubscribe`: someone joined or left) are skipped with a reason.
Messages are newest first in the file; they are handed on in the file's order (the app sorts
by time). The file names each message's sender, and the conversation's participants: the
others are the message's recipients, so the flow tells the user's messages to the person
from those to anyone else.

Repair (documented, counted as `recovered`): Meta writes every UTF-8 byte of a non-ASCII
character as its own "\\u00XX" escape, so "é" reads "Ã©" and emoji turn into four symbols.
Each text (names, content, reactions) that holds only code points up to 255 and whose
`s.encode("latin-1")` is valid UTF-8 is replaced by that decoding; any other text is left as it
is (an export Meta wrote correctly has nothing to repair: "é" alone is not valid UTF-8 bytes).

Which app: inside a ZIP, by the folder (`your_instagram_activity/` is Instagram;
`your_facebook_activity/` and `your_activity_across_facebook/` are Messenger; an older export's
bare `messages/` is Instagram when another folder of the archive is named for Instagram). A
lone file is Instagram when its first 64 KB name an Instagram export folder, otherwise
Messenger. It streams (jsonstream.py): memory holds one message at a time.
"""

import posixpath
import re
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import chatzip
from .archives import is_zip, open_zip
from .base import HEAD_BYTES, Reader
from .items import NAME, FileUnreadable, MessageItem, SkippedItem
from .jsonstream import JsonWalker

# Cited by every imported item: change it whenever what is read from a file changes.
PARSER_VERSION = "stalkerlog-meta-json 1.0"
MESSENGER, INSTAGRAM = "messenger", "instagram"
FOLDERS = ("inbox", "e2ee_cutover", "archived_threads", "filtered_threads", "message_requests")
MESSAGE_FILE = re.compile(
    r"(?:^|/)messages/(" + "|".join(FOLDERS) + r")/([^/]+)/message_(\d+)\.(json|html)$"
)
INSTAGRAM_FOLDER = re.compile(rb"your_instagram_activity/|(?:^|/)instagram[^/]*/")
MEDIA_FIELDS = ("photos", "videos", "audio_files", "files", "gifs")
NOTICES = {"Subscribe", "Unsubscribe"}
KEPT_FIELDS = ("type", "is_unsent", "share", "call_duration", "missed")
THREAD_FIELDS = {"participants", "thread_path"}


def repaired(text: str) -> tuple[str, bool]:
    """Meta's text with its UTF-8 bytes read back (see the module's docstring), and whether
    it changed."""
    if text.isascii():
        return text, False
    try:
        fixed = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text, False
    return fixed, fixed != text


def looks_like_meta(head: bytes) -> bool:
    """Whether the first bytes of a JSON file are those of a Meta conversation file."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False
    return b'"participants"' in head and (
        b'"sender_name"' in head or b'"timestamp_ms"' in head or b'"thread_path"' in head
    )


def _conversations(names: list[str], suffix: str = "json") -> list[tuple[str, str]]:
    """(folder, member name) of the conversation files, each conversation's in order."""
    found = []
    for name in names:
        match = MESSAGE_FILE.search(name)
        if match and match.group(4) == suffix:
            order = (FOLDERS.index(match.group(1)), name[: match.start(2)], match.group(2))
            found.append(((*order, int(match.group(3))), match.group(1), name))
    return [(folder, name) for _order, folder, name in sorted(found)]


def _wanted(path: tuple) -> bool:
    if len(path) == 1:
        return path[0] in THREAD_FIELDS
    return len(path) == 2 and path[0] == "messages"


def _text(value) -> tuple[str, bool]:
    return repaired(value) if isinstance(value, str) else ("", False)


def _repaired_names(participants) -> list[str]:
    if not isinstance(participants, list):
        return []
    names = [_text(p.get("name"))[0] for p in participants if isinstance(p, dict)]
    return [name for name in names if name]


class MetaReader(Reader):
    """Reads a Messenger or Instagram conversation file, or the ZIP of a whole export."""

    label = gettext_lazy("Facebook Messenger or Instagram export (JSON)")
    version = PARSER_VERSION
    formats = (MESSENGER, INSTAGRAM)
    address_kind = NAME
    content_type = "application/json"

    def __init__(self, stream, *, pictures: bool = False, options: dict | None = None):
        super().__init__(stream, pictures=pictures, options=options)
        self._element = 0
        self._threads = 0
        self._requests = 0  # conversations among the message requests
        self._archive: zipfile.ZipFile | None = None
        self._member = ""
        self._folder = ""

    @classmethod
    def sniff(cls, head: bytes, stream) -> bool:
        if not is_zip(head):
            return looks_like_meta(head)
        names = chatzip.zip_names(stream)
        return bool(_conversations(names) or _conversations(names, "html"))

    def description(self) -> str:
        app = _("Instagram") if self.format == INSTAGRAM else _("Facebook Messenger")
        return ngettext(
            "%(app)s messages from Meta's Download your information: %(count)s conversation",
            "%(app)s messages from Meta's Download your information: %(count)s conversations",
            self._threads,
        ) % {"app": app, "count": self._threads}

    def items(self) -> Iterator[MessageItem | SkippedItem]:
        head = self.stream.read(HEAD_BYTES)
        self.stream.seek(0)
        if is_zip(head):
            yield from self._zip_items()
        else:
            self._app = INSTAGRAM if INSTAGRAM_FOLDER.search(head) else MESSENGER
            yield from self._file_items(self.stream)
        if self._element == 0:
            raise FileUnreadable(
                _("This export holds no messages, so there is nothing to import from it.")
            )
        self._add_warnings()

    def _zip_items(self) -> Iterator:
        self._archive = open_zip(self.stream)
        self.content_type = "application/zip"
        names = self._archive.namelist()
        found = _conversations(names)
        if not found:
            raise FileUnreadable(self._no_json(names))
        self._app = _app_of(names)
        done = 0
        for folder, name in found:
            member = self._archive.getinfo(name)
            self._member, self._folder = name, folder
            with chatzip.opened(self._archive, member) as stream:
                packed = member.compress_size / max(member.file_size, 1)
                yield from self._file_items(stream, packed, done)
            done += member.compress_size

    def _no_json(self, names: list[str]) -> str:
        if _conversations(names, "html"):
            return _(
                "This export was saved as web pages (HTML), which the app cannot read message "
                "by message. Ask Meta for the export again and choose the format JSON."
            )
        return _("This ZIP archive holds no Messenger or Instagram conversation (message_1.json).")

    def _file_items(self, stream, packed: float = 1.0, done: int = 0) -> Iterator:
        walker = JsonWalker(stream, _wanted)
        thread: dict = {"participants": []}
        for path, value, line in walker.values():
            self.bytes_read = done + int(walker.bytes_read * packed)
            if path[0] == "participants":
                thread["participants"] = _repaired_names(value)
            elif path[0] == "thread_path":
                thread["path"] = value if isinstance(value, str) else ""
            else:
                self.format = self._app
                yield self._item(value, line, thread)
        self._threads += 1
        folder = self._folder or str(thread.get("path", "")).split("/")[0]
        self._requests += folder == "message_requests"

    def _item(self, message, line: int, thread: dict) -> MessageItem | SkippedItem:
        self._element += 1
        element = self._element
        if not isinstance(message, dict):
            return SkippedItem(element, line, "unknown_type")
        sender, fixed_sender = _text(message.get("sender_name"))
        body, fixed_body = _text(message.get("content"))
        recovered = fixed_sender or fixed_body
        if message.get("type") in NOTICES:
            return SkippedItem(element, line, "service", recovered)
        if not sender.strip():
            return SkippedItem(element, line, "no_sender", recovered)
        date_ms = message.get("timestamp_ms")
        if not isinstance(date_ms, int) or isinstance(date_ms, bool) or date_ms <= 0:
            return SkippedItem(element, line, "no_time", recovered)
        details, fixed_details = self._details(message)
        attachments, pictures = self._attached(message)
        others = [name for name in thread["participants"] if name != sender]
        return MessageItem(
            element=element,
            line=line,
            recovered=recovered or fixed_details,
            channel=self._app,
            box=0,
            direction="",
            date_ms=date_ms,
            address=sender,
            parties=[sender],
            recipients=others,
            contact_name=sender[:200],
            subject="",
            body=body,
            address_kind=NAME,
            details=details,
            attachments=attachments,
            pictures=pictures,
        )

    def _details(self, message: dict) -> tuple[dict, bool]:
        details = {key: message[key] for key in KEPT_FIELDS if key in message}
        fixed = False
        if isinstance(message.get("reactions"), list):
            details["reactions"] = []
            for reaction in message["reactions"]:
                if isinstance(reaction, dict):
                    emoji, fixed_emoji = _text(reaction.get("reaction"))
                    actor, fixed_actor = _text(reaction.get("actor"))
                    details["reactions"].append({"reaction": emoji, "actor": actor})
                    fixed = fixed or fixed_emoji or fixed_actor
        if self._member:
            details["member"] = self._member
            details["folder"] = self._folder
        return details, fixed

    def _attached(self, message: dict) -> tuple[list[dict], list]:
        """The files a message names, and with `pictures` their bytes from the ZIP."""
        named = [item for key in MEDIA_FIELDS for item in _list(message.get(key))]
        if isinstance(message.get("sticker"), dict):
            named.append(message["sticker"])
        attachments, pictures = [], []
        for seq, item in enumerate(named, start=1):
            uri = item.get("uri") if isinstance(item, dict) else None
            if not isinstance(uri, str) or not uri:
                continue
            name = posixpath.basename(uri)[:200]
            kind = chatzip.content_type(name)
            attachments.append({"seq": seq, "content_type": kind, "name": name})
            if self.pictures and self._archive is not None:
                member = chatzip.member_named(self._archive, self._member, uri)
                if found := chatzip.picture(self._archive, member, seq, kind):
                    pictures.append(found)
        return attachments, pictures

    def _add_warnings(self) -> None:
        if self.format == MESSENGER:
            self.warnings.append(
                _(
                    "End-to-end encrypted chats, Messenger's default since 2024, are not in "
                    "this export, so recent conversations may be missing from it. Messenger "
                    "keeps them apart: on a computer, download the chat backup from "
                    "Messenger's settings."
                )
            )
        if self._requests:
            self.warnings.append(
                ngettext(
                    "%(count)s conversation is among the message requests (messages from "
                    "people not in the contacts). A first contact often waits there; it was "
                    "read too.",
                    "%(count)s conversations are among the message requests (messages from "
                    "people not in the contacts). A first contact often waits there; they "
                    "were read too.",
                    self._requests,
                )
                % {"count": self._requests}
            )


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _app_of(names: list[str]) -> str:
    """Instagram or Messenger, from the archive's folders (see the module's docstring)."""
    return INSTAGRAM if any(INSTAGRAM_FOLDER.search(n.encode()) for n in names) else MESSENGER
