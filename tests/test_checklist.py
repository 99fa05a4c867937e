"""The checklist: the four steps' status comes from what alice recorded (never from mallory's
records, the trash, or anything before her notice), her own safety steps, and getting help."""

import logging
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.checklist import Status, checklist_status, incidents_after_first_notice
from incidents.models import (
    Case,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    SafetyStep,
)
from incidents.services import record_trash
from tests.conftest import make_incident, page_text

REPLIED = Incident.Response.REPLIED
# Entries state their answer: since issue 11 an entry has none unless the user gives one.
NONE = Incident.Response.NONE


def _ago(days: int, hours: int = 0):
    return timezone.now() - timedelta(days=days, hours=hours)


def _case(user) -> Case:
    return Case.objects.owned_by(user).first()


def _notice(user, days_ago: int, **fields) -> NoContactNotice:
    fields.setdefault("case", _case(user))
    return NoContactNotice.objects.create(
        given_at=_ago(days_ago), words="Do not contact me.", **fields
    )


def _police(user, **fields) -> PoliceContact:
    fields.setdefault("contacted_at", _ago(10))
    return PoliceContact.objects.create(case=_case(user), **fields)


def _evidence(incident: Incident, n: int) -> Evidence:
    return Evidence.objects.create(
        case=incident.case,
        incident=incident,
        original_name=f"shot-{n}.png",
        stored_name=f"stored-{n}",
        kind=Evidence.Kind.IMAGE,
        content_type="image/png",
        size=10,
        sha256=f"{n:064x}",
    )


def _text(response) -> str:
    """The page's text, without the space page_text leaves between a tag and punctuation."""
    return re.sub(r" ([.,:)])", r"\1", page_text(response))


def _checklist(client) -> str:
    return _text(client.get(reverse("checklist")))


# --- the four steps, derived ----------------------------------------------------------------


def test_with_nothing_recorded_no_step_is_done(alice):
    status = checklist_status(alice)

    assert [step.status for step in status.steps] == [Status.NOT_YET] * 4
    assert status.done_count == 0
    assert status.next_step.title == "Be clear"
    assert status.be_clear.first_notice is None
    assert status.document.total == 0
    assert status.document.days_since_latest is None
    assert status.police.references == []
    assert status.consistency.days_since_reply is None


def test_a_partial_record_shows_the_steps_done_so_far(alice):
    _notice(alice, days_ago=30)
    make_incident(alice, occurred_at=_ago(2), response=NONE)
    _police(alice, reference="")  # spoken to them, but no report number yet

    status = checklist_status(alice)

    assert status.be_clear.status == Status.DONE
    assert status.document.status == Status.DONE
    assert status.police.status == Status.UNDER_WAY
    assert status.consistency.status == Status.DONE
    assert status.done_count == 3
    assert status.next_step.title == "Talk to the police"


def test_a_complete_record_marks_all_four_steps_done(alice_client, alice):
    _notice(alice, days_ago=30)
    make_incident(alice, occurred_at=_ago(40), response=REPLIED)  # before the notice
    make_incident(alice, occurred_at=_ago(2), response=NONE)
    _police(alice, reference="CR/2025/0042")

    status = checklist_status(alice)
    text = _checklist(alice_client)

    assert status.done_count == 4
    assert status.next_step is None
    assert "4 of 4 done." in text
    assert "Report number: CR/2025/0042" in text
    assert (
        "After your first notice, 1 incident logged: no reply in 1 entry, a reply in 0, "
        "not recorded in 0." in text
    )


def test_the_first_notice_shows_its_date_and_what_came_after_it(alice_client, alice):
    first = _notice(alice, days_ago=30, method=NoContactNotice.Method.TEXT)
    _notice(alice, days_ago=10)
    make_incident(alice, occurred_at=_ago(20), count=14)
    make_incident(alice, occurred_at=_ago(5), count=3)

    text = _checklist(alice_client)

    given = timezone.localtime(first.given_at)
    assert f"You told them to stop on {given:%-d %B %Y} (text message)." in text
    assert "You have recorded 2 notices." in text
    assert "2 incidents, 17 contacts counted in all. All of it came after" in text


def test_without_a_notice_the_page_explains_what_one_is(alice_client, alice):
    text = _checklist(alice_client)

    assert "A no-contact notice is telling the person once, plainly" in text
    assert "whatever they do after it, they do after being told plainly to stop" in text
    assert "Record a notice" in text


