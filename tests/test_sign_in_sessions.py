"""Shorter, safer sign-ins: the session ends with the browser unless the user asks to be kept
signed in on this device, the key changes at the code step, a browser already signed in is
offered to sign out first, two-factor is offered when the account is made, and the host can
require it for every account."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import User, UserSession
from incidents.services import setup_code_get_or_create
from incidents.two_factor import totp_pending, two_factor_enable, two_factor_enabled
from tests.conftest import PASSWORD, page_text


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _password(client, username="alice", password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def _signed_in(client) -> bool:
    return client.get(reverse("timeline")).status_code == 200


# --- the session cookie ----------------------------------------------------------------------


def test_without_keep_me_signed_in_the_session_ends_with_the_browser(alice):
    client = Client()
    page = client.get(reverse("login"))
    assert "Keep me signed in on this device" in page_text(page)

    _password(client)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["max-age"] and not cookie["expires"]
    assert _signed_in(client)


def test_keep_me_signed_in_makes_the_cookie_outlast_the_browser(alice):
    client = Client()

    _password(client, keep_signed_in="on")

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert _signed_in(client)


def test_typing_in_a_long_entry_keeps_the_sign_in_from_ending_as_idle(alice_client):
    page = alice_client.get(reverse("incident_new"))
    assert reverse("session_alive") in page.content.decode()  # session-alive.js is told where

    assert alice_client.get(reverse("session_alive")).status_code == 204
    assert Client().get(reverse("session_alive")).status_code == 302  # signed out: nothing


# --- the code step ---------------------------------------------------------------------------


def test_the_session_key_changes_when_the_code_is_given(alice):
    device = totp_pending(alice)
    two_factor_enable(user=alice, device=device)
    client = Client()
    _password(client)
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(reverse("login_code"), {"code": _code(device)})

    assert response.url == reverse("dashboard")
    after_code = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_code != after_password
    assert _signed_in(client)
    # The key seen after the password alone opens nothing now, and the list follows the new key.
    copied = Client()
    copied.cookies[settings.SESSION_COOKIE_NAME] = after_password
    assert not _signed_in(copied)
    assert UserSession.objects.get(user=alice).session_key == after_code
    # Only after the code is this device remembered.
    assert settings.KNOWN_DEVICE_COOKIE_NAME in client.cookies


# --- a browser already signed in ---------------------------------------------------------------


@pytest.mark.slow
def test_a_signed_in_browser_on_the_sign_in_page_is_offered_to_sign_out_first(alice, mallory):
    client = Client()
    _password(client)

    page = client.get(reverse("login"))

    text = page_text(page)
    assert "This browser is signed in as alice" in text
    assert "To sign in with another account, sign out first." in text
    assert f'action="{reverse("logout")}"' in page.content.decode()
    # Posting another account's password does not silently switch accounts.
    _password(client, username="mallory")
    assert client.get(reverse("account_settings")).context["user"] == alice

    client.post(reverse("logout"))
    assert _password(client, username="mallory").url == reverse("dashboard")
    assert client.get(reverse("account_settings")).context["user"].username == "mallory"


# --- two-factor when the account is made, and required by the host -------------------------


def _setup(client, code):
    return client.post(
        reverse("setup"),
        {
            "setup_code": code,
            "username": "sam",
            "time_zone": "Europe/Berlin",
            "password1": "a long pass for sam 12",
            "password2": "a long pass for sam 12",
        },
    )


def test_making_the_first_account_offers_two_factor_with_a_reason_and_a_way_past(db):
    client = Client()

    response = _setup(client, setup_code_get_or_create())

    assert response.url == reverse("two_factor_offer")
    offer = client.get(response.url)
    text = page_text(offer)
    assert "the password alone is not enough" in text
    html = offer.content.decode()
    assert f'href="{reverse("two_factor_setup")}"' in html
    assert f'href="{reverse("dashboard")}"' in html and "Not now" in text
    assert client.get(reverse("dashboard")).status_code == 200  # skipping is allowed
    assert settings.KNOWN_DEVICE_COOKIE_NAME in client.cookies


@pytest.fixture
def required(settings):
    settings.REQUIRE_TWO_FACTOR = True


def test_with_two_factor_required_an_account_without_it_is_sent_to_set_it_up(
    required, alice, incident
):
    client = Client()
    assert _password(client).url == reverse("dashboard")

    for url in (
        reverse("dashboard"),
        reverse("timeline"),
        reverse("incident_detail", args=[incident.uuid]),
        reverse("account_settings"),
        reverse("two_factor"),
    ):
        assert client.get(url).url == reverse("two_factor_setup"), url
    setup = client.get(reverse("two_factor_setup"))
    assert "asks every account to use two-factor sign-in" in page_text(setup)

    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    done = client.post(reverse("two_factor_setup"), {"password": PASSWORD, "code": _code(device)})

    assert done.url == reverse("two_factor_codes")
    assert _signed_in(client)


def test_with_two_factor_required_the_first_account_goes_straight_to_setting_it_up(required, db):
    client = Client()
    assert _setup(client, setup_code_get_or_create()).url == reverse("two_factor_setup")
    assert client.get(reverse("two_factor_offer")).url == reverse("two_factor_setup")


def test_with_two_factor_required_it_cannot_be_turned_off(required, alice):
    device = totp_pending(alice)
    two_factor_enable(user=alice, device=device)
    client = Client()
    _password(client)
    client.post(reverse("login_code"), {"code": _code(device)})
    assert "Turn off" not in page_text(client.get(reverse("two_factor")))

    response = client.post(
        reverse("two_factor"), {"password": PASSWORD, "code": _code(device, 1), "action": "off"}
    )

    assert two_factor_enabled(User.objects.get(pk=alice.pk))
    assert "so it stays on" in page_text(client.get(response.url))
