"""A way back in after a forgotten password: the ten recovery codes (shown once, kept only as
hashes, each good once, also the two-factor backup codes), 'Forgot your password?' that never
says whether an account exists and is slowed like signing in, and the host's one-time reset
link (30 minutes, second factor, every session ended, written to the owner's activity)."""

import importlib
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents import recovery
from incidents.models import AuditEvent, PasswordResetLink, RecoveryCode, UserSession
from incidents.services import account_create, setup_code_get_or_create
from incidents.two_factor import totp_pending, two_factor_enable
from tests.conftest import PASSWORD, page_text
from tests.test_backup import databases, migrated_template  # noqa: F401 (fixtures)
from tests.test_no_secrets_at_rest import MARK, _files_holding, _tables_holding
from tests.test_two_factor import _code

NEW_PASSWORD = "a fresh long passphrase 77"
CODE_PATTERN = re.compile(
    r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>"
)
NO_MATCH = "That user name and recovery code do not match."


def _signed_in(client) -> bool:
    return client.get(reverse("timeline")).status_code == 200


def _sign_in(client, username="alice", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _forgot(client, username="alice", code="", password=NEW_PASSWORD, again=None):
    fields = {
        "username": username,
        "code": code,
        "new_password1": password,
        "new_password2": again if again is not None else password,
    }
    return client.post(reverse("forgot_password"), fields)


@pytest.fixture
def codes(alice) -> list[str]:
    return recovery.codes_issue(alice)


def _reset_link(username="alice") -> str:
    out = StringIO()
    call_command("reset_password", username, "--base-url", "https://notes.example.org", stdout=out)
    return re.search(r"https://notes\.example\.org(/\S+)", out.getvalue()).group(1)


# --- recovery codes -----------------------------------------------------------------------------


def test_a_new_owner_is_shown_ten_codes_once_and_only_their_hashes_are_kept(db):
    client = Client()
    response = client.post(
        reverse("setup"),
        {
            "setup_code": setup_code_get_or_create(),
            "username": "sam",
            "time_zone": "Europe/Berlin",
            "password1": "a long pass for sam 12",
            "password2": "a long pass for sam 12",
        },
        follow=True,
    )

    shown = CODE_PATTERN.findall(response.content.decode())
    assert len(set(shown)) == 10
    assert "shown only this once" in page_text(response)
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {recovery.code_hash(code) for code in shown}
    assert not stored & set(shown)  # never the codes themselves
    again = client.get(reverse("two_factor_offer"))
    assert not CODE_PATTERN.findall(again.content.decode())  # shown once


def test_an_account_the_host_adds_gets_its_codes_at_its_own_first_sign_in(alice_client):
    alice_client.post(
        reverse("account_list"),
        {
            "username": "bob",
            "time_zone": "UTC",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert not RecoveryCode.objects.filter(user__username="bob").exists()  # the host saw none

    bob = Client()
    response = _sign_in(bob, "bob", NEW_PASSWORD)
    assert response.url == reverse("recovery_codes_new")
    page = bob.get(response.url)
    assert len(CODE_PATTERN.findall(page.content.decode())) == 10
    assert page.context["then"] == reverse("dashboard")
    bob.post(reverse("logout"))
    assert _sign_in(bob, "bob", NEW_PASSWORD).url == reverse("dashboard")  # only the first time


def test_forgot_password_with_a_code_sets_it_once_and_ends_every_session(alice, codes):
    elsewhere = Client()  # a browser the stalker might hold
    _sign_in(elsewhere)
    link = Client().get(reverse("login"))
    assert "Forgot your password?" in page_text(link)

    response = _forgot(Client(), code=codes[3].upper().replace("-", " "))  # as typed on a phone

    assert response.url == reverse("login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not _signed_in(elsewhere)
    assert not UserSession.objects.filter(user=alice).exists()
    assert recovery.codes_left(alice) == 9
    event = AuditEvent.objects.get(user=alice, action=AuditEvent.Action.RECOVERY_CODE_USED)
    owner = Client()
    _sign_in(owner, password=NEW_PASSWORD)
    assert event.get_action_display() in page_text(owner.get(reverse("account_activity")))

    used_again = _forgot(Client(), code=codes[3], password="another long passphrase 9")
    assert used_again.status_code == 400
    assert NO_MATCH in page_text(used_again)
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_the_answer_never_tells_whether_an_account_exists(alice, codes):
    for username in ("alice", "nobody-here"):
        response = _forgot(Client(), username=username, code="abcd-efgh-jkmn-pqrs")
        assert response.status_code == 400
        text = page_text(response)
        assert NO_MATCH in text
        assert username in response.content.decode()  # what was typed is kept
    mismatched = [
        page_text(_forgot(Client(), username=name, code=codes[0], again="something else 123"))
        for name in ("alice", "nobody-here")
    ]
    assert mismatched[0] == mismatched[1]
    assert "The two passwords are not the same." in mismatched[0]
    assert recovery.codes_left(alice) == 10  # a refused form uses up no code


def test_a_weak_new_password_uses_up_no_code(alice, codes):
    response = _forgot(Client(), code=codes[0], password="short")
    assert response.status_code == 400
    assert recovery.codes_left(alice) == 10
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_guessing_codes_is_paused_like_guessing_passwords(alice, codes):
    guesser = Client()
    for _ in range(5):
        _forgot(guesser, code="wxyz-wxyz-wxyz-wxyz")
    paused = _forgot(guesser, code=codes[0])
    assert "Sign-in from here is paused for 15 more minutes" in page_text(paused)
    assert recovery.codes_left(alice) == 10  # not even checked while paused
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    # The same words for a name without an account.
    stranger = Client()
    for _ in range(5):
        _forgot(stranger, username="nobody-here", code="wxyz-wxyz-wxyz-wxyz")
    assert "Sign-in from here is paused for 15 more minutes" in page_text(
        _forgot(stranger, username="nobody-here", code="wxyz-wxyz-wxyz-wxyz")
    )


def test_new_codes_need_the_password_and_retire_the_old_ones(alice, alice_client, codes):
    wrong = alice_client.post(reverse("recovery_codes"), {"password": "not it at all"})
    assert "That is not your password." in page_text(wrong)
    response = alice_client.post(reverse("recovery_codes"), {"password": PASSWORD}, follow=True)
    fresh = CODE_PATTERN.findall(response.content.decode())
    assert len(fresh) == 10
    assert _forgot(Client(), code=codes[0]).status_code == 400  # the old set no longer works
    assert _forgot(Client(), code=fresh[0]).url == reverse("login")


def test_with_two_factor_on_the_codes_are_the_backup_codes_and_each_works_once(alice):
    device = totp_pending(alice)
    codes = two_factor_enable(user=alice, device=device)
    client = Client()
    _sign_in(client)
    client.post(reverse("login_code"), {"code": codes[0]})
    assert _signed_in(client)
    assert recovery.codes_left(alice) == 9
    # That code is spent for a forgotten password too.
    assert _forgot(Client(), code=codes[0]).status_code == 400
    assert _forgot(Client(), code=codes[1]).url == reverse("login")


# --- the host's reset link -----------------------------------------------------------------------


def test_the_link_sets_a_new_password_once_ends_every_session_and_is_logged(alice):
    elsewhere = Client()
    _sign_in(elsewhere)
    path = _reset_link()
    made = AuditEvent.objects.get(user=alice, action=AuditEvent.Action.RESET_LINK_MADE)
    assert "30 minutes" in made.description
    assert PasswordResetLink.objects.get().token_hash not in path  # only the hash is stored

    page = Client().get(path)
    assert "alice" in page_text(page)
    assert "code" not in page.context["form"].fields  # no second factor on this account
    response = Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.url == reverse("login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not _signed_in(elsewhere)
    owner = Client()
    _sign_in(owner, password=NEW_PASSWORD)
    activity = page_text(owner.get(reverse("account_activity")))
    assert "The server's host made a password reset link" in activity
    assert "Password reset with the host's link" in activity
    again = Client().post(path, {"new_password1": "x long pass 1234", "new_password2": "x"})
    assert again.status_code == 404
    assert "This link no longer works" in page_text(again)


def test_the_link_works_for_30_minutes_and_not_after(alice, monkeypatch):
    path = _reset_link()
    made = timezone.now()
    fields = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    monkeypatch.setattr(timezone, "now", lambda: made + timedelta(minutes=29))
    assert Client().get(path).status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: made + timedelta(minutes=31))
    late = Client().post(path, fields)

    assert late.status_code == 404
    assert "This link no longer works" in page_text(late)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_newer_link_retires_the_older_one(alice):
    first = _reset_link()
    second = _reset_link()
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_with_two_factor_on_the_link_asks_for_a_code(alice):
    device = totp_pending(alice)
    two_factor_enable(user=alice, device=device)
    path = _reset_link()
    fields = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    page = Client().get(path)
    assert "code" in page.context["form"].fields
    wrong_code = "000000" if _code(device) != "000000" else "111111"
    wrong = Client().post(path, {**fields, "code": wrong_code})
    assert wrong.status_code == 400
    assert "That code did not work." in page_text(wrong)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    # django-otp makes the next try wait a moment after a wrong code; let it pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=10)
    )

    response = Client().post(path, {**fields, "code": _code(device)})
    assert response.url == reverse("login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_an_unknown_user_or_a_made_up_link_gets_a_plain_answer(alice):
    with pytest.raises(CommandError, match="no account named"):
        call_command("reset_password", "nobody-here", stdout=StringIO())
    response = Client().get(reverse("reset_link", args=["made-up-token"]))
    assert response.status_code == 404
    assert "This link no longer works" in page_text(response)


# --- nothing typed is kept -----------------------------------------------------------------------


@pytest.mark.django_db
def test_no_password_or_code_typed_into_these_forms_is_kept(databases, tmp_path):  # noqa: F811
    right, new, newer = f"{MARK} right one 1", f"{MARK} new one 22", f"{MARK} newer one 333"
    source = databases.create("source", migrated=True)
    with databases.use(source):
        alice = account_create(username="alice", password=right, is_owner=True)
        codes = recovery.codes_issue(alice)
        wrong_code = f"{MARK}-{MARK}"
        assert _forgot(Client(), code=wrong_code, password=new).status_code == 400
        assert _forgot(Client(), code=codes[0], password=new, again=newer).status_code == 400
        assert _forgot(Client(), code=codes[0], password=new).status_code == 302
        path = _reset_link()
        mismatch = {"new_password1": newer, "new_password2": new}
        assert Client().post(path, mismatch).status_code == 400
        fields = {"new_password1": newer, "new_password2": newer}
        assert Client().post(path, fields).status_code == 302
        owner = Client()
        _sign_in(owner, password=newer)
        wrong = owner.post(reverse("recovery_codes"), {"password": f"{MARK} not it"})
        assert wrong.status_code == 400
        assert owner.post(reverse("recovery_codes"), {"password": newer}).status_code == 302
        assert "incidents_user" in _tables_holding("alice")  # the search finds what is there
        assert _tables_holding(MARK) == []
        assert _tables_holding(codes[1]) == []  # unused codes are kept only as hashes
        connections[DEFAULT_DB_ALIAS].close()
    files = [Path(f"{source['NAME']}{end}") for end in ("", "-wal", "-journal")]
    assert _files_holding(MARK, files) == []


def test_the_migration_turns_old_backup_codes_into_recovery_codes(alice, mallory):
    from django.apps import apps
    from django.db import connection
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    migration = importlib.import_module("incidents.migrations.0012_hosting")
    device = StaticDevice.objects.create(user=alice, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="ab3cd4ef")  # as django-otp made them

    migration.codes_to_recovery(apps, connection.schema_editor())

    assert not StaticToken.objects.exists()  # no code left in the clear
    assert not recovery.codes_due(alice)
    assert recovery.code_use(alice, "AB3C D4EF")  # the same code still works, once
    assert recovery.codes_due(mallory)  # had none: made at the next sign-in
