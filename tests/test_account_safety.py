"""Account safety: sign-ins that expire, where the account is signed in, the sign-in history,
the audit of sensitive actions, the safety advice, and deleting an account with its files."""

import io
import os
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from incidents import security
from incidents.evidence import evidence_storage
from incidents.integrity import display_copy
from incidents.models import (
    AuditEvent,
    Case,
    Evidence,
    Export,
    Incident,
    SignIn,
    User,
    UserSession,
)
from incidents.services import evidence_add
from tests.conftest import PASSWORD, make_incident, page_text

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _sign_in(client: Client, username="alice", password=PASSWORD, headers=None):
    return client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    )


def _later(**delta):
    """The clock moved forward: time.time() for the middleware, timezone.now() for rows."""
    moved = timezone.now() + timedelta(**delta)
    return (
        mock.patch("incidents.middleware.time.time", return_value=moved.timestamp()),
        mock.patch("django.utils.timezone.now", return_value=moved),
    )


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile("screenshot.png", buffer.getvalue(), "image/png")


# --- sessions -------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key(alice, client):
    session = client.session
    session["before"] = "sign-in"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    assert _sign_in(client).status_code == 302

    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != session.session_key
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert UserSession.objects.get(user=alice).session_key == new_key


@pytest.mark.parametrize(
    ("delta", "signed_out"),
    [
        ({"minutes": 25}, False),
        ({"minutes": 31}, True),  # SESSION_IDLE_MINUTES is 30 by default
    ],
)
def test_a_sign_in_left_idle_ends(alice, client, delta, signed_out):
    _sign_in(client)
    clock, now = _later(**delta)
    with clock, now:
        response = client.get(reverse("timeline"))

    if signed_out:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert not UserSession.objects.filter(user=alice).exists()
        followed = client.get(response.url)
        assert "You were signed out because it was not used for a while" in page_text(followed)
    else:
        assert response.status_code == 200


@pytest.mark.slow
def test_a_sign_in_ends_after_its_full_time_however_much_it_is_used(alice, client, settings):
    settings.SESSION_IDLE_MINUTES = 24 * 60  # so that a use every twenty hours keeps it going
    _sign_in(client)
    # Used every twenty hours (never idle for long), for fourteen days and a bit: the last use
    # is 17 hours before the end, well inside the idle time.
    for hours in range(20, 14 * 24, 20):
        clock, now = _later(hours=hours)
        with clock, now:
            assert client.get(reverse("dashboard")).status_code == 200, hours
    clock, now = _later(days=14, hours=1)
    with clock, now:
        response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_sessions_page_lists_only_the_users_own_and_marks_this_one(alice, mallory):
    on_laptop, on_phone, as_mallory = Client(), Client(), Client()
    _sign_in(on_laptop, headers={"user-agent": FIREFOX})
    _sign_in(on_phone, headers={"user-agent": IPHONE})
    _sign_in(as_mallory, username="mallory", headers={"user-agent": "curl/8.5"})

    text = page_text(on_laptop.get(reverse("account_sessions")))

    assert "Firefox on Windows · this browser" in text
    assert "Safari on an iPhone" in text
    assert "curl" not in text
    assert text.count("last seen") == 2


def test_sign_out_everywhere_else_ends_the_other_browsers_session(alice):
    here, there = Client(), Client()
    _sign_in(here)
    _sign_in(there)
    assert there.get(reverse("dashboard")).status_code == 200

    response = here.post(reverse("account_sessions_end_others"))

    assert response.status_code == 302
    assert there.get(reverse("dashboard")).status_code == 302
    assert here.get(reverse("dashboard")).status_code == 200
    assert UserSession.objects.filter(user=alice).count() == 1
    assert AuditEvent.objects.get(user=alice).action == "sign_out_others"


