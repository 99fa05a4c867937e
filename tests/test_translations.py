"""Keeping the translations complete: every word a template shows is marked for translation,
the Spanish catalogue holds every marked string, translated and checked (none fuzzy), and it
compiles."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.template_strings import unmarked_strings

TEMPLATES = Path(settings.BASE_DIR, "templates")
SPANISH = Path(settings.BASE_DIR, "locale", "es", "LC_MESSAGES", "django.po")
needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed"
)


def test_every_template_marks_its_words_for_translation():
    unmarked = [
        f"{path.relative_to(TEMPLATES)}:{found.line}: {found.text}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for found in unmarked_strings(path.read_text())
    ]

    assert not unmarked, "Wrap these in {% translate %} or {% blocktranslate %}:\n" + "\n".join(
        unmarked
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<p>Log what happened</p>", ["Log what happened"]),
        ('<a title="Leave now">Exit</a>', ["Leave now", "Exit"]),
        ("<p>{% translate 'Log what happened' %}</p>", []),
        ("<p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>", []),
        ("<p>{{ incident.description }} · {{ n }}</p>", []),
        ("<code>sha256sum FILE</code><p>PDF · ZIP</p>", []),
        ("{% comment %}A note for developers{% endcomment %}", []),
        ('<fieldset{% if x %} class="{{ x }}"{% endif %}>Who</fieldset>', ["Who"]),
    ],
)
def test_the_check_finds_unmarked_words_and_only_those(template, expected):
    assert [found.text for found in unmarked_strings(template)] == expected


def _statistics(po: Path) -> dict[str, int]:
    """msgfmt's own count of translated, fuzzy and untranslated entries."""
    result = subprocess.run(  # noqa: S603 (a fixed command on the app's own file)
        ["msgfmt", "--statistics", "--check-format", "-o", "/dev/null", str(po)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr):
        counts[kind] = int(number)
    return counts


@needs_gettext
def test_the_spanish_catalogue_compiles_with_matching_placeholders():
    assert _statistics(SPANISH)["translated"] > 0


@needs_gettext
@pytest.mark.catalogue
def test_the_spanish_catalogue_has_no_untranslated_or_fuzzy_entry():
    counts = _statistics(SPANISH)

    assert counts["fuzzy"] == 0 and counts["untranslated"] == 0, (
        f"{counts}: run `make messages`, then translate the new entries in {SPANISH}"
    )
