"""Safe defaults: a strong secret key without configuration, and SQLite set up for a server."""

import os
import secrets
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from stalkerlog import settings as project_settings


@pytest.fixture
def data_dir(monkeypatch, tmp_path):
    """A data directory of the test's own, and no SECRET_KEY in the environment."""
    monkeypatch.setattr(project_settings, "DATA_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return tmp_path


def test_without_a_configured_key_one_is_generated_once_into_the_data_directory(data_dir):
    key = project_settings.load_secret_key()

    key_file = data_dir / "secret_key"
    assert key_file.read_text().strip() == key
    assert len(key) >= project_settings.MIN_SECRET_KEY_LENGTH
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert project_settings.load_secret_key() == key


@pytest.mark.parametrize(
    "weak_key",
    [
        "short-but-random-Zx81qP",
        "change-me",
        "django-insecure-" + secrets.token_urlsafe(50),
        "ab" * 40,
    ],
    ids=["too short", "placeholder", "django sample key", "too few different characters"],
)
def test_a_weak_key_stops_the_server_with_a_message_that_says_what_to_do(
    data_dir, monkeypatch, weak_key
):
    monkeypatch.setenv("SECRET_KEY", weak_key)

    with pytest.raises(ImproperlyConfigured) as error:
        project_settings.load_secret_key()

    message = str(error.value)
    assert "SECRET_KEY is too weak" in message
    assert "at least 50 random characters" in message
    assert "secrets.token_urlsafe" in message
    assert weak_key not in message  # a key, even a weak one, is not written to a log
    assert not (data_dir / "secret_key").exists()


def test_a_strong_key_from_the_environment_is_used_as_it_is(data_dir, monkeypatch):
    strong = secrets.token_urlsafe(50)
    monkeypatch.setenv("SECRET_KEY", strong)

    assert project_settings.load_secret_key() == strong
    assert not (data_dir / "secret_key").exists()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="checks the SQLite options; this run uses another database (DATABASE_URL)",
)
def test_sqlite_uses_wal_takes_the_write_lock_at_begin_and_waits_for_it(
    tmp_path, django_db_blocker
):
    # So that two requests writing at once wait for each other instead of failing with
    # "database is locked". The test database lives in memory, so open a file with the same
    # options.
    options = settings.DATABASES["default"]["OPTIONS"]
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(tmp_path / "probe.sqlite3"),
                "OPTIONS": options,
            }
        }
    )
    probe = handler["default"]
    with django_db_blocker.unblock():
        try:
            with probe.cursor() as cursor:
                journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            probe.close()

    assert journal_mode == "wal"
    assert synchronous == 2  # FULL: a committed entry survives a power cut
    assert probe.transaction_mode == "IMMEDIATE"
    assert probe.get_connection_params()["timeout"] >= 5


@pytest.mark.slow
@pytest.mark.parametrize(("query", "kept_for"), [("", 60), ("?conn_max_age=0", 0)])
def test_a_server_database_keeps_its_connections_unless_told_not_to(query, kept_for):
    # Settings are read once per process: ask a fresh one.
    url = f"postgres://someone:secret@db.example.test:5432/notes{query}"
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    result = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "stalkerlog.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(kept_for)
