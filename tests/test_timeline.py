"""The timeline: every live incident, grouped by day, filtered, in pages, in few queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Case, Incident, NoContactNotice, PoliceContact, ProtectiveOrder
from incidents.services import record_trash
from incidents.timeline import PAGE_SIZE
from tests.conftest import make_incident, page_text


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, minute, tzinfo=UTC)


def _timeline(client, **params) -> str:
    return page_text(client.get(reverse("timeline"), params))


def _assert_in_order(text: str, *snippets: str) -> None:
    positions = [text.index(snippet) for snippet in snippets]
    assert positions == sorted(positions), snippets


@pytest.fixture
def week(alice):
    """Three entries over two days in June 2024, for alice in UTC."""
    alice.time_zone = "UTC"
    alice.save()
    make_incident(alice, occurred_at=_at(3, 9), description="Monday morning call", kind="calls")
    make_incident(
        alice,
        occurred_at=_at(3, 18, 30),
        description="Monday evening visit",
        kind="showed_up_home",
        location="Front door, Elm Street",
        weapon=True,
    )
    make_incident(
        alice,
        occurred_at=_at(1, 12),
        description="Saturday text",
        kind="texts",
        exact_words="You will regret IGNORING me",
    )


def test_incidents_are_grouped_by_day_newest_first(alice_client, week):
    text = _timeline(alice_client)

    assert "3 incidents." in text
    assert text.count("Monday 3 June 2024") == 1
    _assert_in_order(
        text,
        "Monday 3 June 2024",
        "18:30",
        "Monday evening visit",
        "09:00",
        "Monday morning call",
        "Saturday 1 June 2024",
        "Saturday text",
    )


def test_the_oldest_first_toggle_reverses_the_order(alice_client, week):
    text = _timeline(alice_client, order="oldest")

    _assert_in_order(
        text,
        "Saturday 1 June 2024",
        "Saturday text",
        "Monday 3 June 2024",
        "Monday morning call",
        "Monday evening visit",
    )


def test_entries_in_the_trash_are_not_on_the_timeline(alice_client, week):
    record_trash(record=Incident.objects.get(description="Saturday text"))

    text = _timeline(alice_client)

    assert "2 incidents." in text
    assert "Saturday text" not in text


def test_it_filters_by_kind(alice_client, week):
    text = _timeline(alice_client, kind="calls")

    assert "1 incident matches your filters." in text
    assert "Monday morning call" in text
    assert "Monday evening visit" not in text
    assert "Saturday text" not in text


def test_it_shows_only_entries_with_danger_signs_when_asked(alice_client, week):
    text = _timeline(alice_client, danger="on")

    assert "Monday evening visit" in text
    assert "Weapon mentioned or seen" in text
    assert "Monday morning call" not in text
    assert "Saturday text" not in text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("MORNING", "Monday morning call"),  # what happened, any case
        ("regret ignoring", "Saturday text"),  # their exact words
        ("elm street", "Monday evening visit"),  # where
    ],
)
def test_the_search_finds_words_in_what_was_written_regardless_of_case(
    alice_client, week, query, found
):
    text = _timeline(alice_client, q=query)

    assert "1 incident matches your filters." in text
    assert found in text


def test_a_search_that_finds_nothing_says_so(alice_client, week):
    text = _timeline(alice_client, q="motorbike")

    assert "0 incidents match your filters." in text
    assert "Nothing matches these filters." in text


def test_the_date_range_uses_the_users_own_days(alice, alice_client):
    # 23:30 on Sunday in UTC is 01:30 on Monday in Berlin.
    make_incident(alice, occurred_at=_at(2, 23, 30), description="Late call")
    alice.time_zone = "Europe/Berlin"
    alice.save()

    monday = _timeline(alice_client, date_from="2024-06-03", date_to="2024-06-03")
    sunday = _timeline(alice_client, date_from="2024-06-02", date_to="2024-06-02")

    assert "Late call" in monday
    assert "Monday 3 June 2024" in monday
    assert "01:30" in monday
    assert "Late call" not in sunday

    alice.time_zone = "UTC"
    alice.save()
    assert "Late call" in _timeline(alice_client, date_from="2024-06-02", date_to="2024-06-02")
    assert "Late call" not in _timeline(alice_client, date_from="2024-06-03")


def test_a_filter_value_that_makes_no_sense_is_ignored(alice_client, week):
    response = alice_client.get(reverse("timeline"), {"date_from": "last tuesday"})

    assert response.status_code == 200
    assert "3 incidents." in page_text(response)


def test_it_shows_25_entries_a_page_and_keeps_the_filters_when_paging(alice, client):
    client.force_login(alice)
    case = Case.objects.owned_by(alice).get()
    start = _at(1, 0)
    Incident.objects.bulk_create(
        Incident(
            case=case,
            occurred_at=start + timedelta(hours=i),
            description=f"Call number {i:02}.",
            kind="calls",
        )
        for i in range(PAGE_SIZE + 5)
    )
    make_incident(alice, occurred_at=_at(20, 12), description="A text", kind="texts")

    first = client.get(reverse("timeline"), {"kind": "calls"})
    second = client.get(reverse("timeline"), {"kind": "calls", "page": 2})

    first_text, second_text = page_text(first), page_text(second)
    assert "30 incidents match your filters." in first_text
    assert "Page 1 of 2" in first_text
    assert first_text.count("Call number") == PAGE_SIZE
    assert "Call number 29." in first_text  # newest first
    assert 'href="?kind=calls&amp;page=2" rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second_text
    assert second_text.count("Call number") == 5
    assert "Call number 00." in second_text
    assert "A text" not in first_text + second_text
    assert 'href="?kind=calls&amp;page=1" rel="prev"' in second.content.decode()
    beyond = page_text(client.get(reverse("timeline"), {"kind": "calls", "page": 99}))
    assert "Page 2 of 2" in beyond


def _timeline_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("timeline"))
    assert response.status_code == 200
    return len(queries), page_text(response)


def test_the_timeline_takes_as_few_queries_for_1000_incidents_as_for_10(alice, alice_client):
    case = Case.objects.owned_by(alice).get()

    def add(count: int, first: int) -> None:
        Incident.objects.bulk_create(
            Incident(
                case=case,
                occurred_at=_at(1, 0) + timedelta(minutes=37 * i),
                description=f"Entry {i}",
                kind=Incident.Kind.values[i % len(Incident.Kind.values)],
                threat_to_harm=i % 5 == 0,
                location="Outside work" if i % 2 else "",
            )
            for i in range(first, first + count)
        )

    add(10, 0)
    with_10, text_10 = _timeline_queries(alice_client)
    add(990, 10)
    with_1000, text_1000 = _timeline_queries(alice_client)

    assert "10 incidents." in text_10
    assert "1,000 incidents." in text_1000
    assert with_1000 == with_10
    # session, user, whether two-factor is on, count, the page of incidents, one each for
    # notices, police, orders, changes to daily life, whether there is demo data (the banner),
    # the people recorded (for the view per person), and imported messages and calls by day
    assert with_10 <= 12


def test_notices_police_contacts_and_orders_appear_among_the_incidents(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    make_incident(alice, occurred_at=_at(1, 21), description="Before the notice")
    NoContactNotice.objects.create(case=case, given_at=_at(2, 9), words="Do not contact me again.")
    make_incident(alice, occurred_at=_at(3, 22), description="After the notice")
    PoliceContact.objects.create(case=case, contacted_at=_at(4, 10), reference="CR/2024/77")
    ProtectiveOrder.objects.create(case=case, issued_on=_at(5, 12).date())

    text = page_text(alice_client.get(reverse("timeline"), {"order": "oldest"}))

    story = ["Before the notice", "Do not contact me again.", "After the notice", "CR/2024/77"]
    positions = [text.index(part) for part in story]
    assert positions == sorted(positions)
    assert "Court order issued" in text


def test_the_other_records_follow_their_own_page_of_incidents(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    Incident.objects.bulk_create(
        Incident(case=case, occurred_at=_at(1, 0) + timedelta(hours=i), description=f"Entry {i}")
        for i in range(30)
    )
    # Newest first, page 1 ends with entry 5 and page 2 starts with entry 4; a notice between
    # the two is shown once, on page 2.
    NoContactNotice.objects.create(
        case=case, given_at=_at(1, 0) + timedelta(hours=4, minutes=30), words="Stop now."
    )
    first = page_text(alice_client.get(reverse("timeline")))
    second = page_text(alice_client.get(reverse("timeline"), {"page": 2}))
    assert "Stop now." not in first
    assert "Stop now." in second


def test_filtering_by_kind_shows_only_incidents(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    make_incident(alice, kind=Incident.Kind.CALLS, description="A call")
    NoContactNotice.objects.create(case=case, given_at=_at(2, 9), words="Do not contact me again.")
    text = page_text(alice_client.get(reverse("timeline"), {"kind": "calls"}))
    assert "A call" in text and "Do not contact me again." not in text


def test_a_period_at_the_edge_of_the_calendar_is_set_aside_not_a_broken_page(alice_client, week):
    for period in ({"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}):
        response = alice_client.get(reverse("timeline"), period)
        assert response.status_code == 200 and "3 incidents." in page_text(response)
