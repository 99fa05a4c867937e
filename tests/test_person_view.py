"""A view per person: with two people recorded, home, timeline, patterns and steps show one of
them or everyone; the choice is kept for the session; another user's person is never chosen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Case, LifeChange, NoContactNotice, ProtectiveOrder
from tests.conftest import make_incident, page_text


@pytest.fixture
def two_people(alice):
    first = Case.objects.owned_by(alice).get()
    first.name = "Jordan Vale"
    first.save()
    second = Case.objects.create(owner=alice, name="Robin Marsh")
    make_incident(alice, case=first, description="Jordan left notes on the car.")
    make_incident(alice, case=second, description="Robin called the office twice.")
    make_incident(alice, case=second, description="Robin waited at the station.")
    return first, second


def test_with_one_person_there_is_no_picker(alice_client, alice):
    make_incident(alice)
    for name in ("dashboard", "timeline", "patterns", "checklist"):
        assert 'name="person"' not in alice_client.get(reverse(name)).content.decode()


def test_the_timeline_shows_one_person_and_remembers_it(alice_client, two_people):
    _first, second = two_people
    text = page_text(alice_client.get(reverse("timeline"), {"person": second.uuid}))
    assert "Robin called the office twice." in text
    assert "Jordan left notes on the car." not in text
    assert "Showing only the records about Robin Marsh." in text

    # Home, next, keeps the same view: its counts and list are Robin's only.
    home = page_text(alice_client.get(reverse("dashboard")))
    assert "Robin waited at the station." in home
    assert "Jordan left notes on the car." not in home

    everyone = page_text(alice_client.get(reverse("timeline"), {"person": "all"}))
    assert "Jordan left notes on the car." in everyone
    assert "Robin called the office twice." in everyone
    assert "Showing only the records" not in everyone


def test_patterns_and_steps_count_only_the_chosen_person(alice_client, alice, two_people):
    first, second = two_people
    NoContactNotice.objects.create(case=first, given_at=first.created_at, method="text")
    patterns = page_text(alice_client.get(reverse("patterns"), {"person": first.uuid}))
    assert "1 incident" in patterns and "3 incidents" not in patterns

    # The notice was given to Jordan: for Robin the first step is not done, for everyone it is.
    robin = page_text(alice_client.get(reverse("checklist"), {"person": second.uuid}))
    jordan = page_text(alice_client.get(reverse("checklist"), {"person": first.uuid}))
    everyone = page_text(alice_client.get(reverse("checklist"), {"person": "all"}))
    assert "1 of 4 done." in robin
    assert "2 of 4 done." in jordan
    assert "2 of 4 done." in everyone
    html = alice_client.get(reverse("checklist"), {"person": second.uuid}).content.decode()
    assert f'value="{second.uuid}" selected' in html


def test_another_users_person_is_not_a_choice(alice_client, mallory, two_people):
    theirs = Case.objects.owned_by(mallory).get()
    make_incident(mallory, case=theirs, description="Mallory's own record.")
    text = page_text(alice_client.get(reverse("timeline"), {"person": theirs.uuid}))
    assert "Mallory's own record." not in text
    assert "Jordan left notes on the car." in text  # everyone's, as if nothing was chosen
    assert "Showing only the records" not in text


def test_the_timelines_filters_survive_a_change_of_person(alice_client, two_people):
    first, _second = two_people
    html = alice_client.get(reverse("timeline"), {"q": "station", "person": "all"}).content
    assert b'<input type="hidden" name="q" value="station">' in html
    text = page_text(alice_client.get(reverse("timeline"), {"q": "station", "person": first.uuid}))
    assert "Robin waited at the station." not in text


def test_one_persons_view_leaves_out_the_other_persons_orders_and_changes(alice_client, two_people):
    first, second = two_people
    today = timezone.localdate()
    ProtectiveOrder.objects.create(
        case=second,
        court="Robin's County Court",
        issued_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=3),
    )
    LifeChange.objects.create(case=second, kind="moved", changed_on=today, note="Moved home")
    alice_client.get(reverse("timeline"), {"person": first.uuid})

    for name in ("dashboard", "checklist"):
        text = page_text(alice_client.get(reverse(name)))
        assert "Robin's County Court" not in text
        assert "runs out" not in text  # the expiry reminder is Robin's
        assert "Moved home" not in text

    alice_client.get(reverse("timeline"), {"person": second.uuid})
    home = page_text(alice_client.get(reverse("dashboard")))
    assert "runs out in 3 days" in home
    assert "Moved home" in page_text(alice_client.get(reverse("checklist")))


def test_a_new_entry_is_about_the_person_being_shown(alice_client, two_people):
    _first, second = two_people
    alice_client.get(reverse("timeline"), {"person": second.uuid})
    form = alice_client.get(reverse("incident_new")).context["form"]
    assert form["case"].value() == second.uuid
