"""System checks (`manage.py check`, run by `make run` and at every start): warnings about
components known to put the record at risk, so that the host hears of them before they matter."""

import re
import sqlite3
from importlib import metadata

from django.conf import settings
from django.core.checks import Warning, register

# SQLite 3.51.3 fixed the "WAL-reset" bug: in WAL mode, which this app uses, a checkpoint that
# restarts the write-ahead log while another connection writes can corrupt the database.
SQLITE_SAFE_VERSION = (3, 51, 3)
REQUIREMENTS = settings.BASE_DIR / "requirements.txt"


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
