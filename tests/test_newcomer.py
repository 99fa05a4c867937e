"""What a new host sees when starting the app with `make run`: the setup code in a box, last,
and the HTTPS warnings said in one line while HTTPS is off."""

from io import StringIO

import pytest
from django.core.management import call_command

from incidents.services import setup_code_get_or_create


def test_the_setup_code_is_printed_in_a_box_with_the_address(db):
    out = StringIO()
    call_command("setup_code", "--url", "http://127.0.0.1:8000/", stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line]
    code = setup_code_get_or_create()
    assert lines[0].strip().startswith("+--") and lines[-1].strip().startswith("+--")
    assert any(code in line for line in lines)
    assert "http://127.0.0.1:8000/" in out.getvalue()
    assert len({len(line) for line in lines}) == 1  # every line of the box is as wide


@pytest.fixture(autouse=True)
def _as_deployed(monkeypatch):
    # Set for the browser tests; Django's deployment checks rightly call it an error.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


def test_the_https_warnings_are_one_line_in_local_mode(db, settings):
    settings.HTTPS = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    out, err = StringIO(), StringIO()

    try:
        call_command("startup_check", stdout=out, stderr=err)
    except Exception:
        pytest.fail(f"startup_check failed: {err.getvalue()}")

    assert out.getvalue().count("\n") == 1
    assert "4 warnings about HTTPS are skipped" in out.getvalue()
    assert "W004" not in err.getvalue() and "W012" not in err.getvalue()


def test_with_https_on_nothing_is_skipped(db, settings):
    settings.HTTPS = True
    settings.SECURE_HSTS_SECONDS = 0  # a real mistake with HTTPS on: it must be shown
    out, err = StringIO(), StringIO()

    call_command("startup_check", stdout=out, stderr=err)

    assert "skipped" not in out.getvalue()
    assert "security.W004" in err.getvalue()
