"""Changes to daily life: recorded from the steps page or from an incident (nothing chosen for
the user), amended with history, trashed and restored, logged for custody, counted in backups,
shown in the timeline, and summed up in the dossier with how the incidents affected the user."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import custody
from incidents.backup import database as backup_database
from incidents.dossier import DossierOptions, dossier_data
from incidents.models import Case, CustodyEntry, Incident, LifeChange, ProtectiveOrder
from incidents.package import case_json
from incidents.pdf import render_dossier
from incidents.services import record_save
from tests.conftest import make_incident, page_text

NOTE = "Moved in with my sister across town; the lease cost me two months' rent."


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def _days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def _change(user, **fields) -> LifeChange:
    fields.setdefault("case", Case.objects.owned_by(user).first())
    fields.setdefault("kind", LifeChange.Kind.MOVED)
    fields.setdefault("changed_on", timezone.localdate() - timedelta(days=5))
    change = LifeChange(**fields)
    record_save(record=change)
    return change


def _checked_radios(response) -> list[str]:
    return re.findall(r'<input type="radio"[^>]*checked[^>]*>', response.content.decode())


def test_a_change_is_recorded_from_the_steps_page(alice_client):
    steps = alice_client.get(reverse("checklist"))
    assert "Changes to daily life" in page_text(steps)
    assert f'href="{reverse("change_new")}"' in steps.content.decode()

    form = alice_client.get(reverse("change_new"))
    assert not _checked_radios(form)  # what changed is not chosen for the user
    assert 'name="changed_on" value=' not in form.content.decode()  # nor when
    response = alice_client.post(
        reverse("change_new"), {"kind": "moved", "changed_on": _days_ago(5), "note": NOTE}
    )

    change = LifeChange.objects.get()
    assert response.url == change.get_absolute_url()
    text = page_text(alice_client.get(response.url))
    assert "Moved home" in text
    assert NOTE in text
    assert "Moved home" in page_text(alice_client.get(reverse("checklist")))
    entry = CustodyEntry.objects.filter(object_uuid=change.uuid).get()
    assert entry.action == CustodyEntry.Action.CREATED


def test_from_an_incident_only_its_date_and_person_are_filled_in(alice, alice_client):
    incident = make_incident(alice, occurred_at=timezone.now() - timedelta(days=12))
    page = alice_client.get(reverse("incident_detail", args=[incident.uuid]))
    link = f"{reverse('change_new')}?incident={incident.uuid}"
    assert link in page.content.decode()

    form = alice_client.get(link)

    day = timezone.localdate(incident.occurred_at).isoformat()
    assert f'name="changed_on" value="{day}"' in form.content.decode()
    assert not _checked_radios(form)
    assert "<textarea" in form.content.decode()
    assert re.search(r'<textarea name="note"[^>]*>\s*</textarea>', form.content.decode())
    assert f'href="{incident.get_absolute_url()}">Cancel' in form.content.decode()


def test_the_person_of_the_incident_is_filled_in_when_there_are_two(alice, alice_client):
    other = Case(owner=alice, name="Second person")
    record_save(record=other)
    incident = make_incident(alice, case=other)

    form = alice_client.get(f"{reverse('change_new')}?incident={incident.uuid}")

    assert re.search(rf'<option value="{other.uuid}" selected>', form.content.decode())


def test_a_strangers_or_a_broken_incident_link_fills_in_nothing(alice, mallory_client):
    incident = make_incident(alice, occurred_at=timezone.now() - timedelta(days=12))

    for query in (f"?incident={incident.uuid}", "?incident=not-a-uuid"):
        form = mallory_client.get(reverse("change_new") + query)
        assert form.status_code == 200
        assert 'name="changed_on" value=' not in form.content.decode()


def test_what_changed_must_be_chosen_and_the_note_is_kept(alice_client):
    response = alice_client.post(reverse("change_new"), {"changed_on": _days_ago(1), "note": NOTE})

    assert response.status_code == 200
    assert "Choose what changed." in page_text(response)
    assert NOTE in response.content.decode().replace("&#x27;", "'")
    assert not LifeChange.objects.exists()


def test_a_date_in_the_future_is_refused_and_the_input_kept(alice_client):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = alice_client.post(
        reverse("change_new"), {"kind": "help", "changed_on": tomorrow, "note": "GP visit"}
    )

    assert "This date is in the future" in page_text(response)
    assert "GP visit" in response.content.decode()
    assert re.search(r'value="help"[^>]*checked', response.content.decode())
    assert not LifeChange.objects.exists()


def test_amending_keeps_the_earlier_version_and_trash_can_restore_it(alice, alice_client):
    change = _change(alice, kind=LifeChange.Kind.SECURITY, note="Changed the locks.")

    alice_client.post(
        reverse("change_edit", args=[change.uuid]),
        {"kind": "security", "changed_on": change.changed_on.isoformat(), "note": "Locks, camera"},
    )
    text = page_text(alice_client.get(change.get_absolute_url()))
    assert "History of changes" in text
    assert "Changed the locks." in text

    alice_client.post(reverse("change_delete", args=[change.uuid]))
    assert alice_client.get(change.get_absolute_url()).status_code == 404
    assert "Changed locks or added cameras" in page_text(alice_client.get(reverse("trash")))
    alice_client.post(reverse("change_restore", args=[change.uuid]))
    assert alice_client.get(change.get_absolute_url()).status_code == 200

    actions = list(
        CustodyEntry.objects.filter(object_uuid=change.uuid).values_list("action", flat=True)
    )
    assert actions == ["created", "amended", "trashed", "restored"]


def test_a_change_made_behind_the_apps_back_is_found(alice):
    change = _change(alice, note="Missed three shifts.")
    LifeChange.objects.filter(pk=change.pk).update(note="Missed one shift.")

    problems = custody.altered_records()

    assert any(str(change.uuid) in problem for problem in problems)


def test_backups_count_the_changes(alice):
    _change(alice)
    _change(alice, kind=LifeChange.Kind.NUMBER)

    counts = {label: model.objects.count() for label, model in backup_database.COUNTED.items()}

    assert counts["changes to daily life"] == 2


def test_changes_appear_in_the_timeline_and_can_be_searched(alice, alice_client):
    make_incident(alice, occurred_at=timezone.now() - timedelta(days=10))
    _change(alice, kind=LifeChange.Kind.NUMBER, note="New SIM from the shop.")

    text = page_text(alice_client.get(reverse("timeline")))
    assert "Change to daily life" in text
    assert "Changed phone number or accounts" in text
    found = page_text(alice_client.get(reverse("timeline"), {"q": "SIM"}))
    assert "Changed phone number or accounts" in found


def test_no_files_can_be_attached_to_a_change(alice, alice_client):
    change = _change(alice)

    page = page_text(alice_client.get(change.get_absolute_url()))

    assert "Documents" not in page
    url = f"/changes/{change.uuid}/evidence/"
    assert alice_client.post(url).status_code == 404


# --- the dossier --------------------------------------------------------------------------------


def _dossier(user, tmp_path, **options) -> list[str]:
    case = Case.objects.owned_by(user).first()
    out = tmp_path / "dossier.pdf"
    render_dossier(user, DossierOptions(case=str(case.uuid), **options), out)
    return [" ".join(page.extract_text().split()) for page in PdfReader(out).pages]


@pytest.fixture
def affected(alice):
    now = timezone.now()
    levels = [Incident.Effect.SOME, None, Incident.Effect.SEVERE, Incident.Effect.SOME, None]
    for days, level in zip((9, 8, 7, 6, 5), levels, strict=True):
        make_incident(alice, occurred_at=now - timedelta(days=days), effect_level=level)
    _change(alice, kind=LifeChange.Kind.NUMBER, changed_on=timezone.localdate() - timedelta(3))
    _change(alice, kind=LifeChange.Kind.MOVED, changed_on=timezone.localdate() - timedelta(2))
    return now


@pytest.mark.slow
def test_the_summary_says_how_the_incidents_affected_them_from_answers_only(
    alice, affected, tmp_path
):
    pages = _dossier(alice, tmp_path)

    summary = pages[1]  # the page after the cover
    assert summary.startswith("Summary") or "Summary" in summary[:80]
    assert "Recorded for 3 of 5 incidents (not recorded for 2)" in summary
    assert "“Severely: I feared for my safety”: 1 incident" in summary
    assert "“Somewhat: uneasy or upset”: 2 incidents" in summary
    first = timezone.localdate(affected - timedelta(days=7))
    assert f"Most severe: “Severely: I feared for my safety”, first on {first:%-d %b %Y}" in summary
    assert "Not at all" not in summary  # a level nobody chose is not counted as zero
    for days, label in ((3, "Changed phone number or accounts"), (2, "Moved home")):
        assert f"{timezone.localdate() - timedelta(days):%-d %b %Y}: {label}" in summary


@pytest.mark.slow
def test_the_background_gives_each_change_with_its_note(alice, tmp_path):
    _change(alice, note=NOTE)

    text = " ".join(_dossier(alice, tmp_path))

    assert "Changes to daily life" in text
    assert "Moved in with my sister across town" in text


@pytest.mark.slow
def test_left_out_when_the_person_chose_to_leave_out_effects(alice, affected, tmp_path):
    text = " ".join(_dossier(alice, tmp_path, include_effects=False))

    assert "Left out of this copy" in text
    assert "Moved home" not in text
    assert "Recorded for" not in text


@pytest.mark.slow
def test_with_no_answer_the_summary_says_not_recorded(alice, tmp_path):
    make_incident(alice)

    summary = _dossier(alice, tmp_path)[1]

    assert "Not recorded for any incident." in summary
    assert "Most severe" not in summary


def test_the_packages_data_carries_the_changes_and_each_orders_breaches(alice):
    case = Case.objects.owned_by(alice).get()
    today = timezone.localdate()
    order = ProtectiveOrder.objects.create(
        case=case, issued_on=today - timedelta(days=10), terms="No contact."
    )
    breach = make_incident(alice, violates_order=True)
    _change(alice, kind=LifeChange.Kind.ROUTES, note="Another way to work.")

    def package_json(**options) -> dict:
        data = dossier_data(alice, DossierOptions(case=str(case.uuid), **options))
        return json.loads(case_json(data, {}))

    document = package_json()
    [change] = document["changes_to_daily_life"]
    assert change["kind_label"] == "Changed routes or routines"
    assert change["note"] == "Another way to work."
    [listed] = document["protective_orders"]
    assert listed["uuid"] == str(order.uuid)
    assert listed["breaches"] == [{"ref": 1, "uuid": str(breach.uuid)}]
    assert package_json(include_effects=False)["changes_to_daily_life"] == []


@pytest.mark.slow
def test_a_long_list_of_changes_is_cut_short_in_the_summary_and_given_whole_later(alice, tmp_path):
    today = timezone.localdate()
    for days in range(12):
        _change(alice, kind=LifeChange.Kind.MISSED, changed_on=today - timedelta(days=days + 1))
    make_incident(alice)

    pages = _dossier(alice, tmp_path)

    assert pages[1].count("Missed work or school") == 10
    assert "and 2 more, in the background section" in pages[1]
    assert " ".join(pages[2:]).count("Missed work or school") == 12
