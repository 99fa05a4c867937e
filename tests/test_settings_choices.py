"""The host's language and legal-system settings: a mistyped one stops the app at its checks,
naming what is wrong and what would do; and a new legal system, kind of order, language or time
zone is one entry in its list, with no migration."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from incidents import jurisdictions
from incidents.models import ProtectiveOrder, User
from incidents.models import accounts as account_models
from tests.conftest import form_data, page_text

SETTINGS = Path(__file__).resolve().parent.parent / "stalkerlog" / "settings.py"


def _errors(*ids: str) -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id in ids]


def _no_pending_migration() -> None:
    """makemigrations --check exits with 1 if the models differ from the migrations."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# A mistyped setting stops the app.


def test_a_mistyped_default_jurisdiction_is_an_error_naming_it_and_the_valid_codes(settings):
    settings.DEFAULT_JURISDICTION = "gb-eng"

    [error] = _errors("stalkerlog.E001")

    assert error.level == checks.ERROR
    assert "'gb-eng'" in error.msg
    assert "gb-eaw (England and Wales)" in error.hint
    assert "au-nsw (Australia: New South Wales)" in error.hint and "other" in error.hint
    assert "Did you mean" not in error.hint  # no guess at another country


def test_a_default_jurisdiction_in_capitals_is_pointed_to_its_code(settings):
    settings.DEFAULT_JURISDICTION = " AU-NSW"

    [error] = _errors("stalkerlog.E001")

    assert error.hint.startswith("Did you mean 'au-nsw'?")


def test_every_listed_legal_system_is_a_valid_default(settings):
    for code in jurisdictions.JURISDICTIONS:
        settings.DEFAULT_JURISDICTION = code
        assert _errors("stalkerlog.E001") == [], code


@pytest.mark.django_db
def test_check_and_migrate_stop_on_a_mistyped_default_jurisdiction(settings):
    settings.DEFAULT_JURISDICTION = "australia"

    with pytest.raises(SystemCheckError, match="DEFAULT_JURISDICTION is 'australia'"):
        call_command("check")
    with pytest.raises(SystemCheckError, match=r"stalkerlog\.E001"):
        call_command("migrate", "--plan", verbosity=0, skip_checks=False)


def test_a_default_language_the_app_lacks_is_an_error_naming_the_languages(settings):
    settings.LANGUAGE_CODE = "fr"

    [error] = _errors("stalkerlog.E002")

    assert "'fr'" in error.msg
    assert error.hint == "Set it to one of: en, es."


def test_a_default_language_with_a_region_is_an_error_though_django_accepts_it(settings):
    # New accounts would be stored with "en-gb", which their language field does not offer.
    settings.LANGUAGE_CODE = "en-gb"

    [error] = _errors("stalkerlog.E002", "translation.E004")

    assert error.id == "stalkerlog.E002"
    assert error.hint.startswith("Did you mean 'en'?")


def test_the_shipped_settings_pass_the_checks():
    assert _errors("stalkerlog.E001", "stalkerlog.E002") == []


# A new entry in a list needs no migration.


@pytest.fixture
def new_system(monkeypatch):
    """A legal system added to the registry as a developer would: one more entry."""
    added = replace(jurisdictions.JURISDICTIONS["other"], code="test", name="Added in a test")
    monkeypatch.setitem(jurisdictions.JURISDICTIONS, "test", added)
    return added


@pytest.mark.django_db
def test_a_new_legal_system_needs_no_migration_and_is_offered(new_system, alice, alice_client):
    field = User._meta.get_field("jurisdiction")
    assert ("test", "Added in a test") in list(field.choices)
    _no_pending_migration()

    form = alice_client.get(reverse("account_settings")).context["form"]
    assert "Added in a test" in page_text(alice_client.get(reverse("account_settings")))
    alice_client.post(reverse("account_settings"), form_data(form, jurisdiction="test"))
    alice.refresh_from_db()
    assert alice.jurisdiction == "test"


@pytest.mark.django_db
def test_a_legal_system_whose_code_is_too_long_fails_the_checks(monkeypatch):
    long = replace(jurisdictions.JURISDICTIONS["other"], code="much-too-long")
    monkeypatch.setitem(jurisdictions.JURISDICTIONS, long.code, long)

    assert any(m.id == "fields.E009" for m in checks.run_checks())


@pytest.mark.django_db
def test_a_new_kind_of_order_needs_no_migration_and_is_accepted(monkeypatch):
    monkeypatch.setitem(jurisdictions.ORDER_KINDS, "dapo", "Domestic abuse protection order")
    field = ProtectiveOrder._meta.get_field("order_type")

    _no_pending_migration()
    field.clean("dapo", None)  # refused with ValidationError if not a choice
    with pytest.raises(ValidationError):
        field.clean("not_a_kind", None)


def test_every_kind_of_order_the_code_names_is_one_the_field_accepts():
    assert set(ProtectiveOrder.Type.values) <= set(jurisdictions.ORDER_KINDS)


@pytest.mark.django_db
def test_a_new_language_needs_no_migration_and_is_offered(settings, alice, alice_client):
    settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "Français")]

    _no_pending_migration()
    assert "Français" in page_text(alice_client.get(reverse("account_settings")))
    assert "Français" in page_text(alice_client.get(reverse("dossier")))


@pytest.mark.django_db
def test_another_machines_time_zones_need_no_migration(monkeypatch):
    # Each machine's time-zone data differs a little; a copied list would differ with it.
    fewer = [zone for zone in account_models.TIME_ZONE_CHOICES if zone[0] != "Europe/Kyiv"]
    monkeypatch.setattr(account_models, "TIME_ZONE_CHOICES", fewer)

    assert "Europe/Kyiv" not in dict(User._meta.get_field("time_zone").choices)
    _no_pending_migration()


# The choices speak the user's language.


def test_the_account_page_names_the_legal_systems_in_the_users_language(alice, alice_client):
    alice.language = "es"
    alice.save(update_fields=["language"])

    text = page_text(alice_client.get(reverse("account_settings")))

    assert "Estados Unidos" in text and "Inglaterra y Gales" in text and "Otro país" in text
    assert "United States" not in text and "Another country" not in text


def test_the_setup_page_names_the_legal_systems_in_the_browsers_language(client, db):
    text = page_text(client.get(reverse("setup"), headers={"accept-language": "es"}))

    assert "Estados Unidos" in text and "Otro país" in text


def test_the_container_passes_every_setting_on(settings):
    # Compose passes on only the variables compose.yaml lists; one left out is silently unset.
    # DATA_DIR is fixed to the volume there, and the image sets SETUP_CODE_COMMAND itself.
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', SETTINGS.read_text()))
    compose = (settings.BASE_DIR / "compose.yaml").read_text()
    listed = set(re.findall(r"^ +- ([A-Z0-9_]+)(?:=|$)", compose, re.M))  # the environment list

    assert "DEFAULT_JURISDICTION" in read
    assert sorted(read - listed - {"SETUP_CODE_COMMAND"}) == []
