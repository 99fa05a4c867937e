"""Issue 11, point 1: every answer about the user's own conduct is theirs. A bare entry's "what
you did" is not recorded; entries saved while the form pre-filled "I did not respond" show that
answer as not confirmed until the user confirms or changes it; the steps page and the dossier
count from explicit answers only."""

import csv
import hashlib
import importlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents.checklist import Status, checklist_status
from incidents.custody import altered_records, content_sha256, verify_chain
from incidents.dossier import DossierOptions, dossier_data
from incidents.models import Case, CustodyEntry, Incident, Revision
from incidents.package import case_json, exhibit_names, incidents_csv
from incidents.pdf import render_dossier
from incidents.services import record_save
from tests.conftest import form_data, make_incident, page_text

migration = importlib.import_module("incidents.migrations.0009_answers_and_changes")


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def _when(days_ago: int) -> str:
    return f"{timezone.localtime() - timedelta(days=days_ago):%Y-%m-%dT%H:%M}"


def _log(client, days_ago: int, what: str, **more) -> Incident:
    response = client.post(
        reverse("incident_new"), {"occurred_at": _when(days_ago), "description": what, **more}
    )
    assert response.status_code == 302, page_text(response)
    return Incident.objects.get(description=what)


def _notice(client, days_ago: int) -> None:
    data = {"given_at": _when(days_ago), "method": "text", "words": "Do not contact me again."}
    data["acknowledged"] = "unknown"
    response = client.post(reverse("notice_new"), data)
    assert response.status_code == 302, page_text(response)


def _dossier_text(user, tmp_path) -> str:
    case = Case.objects.owned_by(user).get()
    out = tmp_path / "dossier.pdf"
    render_dossier(user, DossierOptions(case=str(case.uuid)), out)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    return " ".join(text.split())


def _legacy(user, what: str, **fields) -> Incident:
    """An entry saved before issue 11, with the answer the form pre-filled, marked as the
    migration marks it (and logged, as the app logged it then)."""
    incident = make_incident(user, description=what, response="none", **fields)
    with_log = Incident.objects.get(pk=incident.pk)
    record_save(record=with_log)
    migration.mark_prefilled_answers(django_apps, None)
    incident.refresh_from_db()
    return incident


@pytest.mark.slow
def test_a_minimal_entry_shows_not_recorded_and_the_dossier_states_no_non_response(
    alice, alice_client, tmp_path
):
    _notice(alice_client, days_ago=10)
    incident = _log(alice_client, days_ago=2, what="A car parked outside all evening.")

    detail = page_text(alice_client.get(reverse("incident_detail", args=[incident.uuid])))
    text = _dossier_text(alice, tmp_path)

    assert incident.response == ""
    assert "How it affected you not recorded" in detail
    assert "What you did not recorded" in detail
    assert "Effect: not recorded" in text
    assert "Response: not recorded" in text
    assert "No reply in 0 incidents; a reply in 0; not recorded in 1." in text
    assert "did not respond" not in text
    assert "did not reply" not in text


def test_the_consistency_step_counts_replies_no_replies_and_not_recorded_after_the_notice(
    alice, alice_client
):
    _log(alice_client, days_ago=20, what="Before the notice", response="replied")
    _notice(alice_client, days_ago=10)
    _log(alice_client, days_ago=8, what="Calls, ignored", response="none")
    _log(alice_client, days_ago=6, what="Texts, blocked", response="blocked")
    _log(alice_client, days_ago=4, what="I answered once", response="replied")
    _log(alice_client, days_ago=2, what="Flowers at the door")

    page = page_text(alice_client.get(reverse("checklist")))
    gaps = page_text(alice_client.get(reverse("answers")))

    assert (
        "After your first notice, 4 incidents logged: no reply in 2 entries, a reply in 1, "
        "not recorded in 1." in page
    )
    assert "1 entry has no answer to “what you did” yet: fill in the gaps" in page
    assert checklist_status(alice).consistency.status == Status.UNDER_WAY
    assert "Flowers at the door" in gaps
    assert "Calls, ignored" not in gaps


