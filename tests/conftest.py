"""Shared fixtures: alice owns records, mallory is a stranger who must never see them."""

import fcntl
import importlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone, translation

from incidents import jurisdictions
from incidents.models import Case, Incident
from incidents.services import account_create
from tests.local_tsa import LocalAuthority

PASSWORD = "correct horse battery staple"
# The custody log's database guard, as its migration creates and drops it.
CUSTODY_GUARD = importlib.import_module("incidents.migrations.0005_custody_log")


def pytest_collection_modifyitems(items):
    """Browser tests are slow too: the everyday `pytest -m "not slow"` leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _translations_compiled():
    """`make test` compiles the catalogues; a bare `pytest` run does it here when they changed.
    A lock keeps parallel workers from writing the same file at once."""
    if shutil.which("msgfmt") is None:
        return  # no GNU gettext: the Spanish tests fail and say why; the rest run in English
    locale = Path(settings.BASE_DIR, "locale")
    lock = os.open(locale, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Only catalogues that changed are compiled again.
        call_command("compilemessages", ignore_patterns=[".venv", "data"], verbosity=0)
    finally:
        os.close(lock)
    # Django's own way of dropping catalogues it may have read before they were compiled.
    setting_changed.send(None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=True)


@pytest.fixture(autouse=True, scope="session")
def _custody_log_flushable():
    """Tests that use real transactions are cleaned up by emptying every table. The custody
    log's database guard refuses exactly that, so it is lifted for the cleaning only."""
    operations = type(connection.ops)
    sql_flush = operations.sql_flush

    def sql_flush_unguarded(self, style, tables, **options):
        statements = sql_flush(self, style, tables, **options)
        if "incidents_custodyentry" not in tables:
            return statements
        vendor = self.connection.vendor
        guard = CUSTODY_GUARD
        return [*guard.UNPROTECTION_SQL[vendor], *statements, *guard.PROTECTION_SQL[vendor]]

    operations.sql_flush = sql_flush_unguarded
    yield
    operations.sql_flush = sql_flush


def settings_for(folder: Path) -> dict:
    """The settings every test runs with, its files kept in `folder`."""
    evidence = settings.STORAGES["evidence"]
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "SETUP_CODE_FILE": folder / "setup_code",
        # Evidence originals, derived images and exports go to this test's own directory.
        "DATA_DIR": folder,
        "EVIDENCE_DIR": folder / "evidence",
        "DERIVED_DIR": folder / "derived",
        # Background jobs run inline, and a dossier is drawn by a single child process.
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "EXPORTS_DIR": folder / "exports",
        "DOSSIER_WORKERS": 1,
        # Tests run without collectstatic, so no manifest of hashed file names exists.
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "evidence": {
                **evidence,
                "OPTIONS": {**evidence["OPTIONS"], "location": folder / "evidence"},
            },
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    for name, value in settings_for(tmp_path).items():
        setattr(settings, name, value)


@contextmanager
def made_once(django_db_blocker, folder: Path) -> Iterator[None]:
    """Records made once for a whole module of tests, which only read them or change them in
    their own transaction: drawing a real dossier or package takes about a second, and most
    tests only need to read one.

    The rows stay in a transaction that every test of the module runs inside (each test's own
    transaction is a savepoint in it, rolled back after the test) and that is rolled back after
    the module, so no other module sees them. So every test of such a module must use them.
    Their files are made in `folder`: give each test its own copy (`copy_files`), so that a
    test that changes a file changes its copy only. The records are made inside the block;
    after it, they stay for the tests until the module fixture ends.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # as Django's TestCase marks its class-wide transaction
        with outer:
            try:
                yield
            finally:
                transaction.set_rollback(True)


@contextmanager
def making_in(folder: Path) -> Iterator[None]:
    """Make records with the settings a test has, their files in `folder`. Work a view leaves
    for after the commit runs inside `TestCase.captureOnCommitCallbacks(execute=True)`."""
    try:
        with override_settings(**settings_for(folder)):
            yield
    finally:
        timezone.deactivate()


def copy_files(folder: Path, to: Path) -> None:
    """A test's own copy of the files of records made once (see `made_once`)."""
    shutil.copytree(folder, to, dirs_exist_ok=True)


@pytest.fixture(autouse=True)
def _no_time_zone_left_active():
    # The time zone middleware activates the signed-in user's zone for the test's thread;
    # the language middleware, the user's language and legal words.
    yield
    timezone.deactivate()
    translation.activate(settings.LANGUAGE_CODE)
    jurisdictions.deactivate()


@pytest.fixture
def alice(db):
    return account_create(username="alice", password=PASSWORD, is_owner=True)


@pytest.fixture
def mallory(db):
    return account_create(username="mallory", password=PASSWORD)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def mallory_client(client, mallory):
    client.force_login(mallory)
    return client


def make_incident(user, **fields) -> Incident:
    fields.setdefault("occurred_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("description", "They waited outside the gym again.")
    fields.setdefault("case", Case.objects.owned_by(user).first())
    return Incident.objects.create(**fields)


@pytest.fixture
def incident(alice):
    return make_incident(
        alice,
        kind=Incident.Kind.CALLS,
        count=14,
        description="Fourteen missed calls between 21:00 and 23:00.",
        exact_words="You can't ignore me forever.",
    )


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(response) -> str:
    """The page as a reader sees it: text only, no tags, runs of whitespace as one space."""
    parser = _TextParser()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def form_data(form, **typed) -> dict:
    """What a browser submits for `form` as it was rendered, plus what the user typed.

    Unticked boxes and unpicked radio buttons are left out, as browsers do.
    """
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        elif value is not None or not isinstance(field.field.widget, forms.RadioSelect):
            data[field.html_name] = field.field.widget.format_value(value) or ""
    data.update(typed)
    return data


@pytest.fixture
def authority(tmp_path, settings):
    """A time-stamping authority on this machine (tests/local_tsa.py), the one the app asks."""
    tsa = LocalAuthority(tmp_path / "tsa").start()
    settings.TIMESTAMP_URL = tsa.url
    settings.TIMESTAMP_CA_FILE = str(tsa.ca_file)
    yield tsa
    tsa.stop()
