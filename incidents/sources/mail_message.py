"""One e-mail message, as raw bytes, turned into a plain item (mail.py finds the messages in a
file): its sender, recipients, time, subject and text, the names of its attached files (and the
files themselves when asked for), its headers kept as received, and whether its DKIM signature
still verifies with a key the user supplied. Python's own `email` package parses the message:
its structure with the fast legacy parser (compat32), and only the address and subject fields
with the modern header parser (policy.default), which is several times slower per field."""

import re
from datetime import UTC
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import dkim

from .items import EMAIL, MessageItem, Picture, SkippedItem

PARSER = BytesParser(policy=policy.compat32)
# DKIM results, as kept in a message's details.
VERIFIED, FAILED, NOT_CHECKED, NO_SIGNATURE = "verified", "failed", "not checked", "no signature"
FORWARDED_NAME = "forwarded-message.eml"
FOLD = re.compile(r"\r?\n(?=[ \t])")  # a header line continued on the next
# What the modern header parser raises on some malformed fields.
PARSE_ERRORS = (IndexError, AttributeError, TypeError, ValueError, LookupError)


def message_item(raw: bytes, element: int, line: int, options: dict, pictures: bool):
    """The item of one message (`raw`: its bytes as sent, mbox quoting undone), or the
    SkippedItem it becomes: "damaged" when it cannot be parsed, "no_sender", "no_time"."""
    try:
        message = PARSER.parsebytes(raw)
        if _no_headers(message):
            return SkippedItem(element, line, "damaged")
        return _item(message, raw, element, line, options, pictures)
    except Exception:  # the email package raises many kinds of error on malformed input
        return SkippedItem(element, line, "damaged")


def _no_headers(message: Message) -> bool:
    """Text with no header field at its start: not a message (what is left of a damaged one).
    A message with a stray line among its headers keeps the fields before it."""
    return not message.keys()


def _item(message: Message, raw: bytes, element: int, line: int, options: dict, pictures):
    headers = [[name, _text(value)] for name, value in message.raw_items()]
    sender = _addresses(headers, "from")
    if not sender:
        return SkippedItem(element, line, "no_sender")
    date_ms = _date_ms(_first(headers, "date"))
    if date_ms is None:
        return SkippedItem(element, line, "no_time")
    leaves = list(_leaves(message))
    body, from_html = _body(leaves)
    files = list(_files(leaves, pictures))
    dkim_result, dkim_domain = check_dkim(raw, headers, options.get("dkim_keys") or {})
    details = {"headers": headers, "dkim": dkim_result, "dkim_domain": dkim_domain}
    if from_html:
        details["body_from_html"] = True
    address, display_name = sender[0]
    return MessageItem(
        element=element,
        line=line,
        recovered=False,
        channel="email",
        box=0,  # set by the import once it knows whose message it is
        direction="",
        date_ms=date_ms,
        address=address,
        parties=[address],
        recipients=_recipients(headers),
        contact_name=display_name[:200],
        subject=_subject(headers),
        body=body,
        message_id=_first(headers, "message-id").strip()[:500],
        address_kind=EMAIL,
        details=details,
        attachments=[{"seq": f.seq, "content_type": f.content_type, "name": f.name} for f in files],
        pictures=files if pictures else [],
    )


def _recipients(headers: list) -> list[str]:
    """The addresses in To, Cc and Bcc (Bcc is in the sender's own copy), each once."""
    found: list[str] = []
    for field in ("to", "cc", "bcc"):
        found += [a for a, _name in _addresses(headers, field) if a not in found]
    return found


def _subject(headers: list) -> str:
    """The subject, decoded from its MIME words; as written if they cannot be decoded."""
    written = _first(headers, "subject")
    if "=?" not in written:  # nothing to decode: only unfolded, as the full parser does
        return FOLD.sub("", written)
    try:
        return str(_parsed("subject", written))
    except PARSE_ERRORS:
        return written


def _parsed(name: str, value: str):
    """A raw header value parsed by the modern header parser (unfolded first, as it does)."""
    return policy.default.header_fetch_parse(name, value)


def _text(value: str) -> str:
    """A raw header value as text: bytes that are not ASCII (kept by the parser as surrogates)
    are read as UTF-8, the encoding mail programs write them in."""
    return value.encode("ascii", "surrogateescape").decode("utf-8", "replace")


