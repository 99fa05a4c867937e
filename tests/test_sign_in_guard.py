"""Password guessing cannot be turned against the owner: pauses per name and address that end by
themselves and are not lengthened by tries during them, a delay per name that grows however many
addresses the guesses come from, and a device that has signed in before, which neither holds up
(its password is still checked). The pause is said plainly, with its minutes, in the same words
whether or not the account exists."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.models import KnownDevice, SignInGuesses
from incidents.sign_in import guess_delay, name_key
from tests.conftest import PASSWORD, page_text

WRONG = "not the password at all"
OWNERS_WIFI = "198.51.100.7"
NOT_WORKED = "That user name and password did not work."


def _password(client, username="alice", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _signed_in(client) -> bool:
    return client.get(reverse("timeline")).status_code == 200


@pytest.fixture
def clock(monkeypatch):
    """Every limit reads the time of the attempt from django-axes' request handler."""

    class Clock:
        now = timezone.now()

        def move(self, **delta):
            self.now += timedelta(**delta)

    moved = Clock()
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: moved.now)
    return moved


@pytest.fixture
def known_phone(alice) -> Client:
    """The owner's phone: it signed in once, then signed out."""
    phone = Client(REMOTE_ADDR=OWNERS_WIFI)
    assert _password(phone).url == reverse("dashboard")
    phone.post(reverse("logout"))
    assert not _signed_in(phone)
    assert settings.KNOWN_DEVICE_COOKIE_NAME in phone.cookies
    return phone


def _guess_from_many_places(count: int, username="alice", first=0):
    for n in range(first, first + count):
        _password(Client(REMOTE_ADDR=f"203.0.113.{n % 250 + 1}"), username, WRONG)


@pytest.mark.slow
def test_a_stream_of_wrong_guesses_from_the_owners_address_does_not_keep_her_known_phone_out(
    known_phone, clock
):
    stalker = Client(REMOTE_ADDR=OWNERS_WIFI)  # the same Wi-Fi, the same address
    for _ in range(40):
        _password(stalker, password=WRONG)
        clock.move(seconds=20)
    _guess_from_many_places(20)  # and from other places: the name-wide delay is on as well
    assert "paused" in page_text(_password(Client(REMOTE_ADDR=OWNERS_WIFI)))
    assert "paused" in page_text(_password(stalker))

    response = _password(known_phone)

    assert response.url == reverse("dashboard")
    assert _signed_in(known_phone)


def test_a_known_device_still_needs_the_right_password_and_is_forgotten_after_five_wrong(
    known_phone,
):
    for _ in range(4):
        assert NOT_WORKED in page_text(_password(known_phone, password=WRONG))
    assert not _signed_in(known_phone)
    assert KnownDevice.objects.filter(failures=4).exists()

    _password(known_phone, password=WRONG)

    # A device like any other now: these five wrong passwords count against it from here.
    assert not KnownDevice.objects.exists()
    _password(known_phone, password=WRONG)
    _password(known_phone, password=WRONG)
    _password(known_phone, password=WRONG)
    _password(known_phone, password=WRONG)
    assert "Sign-in from here is paused" in page_text(_password(known_phone, password=WRONG))
    assert "Sign-in from here is paused" in page_text(_password(known_phone))


def test_a_copied_or_changed_device_cookie_exempts_nothing(known_phone):
    value = known_phone.cookies[settings.KNOWN_DEVICE_COOKIE_NAME].value
    stranger = Client(REMOTE_ADDR=OWNERS_WIFI)
    stranger.cookies[settings.KNOWN_DEVICE_COOKIE_NAME] = value[:-2] + "xx"
    for _ in range(5):
        _password(stranger, password=WRONG)
    assert "Sign-in from here is paused" in page_text(_password(stranger))

    # The owner signs in again on the phone: it gets a new token, and the old one stops working.
    _password(known_phone)
    copied = Client(REMOTE_ADDR="192.0.2.50")
    copied.cookies[settings.KNOWN_DEVICE_COOKIE_NAME] = value
    for _ in range(5):
        _password(copied, password=WRONG)
    assert "Sign-in from here is paused" in page_text(_password(copied))


def test_a_device_known_to_one_account_is_not_exempt_for_another(known_phone, mallory):
    for _ in range(5):
        _password(known_phone, username="mallory", password=WRONG)
    assert "Sign-in from here is paused" in page_text(_password(known_phone, username="mallory"))


def test_failures_during_a_pause_do_not_lengthen_it(alice, clock):
    guesser = Client(REMOTE_ADDR="192.0.2.60")
    for _ in range(5):
        _password(guesser, password=WRONG)
    counted = AccessAttempt.objects.get(username=name_key("alice")).failures_since_start

    for _ in range(10):  # one a minute, while it holds
        clock.move(minutes=1)
        assert "paused" in page_text(_password(guesser, password=WRONG))
    clock.move(minutes=4)
    assert "Sign-in from here is paused for 1 more minute," in page_text(_password(guesser))

    assert AccessAttempt.objects.get(username=name_key("alice")).failures_since_start == counted
    clock.move(minutes=1, seconds=1)  # 15 minutes after the fifth failure, not after the last
    assert _password(guesser).url == reverse("dashboard")