def test_only_alices_live_incidents_after_her_first_live_notice_count(alice, mallory):
    forgotten = _notice(alice, days_ago=60)  # in the trash: as if never given
    record_trash(record=forgotten)
    _notice(alice, days_ago=30)
    make_incident(alice, occurred_at=_ago(45), count=5, description="before the notice")
    counted = make_incident(alice, occurred_at=_ago(20), count=2, description="after")
    also = make_incident(alice, occurred_at=_ago(1), count=4, description="after, too")
    trashed = make_incident(alice, occurred_at=_ago(3), count=9, description="trashed")
    record_trash(record=trashed)
    make_incident(mallory, occurred_at=_ago(2), count=7, description="mallory's")

    after = incidents_after_first_notice(alice)
    status = checklist_status(alice)

    assert set(after) == {counted, also}
    assert status.be_clear.incidents_after == 2
    assert status.be_clear.times_after == 6
    assert checklist_status(mallory).be_clear.incidents_after == 0


def test_incidents_about_another_person_count_from_that_persons_own_notice(alice):
    other = Case.objects.create(owner=alice, name="Second person")
    _notice(alice, days_ago=30)
    make_incident(alice, occurred_at=_ago(10), case=other)  # no notice to them yet
    make_incident(alice, occurred_at=_ago(10))

    assert checklist_status(alice).be_clear.incidents_after == 1
    _notice(alice, days_ago=20, case=other)
    assert checklist_status(alice).be_clear.incidents_after == 2


def test_document_counts_entries_with_evidence_and_lists_those_lacking_details(alice_client, alice):
    with_file = make_incident(alice, occurred_at=_ago(9), description="has a file")
    _evidence(with_file, 1)
    trashed_file = make_incident(alice, occurred_at=_ago(8), description="file in the trash")
    record_trash(record=_evidence(trashed_file, 2))
    make_incident(alice, occurred_at=_ago(7), exact_words="Answer me.", description="has words")
    for n in range(6):
        make_incident(alice, occurred_at=_ago(6 - n), description=f"Bare entry {n}")

    document = checklist_status(alice).document
    text = _checklist(alice_client)

    assert (document.total, document.with_evidence) == (9, 1)
    assert document.days_since_latest == 1
    assert document.needing_details_count == 7
    assert [i.description for i in document.needing_details] == [
        f"Bare entry {n}" for n in (5, 4, 3, 2, 1)
    ]
    assert "These entries have neither exact words nor evidence yet." in text
    assert "And 2 more." in text
    assert "has words" not in text


# --- consistency ----------------------------------------------------------------------------


def test_consistency_counts_replies_after_the_notice_and_days_since_the_last(alice_client, alice):
    _notice(alice, days_ago=60)
    make_incident(alice, occurred_at=_ago(70), response=REPLIED)  # before: not counted
    make_incident(alice, occurred_at=_ago(40), response=REPLIED)
    make_incident(alice, occurred_at=_ago(23), response=REPLIED)
    make_incident(alice, occurred_at=_ago(5))
    trashed = make_incident(alice, occurred_at=_ago(3), response=REPLIED)
    record_trash(record=trashed)

    consistency = checklist_status(alice).consistency
    text = _checklist(alice_client)

    assert consistency.status == Status.UNDER_WAY
    assert (consistency.incidents_after_notice, consistency.replies_after_notice) == (3, 2)
    assert consistency.days_since_reply == 23
    assert (
        "After your first notice, 3 incidents logged: no reply in 0 entries, a reply in 2, "
        "not recorded in 1." in text
    )
    assert (
        "It's been 23 days since you last replied. "
        "Every day without a reply strengthens your case." in text
    )
    assert "doesn't undo what you have recorded" in text


def test_a_reply_by_mallory_does_not_count_against_alice(alice, mallory):
    _notice(alice, days_ago=30)
    make_incident(alice, occurred_at=_ago(5))
    make_incident(mallory, occurred_at=_ago(2), response=REPLIED)

    consistency = checklist_status(alice).consistency

    assert consistency.replies_after_notice == 0
    assert consistency.last_reply is None


def test_with_no_reply_ever_it_counts_the_days_since_the_first_notice(alice_client, alice):
    _notice(alice, days_ago=41)
    make_incident(alice, occurred_at=_ago(5), response=NONE)

    text = _checklist(alice_client)

    assert checklist_status(alice).consistency.days_since_notice == 41
    assert "It's been 41 days since your first notice, and you have not replied once." in text


def test_without_a_notice_consistency_is_not_done_and_says_it_counts_from_the_notice(
    alice_client, alice
):
    # Issue 11: the step showed "done" on day one, before any notice, from a pre-filled answer.
    make_incident(alice, occurred_at=_ago(5), response=NONE)

    assert checklist_status(alice).consistency.status == Status.NOT_YET
    assert "This step counts from your first no-contact notice" in _checklist(alice_client)


# --- the police -----------------------------------------------------------------------------


