"""Imported messages and calls counted where they matter: home's own figures, the notice step's
contacts after the notice, and the consistency step's plain facts about the user's own texts
and calls after it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from incidents import contact_charts
from incidents.models import Case, NoContactNotice
from tests.conftest import make_incident, page_text
from tests.imported import call, import_job, in_may_2024, keep, person_named_sam, text

_at = in_may_2024


@pytest.fixture
def sam(alice):
    return person_named_sam(alice)


def test_home_counts_received_texts_and_calls_apart_from_incidents(alice, alice_client, sam):
    make_incident(alice)
    now = timezone.now()
    job = import_job(sam)
    keep(
        [text(job, i, now - timedelta(days=2, minutes=i)) for i in range(5)]
        + [call(job, 10, now - timedelta(days=10))]
        + [text(job, 11, now - timedelta(days=100))]
        + [text(job, 12, now - timedelta(days=1), direction="out")]  # sent: not counted
    )

    page = page_text(alice_client.get(reverse("dashboard")))

    assert "Incidents logged 1 Last 7 days 1 Last 30 days 1" in page
    assert (
        "Messages and calls received, from exported files Received in all 7 "
        "Last 7 days 5 Last 30 days 6"
    ) in page


def test_home_shows_no_contact_figures_before_any_import(alice_client, sam):
    assert "Messages and calls received" not in page_text(alice_client.get(reverse("dashboard")))


@pytest.fixture
def after_notice(sam):
    """A notice on 2 May at noon; before it, texts both ways; after it, 3 texts and 2 missed
    calls from Sam, 2 texts from alice on 3 and 4 May and one call she answered on 4 May."""
    NoContactNotice.objects.create(case=sam, given_at=_at(2, 12), words="Stop contacting me.")
    job = import_job(sam)
    return keep(
        [
            text(job, 1, _at(1, 9), "Before."),
            text(job, 2, _at(2, 11, 59), "Just before.", direction="out"),
            text(job, 3, _at(2, 13), "After."),
            text(job, 4, _at(3, 9), "Again."),
            text(job, 5, _at(4, 22), "And again."),
            call(job, 6, _at(3, 23)),
            call(job, 7, _at(4, 23)),
            text(job, 8, _at(3, 10), "Leave me alone.", direction="out"),
            text(job, 9, _at(4, 10), "Please.", direction="out"),
            call(job, 10, _at(4, 11), "answered"),
        ]
    )


def test_the_notice_step_counts_what_was_received_after_the_notice(alice_client, after_notice):
    page = page_text(alice_client.get(reverse("checklist")))

    assert (
        "The messages you imported show 3 texts, 2 missed calls and 1 answered call "
        "from them after the notice."
    ) in page


def test_the_consistency_step_states_the_users_own_contact_as_facts(alice_client, after_notice):
    page = page_text(alice_client.get(reverse("checklist")))

    assert (
        "From the messages you imported, after your first notice: 2 texts sent and "
        "1 call answered, on 3 May 2024 and 4 May 2024."
    ) in page
    assert "it does not undo what they did" in page


def test_without_a_notice_the_steps_count_nothing_after_it(alice_client, sam):
    job = import_job(sam)
    keep([text(job, 1, _at(3, 9), "Hi."), text(job, 2, _at(3, 10), "No.", direction="out")])

    page = page_text(alice_client.get(reverse("checklist")))
    assert "The messages you imported show" not in page


def test_another_persons_notice_does_not_count_for_sam(alice, alice_client, sam):
    lee = Case.objects.create(owner=alice, name="Lee")
    NoContactNotice.objects.create(case=lee, given_at=_at(1, 8), words="Stop.")
    job = import_job(sam)
    keep([text(job, 1, _at(3, 9), "Hi.")])

    page = page_text(alice_client.get(reverse("checklist"), {"person": "all"}))
    assert "The messages you imported show" not in page


# --- the charts --------------------------------------------------------------------------


def test_home_draws_received_texts_and_calls_as_their_own_weekly_chart(alice_client, sam):
    now = timezone.now()
    NoContactNotice.objects.create(case=sam, given_at=now - timedelta(days=20), words="Stop.")
    job = import_job(sam)
    keep([text(job, i, now - timedelta(days=3, minutes=i)) for i in range(12)])

    response = alice_client.get(reverse("dashboard"))
    page = page_text(response)
    html = response.content.decode()

    assert "Messages and calls received per week, the last 26 weeks" in page
    received = (
        "12 messages and calls received in the last 4 weeks, against 0 in the 4 weeks before."
    )
    assert received in page
    assert 'id="chart-contacts-weekly-title"' in html
    assert "No-contact notice" in page  # the notice is marked on it
    assert "12 messages and calls received in the week of" in html  # the bar's tip


def test_the_patterns_page_counts_received_contacts_by_week_day_and_time(alice_client, sam):
    job = import_job(sam)
    monday_night = datetime(2024, 5, 6, 22, 0, tzinfo=UTC)
    keep([text(job, i, monday_night + timedelta(minutes=i)) for i in range(6)])
    keep([call(job, 10, monday_night + timedelta(days=1))])

    response = alice_client.get(reverse("patterns"))
    page = page_text(response)

    assert "Messages and calls received, from exported files" in page
    assert "7 messages and calls received since 6 May 2024." in page
    # The calendar shows the last 12 months, and May 2024 is long before them.
    assert "Nothing received in the last 365 days." in page
    assert "Received most often on Mondays between 21:00 and 24:00 (6 of 7)." in page
    html = response.content.decode()
    assert html.count('id="chart-contacts-times-title"') == 1
    assert html.count('id="chart-times-title"') == 1  # the incident charts are still there


def test_no_contact_charts_before_an_import(alice_client, sam):
    make_incident(sam.owner)
    assert "messages and calls received" not in page_text(alice_client.get(reverse("patterns")))
    assert "chart-contacts" not in alice_client.get(reverse("dashboard")).content.decode()


def test_the_busiest_day_of_received_contacts_is_a_plural_in_spanish_too():
    grid = [[0] * 8 for _day in range(7)]
    grid[5][7] = 9  # Saturdays, 21:00 to 24:00

    with translation.override("es"):
        words = contact_charts.time_words(grid)

    assert "con más frecuencia los sábados entre" in words
