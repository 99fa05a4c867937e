"""An account without a person gets exactly one when its first entries are saved, however many
arrive at the same moment (two tabs, a double tap on a slow phone)."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.models import Case, Incident
from tests.conftest import form_data


def _without_a_person(user) -> None:
    Case.objects.filter(owner=user).delete()


def test_a_first_entry_makes_the_person_it_belongs_to(alice, alice_client):
    _without_a_person(alice)
    url = reverse("incident_new")
    form = alice_client.get(url).context["form"]
    alice_client.post(url, form_data(form, description="At the door."))
    (case,) = Case.objects.filter(owner=alice)
    assert Incident.objects.get().case == case


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database cannot be shared by writing threads; SQLite takes "
    "its write lock at BEGIN (transaction_mode IMMEDIATE), so default_case's transaction runs "
    "alone there.",
)
@pytest.mark.django_db(transaction=True)
def test_two_first_entries_saved_at_once_make_one_person(alice, monkeypatch):
    _without_a_person(alice)
    save = services.record_save

    def slow_save(*, record):
        # Widens the gap between "no person yet" and saving one, where the two used to pass
        # each other.
        if isinstance(record, Case):
            time.sleep(0.3)
        save(record=record)

    monkeypatch.setattr(services, "record_save", slow_save)
    start, failures = threading.Barrier(2), []

    def first_entry(words: str) -> None:
        try:
            client = Client()
            client.force_login(alice)
            url = reverse("incident_new")
            data = form_data(client.get(url).context["form"], description=words)
            start.wait()
            response = client.post(url, data)
            if response.status_code != 302:
                failures.append(response.status_code)
        except Exception as error:  # reported below, in the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_entry, args=(w,)) for w in ("At work.", "At home.")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Case.objects.filter(owner=alice).count() == 1
    assert Incident.objects.filter(case__owner=alice).count() == 2