def test_the_police_step_needs_a_report_number(alice):
    _police(alice, reference="   ")
    trashed = _police(alice, reference="CR/TRASHED")
    record_trash(record=trashed)

    police = checklist_status(alice).police

    assert police.status == Status.UNDER_WAY
    assert police.references == []
    assert len(police.contacts) == 1


def test_overdue_follow_ups_are_past_and_not_done(alice_client, alice):
    today = timezone.localdate()
    late = _police(alice, reference="CR/1", follow_up_on=today - timedelta(days=3))
    _police(alice, reference="CR/2", follow_up_on=today - timedelta(days=9), follow_up_done=True)
    _police(alice, reference="CR/3", follow_up_on=today + timedelta(days=20))
    _police(alice, reference="CR/4", follow_up_on=today + timedelta(days=6))
    _police(alice, reference="CR/5", follow_up_on=today + timedelta(days=2), follow_up_done=True)

    police = checklist_status(alice).police
    text = _checklist(alice_client)

    assert police.overdue == [late]
    assert police.next_follow_up == today + timedelta(days=6)
    assert police.references == ["CR/1", "CR/2", "CR/3", "CR/4", "CR/5"]
    assert "This follow-up date has passed:" in text
    assert f"Next follow-up: {today + timedelta(days=6):%-d %B %Y}." in text


# --- further safety steps -------------------------------------------------------------------


def _tick(client, step="voicemails", **fields):
    data = {"step": step, **{f"{step}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("safety_step_toggle"), data)


def test_a_safety_step_is_ticked_with_a_date_and_a_note(alice_client, alice):
    day = timezone.localdate() - timedelta(days=4)

    response = _tick(alice_client, done_on=day.isoformat(), note="Copied to a USB stick")

    assert response.status_code == 302
    assert response.url == reverse("checklist") + "#safety-voicemails"
    step = SafetyStep.objects.owned_by(alice).get()
    assert (step.step, step.done_on, step.note) == ("voicemails", day, "Copied to a USB stick")
    text = _checklist(alice_client)
    assert f"Done on {day:%-d %B %Y}: Copied to a USB stick" in text


def test_ticking_again_changes_the_date_and_note_of_the_same_tick(alice_client, alice):
    today = timezone.localdate()
    _tick(alice_client, done_on=(today - timedelta(days=4)).isoformat(), note="first")
    _tick(alice_client, done_on=today.isoformat(), note="")

    step = SafetyStep.objects.owned_by(alice).get()
    assert (step.done_on, step.note) == (today, "")


def test_the_date_of_a_new_tick_defaults_to_today(alice_client):
    response = alice_client.get(reverse("checklist"))

    form = dict((item["value"], item["form"]) for item in response.context["safety"])["routes"]
    assert form["done_on"].value() == timezone.localdate()


def test_a_safety_step_is_unticked_and_the_message_says_what_it_held(alice_client, alice):
    SafetyStep.objects.create(owner=alice, step="devices", done_on="2024-05-02", note="New PIN")

    response = alice_client.post(
        reverse("safety_step_toggle"), {"step": "devices", "action": "untick"}, follow=True
    )

    assert not SafetyStep.objects.exists()
    assert "(it was marked done on 2 May 2024). Your note was: “New PIN”" in page_text(response)


def test_a_future_date_is_refused_and_the_input_is_kept(alice_client):
    future = timezone.localdate() + timedelta(days=3)

    response = _tick(alice_client, step="routes", done_on=future.isoformat(), note="Bus at 7")

    assert response.status_code == 400
    assert not SafetyStep.objects.exists()
    text = page_text(response)
    assert "This date is in the future. Pick today or an earlier day." in text
    html = response.content.decode()
    assert f'value="{future.isoformat()}"' in html
    assert 'value="Bus at 7"' in html
    # The other steps' forms are fresh, with today's date.
    assert html.count(f'value="{future.isoformat()}"') == 1


def test_a_stranger_cannot_tick_or_untick_someone_elses_safety_steps(
    alice_client, alice, mallory_client, mallory
):
    SafetyStep.objects.create(owner=alice, step="copy", done_on="2024-05-02", note="Alice's")

    mallory_client.post(reverse("safety_step_toggle"), {"step": "copy", "action": "untick"})
    _tick(mallory_client, step="copy", done_on="2024-06-01", note="Mallory's")

    alices = SafetyStep.objects.owned_by(alice).get()
    assert (alices.done_on.isoformat(), alices.note) == ("2024-05-02", "Alice's")
    assert SafetyStep.objects.owned_by(mallory).get().note == "Mallory's"
    assert "Alice's" not in page_text(mallory_client.get(reverse("checklist")))


def test_an_unknown_safety_step_is_not_found(alice_client):
    assert _tick(alice_client, step="nonsense", done_on="2024-05-02").status_code == 404
    assert alice_client.get(reverse("safety_step_toggle")).status_code == 405


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["checklist", "help", "dashboard"])
def test_the_pages_answer(alice_client, name):
    assert alice_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["checklist", "help", "safety_step_toggle"])