def test_changing_the_password_ends_the_other_sessions_and_the_list_shows_it(alice):
    here, there = Client(), Client()
    _sign_in(here)
    _sign_in(there)
    new = "a brand new passphrase 42"
    here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert there.get(reverse("dashboard")).status_code == 302
    assert here.get(reverse("dashboard")).status_code == 200
    alice.refresh_from_db()
    assert len(security.sessions_active(alice)) == 1


def test_signing_out_removes_the_session_from_the_list(alice, client):
    _sign_in(client)
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=alice).exists()


# --- sign-in history --------------------------------------------------------------------------


def test_the_history_keeps_successes_and_failures_but_no_password(alice, client):
    _sign_in(client, password="wrong guess one", headers={"user-agent": IPHONE})
    _sign_in(client, password="wrong guess two")
    _sign_in(client, username="nobody-here", password="wrong guess three")
    _sign_in(client, headers={"user-agent": FIREFOX})

    attempts = SignIn.objects.filter(user=alice)
    assert [a.succeeded for a in attempts] == [True, False, False]
    assert SignIn.objects.count() == 3  # nothing for the name without an account
    assert attempts[2].ip == "127.0.0.1"
    saved = " ".join(str(v) for a in SignIn.objects.values() for v in a.values())
    assert "wrong guess" not in saved

    text = page_text(client.get(reverse("account_sign_ins")))
    assert "Failed attempt" in text
    assert "Safari on an iPhone · address 127.0.0.1" in text


def test_the_dashboard_tells_of_failed_attempts_until_the_history_is_seen(alice, client):
    for _ in range(3):
        _sign_in(client, password="a wrong guess")
    _sign_in(client)

    text = page_text(client.get(reverse("dashboard")))
    assert "3 failed sign-in attempts since you last looked" in text
    client.get(reverse("account_sign_ins"))
    assert "failed sign-in" not in page_text(client.get(reverse("dashboard")))


def test_the_failed_attempts_notice_can_be_hidden(alice, client):
    _sign_in(client, password="a wrong guess")
    _sign_in(client)
    assert "1 failed sign-in attempt since" in page_text(client.get(reverse("dashboard")))

    client.post(reverse("notice_dismiss"), {"notice": "sign-ins"})

    assert "failed sign-in" not in page_text(client.get(reverse("dashboard")))


# --- audit --------------------------------------------------------------------------------


def test_downloading_an_original_and_deleting_an_incident_are_recorded(alice, incident, mallory):
    item = evidence_add(case=incident.case, attached_to=incident, upload=_png())
    client = Client(headers={"user-agent": FIREFOX})
    client.force_login(alice)

    client.get(reverse("evidence_original", args=[item.uuid]))
    client.post(reverse("incident_delete", args=[incident.uuid]))
    client.post(reverse("incident_restore", args=[incident.uuid]))

    events = AuditEvent.objects.filter(user=alice).order_by("at", "id")
    assert [e.action for e in events] == ["original_download", "trash", "restore"]
    assert events[0].description == "Exhibit 1"
    day = timezone.localtime(incident.occurred_at)
    assert events[1].description == f"Incident of {day.day} {day:%B %Y}"
    assert all(e.device == "Firefox on Windows" for e in events)
    assert not any("missed calls" in e.description for e in events)

    text = page_text(client.get(reverse("account_activity")))
    assert "Opened or downloaded an original file : Exhibit 1" in text
    assert "(this browser)" in text
    as_mallory = Client()
    as_mallory.force_login(mallory)
    assert "Exhibit 1" not in page_text(as_mallory.get(reverse("account_activity")))


