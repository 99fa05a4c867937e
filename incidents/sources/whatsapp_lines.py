"""The lines of a WhatsApp "Export chat" text file: which line starts an entry (its date, time,
sender and text), which entries are WhatsApp's own notes rather than messages, and the marks
WhatsApp writes into a message's text (media left out or attached, deleted, edited).

Every entry starts on a line with its date and time; a line without them continues the entry
before it. The forms read (each with the U+200E mark a phone may put first, and CRLF endings):

    Android:  15/01/2026, 10:23 - Sam: text         12/31/23, 10:00 PM - Sam: text
              23/06/2018, 01:55 p. m. - Sam: text   13.6.2018 klo 21.25 - Sam: text
    iPhone:   [15/01/2026, 10:24:12] Sam: text      [3/6/18 1:55:00 p. m.] Sam: text
              [12.3.2022 klo 14.08.18] Sam: text    [2018/06/13, 21:25:15] Sam: text

Dates are day-first or month-first with dots, slashes or dashes and 2- or 4-digit years, or
year-first; clocks are 24-hour or 12-hour (AM/PM, a.m./p.m., p. m., with a space, a no-break
space or U+202F before). The words WhatsApp writes (notes, "<Media omitted>") depend on the
phone's language: those below are known in a few languages; any other stays plain text.
"""

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime

LRM = "\u200e"
MARKS = "\ufeff\u200e\u200f"  # a byte-order mark and direction marks a line may start with
_SPACE = r"[ \u00a0\u202f]"
_DATE = (
    r"(?P<a>\d{1,4})(?P<sep>[./-])"
    + _SPACE
    + r"?(?P<b>\d{1,2})(?P=sep)"
    + _SPACE
    + r"?(?P<c>\d{2,4})\.?"
)
_TIME = (
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:" + _SPACE + r"?(?P<ampm>[aApP]\.?" + _SPACE + r"?[mM]\.?))?"
)
_BETWEEN = r"(?:," + _SPACE + r"*|" + _SPACE + r"+klo" + _SPACE + r"+|" + _SPACE + r"+)"
ANDROID = re.compile(r"(?P<stamp>" + _DATE + _BETWEEN + _TIME + r") [-\u2013] (?P<rest>.*)")
IPHONE = re.compile(r"\[(?P<stamp>" + _DATE + _BETWEEN + _TIME + r")\] (?P<rest>.*)")
SENDER = re.compile(r"(?P<name>[^:]{1,200}?): ?(?P<text>.*)", re.DOTALL)

# The start of WhatsApp's note at the top of a chat, in a few languages.
ENCRYPTION_NOTE = (
    "end-to-end encrypted",
    "end-to-end encryption",
    "cifrad",  # es, pt: "cifrados de extremo a extremo"
    "criptografad",  # pt-BR
    "ende-zu-ende",
    "chiffrés de bout en bout",
    "crittografia end-to-end",
    "versleuteld",
    "uçtan uca",
)
# WhatsApp's notes an iPhone writes after a sender's name with U+200E first (who was added,
# missed calls, a changed security code): notes, not messages.
IPHONE_NOTES = (
    *ENCRYPTION_NOTE,
    "missed voice call",
    "missed video call",
    "security code",
    "created group",
    "created this group",
    "added ",
    " left",
    " removed ",
    "changed the subject",
    "changed this group",
    "changed the group",
    "blocked this contact",
    "unblocked this contact",
    "disappearing messages",
    "invite link",
    "changed their phone number",
    "llamada perdida",
    "verpasster",
    "appel manqué",
    "chamada perdida",
)
SHORT_MARK = 60  # characters: longer than any mark WhatsApp writes but a file's name
OMITTED = {
    "<media omitted>",
    "<medien ausgeschlossen>",
    "<multimedia omitido>",
    "<archivo omitido>",
    "<médias omis>",
    "<mídia oculta>",
    "<media weggelaten>",
    "<media omessi>",
    "<medya dahil edilmedi>",
}
IPHONE_OMITTED = re.compile(
    r"(image|video|audio|sticker|gif|document|contact card|imagen|vídeo|bild|foto|"
    r"immagine|afbeelding) (omitted|omitid[oa]|weggelassen|absente?|omess[oa]|weggelaten|"
    r"ocultad[oa])",
    re.IGNORECASE,
)
_FILE_NAME = r"(?P<name>[^<>/\\\n]{1,200}?\.[A-Za-z0-9]{1,5})"
ATTACHED = re.compile(r"<[^<>:\n]{1,40}:" + _SPACE + "?" + _FILE_NAME + ">")
FILE_ATTACHED = re.compile(_FILE_NAME + r" \((?P<word>[^()\n]{1,40})\)")
FILE_ATTACHED_WORDS = {
    "file attached",
    "arquivo anexado",
    "archivo adjunto",
    "dosya ekte",
    "datei angehängt",
    "fichier joint",
    "file allegato",
    "bestand bijgevoegd",
}
DELETED = {
    "this message was deleted",
    "you deleted this message",
    "se eliminó este mensaje",
    "eliminaste este mensaje",
    "diese nachricht wurde gelöscht",
    "du hast diese nachricht gelöscht",
    "ce message a été supprimé",
    "vous avez supprimé ce message",
    "esta mensagem foi apagada",
    "você apagou esta mensagem",
    "questo messaggio è stato eliminato",
    "dit bericht is verwijderd",
    "bu mesaj silindi",
}
EDITED = (
    "<this message was edited>",
    "<se editó este mensaje.>",
    "<diese nachricht wurde bearbeitet>",
    "<ce message a été modifié>",
    "<mensagem editada>",
    "<questo messaggio è stato modificato>",
    "<dit bericht is bewerkt>",
    "<bu mesaj düzenlendi>",
)