def test_the_pages_require_sign_in(client, db, name):
    for response in (client.get(reverse(name)), client.post(reverse(name), {"step": "copy"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    assert not SafetyStep.objects.exists()


def test_the_dashboard_sums_up_the_steps_and_links_to_them(alice_client, alice):
    _notice(alice, days_ago=3)

    response = alice_client.get(reverse("dashboard"))

    assert "The four steps: 1 of 4 done. Next: Document everything" in page_text(response)
    assert f'href="{reverse("checklist")}"' in response.content.decode()


def test_the_checklist_makes_the_same_number_of_queries_however_long_the_log(alice_client, alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(reverse("checklist")).status_code == 200
        return len(captured)

    _notice(alice, days_ago=60)
    _police(alice, reference="CR/1", follow_up_on=timezone.localdate() - timedelta(days=1))
    make_incident(alice, occurred_at=_ago(50), response=REPLIED)
    few = queries()
    for n in range(30):
        incident = make_incident(alice, occurred_at=_ago(40 - n), response=REPLIED)
        if n % 3 == 0:
            _evidence(incident, n)
    _notice(alice, days_ago=20)
    _police(alice, reference="CR/2", follow_up_on=timezone.localdate() - timedelta(days=2))
    SafetyStep.objects.create(owner=alice, step="copy", done_on="2024-05-02")

    assert queries() == few
    # 8, one each for the court orders and the changes to daily life listed below the steps,
    # one for the demo-data banner every page carries, and one for the people recorded (the
    # view per person), two for imported messages and calls after the notice (counts, days) and one
    # for the imported files the Document step counts
    assert few <= 15


# --- getting help ---------------------------------------------------------------------------


def test_the_help_page_shows_the_configured_numbers(alice_client, settings, caplog):
    settings.HELP_EMERGENCY_NUMBER = "999"
    settings.HELP_CONTACTS = (
        "Stalking helpline | 0800 000 0001 | Weekdays 9-17 ;"
        "Victim support|https://support.example.org/;"
        "only a name;|0800 missing name|note;"
    )

    with caplog.at_level(logging.WARNING, logger="incidents.checklist"):
        response = alice_client.get(reverse("help"))

    text = page_text(response)
    html = response.content.decode()
    assert "Call 999" in text
    assert 'href="tel:999"' in html
    assert "Stalking helpline 0800 000 0001 Weekdays 9-17" in text
    assert 'href="tel:08000000001"' in html
    assert 'href="https://support.example.org/" rel="noreferrer"' in html
    assert "only a name" not in text
    assert "missing name" not in text
    assert "has not added" not in text
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == 2
    assert "'only a name'" in skipped[0]


def test_the_help_page_says_when_no_numbers_were_added(alice_client, settings):
    settings.HELP_EMERGENCY_NUMBER = ""
    settings.HELP_CONTACTS = ""

    text = page_text(alice_client.get(reverse("help")))

    assert "Call your local emergency number." in text
    assert "The person who runs this server has not added local numbers yet." in text
    assert "search for the national stalking helpline of your country" in text


def test_the_checklist_shows_the_help_contacts_too(alice_client, settings):
    settings.HELP_EMERGENCY_NUMBER = "112"
    settings.HELP_CONTACTS = "Advice line|help@example.org|By e-mail, any time"

    response = alice_client.get(reverse("checklist"))

    assert "In danger now? Call 112." in _text(response)
    assert 'href="mailto:help@example.org"' in response.content.decode()
    assert "Advice line" in page_text(response)


def test_the_dashboard_reminds_of_follow_ups_and_orders_running_out(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    today = timezone.localdate()
    PoliceContact.objects.create(
        case=case,
        contacted_at=timezone.now(),
        reference="CR/9",
        follow_up_on=today + timedelta(days=3),
    )
    PoliceContact.objects.create(
        case=case, contacted_at=timezone.now(), follow_up_on=today - timedelta(days=2)
    )
    PoliceContact.objects.create(
        case=case, contacted_at=timezone.now(), follow_up_on=today + timedelta(days=60)
    )
    ProtectiveOrder.objects.create(
        case=case, issued_on=today - timedelta(days=300), expires_on=today + timedelta(days=5)
    )
    text = page_text(alice_client.get(reverse("dashboard")))
    assert "Coming up" in text
    assert "(report CR/9)" in text
    assert "Follow-up with the police was due on" in text
    assert "runs out in 5 days" in text
    assert text.count("Follow up with the police on") == 1  # the one 60 days away waits
