"""No password typed into any form is kept: not in any table, not in the database file, not in
a backup. Every form with a password field is sent a marked password, wrong and right, through
the pages, on a real database file; then every table's text, the file itself and a backup made
with `manage.py backup` are searched for the mark."""

import importlib
import io
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.services import setup_code_get_or_create
from incidents.sign_in import name_key
from tests.test_backup import databases, migrated_template  # noqa: F401 (fixtures)

MARK = "Qz7Vx4k9"
RIGHT = f"{MARK} right horse battery"
WRONG = f"{MARK} wrong horse battery"
NEW = f"{MARK} new horse battery"
BOBS = f"{MARK} bobs horse battery"


def _code(user, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _post(client, name, data, status=None):
    response = client.post(reverse(name), data)
    if status is not None:
        assert response.status_code == status, (name, response.status_code)
    return response


def _every_form_with_a_password(tmp_path: Path) -> None:
    """Setup, sign-in, password change, adding an account, two-factor on and off, and
    deleting an account: each with a wrong password first, then the right one."""
    owner = Client(REMOTE_ADDR="192.0.2.1")
    setup = {"username": "alice", "time_zone": "UTC", "password1": RIGHT, "password2": RIGHT}
    _post(owner, "setup", {**setup, "setup_code": "WRONG-CODE"}, status=200)
    _post(owner, "setup", {**setup, "setup_code": setup_code_get_or_create()}, status=302)
    owner.post(reverse("logout"))

    for password in (WRONG, WRONG, RIGHT):
        _post(owner, "login", {"username": "alice", "password": password})
    # As from a device not remembered, so that django-axes, not the device, counts what follows.
    del owner.cookies[settings.KNOWN_DEVICE_COOKIE_NAME]
    _post(Client(), "login", {"username": "nobody", "password": WRONG})
    _post(Client(), "login", {"username": WRONG, "password": WRONG})  # typed in the wrong box

    change = {"new_password1": NEW, "new_password2": NEW}
    _post(owner, "password_change", {**change, "old_password": WRONG}, status=200)
    _post(owner, "password_change", {**change, "old_password": RIGHT}, status=302)

    bob = {"username": "bob", "time_zone": "UTC", "password1": BOBS}
    _post(owner, "account_list", {**bob, "password2": WRONG}, status=200)
    _post(owner, "account_list", {**bob, "password2": BOBS}, status=302)

    owner.get(reverse("two_factor_setup"))
    from incidents.models import User

    alice = User.objects.get(username="alice")
    _post(owner, "two_factor_setup", {"password": WRONG, "code": _code(alice)}, status=200)
    _post(owner, "two_factor_setup", {"password": NEW, "code": _code(alice)}, status=302)
    off = {"code": _code(alice, 1), "action": "off"}  # the one used above is spent
    _post(owner, "two_factor", {**off, "password": WRONG}, status=200)
    _post(owner, "two_factor", {**off, "password": NEW}, status=302)

    as_bob = Client(REMOTE_ADDR="192.0.2.2")
    _post(as_bob, "login", {"username": "bob", "password": BOBS}, status=302)
    del as_bob.cookies[settings.KNOWN_DEVICE_COOKIE_NAME]
    _post(as_bob, "account_delete", {"password": WRONG}, status=400)
    _post(as_bob, "account_delete", {"password": BOBS}, status=302)


def _tables_holding(mark: str) -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the database)
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                )
                if mark in text:
                    found.append(table)
    return found


def _files_holding(mark: str, paths) -> list[str]:
    return [str(p) for p in paths if p.is_file() and mark.encode() in p.read_bytes()]


@pytest.mark.slow
@pytest.mark.django_db
def test_no_password_from_any_form_reaches_a_table_the_database_file_or_a_backup(
    databases,  # noqa: F811
    tmp_path,
):
    source = databases.create("source", migrated=True)
    with databases.use(source):
        _every_form_with_a_password(tmp_path)
        # The forms were really used: the failures were counted and the changes made.
        # Wrong current passwords: password change, two-factor on, two-factor off; bob's delete.
        assert AccessAttempt.objects.get(username=name_key("alice")).failures_since_start == 3
        assert AccessAttempt.objects.get(username=name_key("bob")).failures_since_start == 1
        assert "incidents_user" in _tables_holding("alice")  # the search finds what is there
        assert _tables_holding(MARK) == []
        out = tmp_path / "backups"
        call_command("backup", "--out", str(out), stdout=io.StringIO())
        connections[DEFAULT_DB_ALIAS].close()

    if source["ENGINE"].endswith("sqlite3"):  # a PostgreSQL server's files are its own
        database_files = [Path(f"{source['NAME']}{end}") for end in ("", "-wal", "-journal")]
        assert database_files[0].stat().st_size > 0
        assert _files_holding(MARK, database_files) == []
    backup_files = list(out.rglob("*"))
    assert any(p.suffix in (".sqlite3", ".db") or "database" in p.name for p in backup_files)
    assert _files_holding(MARK, backup_files) == []


def test_the_migration_clears_the_form_data_axes_kept_before(db):
    migration = importlib.import_module("incidents.migrations.0006_sign_in_guard")
    kept = AccessAttempt.objects.create(
        username="placeholder",
        ip_address="192.0.2.9",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/account/password/",
        failures_since_start=1,
    )
    # What django-axes 8.3.1 kept before: written past the app's guard, as an old row would be.
    AccessAttempt.objects.filter(pk=kept.pk).update(
        username="alice", post_data=f"old_password=********************\nnew_password1={NEW}"
    )

    from django.apps import apps
    from django.db import connection

    migration.forget_form_data(apps, connection.schema_editor())

    kept.refresh_from_db()
    assert (kept.get_data, kept.post_data) == ("", "")
    assert kept.username == name_key("alice")  # counted on, by the key the app now uses
    assert kept.failures_since_start == 1
