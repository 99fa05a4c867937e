"""The custody log as changes happen: each change and hand-out is logged once, in order, with
a fingerprint that matches the record in any time zone; a change whose entry cannot be written
is not saved."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from incidents import custody
from incidents.custody import verify_chain
from incidents.models import Case, CustodyEntry, Evidence, Incident
from incidents.services import record_amend
from tests.conftest import make_incident, page_text
from tests.test_custody import _png, _post_form


def test_times_entered_in_any_time_zone_match_their_fingerprint(alice, alice_client):
    alice.time_zone = "Australia/Sydney"
    alice.save()
    _post_form(alice_client, "incident_new", occurred_at="2026-01-15T21:30", description="Call")
    _post_form(
        alice_client, "police_new", contacted_at="2026-07-02T09:15", agency="Police", method="phone"
    )
    assert CustodyEntry.objects.filter(action="created").count() == 3  # and the case
    assert custody.altered_records() == []


def test_a_change_whose_entry_cannot_be_written_is_not_saved(alice, incident):
    # Someone slipped a row into the place the next entry needs: writing the entry fails.
    head = custody.chain_head()
    CustodyEntry.objects.create(
        sequence=head.sequence + 1,
        recorded_at=timezone.now(),
        action="created",
        object_type="incident",
        previous_hash=head.entry_hash,
        entry_hash="f" * 64,
    )
    with pytest.raises(IntegrityError):
        record_amend(record=incident, changes={"description": "Changed"})
    incident.refresh_from_db()
    assert incident.description != "Changed"
    assert not incident.revisions.exists()


def test_a_record_taken_out_of_the_trash_in_the_database_is_named(alice, alice_client, incident):
    alice_client.post(reverse("incident_delete", args=[incident.uuid]))
    Incident.objects.filter(pk=incident.pk).update(deleted_at=None)
    assert custody.altered_records() == [
        f"Incident {incident.uuid} differs from its last logged version."
    ]


def test_files_moved_with_their_entry_to_another_person_are_logged(alice, alice_client, incident):
    alice_client.post(
        reverse("incident_evidence_upload", args=[incident.uuid]), {"files": [_png()]}
    )
    other = Case.objects.create(owner=alice, name="Second person")
    record_amend(record=incident, changes={"case": other})
    item = Evidence.objects.get()
    assert item.case == other
    assert CustodyEntry.objects.filter(object_uuid=item.uuid).last().action == "amended"
    assert custody.altered_records() == []


def test_a_player_reading_a_recording_in_parts_is_one_hand_out(alice_client, incident):
    alice_client.post(
        reverse("incident_evidence_upload", args=[incident.uuid]), {"files": [_png()]}
    )
    url = reverse("evidence_original", args=[Evidence.objects.get().uuid])
    alice_client.get(url, headers={"Range": "bytes=0-"})
    alice_client.get(url, headers={"Range": "bytes=100-"})
    alice_client.head(url)
    assert CustodyEntry.objects.filter(action="downloaded").count() == 1


def test_a_refused_upload_leaves_no_entry(alice_client, incident):
    url = reverse("incident_evidence_upload", args=[incident.uuid])
    alice_client.post(url, {"files": [SimpleUploadedFile("x.jpg", b"<html>", "image/jpeg")]})
    assert not CustodyEntry.objects.filter(action="uploaded").exists()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database cannot be shared by writing threads; the soak "
    "test covers SQLite through real server processes.",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_changes_are_chained_one_at_a_time(alice):
    incidents = [make_incident(alice, description=f"Incident {n}") for n in range(8)]

    def amend(incident):
        try:
            for n in range(5):
                record_amend(record=incident, changes={"description": f"Amended {n}"})
        finally:
            connection.close()

    threads = [threading.Thread(target=amend, args=(incident,)) for incident in incidents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CustodyEntry.objects.filter(action="amended").count() == 40
    report = verify_chain()
    assert report.ok, report.problem
    assert report.head == custody.chain_head()


def test_the_dossier_page_explains_the_custody_log(alice_client):
    page = page_text(alice_client.get(reverse("dossier")))
    assert "Every dossier prints the log's latest entry" in page