def test_guesses_at_one_name_from_every_address_meet_a_delay_that_grows(alice, clock):
    _guess_from_many_places(settings.SIGN_IN_FREE_GUESSES)
    fresh = Client(REMOTE_ADDR="192.0.2.70")

    for minutes in (1, 2, 4, 8):
        # Refused unchecked, even with the right password, and the wait is said.
        refused = page_text(_password(fresh))
        unit = "minute," if minutes == 1 else "minutes,"
        assert f"Sign-in from here is paused for {minutes} more {unit}" in refused
        assert not _signed_in(fresh)
        clock.move(minutes=minutes, seconds=1)
        # The wait is over: one more guess is checked, and the next wait is twice as long.
        before = SignInGuesses.objects.get().failures
        _password(Client(REMOTE_ADDR="192.0.2.71"), "alice", WRONG)
        assert SignInGuesses.objects.get().failures == before + 1

    assert SignInGuesses.objects.get().failures == settings.SIGN_IN_FREE_GUESSES + 4
    # Never a lock that holds: after the wait, the right password signs in.
    clock.move(minutes=16, seconds=1)
    assert _password(fresh).url == reverse("dashboard")


@pytest.mark.slow
def test_the_delay_stops_growing_at_its_cap_and_is_forgotten_after_a_quiet_day(alice, clock):
    row = SignInGuesses.objects.create(
        name_hash="x" * 64, failures=1, last_failure_at=clock.now
    )  # another name's row, which must not matter
    _guess_from_many_places(settings.SIGN_IN_FREE_GUESSES + 30)  # no waits honoured: refused
    assert guess_delay(100) == timedelta(minutes=settings.SIGN_IN_MAX_DELAY_MINUTES)
    assert "Sign-in from here is paused for 1 more minute," in page_text(_password(Client()))

    clock.move(days=1, seconds=1)
    assert _password(Client()).url == reverse("dashboard")
    # The next wrong password anywhere clears every count left quiet for a day.
    _password(Client(), username="bob", password=WRONG)
    assert SignInGuesses.objects.get().failures == 1
    assert not SignInGuesses.objects.filter(pk=row.pk).exists()


def test_the_name_wide_delay_reads_the_same_for_a_name_without_an_account(alice, clock):
    _guess_from_many_places(settings.SIGN_IN_FREE_GUESSES, username="alice")
    _guess_from_many_places(settings.SIGN_IN_FREE_GUESSES, username="nobody", first=100)

    existing = _password(Client(REMOTE_ADDR="192.0.2.80"))
    missing = _password(Client(REMOTE_ADDR="192.0.2.81"), username="nobody")

    assert page_text(existing) == page_text(missing)
    assert "Sign-in from here is paused for 1 more minute," in page_text(existing)


def test_the_guesses_an_attacker_gets_at_one_account_per_day_are_as_documented():
    # An attacker with any number of addresses guesses the moment each wait ends.
    day = timedelta(days=1)
    times, at, failures = [], timedelta(0), 0
    while at < 3 * day:
        times.append(at)
        failures += 1
        at += guess_delay(failures)
    per_day = [sum(k * day <= t < (k + 1) * day for t in times) for k in range(3)]
    # docs/sign-in.md gives these figures.
    assert per_day == [38, 24, 24]


def test_the_known_device_cookie_is_signed_http_only_and_long_lived(known_phone):
    cookie = known_phone.cookies[settings.KNOWN_DEVICE_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.KNOWN_DEVICE_DAYS * 24 * 3600
    row = KnownDevice.objects.get()
    assert row.token_hash not in cookie.value  # only a hash of the token is kept


def test_changing_the_password_forgets_every_other_known_device(known_phone, alice):
    laptop = Client(REMOTE_ADDR="192.0.2.90")  # signed in once, perhaps by someone else
    _password(laptop)
    laptop.post(reverse("logout"))
    assert KnownDevice.objects.count() == 2
    _password(known_phone)
    new = "a new long pass for alice 12"

    known_phone.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert KnownDevice.objects.count() == 1  # the phone that changed it
    for _ in range(5):
        _password(laptop, password=WRONG)
    assert "Sign-in from here is paused" in page_text(_password(laptop, password=new))


def test_the_pages_that_ask_for_the_password_again_say_the_pause_too(alice, alice_client):
    # alice_client was signed in without the form: this browser is not a known device.
    new = {"new_password1": "a new long pass 12", "new_password2": "a new long pass 12"}
    url = reverse("password_change")
    for _ in range(5):
        alice_client.post(url, {**new, "old_password": WRONG})

    response = alice_client.post(url, {**new, "old_password": PASSWORD})

    assert "Sign-in from here is paused for 15 more minutes" in page_text(response)
    assert "Everything you typed is still here" in page_text(response)
