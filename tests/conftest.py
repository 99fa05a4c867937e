"""Shared fixtures: alice owns records, mallory is a stranger who must never see them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Case, Incident
from incidents.services import account_create

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SETUP_CODE_FILE = tmp_path / "setup_code"
    # Tests run without collectstatic, so no manifest of hashed file names exists.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def alice(db):
    return account_create(username="alice", password=PASSWORD, is_owner=True)


@pytest.fixture
def mallory(db):
    return account_create(username="mallory", password=PASSWORD)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def mallory_client(client, mallory):
    client.force_login(mallory)
    return client


def make_incident(user, **fields) -> Incident:
    fields.setdefault("occurred_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("description", "He waited outside the gym again.")
    fields.setdefault("case", Case.objects.owned_by(user).first())
    return Incident.objects.create(**fields)


@pytest.fixture
def incident(alice):
    return make_incident(
        alice,
        kind=Incident.Kind.CALLS,
        count=14,
        description="Fourteen missed calls between 21:00 and 23:00.",
        exact_words="You can't ignore me forever.",
    )
