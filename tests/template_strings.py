"""Finds the words in a template that a reader sees but no translator can reach: text outside
{% translate %} and {% blocktranslate %}, and the human attributes (title, alt, placeholder,
aria-label). Used by the test that keeps every template marked for translation."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.template.base import DebugLexer, TokenType

# Attributes a person reads or hears.
HUMAN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
# Elements whose text is not prose: code, commands, scripts.
NOT_PROSE = {"script", "style", "code", "kbd", "samp", "svg"}
# Words that are the same in every language the app speaks (names of formats and standards).
SAME_EVERYWHERE = re.compile(
    r"\b(PDF|ZIP|CSV|JSON|SHA-256|HTML|XML|SMS|MMS|URL|OK|Esc|Tab|A4|US Letter|TOTP|ID)\b"
)
LETTERS = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str


def _masked(source: str) -> str:
    """The template with everything already marked, and every tag and variable, blanked out
    (one space per character, so positions keep their lines)."""
    out = []
    depth = 0  # inside blocktranslate, comment or verbatim
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        text = source[start:end]
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK else ""
        if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
            depth += 1
        elif name in ("endblocktranslate", "endblocktrans", "endcomment", "endverbatim"):
            depth -= 1
        if token.token_type == TokenType.TEXT and not depth:
            out.append(text)
        else:
            # Spaces, not nothing: a tag cut by a variable (<fieldset{% if %}…>) still parses.
            out.append("".join("\n" if c == "\n" else " " for c in text))
    return "".join(out)


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Unmarked] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in NOT_PROSE:
            self.skipping += 1
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and value:
                self._check(value)

    def handle_startendtag(self, tag, attrs):
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in NOT_PROSE and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self._check(data)

    def _check(self, text: str) -> None:
        if LETTERS.search(SAME_EVERYWHERE.sub("", text)):
            self.found.append(Unmarked(self.getpos()[0], " ".join(text.split())))


def unmarked_strings(source: str) -> list[Unmarked]:
    """The text of a template that is not marked for translation, with its line."""
    finder = _Finder()
    finder.feed(_masked(source))
    finder.close()
    return finder.found
