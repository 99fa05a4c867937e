"""Small hardening: a Permissions-Policy, "__Host-" cookies over HTTPS, 12-character passwords,
and system checks that warn about an SQLite or a WeasyPrint that puts the record at risk."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings as real_settings
from django.core.checks import run_checks
from django.urls import reverse

from incidents import checks
from incidents.headers import PERMISSIONS_POLICY
from incidents.services import setup_code_get_or_create
from tests.conftest import page_text


def test_every_answer_denies_the_camera_microphone_and_location(client, alice, incident):
    client.force_login(alice)
    for url in (reverse("login"), reverse("dashboard"), incident.get_absolute_url()):
        policy = client.get(url)["Permissions-Policy"]
        assert policy == PERMISSIONS_POLICY
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, feature
    # A video player may still go full screen.
    assert "fullscreen=(self)" in PERMISSIONS_POLICY


def _settings_in_a_fresh_process(tmp_path, **variables) -> list[str]:
    code = (
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "
        "settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_PATH, "
        "settings.SESSION_COOKIE_DOMAIN, settings.CSRF_COOKIE_PATH, settings.CSRF_COOKIE_DOMAIN)"
    )
    result = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "stalkerlog.settings",
            "DATA_DIR": str(tmp_path),
            **variables,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


@pytest.mark.slow
def test_over_https_the_cookies_carry_the_host_prefix(tmp_path):
    names = _settings_in_a_fresh_process(tmp_path, HTTPS="true")
    # The browser takes a "__Host-" cookie only if it is Secure, for Path=/ and no Domain.
    assert names == ["__Host-sessionid", "__Host-csrftoken", "True", "/", "None", "/", "None"]


@pytest.mark.slow
def test_without_https_the_cookies_keep_their_plain_names(tmp_path):
    # Browsers refuse "__Host-" cookies that are not Secure: on plain HTTP they would be lost.
    names = _settings_in_a_fresh_process(tmp_path, HTTPS="false")
    assert names[:3] == ["sessionid", "csrftoken", "False"]


def test_a_host_prefixed_session_cookie_is_sent_as_the_browser_requires(client, alice, settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.SESSION_COOKIE_SECURE = True
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse battery staple"}
    )
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]


def _setup(client, password: str):
    code = setup_code_get_or_create()
    return client.post(
        reverse("setup"),
        {
            "setup_code": code,
            "username": "sam",
            "time_zone": "UTC",
            "password1": password,
            "password2": password,
        },
    )


def test_a_password_of_eleven_characters_is_refused_with_the_reason(client, db):
    response = _setup(client, "plum-kettle")  # 11 characters
    text = page_text(response)
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in text
    assert 'value="sam"' in response.content.decode()  # the user name is kept


def test_the_password_help_says_twelve_characters(client, db):
    setup_code_get_or_create()
    assert "at least 12 characters" in page_text(client.get(reverse("setup")))


def test_a_password_of_twelve_characters_is_taken(client, db):
    response = _setup(client, "plum-kettle4")
    assert response.status_code == 302


# --- system checks ----------------------------------------------------------------------------


def _ids() -> set[str]:
    return {message.id for message in run_checks()}


class _SettingsWith(SimpleNamespace):
    """The settings given; any other is read from the real ones (for the other checks)."""

    def __getattr__(self, name):
        return getattr(real_settings, name)


def _configured_engine(monkeypatch, engine: str) -> None:
    """What the check reads from the settings; the test database itself stays as it is."""
    databases = {"default": {"ENGINE": f"django.db.backends.{engine}"}}
    monkeypatch.setattr(checks, "settings", _SettingsWith(DATABASES=databases))


def test_an_sqlite_older_than_the_wal_reset_fix_is_warned_about(monkeypatch):
    _configured_engine(monkeypatch, "sqlite3")
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 51, 2))
    monkeypatch.setattr(checks.sqlite3, "sqlite_version", "3.51.2")
    assert "stalkerlog.W001" in _ids()
    (warning,) = checks.sqlite_version_check(None)
    assert "SQLite 3.51.2 is older than 3.51.3" in warning.msg


def test_an_sqlite_with_the_fix_is_not_warned_about(monkeypatch):
    _configured_engine(monkeypatch, "sqlite3")
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 51, 3))
    assert "stalkerlog.W001" not in _ids()


def test_an_old_sqlite_library_does_not_matter_with_postgresql(monkeypatch):
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 40, 1))
    _configured_engine(monkeypatch, "postgresql")
    assert checks.sqlite_version_check(None) == []


def test_the_installed_weasyprint_is_of_the_pinned_line():
    assert checks.pinned_major("weasyprint") is not None
    assert checks.weasyprint_version_check(None) == []


@pytest.mark.parametrize("pin", ["69.0", "71.2"])
def test_a_weasyprint_outside_the_pinned_line_is_warned_about(monkeypatch, tmp_path, pin):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"pypdf==7.1.1\nweasyprint=={pin}\n")
    monkeypatch.setattr(checks, "REQUIREMENTS", requirements)
    (warning,) = checks.weasyprint_version_check(None)
    assert warning.id == "stalkerlog.W002"
    assert f"made and tested for WeasyPrint {pin.split('.')[0]}.x" in warning.msg
    assert "stalkerlog.W002" in _ids()
