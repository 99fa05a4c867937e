"""First run, signing in, accounts for others and changing the password."""

import re
import stat
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from incidents.models import Case, User
from incidents.services import setup_code_get_or_create, setup_code_matches
from tests.conftest import PASSWORD, make_incident, page_text

NEW_PASSWORD = "a different long passphrase"


def _setup_form(code: str, username: str = "sam") -> dict:
    return {
        "setup_code": code,
        "username": username,
        "time_zone": "Europe/Berlin",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


# --- first run -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["dashboard", "login", "timeline"])
def test_with_no_account_yet_every_door_leads_to_setup(client, db, page):
    response = client.get(reverse(page), follow=True)

    assert response.redirect_chain[-1][0] == reverse("setup")
    assert "Create my account" in page_text(response)


def test_the_setup_code_is_kept_in_a_file_only_the_server_can_read(db):
    code = setup_code_get_or_create()

    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert settings.SETUP_CODE_FILE.read_text().strip() == code
    assert stat.S_IMODE(settings.SETUP_CODE_FILE.stat().st_mode) == 0o600
    assert setup_code_get_or_create() == code  # the same code until it is used


def test_a_wrong_setup_code_is_refused_and_the_user_name_kept(client, db):
    setup_code_get_or_create()

    response = client.post(reverse("setup"), _setup_form("AAAA-BBBB-CCCC-DDDD"))

    assert response.status_code == 200
    assert "That code does not match." in page_text(response)
    assert 'value="sam"' in response.content.decode()
    assert not User.objects.exists()


def test_setup_is_refused_when_no_code_was_ever_made(client, db):
    response = client.post(reverse("setup"), _setup_form("AAAA-BBBB-CCCC-DDDD"))

    assert "That code does not match." in page_text(response)
    assert not User.objects.exists()


def test_the_right_code_creates_the_owner_signs_them_in_and_retires_the_code(client, db):
    code = setup_code_get_or_create()

    # Typed on a phone: lower case, with a stray space at the end.
    response = client.post(reverse("setup"), _setup_form(code.lower() + " "))

    # Two-factor sign-in is offered next (tests/test_sign_in_sessions.py covers that page).
    assert response.url == reverse("two_factor_offer")
    owner = User.objects.get()
    assert (owner.username, owner.is_staff, owner.time_zone) == ("sam", True, "Europe/Berlin")
    assert not owner.is_superuser
    assert Case.objects.owned_by(owner).count() == 1
    assert "Your account is ready." in page_text(client.get(reverse("dashboard")))
    assert not settings.SETUP_CODE_FILE.exists()
    assert client.get(reverse("setup")).status_code == 404
    assert Client().get(reverse("setup")).status_code == 404
    assert Client().post(reverse("setup"), _setup_form(code, "eve")).status_code == 404
    assert setup_code_get_or_create() is None
    assert User.objects.count() == 1


def test_the_setup_code_command_prints_the_code_until_an_account_exists(db):
    out = StringIO()
    call_command("setup_code", stdout=out)
    assert settings.SETUP_CODE_FILE.read_text().strip() in out.getvalue()

    User.objects.create_user(username="sam", password=PASSWORD)
    out = StringIO()
    call_command("setup_code", stdout=out)
    assert "Setup is done" in out.getvalue()
    assert not settings.SETUP_CODE_FILE.exists()


# --- signing in ------------------------------------------------------------------------------


def test_signing_in_with_the_right_password_opens_the_dashboard(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(alice):
    unknown = Client().post(reverse("login"), {"username": "nobody", "password": PASSWORD})
    wrong = Client().post(reverse("login"), {"username": "alice", "password": "not it at all"})

    assert unknown.status_code == wrong.status_code == 200
    assert page_text(unknown) == page_text(wrong)
    assert "That user name and password did not work." in page_text(wrong)


def test_signing_out_ends_the_session(alice_client):
    alice_client.post(reverse("logout"))

    response = alice_client.get(reverse("dashboard"))
    assert response.url.startswith(reverse("login"))


# --- accounts for other people ---------------------------------------------------------------


def test_the_owner_can_add_an_account_that_sees_none_of_the_owners_records(alice, alice_client):
    make_incident(alice, description="Alice's own incident")

    response = alice_client.post(
        reverse("account_list"),
        {
            "username": "bob",
            "time_zone": "UTC",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert "Account “bob” created." in page_text(response)
    bob = User.objects.get(username="bob")
    assert not bob.is_staff
    assert Case.objects.owned_by(bob).count() == 1
    as_bob = Client()
    # Through the sign-in page: the lockout (django-axes) needs the request.
    signed_in = as_bob.post(reverse("login"), {"username": "bob", "password": NEW_PASSWORD})
    # Bob's recovery codes are made and shown at his first sign-in, where the owner cannot see
    # them (tests/test_recovery.py covers that page).
    assert signed_in.url == reverse("recovery_codes_new")
    timeline = page_text(as_bob.get(reverse("timeline")))
    assert "0 incidents." in timeline
    assert "Alice's own incident" not in timeline
    assert "Incidents logged 0" in page_text(as_bob.get(reverse("dashboard")))
    assert as_bob.get(reverse("account_list")).status_code == 403


def test_a_new_account_needs_a_password_that_is_not_too_weak(alice_client):
    response = alice_client.post(
        reverse("account_list"),
        {"username": "bob", "time_zone": "UTC", "password1": "bob", "password2": "bob"},
    )

    assert response.status_code == 200
    assert "This password is too short." in page_text(response)
    assert not User.objects.filter(username="bob").exists()


def test_changing_the_password_keeps_the_user_signed_in(alice, alice_client):
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert "Your password has been changed." in page_text(response)
    assert alice_client.get(reverse("timeline")).status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    old = Client().post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert "That user name and password did not work." in page_text(old)


def test_the_password_is_not_changed_without_the_old_one(alice, alice_client):
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "a wrong guess",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# --- the setup code as typed ---------------------------------------------------------------------


def test_the_setup_code_is_accepted_typed_without_dashes_in_small_letters(client, db):
    code = setup_code_get_or_create()
    typed = code.replace("-", "").lower()

    response = client.post(
        reverse("setup"),
        {
            "setup_code": f" {typed[:8]} {typed[8:]} ",
            "username": "sam",
            "time_zone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username="sam").exists()


def test_a_setup_code_with_one_character_wrong_is_still_refused(client, db):
    code = setup_code_get_or_create()
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")

    assert not setup_code_matches(wrong)
    assert not setup_code_matches(wrong.replace("-", ""))
    assert not setup_code_matches("")
    assert setup_code_matches(code)


def test_an_empty_setup_code_file_matches_nothing(settings, db):
    settings.SETUP_CODE_FILE.write_text("")

    assert not setup_code_matches("-")
    assert not setup_code_matches("")