def test_downloading_an_export_and_changing_settings_are_recorded(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    export = Export.objects.create(
        owner=alice, case=case, kind="package", options={"case": str(case.uuid)},
        status="done", file_name=f"{alice.pk}/p.zip",
    )  # fmt: skip
    (settings.EXPORTS_DIR / export.file_name).parent.mkdir(parents=True)
    (settings.EXPORTS_DIR / export.file_name).write_bytes(b"PK")

    alice_client.get(reverse("export_download", args=[export.uuid]))
    alice_client.post(reverse("account_settings"), {"time_zone": "Europe/Berlin"})

    actions = list(AuditEvent.objects.filter(user=alice).values_list("action", flat=True))
    assert sorted(actions) == ["export_download", "settings"]


# --- safety advice ------------------------------------------------------------------------------


def test_the_safety_advice_shows_on_the_dashboard_until_dismissed(alice_client):
    text = page_text(alice_client.get(reverse("dashboard")))
    assert "Before you start: keeping this private" in text
    assert "does not erase your browser history" in text

    alice_client.post(reverse("notice_dismiss"), {"notice": "advice"})

    assert "Before you start" not in page_text(alice_client.get(reverse("dashboard")))
    assert "does not erase" in page_text(alice_client.get(reverse("account_safety_advice")))


# --- account data --------------------------------------------------------------------------


def test_a_copy_of_the_data_starts_one_package_per_person(alice, alice_client, incident):
    Case.objects.create(owner=alice, name="Second person")

    response = alice_client.post(reverse("account_data"))

    assert response.url == reverse("dossier")
    packages = Export.objects.owned_by(alice).filter(kind="package")
    assert packages.count() == 2
    assert AuditEvent.objects.get(user=alice).action == "data_export"


def _alice_with_files(alice, incident) -> dict:
    item = evidence_add(case=incident.case, attached_to=incident, upload=_png())
    derived, _ = display_copy(item, "thumbnail")
    case = incident.case
    export = Export.objects.create(
        owner=alice, case=case, kind="dossier", options={"case": str(case.uuid)},
        status="done", file_name=f"{alice.pk}/d.pdf",
    )  # fmt: skip
    exported = settings.EXPORTS_DIR / export.file_name
    exported.parent.mkdir(parents=True)
    exported.write_bytes(b"%PDF")
    cache = settings.DATA_DIR / "cache" / "dossier" / str(alice.pk)
    cache.mkdir(parents=True)
    (cache / "part.pdf").write_bytes(b"%PDF")
    original = evidence_storage().path(item.stored_name)
    return {"original": original, "derived": derived, "export": exported, "cache": cache}


def test_deleting_the_account_removes_its_rows_and_files(alice, mallory, incident):
    files = _alice_with_files(alice, incident)
    mallorys = make_incident(mallory, description="Mallory's own entry.")
    client = Client()
    _sign_in(client)
    assert all(os.path.exists(path) for path in files.values())

    page = client.get(reverse("account_delete"))
    assert "You run this server" in page_text(page)
    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(username="alice").exists()
    for model in (Case, Incident, Evidence, Export, UserSession, SignIn, AuditEvent):
        assert not model.objects.exclude(**_mallorys(model, mallory)).exists(), model
    for name, path in files.items():
        assert not os.path.exists(path), name
    assert Incident.objects.get() == mallorys
    assert client.get(reverse("dashboard")).status_code == 302


def _mallorys(model, mallory) -> dict:
    if model in (Incident, Evidence):
        return {"case__owner": mallory}
    if model in (Case, Export):
        return {"owner": mallory}
    return {"user": mallory}


def test_a_wrong_password_deletes_nothing_and_says_so_beside_the_field(alice, incident):
    files = _alice_with_files(alice, incident)
    client = Client()
    _sign_in(client)

    response = client.post(reverse("account_delete"), {"password": "not my password"})

    assert response.status_code == 400
    assert "That is not your password. Nothing has been deleted." in page_text(response)
    assert 'class="field field-invalid"' in response.content.decode()
    assert User.objects.filter(username="alice").exists()
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert all(os.path.exists(path) for path in files.values())
    assert client.get(reverse("dashboard")).status_code == 200


# --- devices in plain words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (FIREFOX, "Firefox on Windows"),
        (IPHONE, "Safari on an iPhone"),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("python-requests/2.32", "python-requests"),
        ("", "Unknown browser"),
    ],
)
def test_a_device_is_named_in_plain_words(agent, name):
    assert security.device_name(agent) == name
