"""Issue 11, point 2: every change is visible to the reader. The dossier's "Changes to the
record" gives the words first entered and each later change with its date, and counts and dates
what went to the trash (with the user's reason); an entry's history in the app shows the trash
and the restore; the evidence package's case.json carries the same."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents.dossier import DossierOptions, dossier_data
from incidents.models import Case, Incident, LifeChange, NoContactNotice, TrashEvent
from incidents.package import case_json, exhibit_names
from incidents.pdf import render_dossier
from incidents.services import record_amend, record_trash
from tests.conftest import form_data, make_incident, page_text

migration = importlib.import_module("incidents.migrations.0009_answers_and_changes")


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def _options(user, **more) -> DossierOptions:
    return DossierOptions(case=str(Case.objects.owned_by(user).get().uuid), **more)


def _dossier_text(user, tmp_path, **options) -> str:
    out = tmp_path / "dossier.pdf"
    render_dossier(user, _options(user, **options), out)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    return " ".join(text.split())


def _log(client, what: str, days_ago: int = 3) -> Incident:
    when = f"{timezone.localtime() - timedelta(days=days_ago):%Y-%m-%dT%H:%M}"
    client.post(reverse("incident_new"), {"occurred_at": when, "description": what})
    return Incident.objects.get(description=what)


def _amend(client, incident, **typed):
    url = reverse("incident_edit", args=[incident.uuid])
    form = client.get(url).context["form"]
    return client.post(url, form_data(form, **typed), follow=True)


def _trash(client, incident, reason: str = ""):
    url = reverse("incident_delete", args=[incident.uuid])
    return client.post(url, {"reason": reason}, follow=True)


@pytest.mark.slow
def test_an_amended_entrys_first_words_appear_in_the_dossier(alice, alice_client, tmp_path):
    incident = _log(alice_client, "A grey car parked opposite the house")
    _amend(alice_client, incident, description="A blue car parked opposite the house")

    text = _dossier_text(alice, tmp_path)
    appendix = text[text.index("Changes to the record Entries can be amended") :]

    assert "What happened: A blue car parked opposite the house" in text
    assert "As first entered: What happened: A grey car parked opposite the house" in appendix
    assert "Amended on" in appendix
    assert "What happened: A blue car parked opposite the house" in appendix
    assert "1 record amended or restored; 0 in the trash." in text


@pytest.mark.slow
def test_a_trashed_entry_with_a_reason_is_counted_and_dated(alice, alice_client, tmp_path):
    _log(alice_client, "Calls all evening", days_ago=4)
    duplicate = _log(alice_client, "Calls all evening (again)", days_ago=4)
    _trash(alice_client, duplicate, reason="Entered twice by mistake")
    duplicate.refresh_from_db()

    text = _dossier_text(alice, tmp_path)
    appendix = text[text.index("In the trash") :]
    trashed_on = timezone.localtime(duplicate.deleted_at).strftime("%-d %b %Y")

    assert "1 record of this case is in the trash." in appendix
    assert "Incident, " in appendix and "“Calls all evening (again)”" in appendix
    assert "Entered twice by mistake" in appendix
    assert trashed_on in appendix
    assert "0 records amended or restored; 1 in the trash." in text


@pytest.mark.slow
def test_the_short_dossier_has_the_changes_too(alice, alice_client, tmp_path):
    incident = _log(alice_client, "Followed me to the shop")
    _amend(alice_client, incident, description="Followed me to the shop and waited")

    text = _dossier_text(alice, tmp_path, short=True)

    assert "As first entered: What happened: Followed me to the shop" in text


def test_the_history_shows_the_trash_with_its_reason_and_the_restore(alice, alice_client):
    incident = _log(alice_client, "Left a note on the car")
    _trash(alice_client, incident, reason="Not sure it was them")
    alice_client.post(reverse("incident_restore", args=[incident.uuid]))

    page = page_text(alice_client.get(reverse("incident_detail", args=[incident.uuid])))
    history = page[page.index("History of changes") :]

    assert "Moved to the trash on" in history
    assert "Reason given: “Not sure it was them”" in history
    assert "Restored from the trash on" in history
    # Newest first: the restore, then the trash.
    assert history.index("Restored from the trash") < history.index("Moved to the trash")


@pytest.mark.slow
def test_a_restored_record_lists_its_trash_and_restore_in_the_dossier(
    alice, alice_client, tmp_path
):
    incident = _log(alice_client, "Rang the bell twice")
    _trash(alice_client, incident)
    alice_client.post(reverse("incident_restore", args=[incident.uuid]))

    text = _dossier_text(alice, tmp_path)
    appendix = text[text.index("Changes to the record Entries can be amended") :]

    assert "Incident 1" in appendix
    assert "Moved to the trash on" in appendix
    assert "Restored from the trash on" in appendix


def test_the_trash_form_keeps_a_reason_that_is_too_long(alice, alice_client):
    incident = _log(alice_client, "Watched from the park")
    reason = "Because " + "x" * 1200

    response = alice_client.post(
        reverse("incident_delete", args=[incident.uuid]), {"reason": reason}
    )

    assert response.status_code == 200
    assert "and the most it can hold is 1,000" in page_text(response)
    assert reason in response.content.decode()
    incident.refresh_from_db()
    assert incident.deleted_at is None


def test_notices_police_contacts_and_orders_take_a_reason_too(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    notice = NoContactNotice.objects.create(case=case, given_at=timezone.now(), words="Stop.")

    alice_client.post(reverse("notice_delete", args=[notice.uuid]), {"reason": "Wrong date"})

    event = TrashEvent.objects.get()
    assert (event.record, event.action, event.reason) == (notice, "trashed", "Wrong date")


def test_the_packages_json_carries_the_same_changes(alice, alice_client):
    incident = _log(alice_client, "First version of the words")
    _amend(alice_client, incident, description="Second version of the words")
    gone = _log(alice_client, "Not about this person")
    _trash(alice_client, gone, reason="Logged under the wrong person")

    data = dossier_data(alice, _options(alice))
    document = json.loads(case_json(data, exhibit_names(data.exhibits)))

    [change] = document["changes"]
    assert change["uuid"] == str(incident.uuid)
    assert {"field": "what happened", "value": "First version of the words"} in change[
        "first_entered"
    ]
    [amended] = change["history"]
    assert amended["action"] == "amended"
    assert {"field": "what happened", "to": "Second version of the words"} in amended["changes"]
    [trashed] = document["trash"]
    assert trashed["reason"] == "Logged under the wrong person"
    assert trashed["at"].startswith(f"{timezone.localdate():%Y-%m-%d}")


def test_the_changes_appendix_takes_as_many_queries_for_many_records_as_for_one(alice):
    case = Case.objects.owned_by(alice).get()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dossier_data(alice, _options(alice))
        return len(captured.captured_queries)

    def amended_pair(n: int) -> None:
        incident = make_incident(alice, description=f"Entry {n}")
        record_amend(record=incident, changes={"description": f"Entry {n}, amended"})
        notice = NoContactNotice.objects.create(case=case, given_at=timezone.now(), words="No.")
        record_amend(record=notice, changes={"words": f"No. ({n})"})
        record_trash(record=make_incident(alice, description=f"Gone {n}"), reason="Twice")

    amended_pair(0)
    few = queries()
    for n in range(1, 6):
        amended_pair(n)

    assert len(dossier_data(alice, _options(alice)).changes) == 12
    assert queries() == few


def test_the_migration_brings_earlier_trash_and_restores_from_the_custody_log(alice):
    incident = make_incident(alice, description="Trashed before issue 11")
    record_trash(record=incident)
    TrashEvent.objects.all().delete()  # as before the table existed

    migration.backfill_trash_events(django_apps, None)

    [event] = TrashEvent.objects.all()
    assert (event.record, event.action, event.reason) == (incident, "trashed", "")


@pytest.mark.slow
def test_an_amended_or_trashed_change_to_daily_life_is_in_the_appendix(
    alice, alice_client, tmp_path
):
    day = f"{timezone.localdate() - timedelta(days=9):%Y-%m-%d}"
    alice_client.post(reverse("change_new"), {"kind": "moved", "changed_on": day, "note": "Hotel"})
    alice_client.post(
        reverse("change_new"), {"kind": "number", "changed_on": day, "note": "New SIM"}
    )
    moved, number = LifeChange.objects.order_by("id")
    url = reverse("change_edit", args=[moved.uuid])
    alice_client.post(url, {"kind": "moved", "changed_on": day, "note": "Stayed with my sister"})
    alice_client.post(reverse("change_delete", args=[number.uuid]), {"reason": "Wrong month"})

    text = _dossier_text(alice, tmp_path)
    appendix = text[text.index("Changes to the record Entries can be amended") :]

    assert "As first entered:" in appendix and "Hotel" in appendix
    assert "Stayed with my sister" in appendix
    assert "Change to daily life" in appendix and "Wrong month" in appendix
