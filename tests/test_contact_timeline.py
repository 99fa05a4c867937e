"""Imported messages and calls on the timeline: a day's contacts with one person as one line, the
day's page to read them one by one, search and the person filter, in as many queries for
thousands of items as for a few."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.message_services import imported_hide
from incidents.models import Case, Message
from tests.conftest import make_incident, page_text
from tests.imported import call, import_job, in_may_2024, keep, person_named_sam, text

_at = in_may_2024


@pytest.fixture
def sam(alice):
    return person_named_sam(alice)


@pytest.fixture
def evening(sam):
    """23 texts and 4 missed calls from Sam on 2 May, 21:02 to 23:40, and one reply."""
    job = import_job(sam)
    items = [text(job, 1, _at(2, 21, 2), "Answer me.")]
    items += [text(job, i, _at(2, 22, i), f"Text number {i}") for i in range(2, 23)]
    items.append(text(job, 23, _at(2, 23, 40), "I know where you are."))
    items += [call(job, 30 + i, _at(2, 22, 30 + i)) for i in range(4)]
    items.append(text(job, 40, _at(2, 23, 0), "Please stop.", direction="out"))
    return keep(items)


def _timeline(client, **params) -> str:
    return page_text(client.get(reverse("timeline"), params))


def test_a_days_texts_and_calls_are_one_line_with_proper_plurals(alice_client, evening):
    text = _timeline(alice_client)

    line = "23 texts and 4 missed calls from Sam; 1 text to Sam, 21:02 to 23:40"
    assert line in text
    assert text.count("Thursday 2 May 2024") == 1
    assert "Answer me." not in text  # the words are read on the day's page


def test_one_text_and_one_call_read_in_the_singular(alice_client, sam):
    job = import_job(sam)
    keep([text(job, 1, _at(4, 8, 15), "Morning."), call(job, 2, _at(4, 8, 15), "rejected")])

    assert "1 text and 1 rejected call from Sam, at 08:15" in _timeline(alice_client)


def test_the_line_opens_the_days_texts_and_calls_in_time_order(alice_client, evening):
    response = alice_client.get(reverse("timeline"))
    day_url = reverse("contact_day", args=[evening[0].case.uuid, "2024-05-02"])
    assert day_url in response.content.decode()

    text = page_text(alice_client.get(day_url))
    positions = [
        text.index(words)
        for words in ("21:02 · Received", "Answer me.", "Please stop.", "I know where you are.")
    ]
    assert positions == sorted(positions)
    assert "23:00 · Sent" in text
    assert "Call: Missed" in text


def test_a_hidden_item_is_marked_with_its_reason_on_the_days_page(alice_client, evening):
    imported_hide(item=evening[1], reason="Sent to the wrong number by mistake.")

    assert "1 left out of the dossier" in _timeline(alice_client)
    text = page_text(
        alice_client.get(reverse("contact_day", args=[evening[0].case.uuid, "2024-05-02"]))
    )
    assert "Left out of the dossier Sent to the wrong number by mistake." in text


def test_the_days_page_is_alices_only(mallory_client, evening):
    url = reverse("contact_day", args=[evening[0].case.uuid, "2024-05-02"])
    assert mallory_client.get(url).status_code == 404


def test_a_day_without_contacts_or_a_bad_date_is_not_found(alice_client, evening):
    case = evening[0].case
    for day in ("2024-05-03", "2024-13-40", "0001-01-01", "9999-12-31"):
        url = reverse("contact_day", args=[case.uuid, day])
        assert alice_client.get(url).status_code == 404


def test_the_line_takes_its_place_among_incidents_by_time(alice_client, evening):
    alice = evening[0].case.owner
    make_incident(alice, occurred_at=_at(2, 23, 50), description="Car outside after the texts")
    make_incident(alice, occurred_at=_at(2, 20, 0), description="Before the texts")

    text = _timeline(alice_client)
    order = [text.index(s) for s in ("Car outside", "23 texts", "Before the texts")]
    assert order == sorted(order)


def test_search_counts_only_the_matching_items(alice_client, evening):
    text = _timeline(alice_client, q="where you are")
    assert "1 text from Sam, at 23:40" in text
    assert "23 texts" not in text


def test_the_person_filter_shows_only_that_persons_contacts(alice, alice_client, evening):
    other = Case.objects.create(owner=alice, name="Lee")
    job = import_job(other)
    keep([text(job, 1, _at(5, 10), "From Lee.")])

    everyone = _timeline(alice_client, person="all")
    assert "1 text from Lee" in everyone and "23 texts" in everyone
    only_sam = _timeline(alice_client, person=str(evening[0].case.uuid))
    assert "23 texts" in only_sam and "1 text from Lee" not in only_sam


def test_a_day_counts_in_the_users_time_zone(alice, alice_client, sam):
    alice.time_zone = "America/New_York"
    alice.save()
    job = import_job(sam)
    # 02:30 UTC on 3 May is 22:30 on 2 May in New York.
    keep([text(job, 1, _at(3, 2, 30), "Late."), text(job, 2, _at(2, 23, 0), "Earlier.")])

    text_ = _timeline(alice_client)
    assert "2 texts from Sam, 19:00 to 22:30" in text_
    assert "Thursday 2 May 2024" in text_ and "Friday 3 May" not in text_


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("timeline")).status_code == 200
    return len(captured)


@pytest.mark.slow
def test_the_timeline_takes_as_many_queries_for_thousands_of_texts_as_for_a_few(alice_client, sam):
    job = import_job(sam)
    keep([text(job, i, _at(1, 9) + timedelta(minutes=i), f"t{i}") for i in range(3)])
    few = _queries(alice_client)

    start = _at(6, 0)
    keep(
        [text(job, i, start + timedelta(minutes=7 * i), f"t{i}") for i in range(3, 2000)]
        + [call(job, i, start + timedelta(minutes=11 * i)) for i in range(2000, 2600)]
    )
    assert Message.objects.count() == 2000
    assert _queries(alice_client) == few


@pytest.mark.parametrize(
    ("zone", "before_midnight", "after_midnight"),
    [("Asia/Kolkata", (18, 29), (18, 31)), ("Asia/Kathmandu", (18, 14), (18, 16))],
)
def test_days_split_at_local_midnight_in_zones_off_the_hour(
    alice, alice_client, sam, zone, before_midnight, after_midnight
):
    alice.time_zone = zone
    alice.save()
    job = import_job(sam)
    keep(
        [
            text(job, 1, _at(2, *before_midnight), "Just before midnight."),
            text(job, 2, _at(2, *after_midnight), "Just after midnight."),
        ]
    )

    page = _timeline(alice_client)
    assert "Thursday 2 May 2024" in page and "Friday 3 May 2024" in page
    assert page.count("1 text from Sam, at 23:59") == 1
    assert page.count("1 text from Sam, at 00:01") == 1


@pytest.mark.slow
def test_each_item_on_the_days_page_leads_to_its_own_page_for_a_note(alice_client, evening):
    day = alice_client.get(reverse("contact_day", args=[evening[0].case.uuid, "2024-05-02"]))
    content = day.content.decode()
    for item in evening:
        assert f'href="{item.get_absolute_url()}"' in content
        assert alice_client.get(item.get_absolute_url()).status_code == 200
