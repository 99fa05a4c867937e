"""The database side of a backup: one consistent snapshot, copied while the app runs, and
loaded back into an empty database.

Why a snapshot transaction: the copy, the list of evidence files it names, the migration state
and the custody chain head must all describe the same moment, or the backup could name a file
it does not hold. SQLite copies with its backup API from inside a read transaction (WAL keeps
that view fixed while the app goes on writing); PostgreSQL exports the snapshot of a
REPEATABLE READ transaction and has pg_dump read through it.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from .. import custody
from ..models import (
    Case,
    CustodyEntry,
    Evidence,
    Revision,
    TrashEvent,
    User,
    UserSession,
)
from ..models.kinds import RECORD_KINDS
from .files import BackupError

ENGINES = ("sqlite", "postgresql")
# Counted in the manifest and compared after a restore: what a person would miss.
COUNTED = {
    "accounts": User,
    "cases": Case,
    **{kind.counted_as: kind.model for kind in RECORD_KINDS.values()},
    "evidence files": Evidence,
    "earlier versions": Revision,
    "trash and restore events": TrashEvent,
    "custody entries": CustodyEntry,
}
# Left out of every backup: their rows are sign-in cookies, with which anyone holding a stolen
# backup could act as a signed-in person on the running server. Useless after a restore anyway
# (the restored installation has its own secret key), so everyone simply signs in again.
SIGNED_IN_TABLES = (Session._meta.db_table, UserSession._meta.db_table)
# Tables a fresh installation may already have rows in without holding anyone's data.
BOOKKEEPING_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_session",
}


@dataclass
class Snapshot:
    engine: str
    taken_at: str  # when the snapshot was taken (UTC): what the backup shows
    evidence: list[dict]  # stored_name, size and sha256 of every Evidence row
    migrations: dict[str, str]  # app label -> latest applied migration
    custody_head: str
    counts: dict[str, int]


def engine() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in ENGINES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def dump(path: Path) -> Snapshot:
    """Copy the database to `path` and describe the copy, both from one snapshot."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        raise BackupError("A backup cannot be taken inside a database transaction.")
    if engine() == "sqlite":
        with _sqlite_snapshot(connection) as raw:
            _sqlite_copy(raw, path)
            return _describe("sqlite")
    with _postgresql_snapshot(connection) as snapshot_id:
        leave_out = [f"--exclude-table-data={table}" for table in SIGNED_IN_TABLES]
        _pg_run(
            "pg_dump", "--format=custom", f"--snapshot={snapshot_id}", *leave_out, f"--file={path}"
        )
        return _describe("postgresql")


@contextmanager
def _sqlite_snapshot(connection) -> Iterator[sqlite3.Connection]:
    """A read transaction on Django's own connection, so the ORM reads the same view as the
    copy. Plain BEGIN (deferred): Django's atomic() would take the write lock (IMMEDIATE) and
    hold up the app for as long as the backup reads."""
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN")
    try:
        raw.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fixes the view now
        yield raw
    finally:
        raw.execute("ROLLBACK")


def _sqlite_copy(raw: sqlite3.Connection, path: Path) -> None:
    target = sqlite3.connect(path)
    try:
        raw.backup(target)  # in one step, so from one consistent view
        # One self-contained file: no -wal or -shm beside it when it is opened later.
        target.execute("PRAGMA journal_mode=DELETE").fetchone()
        target.execute("PRAGMA secure_delete=ON")  # overwrite the removed rows, not just unlink
        for table in SIGNED_IN_TABLES:
            target.execute(f'DELETE FROM "{table}"')  # noqa: S608 (a model's own table name)
        target.commit()
    finally:
        target.close()


@contextmanager
def _postgresql_snapshot(connection) -> Iterator[str]:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


def _describe(engine_name: str) -> Snapshot:
    """What the backup must hold and show, read in the snapshot transaction."""
    connection = connections[DEFAULT_DB_ALIAS]
    latest: dict[str, str] = {}
    recorder = MigrationRecorder(connection)
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name"):
        latest[app] = name
    rows = Evidence.objects.order_by("id").values("stored_name", "size", "sha256")
    return Snapshot(
        engine=engine_name,
        taken_at=datetime.now(UTC).isoformat(timespec="seconds"),
        evidence=list(rows),
        migrations=latest,
        custody_head=str(custody.chain_head()),
        counts={label: model.objects.count() for label, model in COUNTED.items()},
    )


def check_copy(engine_name: str, path: Path, evidence: list[dict]) -> list[str]:
    """Check a database copy on its own: it opens, is whole, and names the expected files."""
    if engine_name == "postgresql":
        listed = _pg_run("pg_restore", "--list", str(path), check=False)
        if listed.returncode:
            return [f"the database dump does not read back: {listed.stderr.strip()}"]
        return []
    return _sqlite_copy_problems(path, evidence)


def _sqlite_copy_problems(path: Path, evidence: list[dict]) -> list[str]:
    copy = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            return [f"the database copy is damaged: {'; '.join(result[:5])}"]
        columns = ", ".join(
            Evidence._meta.get_field(name).column for name in ("stored_name", "size", "sha256")
        )
        query = f"SELECT {columns} FROM {Evidence._meta.db_table} ORDER BY id"  # noqa: S608
        named = [
            dict(zip(("stored_name", "size", "sha256"), row, strict=True))
            for row in copy.execute(query)
        ]
    except sqlite3.DatabaseError as error:
        return [f"the database copy does not open: {error}"]
    finally:
        copy.close()
    if named != evidence:
        return ["the database copy does not list the same evidence files as the manifest"]
    return []


# --- restoring -------------------------------------------------------------------------------


def tables_with_data() -> list[str]:
    """Tables of the configured database that hold rows (bookkeeping aside)."""
    connection = connections[DEFAULT_DB_ALIAS]
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in BOOKKEEPING_TABLES or table.startswith("axes_"):
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                found.append(table)
    return found


def load(engine_name: str, path: Path) -> None:
    """Put a checked copy into the configured (empty) database."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    if engine_name == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            # The backup API, not a file copy: it writes through SQLite, WAL and all.
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    result = _pg_run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={connection.settings_dict['NAME']}",
        str(path),
        check=False,
    )
    if result.returncode:
        raise BackupError(f"pg_restore could not load the database: {result.stderr.strip()}")


# --- PostgreSQL tools ------------------------------------------------------------------------


def _pg_run(tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client tool against the configured database. The password goes in
    the environment (PGPASSWORD), never on the command line, where `ps` would show it."""
    command = [_pg_tool(tool), "--no-password", *args]
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if check and result.returncode:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
    return result


def _pg_tool(tool: str) -> str:
    found = shutil.which(tool) or max(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), default=None)
    if not found:
        raise BackupError(
            f"{tool} was not found. Install the PostgreSQL client tools (postgresql-client)."
        )
    return found


def _pg_env() -> dict[str, str]:
    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    env = dict(os.environ)
    given = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    options = settings_dict.get("OPTIONS", {})
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "service"):
        given[f"PG{option.upper()}"] = options.get(option)
    env.update({key: str(value) for key, value in given.items() if value})
    return env