def _first(headers: list, name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _addresses(headers: list, field: str) -> list[tuple[str, str]]:
    """The (address, display name) pairs of an address field, in order; a name or word with
    no domain is not an address. None found in a field the parser cannot read."""
    found = []
    for name, value in headers:
        if name.lower() != field:
            continue
        simple = SIMPLE_MAILBOX.fullmatch(value)
        if simple:  # the usual form, read at once; any other goes through the full parser
            found.append((simple["address"] or simple["bare"], _display_name(simple)))
            continue
        try:
            parsed = getattr(_parsed(name, value), "addresses", ())
        except PARSE_ERRORS:
            continue
        found += [(a.addr_spec, a.display_name or "") for a in parsed if a.username and a.domain]
    return found


# One mailbox in its usual forms: `Name <a@b.c>`, `"Name" <a@b.c>`, `<a@b.c>`, `a@b.c`.
_ATOM = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+"
_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
SIMPLE_MAILBOX = re.compile(
    rf"""\s*(?:(?:"(?P<quoted>[^"\\\r\n]*)"|(?P<name>{_ATOM}(?:[ \t]+{_ATOM})*))?\s*"""
    rf"""<(?P<address>{_ADDRESS})>|(?P<bare>{_ADDRESS}))\s*"""
)


def _display_name(simple: re.Match) -> str:
    name = simple["quoted"] if simple["quoted"] is not None else simple["name"] or ""
    if "=?" in name:  # MIME words, as the full parser decodes them
        try:
            name = str(make_header(decode_header(name)))
        except (*PARSE_ERRORS, UnicodeError):
            pass
    return " ".join(name.split())


def _date_ms(value: str) -> int | None:
    """The Date header as UTC milliseconds; a time with no zone ("-0000") is taken as UTC."""
    if not value.strip():
        return None
    try:
        sent = parsedate_to_datetime(value.strip())
        return int((sent if sent.tzinfo else sent.replace(tzinfo=UTC)).timestamp() * 1000)
    except (TypeError, ValueError, OverflowError):
        return None


# --- the text ------------------------------------------------------------------------------------


def _leaves(part: Message):
    """The parts of a message that hold content, in order; a forwarded message is one."""
    if part.get_content_maintype() == "message" or not part.is_multipart():
        yield part
        return
    for inner in part.get_payload():
        yield from _leaves(inner)


def _body(leaves: list[Message]) -> tuple[str, bool]:
    """The first text/plain part that is not an attached file, else the text of the first
    text/html one without its tags; and whether it came from HTML."""
    for kind in ("text/plain", "text/html"):
        for part in leaves:
            if part.get_content_type() == kind and not _is_file(part):
                text = _content(part)
                return (text, False) if kind == "text/plain" else (html_text(text), True)
    return "", False


def _content(part: Message) -> str:
    """A text part's text, in its character set (UTF-8 when it names none or an unknown one)."""
    data = part.get_payload(decode=True) or b""
    try:
        return data.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


class _TextOf(HTMLParser):
    BREAKS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table"}
    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The words of an HTML body, tags left out, one line per paragraph or line break."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- attached files ------------------------------------------------------------------------------


def _files(leaves: list[Message], with_data: bool):
    """Every attached file, numbered from 1 (its bytes only `with_data`): parts with a file
    name or marked as attachments, parts that are not text, and forwarded messages."""
    files = [part for part in leaves if _is_file(part)]
    for seq, part in enumerate(files, 1):
        forwarded = part.get_content_type() == "message/rfc822"
        name = _filename(part) or (FORWARDED_NAME if forwarded else f"attachment-{seq}")
        data = _data(part) if with_data else b""
        yield Picture(seq, part.get_content_type(), name[:200], data)


def _is_file(part: Message) -> bool:
    if part.get_content_disposition() == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() != "text"


def _filename(part: Message) -> str:
    """A part's file name, decoded from MIME words if a mail program wrote it that way."""
    name = part.get_filename() or ""
    if "=?" in name:
        try:
            return str(make_header(decode_header(name)))
        except (*PARSE_ERRORS, UnicodeError):
            return name
    return name


def _data(part: Message) -> bytes:
    """An attached file's bytes, decoded (a forwarded message: the message as sent)."""
    if part.get_content_maintype() != "message":
        return part.get_payload(decode=True) or b""
    inner = part.get_payload()
    try:
        return b"".join(m.as_bytes() for m in inner) if isinstance(inner, list) else b""
    except (LookupError, UnicodeError, ValueError):  # a part that cannot be written back
        return b""


# --- DKIM -----------------------------------------------------------------------------------------


def check_dkim(raw: bytes, headers: list, keys: dict) -> tuple[str, str]:
    """Whether the message's first (topmost) DKIM signature still verifies, and its domain.
    Never asks the network: the key comes from `keys` ("selector._domainkey.domain" -> the TXT
    record); without it the result is "not checked"."""
    signature = _first(headers, "dkim-signature")
    if not signature:
        return NO_SIGNATURE, ""
    tags = _tags(signature)
    domain, selector = tags.get("d", ""), tags.get("s", "")
    name = f"{selector}._domainkey.{domain}".lower()
    record = {str(k).lower().rstrip("."): v for k, v in keys.items()}.get(name)
    if not (domain and selector and record):
        return NOT_CHECKED, domain

    def supplied(asked: bytes, timeout: int = 5) -> bytes | None:
        return record.encode() if asked.decode().lower().rstrip(".") == name else None

    try:
        return (VERIFIED if dkim.verify(raw, dnsfunc=supplied) else FAILED), domain
    except Exception:  # dkimpy raises more than DKIMException on a malformed signature
        return FAILED, domain


def _tags(signature: str) -> dict[str, str]:
    """The tag=value pairs of a DKIM-Signature header (RFC 6376 3.2), whitespace removed."""
    pairs = (tag.split("=", 1) for tag in "".join(signature.split()).split(";") if "=" in tag)
    return {name.lower(): value for name, value in pairs}
