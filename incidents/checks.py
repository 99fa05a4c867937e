"""System checks (`manage.py check`, run by `make run` and at every start): warnings about
components known to put the record at risk, so that the host hears of them before they matter,
and errors for settings the app cannot run with as asked (a mistyped legal system or language),
which stop `check`, `migrate`, `runserver` and `make run` rather than fall back in silence."""

import re
import sqlite3
from importlib import metadata

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import jurisdictions

# SQLite 3.51.3 fixed the "WAL-reset" bug: in WAL mode, which this app uses, a checkpoint that
# restarts the write-ahead log while another connection writes can corrupt the database.
SQLITE_SAFE_VERSION = (3, 51, 3)
REQUIREMENTS = settings.BASE_DIR / "requirements.txt"


def _did_you_mean(value: str, known: list[str]) -> str:
    """The known code the value differs from only by case, spaces or a region ("EN_us"), as the
    start of a hint; nothing if there is none, rather than a guess at another country."""
    plain = value.strip().lower().replace("_", "-")
    for near in (plain, plain.split("-")[0]):
        if near in known:
            return f"Did you mean {near!r}? "
    return ""


@register(deploy=False)
def default_jurisdiction_check(app_configs, **kwargs) -> list[Error]:
    """Refuse a DEFAULT_JURISDICTION that is not a code of incidents/jurisdictions.py: new
    accounts would silently get the general words instead of the host's system."""
    value = getattr(settings, "DEFAULT_JURISDICTION", jurisdictions.DEFAULT)
    known = list(jurisdictions.JURISDICTIONS)
    if value in known:
        return []
    named = ", ".join(f"{code} ({j.name})" for code, j in jurisdictions.JURISDICTIONS.items())
    return [
        Error(
            f"DEFAULT_JURISDICTION is {value!r}, which is not a legal system this app knows.",
            hint=f"{_did_you_mean(str(value), known)}Set it to one of: {named}. Left out, it "
            f"is {jurisdictions.DEFAULT!r}: general words and no help numbers.",
            id="stalkerlog.E001",
        )
    ]


@register(deploy=False)
def default_language_check(app_configs, **kwargs) -> list[Error]:
    """Refuse a LANGUAGE_CODE that is not exactly one of LANGUAGES: it is stored as the language
    of new accounts, which may only hold one of those codes (Django itself accepts "en-gb" for
    "en", and says translation.E004 only when even that fails)."""
    value = settings.LANGUAGE_CODE
    known = [code for code, _name in settings.LANGUAGES]
    if value in known:
        return []
    return [
        Error(
            f"LANGUAGE_CODE is {value!r}, which is not one of the app's languages (LANGUAGES).",
            hint=f"{_did_you_mean(str(value), known)}Set it to one of: {', '.join(known)}.",
            id="stalkerlog.E002",
        )
    ]


@register(deploy=False)
def sqlite_version_check(app_configs, **kwargs) -> list[Warning]:
    """Warn when SQLite is the database and the library is older than the WAL-reset fix."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return []
    if sqlite3.sqlite_version_info >= SQLITE_SAFE_VERSION:
        return []
    safe = ".".join(map(str, SQLITE_SAFE_VERSION))
    return [
        Warning(
            f"SQLite {sqlite3.sqlite_version} is older than {safe}, which fixed a bug that can "
            "corrupt a database in WAL mode (the WAL-reset bug).",
            hint=f"Use a Python built with SQLite {safe} or newer, or PostgreSQL "
            "(docs/deployment.md); keep nightly backups in any case (docs/backups.md).",
            id="stalkerlog.W001",
        )
    ]


def pinned_major(package: str) -> int | None:
    """The major version ("line") requirements.txt pins a package to, if it pins it."""
    try:
        text = REQUIREMENTS.read_text()
    except OSError:
        return None
    found = re.search(rf"(?im)^{re.escape(package)}==(\d+)\.", text)
    return int(found[1]) if found else None


@register(deploy=False)
def weasyprint_version_check(app_configs, **kwargs) -> list[Warning]:
    """Warn when the installed WeasyPrint is not of the major version requirements.txt pins:
    the dossier's layout and its tests are made for that line."""
    wanted = pinned_major("weasyprint")
    try:
        installed = metadata.version("weasyprint")  # without importing it: web processes
    except metadata.PackageNotFoundError:  # never load WeasyPrint
        installed = ""
    if wanted is None or installed.split(".")[0] == str(wanted):
        return []
    return [
        Warning(
            f"WeasyPrint {installed or '(not installed)'} is installed, but this version of the "
            f"app is made and tested for WeasyPrint {wanted}.x: dossiers may be drawn wrongly "
            "or not at all.",
            hint="Install the pinned versions: .venv/bin/pip install -r requirements.txt",
            id="stalkerlog.W002",
        )
    ]