STARTS = set("0123456789[")


@dataclass(slots=True)
class Header:
    """The first line of an entry: when, who (empty for WhatsApp's notes) and the text."""

    iphone: bool
    stamp: str  # the date and time as written
    parts: tuple[int, int, int]  # the date's three numbers in their order
    year_first: bool
    clock: tuple[int, int, int, str]  # hour, minute, second, "am"/"pm"/""
    sender: str
    text: str


def header(line: str) -> Header | None:
    """The entry a line starts, or None for a line that continues the entry before it."""
    line = line.lstrip(MARKS)
    if not line or line[0] not in STARTS:
        return None
    found = IPHONE.fullmatch(line) if line[0] == "[" else ANDROID.fullmatch(line)
    if found is None:
        return None
    a, b, c = found["a"], found["b"], found["c"]
    if len(a) == 3 or len(c) == 3 or (len(a) == 4 and len(c) == 4):
        return None
    ampm = found["ampm"]
    if ampm:
        ampm = "pm" if ampm[0] in "pP" else "am"
    rest = found["rest"]
    named = SENDER.fullmatch(rest)
    sender, text = (named["name"], named["text"]) if named else ("", rest)
    return Header(
        iphone=line[0] == "[",
        stamp=found["stamp"],
        parts=(int(a), int(b), int(c)),
        year_first=len(a) == 4,
        clock=(int(found["h"]), int(found["mi"]), int(found["s"] or 0), ampm or ""),
        sender=sender.strip(MARKS + " "),
        text=text,
    )


def day_first_evidence(head: Header) -> str:
    """What one date says of the file's order: "dmy", "mdy", or "" when both could be."""
    if head.year_first:
        return ""
    first, second, _year = head.parts
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return ""


def local_time(head: Header, order: str) -> datetime | None:
    """The naive local time an entry was written at, or None if it is no real date and time."""
    a, b, c = head.parts
    if head.year_first:
        year, month, day = a, b, c
    elif order == "mdy":
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    if year < 100:
        year += 2000
    hour, minute, second, ampm = head.clock
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def is_note(head: Header) -> bool:
    """Whether an entry is WhatsApp's own note (no sender; or, on an iPhone, a known note
    after the chat's name, marked with U+200E), not a message someone wrote."""
    if not head.sender:
        return True
    text = head.text
    if not text.startswith(LRM) or marks(text, set()):
        return False
    folded = text.casefold()
    return any(note in folded for note in IPHONE_NOTES)


def is_encryption_note(head: Header) -> bool:
    folded = head.text.casefold()
    return any(note in folded for note in ENCRYPTION_NOTE)


def _attached_name(first: str, members: Container[str]) -> str:
    """The file an attachment mark names: iPhone's "<attached: name>" (any language), or
    Android's "name (file attached)" in a known language or naming a file of the archive."""
    if attached := ATTACHED.fullmatch(first):
        return attached["name"]
    attached = FILE_ATTACHED.fullmatch(first)
    if attached and (
        attached["word"].casefold() in FILE_ATTACHED_WORDS or attached["name"] in members
    ):
        return attached["name"]
    return ""


def marks(text: str, members: Container[str]) -> dict:
    """WhatsApp's marks in a message's text: media left out, a file attached (its name),
    deleted, edited. `members`: the files of the ZIP archive, which confirm a file name."""
    first = text.split("\n", 1)[0].strip(MARKS + " ")
    found: dict = {}
    if len(first) <= SHORT_MARK:  # every mark but a file's name is short
        folded = first.casefold()
        if folded in OMITTED or IPHONE_OMITTED.fullmatch(first):
            found["media_omitted"] = first
        if folded.rstrip(".") in DELETED:
            found["deleted"] = True
    attachable = "media_omitted" not in found and first.endswith((">", ")"))
    if attachable and (name := _attached_name(first, members)):
        found["file"] = name
    end = text.rstrip().rstrip(MARKS + " ")
    if end.endswith(">") and end.rsplit("\n", 1)[-1].casefold().endswith(EDITED):
        found["edited"] = True
    return found
