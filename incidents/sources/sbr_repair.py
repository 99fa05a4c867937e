"""A streaming repair of the known damage in SMS Backup & Restore files, before the XML parser
sees the bytes. The original file is never changed: this works on the stream read from it.

- Emoji written as two surrogate references (`&#55357;&#56832;`), which XML forbids, become one
  reference to the character they stand for (`&#128512;`).
- A lone surrogate, or a reference to a character XML forbids (`&#1;`), becomes U+FFFD.
- A raw control character (a byte below 0x20 other than tab, newline, return) becomes U+FFFD.
- A bare `&` that starts no reference, or an entity the file never defined (`&nbsp;`), is
  written as the text it is (`&amp;`).

Each repair is noted with its place in the repaired stream, so the reader can tell which items
were repaired.
"""

import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

CHUNK_SIZE = 1024 * 1024
# A reference pair is at most 2 x 12 bytes: hold back the tail that may hold half of one.
TAIL = 32
REPLACEMENT = b"&#xFFFD;"

# Only what may need repair is matched, so the many valid references (`&#10;`) cost nothing:
# a surrogate pair (decimal or hex), a reference that may be to a forbidden character (checked
# exactly in `_replacement`), an `&` that starts no valid reference, a raw control character.
_SUSPECT = re.compile(
    rb"&(?:"
    rb"(?P<pair>#(?P<hi>5529[6-9]|55[3-9]\d\d|56[0-2]\d\d|563[01]\d|5632[0-7]);"
    rb"&#(?P<lo>5632[89]|563[3-9]\d|56[4-9]\d\d|57[0-2]\d\d|573[0-3]\d|5734[0-3]);)"
    rb"|(?P<hexpair>#[xX](?P<hexhi>[dD][89abAB][0-9a-fA-F]{2});"
    rb"&#[xX](?P<hexlo>[dD][c-fC-F][0-9a-fA-F]{2});)"
    rb"|#(?P<dec>0*(?:[0-8]|1[124-9]|2\d|3[01]|5[5-7]\d{3}|6553[45]|\d{7,}));"
    rb"|#[xX](?P<hex>0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}"
    rb"|[fF]{3}[eEfF]|[0-9a-fA-F]{7,}));"
    rb"|(?P<amp>(?!(?:lt|gt|amp|quot|apos);|#\d+;|#[xX][0-9a-fA-F]+;))"
    rb")|[\x00-\x08\x0b\x0c\x0e-\x1f]"
)
_TRAILING_REFERENCE = re.compile(rb"&#[xX]?[0-9A-Fa-f]{1,10};\Z")


class TooLarge(Exception):
    """One element runs longer than the reader accepts (see `repaired_chunks`)."""


def _allowed(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def repair(data: bytes, offset: int) -> tuple[bytes, list[int]]:
    """Repair one piece of the stream that starts at `offset` in the repaired stream. Returns
    the repaired bytes and where each repair landed."""
    out: list[bytes] = []
    repairs: list[int] = []
    written = position = 0
    for match in _SUSPECT.finditer(data):
        replacement = _replacement(match)
        if replacement is None:
            continue
        piece = data[position : match.start()]
        out.append(piece)
        written += len(piece)
        repairs.append(offset + written)
        out.append(replacement)
        written += len(replacement)
        position = match.end()
    if not out:
        return data, repairs
    out.append(data[position:])
    return b"".join(out), repairs


def _replacement(match: re.Match) -> bytes | None:
    """What to write instead of a suspect piece; None when it is fine as it is."""
    kind = match.lastgroup
    if kind in ("pair", "hexpair"):
        base = 10 if kind == "pair" else 16
        high = int(match.group("hi" if base == 10 else "hexhi"), base)
        low = int(match.group("lo" if base == 10 else "hexlo"), base)
        return f"&#{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)};".encode()
    if kind == "amp":
        return b"&amp;"
    if kind in ("dec", "hex"):
        code = int(match.group(kind), 10 if kind == "dec" else 16)
        return None if _allowed(code) else REPLACEMENT
    return REPLACEMENT  # a raw control character


def repaired_chunks(stream, max_element: int) -> Iterator[tuple[bytes, list[int], int]]:
    """The stream read in chunks and repaired: (bytes, repair places, bytes read so far).
    Raises TooLarge when more than `max_element` bytes pass without a `>` (one element so big
    it would have to be held whole in memory)."""
    held = b""
    offset = 0  # in the repaired stream
    consumed = 0
    since_tag_end = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        consumed += len(chunk)
        data = held + chunk
        if chunk:
            cut = _hold_back_from(data)
            data, held = data[:cut], data[cut:]
        else:
            held = b""
        fixed, repairs = repair(data, offset)
        offset += len(fixed)
        longest, since_tag_end = _runs_without_tag_end(fixed, since_tag_end, max_element)
        if longest > max_element:
            raise TooLarge(_("One item in the file is too large to read safely."))
        yield fixed, repairs, consumed
        if not chunk:
            return


def _hold_back_from(data: bytes) -> int:
    """Where the tail that may hold an unfinished reference (or pair) starts: from the first
    `&` among the last bytes, or from the reference just before it (the high half of a pair)."""
    start = max(len(data) - TAIL, 0)
    ampersand = data.find(b"&", start)
    if ampersand < 0:
        return len(data)
    before = _TRAILING_REFERENCE.search(data, max(ampersand - TAIL, 0), ampersand)
    return before.start() if before else ampersand


def _runs_without_tag_end(data: bytes, before: int, limit: int) -> tuple[int, int]:
    """The longest run of bytes without a `>` (counting the `before` bytes that ended the last
    piece), and the run at the end of this piece. Runs inside a piece can only pass the limit
    when the piece itself is longer than the limit, so only then are they looked for."""
    first = data.find(b">")
    if first < 0:
        return before + len(data), before + len(data)
    longest = before + first
    if len(data) > limit:
        position = first
        while (following := data.find(b">", position + 1)) >= 0:
            longest = max(longest, following - position - 1)
            position = following
    trailing = len(data) - data.rfind(b">") - 1
    return max(longest, trailing), trailing