def test_consistency_is_not_done_on_day_one_before_any_notice(alice, alice_client):
    _log(alice_client, days_ago=0, what="First call today", response="none")

    page = page_text(alice_client.get(reverse("checklist")))

    assert checklist_status(alice).consistency.status == Status.NOT_YET
    assert "This step counts from your first no-contact notice" in page


def test_the_migration_marks_prefilled_answers_unconfirmed_and_keeps_the_chain_whole(alice):
    kept = _legacy(alice, "Stood at the bus stop", response_notes="I walked away.")
    replied = make_incident(alice, description="I told them to stop", response="replied")
    record_save(record=Incident.objects.get(pk=replied.pk))

    migration.mark_prefilled_answers(django_apps, None)  # twice: the second changes nothing
    replied.refresh_from_db()
    kept.refresh_from_db()

    assert (kept.response, kept.response_confirmed) == ("none", False)
    assert kept.response_notes == "I walked away."
    assert kept.response_state == "not_confirmed"
    assert replied.response_confirmed is True
    assert CustodyEntry.objects.filter(object_uuid=kept.uuid, action="amended").exists()
    assert verify_chain().ok
    assert altered_records() == []


@pytest.mark.slow
def test_an_unconfirmed_answer_is_never_stated_as_fact(alice, alice_client, tmp_path):
    _notice(alice_client, days_ago=10)
    incident = _legacy(alice, "Waited outside work", occurred_at=timezone.now() - timedelta(days=2))

    detail = page_text(alice_client.get(reverse("incident_detail", args=[incident.uuid])))
    text = _dossier_text(alice, tmp_path)

    assert "Answer not confirmed." in detail
    assert "Response: not recorded (an answer filled in by an earlier version of the app" in text
    assert "not recorded in 1." in text
    assert "I did not respond" not in text


def test_one_answer_is_confirmed_from_its_page_as_an_amendment(alice, alice_client):
    incident = _legacy(alice, "Followed me home")
    before = CustodyEntry.objects.count()

    response = alice_client.post(
        reverse("incident_answer_confirm", args=[incident.uuid]), follow=True
    )
    incident.refresh_from_db()

    assert incident.response_state == "answered"
    assert incident.amended_at is not None
    assert Revision.objects.filter(object_id=incident.pk).count() == 1
    assert CustodyEntry.objects.count() == before + 1
    text = page_text(response)
    assert "Answer confirmed no yes" in text  # the history: field, before, after
    assert "What you did I did not respond" in text


def test_the_gaps_page_confirms_the_ticked_answers_then_all_of_them(alice, alice_client):
    first = _legacy(alice, "Call at midnight")
    second = _legacy(alice, "Message on Instagram")
    third = _legacy(alice, "Parcel left at the door")
    url = reverse("answers")

    page = page_text(alice_client.get(url))
    alice_client.post(url, {"entries": [str(second.uuid)]})
    ticked = {i.pk: i.response_confirmed for i in Incident.objects.all()}
    response = alice_client.post(url, {"all": "on"}, follow=True)

    assert "Answers not confirmed (3 entries)" in page
    assert ticked == {first.pk: False, second.pk: True, third.pk: False}
    assert not Incident.objects.filter(response_confirmed=False).exists()
    assert Revision.objects.count() == 3
    for incident in (first, second, third):
        actions = CustodyEntry.objects.filter(object_uuid=incident.uuid).values_list(
            "action", flat=True
        )
        assert list(actions)[-1] == "amended"
    assert "Confirmed the answers of 2 entries." in page_text(response)


def test_confirming_nothing_says_what_to_do(alice, alice_client):
    incident = _legacy(alice, "Call at midnight")

    response = alice_client.post(reverse("answers"), {})

    assert response.status_code == 400
    assert "Tick the entries whose answer is right, or confirm them all." in page_text(response)
    incident.refresh_from_db()
    assert incident.response_confirmed is False


