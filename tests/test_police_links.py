"""The incidents a police contact reported are part of its record: linking and unlinking them
is written by the service, in its transaction, with a version kept in the contact's history and
an entry in the custody log that fingerprints the links."""

import importlib
from datetime import timedelta

from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from incidents import custody
from incidents.models import CustodyEntry, PoliceContact
from incidents.services import record_restore, record_save, record_trash
from tests.conftest import form_data, make_incident, page_text

migration = importlib.import_module("incidents.migrations.0016_police_links_logged")

CONTACT = {
    "contacted_at": "2026-02-02T10:00",
    "method": "in_person",
    "agency": "Central station",
    "reference": "CR/2026/0042",
}


def _incidents(alice):
    when = timezone.now() - timedelta(days=3)
    first = make_incident(alice, occurred_at=when, description="Calls at night.")
    second = make_incident(alice, occurred_at=when - timedelta(days=1), description="At the gym.")
    return first, second


def _entries(contact) -> list[CustodyEntry]:
    return list(CustodyEntry.objects.filter(object_uuid=contact.uuid).order_by("sequence"))


def test_the_links_made_with_a_new_contact_are_in_its_custody_fingerprint(alice, alice_client):
    first, second = _incidents(alice)
    alice_client.post(reverse("police_new"), {**CONTACT, "incidents": [str(first.uuid)]})
    contact = PoliceContact.objects.get()
    assert list(contact.incidents.all()) == [first]
    [created] = _entries(contact)
    assert created.content_sha256 == custody.content_sha256(contact)
    assert custody.altered_records() == []

    # A link written behind the app's back no longer matches the log.
    contact.incidents.add(second)
    assert len(custody.altered_records()) == 1


def test_changing_only_the_links_is_an_amendment_with_history(alice, alice_client):
    first, second = _incidents(alice)
    alice_client.post(reverse("police_new"), {**CONTACT, "incidents": [str(first.uuid)]})
    contact = PoliceContact.objects.get()
    edit = reverse("police_edit", kwargs={"record_id": contact.uuid})

    response = alice_client.post(edit, {**CONTACT, "incidents": [str(second.uuid)]})

    assert response.status_code == 302
    assert list(contact.incidents.all()) == [second]
    assert contact.revisions.count() == 1
    assert [e.action for e in _entries(contact)] == ["created", "amended"]
    assert custody.altered_records() == []
    text = page_text(alice_client.get(response.url))
    assert "incidents reported" in text.lower()
    assert str(first) in text and str(second) in text


def test_saving_the_same_links_again_changes_nothing(alice, alice_client):
    first, _second = _incidents(alice)
    alice_client.post(reverse("police_new"), {**CONTACT, "incidents": [str(first.uuid)]})
    contact = PoliceContact.objects.get()
    edit = reverse("police_edit", kwargs={"record_id": contact.uuid})
    alice_client.post(edit, {**CONTACT, "incidents": [str(first.uuid)]})
    assert not contact.revisions.exists()
    assert len(_entries(contact)) == 1


def test_a_link_to_an_incident_in_the_trash_is_kept_when_the_contact_is_amended(
    alice, alice_client
):
    first, second = _incidents(alice)
    alice_client.post(
        reverse("police_new"), {**CONTACT, "incidents": [str(first.uuid), str(second.uuid)]}
    )
    contact = PoliceContact.objects.get()
    record_trash(record=first)
    edit = reverse("police_edit", kwargs={"record_id": contact.uuid})
    alice_client.post(edit, {**CONTACT, "reference": "CR/2026/0043", "incidents": []})
    assert list(contact.incidents.all()) == [first]
    assert custody.altered_records() == []


def test_links_made_before_they_were_logged_are_logged_by_the_migration(alice):
    first, second = _incidents(alice)
    linked = PoliceContact(case=first.case, contacted_at=first.occurred_at, reference="A")
    alone = PoliceContact(case=first.case, contacted_at=first.occurred_at, reference="B")
    record_save(record=linked)
    record_save(record=alone)
    linked.incidents.add(first, second)  # as the app linked them before: after the log entry
    assert len(custody.altered_records()) == 1

    migration.log_existing_links(django_apps, None)

    assert custody.altered_records() == []
    assert custody.verify_chain().ok
    assert [e.action for e in _entries(linked)] == ["created", "amended"]
    assert len(_entries(alone)) == 1
    assert migration._fingerprint(linked) == custody.content_sha256(linked)


# --- links to incidents in the trash -----------------------------------------------------------


def test_amending_a_police_contact_keeps_its_link_to_an_incident_in_the_trash(alice, alice_client):
    reported = make_incident(alice, description="Waited outside the house")
    contact = PoliceContact.objects.create(
        case=reported.case, contacted_at=timezone.now(), reference="CR/1"
    )
    contact.incidents.add(reported)
    record_trash(record=reported)

    url = reverse("police_edit", args=[contact.uuid])
    form = alice_client.get(url).context["form"]
    # The trashed incident has no box on the page, so the browser sends no value for it.
    alice_client.post(url, {**form_data(form, officer_name="PC Example"), "incidents": []})

    record_restore(record=reported)
    contact.refresh_from_db()
    assert contact.officer_name == "PC Example"
    assert list(contact.incidents.all()) == [reported]


def test_unticking_a_live_incident_on_a_police_contact_still_unlinks_it(alice, alice_client):
    reported = make_incident(alice)
    contact = PoliceContact.objects.create(case=reported.case, contacted_at=timezone.now())
    contact.incidents.add(reported)

    url = reverse("police_edit", args=[contact.uuid])
    form = alice_client.get(url).context["form"]
    alice_client.post(url, {**form_data(form), "incidents": []})

    assert not contact.incidents.exists()
