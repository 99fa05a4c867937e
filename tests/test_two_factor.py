"""Two-factor sign-in and the limit on password guessing. The stalker may know the password:
with two-factor on, the password alone must open nothing, and guessing must stop working."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents import sign_in
from incidents.models import RecoveryCode
from incidents.recovery import code_hash
from incidents.two_factor import totp_pending, two_factor_enable, two_factor_enabled
from tests.conftest import PASSWORD, page_text

WRONG = "not the password at all"
NOT_WORKED = "That user name and password did not work."
PAUSED_15 = "Sign-in from here is paused for 15 more minutes"


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or `steps_ahead` periods of 30 s from now)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def enabled(alice) -> tuple[TOTPDevice, list[str]]:
    device = totp_pending(alice)
    codes = two_factor_enable(user=alice, device=device)
    return device, codes


@pytest.fixture
def device(enabled) -> TOTPDevice:
    return enabled[0]


@pytest.fixture
def backup_codes(enabled) -> list[str]:
    return enabled[1]


def _password(client, username="alice", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _code_step(client, code, next_url=""):
    return client.post(reverse("login_code"), {"code": code, "next": next_url})


def _signed_in(client) -> bool:
    return client.get(reverse("timeline")).status_code == 200


# --- signing in with two-factor on -----------------------------------------------------------


def test_a_password_only_session_reaches_no_page_but_the_code_page(alice, device, incident):
    client = Client()
    response = _password(client)
    assert response.url == reverse("dashboard")

    code_page = reverse("login_code")
    pages = [
        reverse("dashboard"),
        reverse("timeline"),
        reverse("incident_new"),
        reverse("incident_detail", args=[incident.uuid]),
        reverse("case_list"),
        reverse("dossier"),
        reverse("account_settings"),
        reverse("password_change"),
        reverse("two_factor"),
        reverse("two_factor_setup"),
        reverse("login"),
    ]
    for url in pages:
        for response in (client.get(url), client.post(url, {"description": "Mallory was here"})):
            assert response.status_code == 302, url
            assert response.url.startswith(code_page), url
    assert client.get(reverse("dashboard")).url == f"{code_page}?next=/"
    assert "Enter your code" in page_text(client.get(code_page))
    incident.refresh_from_db()
    assert not incident.revisions.exists()
    assert two_factor_enabled(alice)


def test_a_session_from_before_two_factor_was_on_is_held_at_the_code_page_too(alice, device):
    # A session that signed in with the password alone (force_login: no code given).
    client = Client()
    client.force_login(alice)

    assert client.get(reverse("dashboard")).url.startswith(reverse("login_code"))


def test_the_password_and_a_code_sign_in_and_lead_on_to_the_page_asked_for(alice, device):
    client = Client()
    _password(client)

    response = _code_step(client, _code(device), next_url=reverse("timeline"))

    assert response.url == reverse("timeline")
    assert _signed_in(client)
    # The recommendation is gone once two-factor is on.
    assert "Turn on two-factor sign-in" not in page_text(client.get(reverse("dashboard")))


def test_a_wrong_code_is_refused(alice, device):
    client = Client()
    _password(client)

    response = _code_step(client, "000000" if _code(device) != "000000" else "111111")

    assert response.status_code == 200
    assert "That code did not work." in page_text(response)
    assert not _signed_in(client)


def test_a_used_code_is_refused_the_second_time(alice, device):
    code = _code(device)
    first = Client()
    _password(first)
    assert _code_step(first, code).status_code == 302
    assert _signed_in(first)

    # Someone who saw the code typed (over a shoulder, on a screen) tries it straight away.
    second = Client()
    _password(second)
    response = _code_step(second, code)

    assert response.status_code == 200
    assert "That code did not work." in page_text(response)
    assert not _signed_in(second)


@pytest.mark.slow
def test_a_backup_code_signs_in_once(alice, device, backup_codes):
    code = backup_codes[0]
    first = Client()
    _password(first)
    response = _code_step(first, code.upper())  # as typed from paper
    assert response.status_code == 302
    assert "Backup code used. You have 9 left." in page_text(first.get(reverse("dashboard")))

    second = Client()
    _password(second)
    assert "That code did not work." in page_text(_code_step(second, code))
    assert not _signed_in(second)


def test_guessing_codes_is_stopped_like_guessing_passwords(alice, device):
    guesser = Client(REMOTE_ADDR="192.0.2.30")
    for guess in ("000001", "abcdefgh", "000002", "abcdefgj", "000003"):
        # The password again before each guess: knowing it must not clear the count.
        _password(guesser)
        # Each device makes a guesser wait after a failure; move that wait out of the way so
        # that only the lockout is tested.
        TOTPDevice.objects.update(throttling_failure_count=0)
        _code_step(guesser, guess)
    TOTPDevice.objects.update(throttling_failure_count=0)

    assert PAUSED_15 in page_text(_code_step(guesser, _code(device)))
    assert not _signed_in(guesser)
    # The owner, somewhere else, is not held up by it.
    owner = Client(REMOTE_ADDR="192.0.2.31")
    _password(owner)
    assert _code_step(owner, _code(device)).status_code == 302


def test_many_wrong_codes_never_keep_the_owner_out_for_long(alice, device):
    # Thirty failures in a row: django-otp alone would ask to wait 2**29 seconds (17 years).
    TOTPDevice.objects.update(
        throttling_failure_count=30,
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=9),
    )
    client = Client()
    _password(client)

    assert _code_step(client, _code(device)).status_code == 302
    assert _signed_in(client)


# --- turning it on, moving it, turning it off ------------------------------------------------


def test_turning_it_on_shows_a_local_qr_code_then_ten_backup_codes_once(alice, alice_client):
    other = Client()
    other.force_login(alice)
    assert "Turn on two-factor sign-in" in page_text(alice_client.get(reverse("dashboard")))

    page = alice_client.get(reverse("two_factor_setup"))

    html = page.content.decode()
    # The QR code's picture (the page's icons are other, small SVGs).
    svg = re.search(r'<div class="qr-code"><svg\b.*?</svg>', html, re.S).group()
    # Drawn on the server: no image fetched from anywhere, no link out of the page.
    assert "<img" not in html
    assert not re.search(r"\b(src|href)=", svg)
    assert "otpauth" not in html  # the key is in the picture and typed below, not in a link
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    assert page.context["secret"].replace(" ", "") in page_text(page).replace(" ", "")

    wrong_password = alice_client.post(
        reverse("two_factor_setup"), {"password": WRONG, "code": _code(device)}
    )
    assert "That is not your password." in page_text(wrong_password)
    assert not two_factor_enabled(alice)

    response = alice_client.post(
        reverse("two_factor_setup"), {"password": PASSWORD, "code": _code(device)}
    )
    assert response.url == reverse("two_factor_codes")
    codes_page = alice_client.get(response.url)
    shown = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", codes_page.content.decode())
    assert len(set(shown)) == 10
    # Only their hashes are kept, and they are the account's recovery codes.
    assert {code_hash(code) for code in shown} == set(
        RecoveryCode.objects.filter(user=alice).values_list("code_hash", flat=True)
    )
    assert alice_client.get(reverse("two_factor_codes")).url == reverse("two_factor")  # once
    assert two_factor_enabled(alice)
    assert _signed_in(alice_client)  # this session gave the code
    # Any other session (one the stalker might hold) is signed out.
    assert other.get(reverse("timeline")).url.startswith(reverse("login"))


def test_turning_it_off_needs_the_password_and_a_current_code(alice, device):
    client = Client()
    _password(client)
    _code_step(client, _code(device))
    url = reverse("two_factor")

    wrong_password = client.post(
        url, {"password": WRONG, "code": _code(device, 1), "action": "off"}
    )
    assert "That is not your password." in page_text(wrong_password)
    no_code = client.post(url, {"password": PASSWORD, "code": "", "action": "off"})
    assert "This field is required." in page_text(no_code)
    assert two_factor_enabled(alice)

    # The code refused with the wrong password was not used up by it.
    response = client.post(url, {"password": PASSWORD, "code": _code(device, 1), "action": "off"})

    assert response.url == url
    assert not two_factor_enabled(alice)
    assert "Turn on two-factor sign-in" in page_text(client.get(reverse("dashboard")))


def test_a_new_phone_needs_the_password_and_a_code_and_replaces_the_old_one(alice, device):
    client = Client()
    _password(client)
    _code_step(client, _code(device))

    # Without the password and a code the setup page is not offered.
    assert client.get(reverse("two_factor_setup")).url == reverse("two_factor")
    response = client.post(
        reverse("two_factor"), {"password": PASSWORD, "code": _code(device, 1), "action": "replace"}
    )
    assert response.url == reverse("two_factor_setup")
    assert "Your current phone keeps working" in page_text(client.get(response.url))
    new = TOTPDevice.objects.get(user=alice, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"password": PASSWORD, "code": _code(new)})

    assert response.url == reverse("two_factor_codes")
    assert list(TOTPDevice.objects.filter(user=alice)) == [new]
    assert _signed_in(client)
    assert client.get(reverse("two_factor_setup")).url == reverse("two_factor")


# --- password guessing -----------------------------------------------------------------------


def test_the_sixth_try_is_refused_even_with_the_right_password(alice):
    client = Client()
    for _ in range(4):
        assert NOT_WORKED in page_text(_password(client, password=WRONG))
    assert PAUSED_15 in page_text(_password(client, password=WRONG))

    response = _password(client)

    assert response.status_code == 200
    assert PAUSED_15 in page_text(response)
    assert not _signed_in(client)
    # From another address, alice herself can still sign in.
    assert _password(Client(REMOTE_ADDR="192.0.2.7")).url == reverse("dashboard")


def test_the_lockout_lifts_after_the_cool_off(alice, settings, monkeypatch):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    client = Client()
    for _ in range(5):
        _password(client, password=WRONG)

    # Axes reads the time of each attempt from its request handler.
    start = timezone.now()
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: start + timedelta(minutes=14))
    refused = page_text(_password(client))
    assert not _signed_in(client)
    assert "Sign-in from here is paused for 1 more minute," in refused

    # The refused try above was not checked and does not start the cool-off again.
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: start + timedelta(minutes=15, seconds=1))
    assert _password(client).url == reverse("dashboard")
    assert _signed_in(client)
    assert not AccessAttempt.objects.filter(username=sign_in.name_key("alice")).exists()


def test_an_unknown_user_a_wrong_password_and_a_lockout_read_the_same(alice):
    unknown = _password(Client(REMOTE_ADDR="192.0.2.1"), username="nobody")
    wrong = _password(Client(REMOTE_ADDR="192.0.2.2"), password=WRONG)
    guesser = Client(REMOTE_ADDR="192.0.2.3")
    for _ in range(5):
        _password(guesser, password=WRONG)
        _password(guesser, username="nobody", password=WRONG)
    locked = _password(guesser)
    locked_unknown = _password(guesser, username="nobody")

    responses = [unknown, wrong, locked, locked_unknown]
    assert {r.status_code for r in responses} == {200}
    assert page_text(unknown) == page_text(wrong)
    assert NOT_WORKED in page_text(wrong)
    # Paused: said plainly, with how long, and in the same words for a name without an account.
    assert page_text(locked) == page_text(locked_unknown)
    assert PAUSED_15 in page_text(locked)


def test_guessing_other_names_from_the_owners_address_does_not_keep_her_out(alice):
    # Someone on the same Wi-Fi or behind the same NAT: the pause is per name and address.
    guesser = Client(REMOTE_ADDR="192.0.2.9")
    for name in ("bob", "sam", "admin", "root", "alex"):
        for _ in range(5):
            _password(guesser, username=name)

    assert PAUSED_15 in page_text(_password(guesser, username="bob"))
    assert _password(Client(REMOTE_ADDR="192.0.2.9")).url == reverse("dashboard")


def test_signing_in_clears_only_that_names_failures_from_that_address(alice, mallory):
    client = Client(REMOTE_ADDR="192.0.2.20")
    for _ in range(2):
        _password(client, password=WRONG)
    _password(client, username="mallory", password=WRONG)
    _password(Client(REMOTE_ADDR="192.0.2.21"), password=WRONG)

    _password(client)

    left = set(AccessAttempt.objects.values_list("username", "ip_address"))
    # Kept by a keyed hash of the name (a password typed into the name box is never stored).
    key = sign_in.name_key
    assert left == {(key("mallory"), "192.0.2.20"), (key("alice"), "192.0.2.21")}


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4"
    )
    assert sign_in.client_ip(request) == "127.0.0.1"  # no proxy trusted: header ignored

    settings.TRUSTED_PROXY_COUNT = 1
    # The first entry is whatever the client sent; the last is what nginx appended.
    assert sign_in.client_ip(request) == "198.51.100.4"


def test_wrong_old_passwords_on_the_change_page_count_towards_the_lockout(alice, alice_client):
    url = reverse("password_change")
    for _ in range(5):
        alice_client.post(
            url,
            {
                "old_password": "wrong",
                "new_password1": "a new long pass 12",
                "new_password2": "a new long pass 12",
            },
        )
    response = alice_client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a new long pass 12",
            "new_password2": "a new long pass 12",
        },
    )
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)  # the right one, after five guesses, is refused
    assert response.status_code in (200, 302)
