"""Reading a large JSON export piece by piece, with each piece's line, in bounded memory.

Chat exports (Telegram's result.json, Meta's message_1.json) are one JSON document that can run
to hundreds of MB, while the messages in it are small. `JsonWalker` reads the stream in chunks
and walks the document's outer structure itself; a value at a path the reader asks for (each
message) is decoded whole by the standard library's JSON decoder and handed on with the line it
starts on, then dropped. So memory holds one chunk and one message, whatever the file's size,
and no dependency is needed (ijson would be one, and gives no line numbers). A single value may
not run longer than `MAX_VALUE_CHARS`; nesting deeper than `MAX_DEPTH` is refused.
"""

import codecs
import json
import re
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from .items import FileUnreadable

CHUNK_BYTES = 1024 * 1024
MAX_VALUE_CHARS = 64 * 1024 * 1024  # one message with its entities is a few KB
MAX_DEPTH = 32
# A decoding error this close to the end of what was read may be a value cut by the chunk.
NEAR_END = 32
WHITESPACE = re.compile(r"[ \t\n\r]*")
DECODER = json.JSONDecoder()

Path = tuple  # keys and indexes from the document's root: ("chats", "list", 0, "messages", 3)


class JsonWalker:
    """Walks one JSON document in a binary stream: `for path, value, line in walker.values()`
    yields each value whose path `wanted(path)` accepts, decoded, with the line it starts on.
    `bytes_read` follows the progress through the stream."""

    def __init__(self, stream, wanted: Callable[[Path], bool]):
        self.stream = stream
        self.wanted = wanted
        self.bytes_read = 0
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line = 1  # the line at `_counted`
        self._counted = 0

    def values(self) -> Iterator[tuple[Path, object, int]]:
        """Every wanted value in the document's order. FileUnreadable at damage, with its line."""
        yield from self._value(())
        if self._peek() is not None:
            raise self._damaged(_("more text after the end of the JSON document"))

    # --- the document's structure ---------------------------------------------------------

    def _value(self, path: Path) -> Iterator:
        if len(path) > MAX_DEPTH:
            raise self._damaged(_("it is nested far deeper than an export"))
        first = self._peek()
        if first is None:
            raise self._damaged("", cut=True)
        if self.wanted(path):
            line = self._line_at(self._pos)
            yield path, self._decode(), line
        elif first == "{":
            yield from self._object(path)
        elif first == "[":
            yield from self._array(path)
        else:
            self._decode()  # a value nobody asked for

    def _object(self, path: Path) -> Iterator:
        self._pos += 1
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            key = self._decode() if self._peek() == '"' else None
            if not isinstance(key, str) or self._next() != ":":
                raise self._damaged(_("a name is missing in an object"), cut=self._peek() is None)
            yield from self._value((*path, key))
            separator = self._next()
            if separator == "}":
                return
            if separator != ",":
                raise self._damaged(_("a comma or closing brace is missing"), cut=not separator)

    def _array(self, path: Path) -> Iterator:
        self._pos += 1
        if self._peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            yield from self._value((*path, index))
            separator = self._next()
            if separator == "]":
                return
            if separator != ",":
                raise self._damaged(_("a comma or closing bracket is missing"), cut=not separator)
            index += 1

    # --- reading ---------------------------------------------------------------------------

    def _peek(self) -> str | None:
        """The next character that is not white space (not consumed), or None at the end."""
        while True:
            self._pos = WHITESPACE.match(self._buf, self._pos).end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if self._eof:
                return None
            self._fill()

    def _next(self) -> str | None:
        found = self._peek()
        self._pos += found is not None
        return found

    def _decode(self):
        """The value at the position, read further as long as it may be cut by the chunk."""
        while True:
            try:
                value, end = DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as error:
                cut = error.msg.startswith("Unterm") or not self._buf[error.pos :].strip()
                if not self._eof:
                    cut = cut or error.pos >= len(self._buf) - NEAR_END
                if self._eof or not cut:
                    raise self._damaged(error.msg, cut=cut, at=error.pos) from None
                self._fill(more=True)
                continue
            except RecursionError:  # nested deeper than any export writes (MAX_DEPTH)
                raise self._damaged(_("it is nested far deeper than an export")) from None
            if end == len(self._buf) and not self._eof:  # a number may go on in the next chunk
                self._fill(more=True)
                continue
            self._pos = end
            return value

    def _fill(self, more: bool = False) -> None:
        """Read the next chunk (at least as much again as is waiting, when a value is cut)."""
        pending = len(self._buf) - self._pos
        if more and pending > MAX_VALUE_CHARS:
            raise FileUnreadable(
                _(
                    "One item in this file, at line %(line)s, is far larger than a message "
                    "(over %(size)s MB), so the file was not read."
                )
                % {"line": self._line_at(self._pos), "size": MAX_VALUE_CHARS // (1024 * 1024)}
            )
        self._line_at(self._pos)
        self._buf, self._counted, self._pos = self._buf[self._pos :], 0, 0
        size = max(CHUNK_BYTES, pending if more else 0)
        data = self.stream.read(size)
        self.bytes_read += len(data)
        try:
            self._buf += self._decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise FileUnreadable(
                _("This file is not UTF-8 text, as every JSON export is, so it was not read.")
            ) from None
        self._eof = not data

    def _line_at(self, position: int) -> int:
        """The line of a position at or after the last one asked for."""
        if position > self._counted:
            self._line += self._buf.count("\n", self._counted, position)
            self._counted = position
        return self._line

    def _damaged(self, problem: str, cut: bool = False, at: int | None = None):
        """The FileUnreadable for damage found at `at` (or where the walk stands); `cut`: the
        document ends before it is complete."""
        line = self._line_at(min(self._pos if at is None else at, len(self._buf)))
        if cut and self._eof:
            return FileUnreadable(
                _(
                    "The file stops in the middle (line %(line)s): it was probably cut off "
                    "while being copied or downloaded. Nothing was imported. Download the "
                    "export again."
                )
                % {"line": line}
            )
        return FileUnreadable(
            _("The file is damaged at line %(line)s (%(problem)s), so nothing was imported.")
            % {"line": line, "problem": problem}
        )
