"""Every page is sent with a strict policy and is never cached; signing out wipes the browser's
copy of the site; production needs only environment variables; error pages reveal nothing."""

import os
import re
import secrets
import sqlite3
import subprocess
import sys
import uuid
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from incidents.checks import SQLITE_SAFE_VERSION
from incidents.headers import CLEAR_SITE_DATA, PAGE_CSP, PERMISSIONS_POLICY
from tests.conftest import page_text
from tests.test_access import _kwargs, _objects_of, _url_patterns

HTML_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


class _InlineCode(HTMLParser):
    """Collects what the policy would block: inline scripts, styles and event handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style" or (tag == "script" and not attrs.get("src")):
            self.found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def _cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def _assert_safe_headers(response, what: str) -> None:
    assert {"no-store", "private"} <= _cache_directives(response), what
    if response.get("Content-Type", "").startswith("text/html"):
        for header, value in HTML_HEADERS.items():
            if header == "Referrer-Policy" and response.get(header) == "no-referrer":
                continue  # stricter still: a share link's pages (incidents/share_views.py)
            assert response.get(header) == value, f"{header} on {what}"
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert not parser.found, f"{what} has inline code the policy blocks: {parser.found}"
    else:
        # Files and JSON: a policy of their own (files are sandboxed) or the page policy.
        assert response.get("Content-Security-Policy"), what


@pytest.mark.slow
def test_every_page_is_sent_with_the_policy_and_is_never_cached(alice, incident):
    objects = _objects_of(alice, incident)
    anonymous, as_alice = Client(), Client()
    as_alice.force_login(alice)
    html_pages = 0

    for name, kwarg_names in _url_patterns():
        url = reverse(name, kwargs=_kwargs(name, kwarg_names, objects))
        for who, client in (("signed out", anonymous), ("alice", as_alice)):
            response = client.get(url)
            _assert_safe_headers(response, f"GET {url} ({who}, {response.status_code})")
            html_pages += response.get("Content-Type", "").startswith("text/html")

    assert html_pages > 40


def test_file_responses_keep_their_own_sandbox_policy(alice_client, alice, incident):
    objects = _objects_of(alice, incident)

    response = alice_client.get(reverse("evidence_original", args=[objects["evidence_id"]]))

    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert {"no-store", "private"} <= _cache_directives(response)


def test_signing_out_tells_the_browser_to_forget_the_site(alice_client):
    response = alice_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA
    _assert_safe_headers(response, "sign-out")
    # Only signing out clears: an ordinary page must not wipe the session.
    assert "Clear-Site-Data" not in alice_client.get(reverse("login"))


def test_static_files_are_cacheable(settings, client):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # A new client loads the middleware again, with the settings above.
    response = Client().get(settings.STATIC_URL + "js/quick-exit.js")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Clear-Site-Data" not in response


def _manage_check(tmp_path, **variables) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in a fresh process that sees only these variables."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYTHONPATH")
    }
    environment |= {"DATA_DIR": str(tmp_path / "data"), **variables}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HTTPS": "true",
    "ALLOWED_HOSTS": "notes.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://notes.example.org",
}


def _issues(result: subprocess.CompletedProcess) -> set[str]:
    return set(re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", result.stdout + result.stderr))


@pytest.mark.slow
def test_the_deploy_check_passes_with_the_production_variables(tmp_path):
    result = _manage_check(tmp_path, **PRODUCTION)

    # The one warning allowed is about this machine, not the settings: an SQLite older than
    # the WAL-reset fix (incidents/checks.py).
    old_sqlite = sqlite3.sqlite_version_info < SQLITE_SAFE_VERSION
    assert _issues(result) == ({"stalkerlog.W001"} if old_sqlite else set()), result.stderr
    if not old_sqlite:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout


@pytest.mark.slow
def test_the_deploy_check_fails_without_https(tmp_path):
    # Shows that the check above really runs the deployment checks.
    result = _manage_check(tmp_path, ALLOWED_HOSTS="notes.example.org")

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "signed in"])
def test_an_unknown_address_gets_a_plain_404_that_does_not_echo_it(client, alice, signed_in):
    if signed_in:
        client.force_login(alice)
    marker = f"probe-{uuid.uuid4().hex}"

    response = client.get(f"/{marker}/<b>?q={marker}")

    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert marker not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    _assert_safe_headers(response, "404 page")
    assert b"data-quick-exit" in response.content


def test_a_bad_request_gets_a_plain_400(client):
    response = client.get("/", headers={"host": "attacker.example"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "That did not work" in page_text(response)
    assert "attacker.example" not in content
    assert "ALLOWED_HOSTS" not in content
    _assert_safe_headers(response, "400 page")
    assert "data-quick-exit" in content


def test_a_form_sent_without_its_token_gets_a_calm_403(alice):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "alice"})

    assert response.status_code == 403
    assert "The form had expired" in page_text(response)
    assert "CSRF" not in response.content.decode()
    _assert_safe_headers(response, "CSRF failure page")


def test_a_server_error_page_says_nothing_about_the_fault(alice):
    handler = get_resolver().resolve_error_handler(500)

    response = handler(RequestFactory().get("/incidents/"))

    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on the server" in content
    assert "Traceback" not in content
    assert settings.QUICK_EXIT_URL in content
    assert settings.SITE_TITLE in content
