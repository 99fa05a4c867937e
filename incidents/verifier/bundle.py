"""What an evidence package carries so that it can be checked without the server: verify.py
itself, in the package's language, the custody log of its case (custody.json, see
incidents.custody_proof) and the trusted timestamps of the chain up to its head, with the
authority's certificates."""

import ast
import functools
import string
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext

from ..custody import Head
from ..custody_proof import FILE_NAME, proof_json
from ..models import Case, ChainTimestamp

VERIFIER = Path(__file__).with_name("verify.py")
# The one line of verify.py that holds its translations: empty as it is written.
WORDS_LINE = "WORDS = {}\n"


def add_verification(add: Callable[[str, bytes], None], case: Case, head: Head) -> None:
    """Add verify.py, custody.json and timestamps/ through `add(name, content)`."""
    add("verify.py", verifier_source())
    add(FILE_NAME, proof_json(case, head))
    tokens = ChainTimestamp.objects.filter(sequence__lte=head.sequence).order_by("sequence", "id")
    authorities: list[str] = []
    kept: set[int] = set()
    for token in tokens:
        if token.sequence in kept:
            continue  # one token per head is enough
        kept.add(token.sequence)
        add(f"timestamps/{token.sequence}.tsr", bytes(token.token))
        if token.authority_pem.strip() not in authorities:
            authorities.append(token.authority_pem.strip())
    if authorities:
        add("timestamps/tsa-ca.pem", ("\n".join(authorities) + "\n").encode("ascii"))


def verifier_source() -> bytes:
    """verify.py with the translations of the texts it prints in the active language written
    into it (none for English, or where the catalogue has none: those print as written)."""
    source = VERIFIER.read_text("utf-8")
    words = {}
    for msgid in verifier_msgids():
        translated = gettext(msgid)
        # A translation that lost or renamed a {placeholder} would stop the program: the
        # English is printed instead.
        if translated != msgid and _fields(translated) == _fields(msgid):
            words[msgid] = translated
    if source.count(WORDS_LINE) != 1:
        raise ValueError(f"verify.py must hold the line {WORDS_LINE!r} exactly once.")
    return source.replace(WORDS_LINE, _words_literal(words)).encode("utf-8")


@functools.cache
def verifier_msgids() -> tuple[str, ...]:
    """The texts marked _("...") in verify.py, in the order they are written, each once."""
    tree = ast.parse(VERIFIER.read_text("utf-8"))
    marked = sorted(
        (node.lineno, node.col_offset, node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )
    return tuple(dict.fromkeys(text for _, _, text in marked))


def _fields(text: str) -> set[tuple] | None:
    """The {fields} that str.format fills in `text`, each with its conversion and format spec
    (a translation must keep them all: "{n:>9}" or "{n!z}" where the English has "{n}" would
    stop the program); None if `text` cannot be formatted."""
    try:
        parsed = string.Formatter().parse(text)
        return {
            (name, spec, conversion) for _, name, spec, conversion in parsed if name is not None
        }
    except ValueError:  # a lone { or }
        return None


def _words_literal(words: dict[str, str]) -> str:
    if not words:
        return WORDS_LINE
    lines = "".join(f"    {msgid!r}: {translated!r},\n" for msgid, translated in words.items())
    return "WORDS = {\n" + lines + "}\n"