def test_amending_another_field_leaves_the_answer_unconfirmed_but_choosing_one_confirms_it(
    alice, alice_client
):
    incident = _legacy(alice, "Seen at the station")
    url = reverse("incident_edit", args=[incident.uuid])

    form = alice_client.get(url).context["form"]
    alice_client.post(url, form_data(form, location="Central station"))
    incident.refresh_from_db()
    still = incident.response_confirmed
    form = alice_client.get(url).context["form"]
    alice_client.post(url, form_data(form, response="blocked"))
    incident.refresh_from_db()

    assert still is False
    assert (incident.response, incident.response_confirmed) == ("blocked", True)


def test_a_stranger_cannot_confirm_or_list_alices_answers(alice, mallory_client):
    incident = _legacy(alice, "Call at midnight")

    confirm = mallory_client.post(reverse("incident_answer_confirm", args=[incident.uuid]))
    listed = page_text(mallory_client.get(reverse("answers")))
    bulk = mallory_client.post(reverse("answers"), {"entries": [str(incident.uuid)]})

    assert confirm.status_code == 404
    assert "Call at midnight" not in listed
    assert bulk.status_code == 400
    incident.refresh_from_db()
    assert incident.response_confirmed is False


@pytest.mark.parametrize(
    ("url_name", "fields"),
    [
        ("incident_new", ["response"]),
        ("notice_new", ["method", "acknowledged"]),
        ("police_new", ["method"]),
    ],
)
def test_new_records_pick_no_answer_about_what_the_user_did(alice_client, url_name, fields):
    form = alice_client.get(reverse(url_name)).context["form"]
    html = alice_client.get(reverse(url_name)).content.decode()

    for name in fields:
        assert form[name].value() in (None, ""), name
        checked = [w for w in form[name].subwidgets if w.data["selected"]]
        assert [w.data["value"] for w in checked] in ([], [""]), name
    assert 'value="text" checked' not in html and 'value="in_person" checked' not in html


def test_a_notice_without_how_it_was_given_is_refused_with_the_words_kept(alice_client):
    data = {"given_at": "2026-01-05T10:00", "words": "Do not contact me.", "acknowledged": "no"}

    response = alice_client.post(reverse("notice_new"), data)

    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    assert "Do not contact me." in response.content.decode()


def test_records_logged_before_the_flag_existed_keep_their_fingerprint(alice):
    """verify_chain compares each record with its last logged fingerprint: adding the flag must
    not make every earlier incident look altered."""
    incident = make_incident(alice, response="blocked")
    fields = {}
    for name in migration.INCIDENT_FINGERPRINT:
        if name == "response_confirmed":
            continue  # the field did not exist when these fingerprints were logged
        value = getattr(incident, Incident._meta.get_field(name).attname)
        fields[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    fields["uuid"] = str(incident.uuid)
    before = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)

    assert content_sha256(incident) == hashlib.sha256(before.encode()).hexdigest()
    incident.response_confirmed = False
    assert content_sha256(incident) == migration._fingerprint(incident)


def test_the_package_says_which_answers_were_given(alice, alice_client):
    _log(alice_client, days_ago=3, what="Bare entry")
    _log(alice_client, days_ago=2, what="Answered entry", response="blocked")
    _legacy(alice, "Old entry")
    options = DossierOptions(case=str(Case.objects.owned_by(alice).get().uuid))
    data = dossier_data(alice, options)

    document = json.loads(case_json(data, exhibit_names(data.exhibits)))
    rows = list(csv.DictReader(io.StringIO(incidents_csv(data).decode("utf-8-sig"))))

    states = {
        i["description"]: (i["response_state"], i["response_label"]) for i in document["incidents"]
    }
    assert states == {
        "Bare entry": ("not_recorded", ""),
        "Answered entry": ("answered", "I blocked or reported them, without replying"),
        "Old entry": ("not_confirmed", ""),
    }
    responses = {row["what happened"]: row["response"] for row in rows}
    assert responses["Bare entry"] == "not recorded"
    assert responses["Old entry"] == "not recorded (filled in by the app, not confirmed)"
