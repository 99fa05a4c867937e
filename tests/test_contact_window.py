"""A timeline page shows at most a month of imported messages and calls (so that it reads a bounded
number of them however long the phone's history), and says where the rest continue, one link
away, in either order and with a search: nothing is left unreachable."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.conftest import make_incident, page_text
from tests.imported import call, import_job, keep, person_named_sam, text


def _on(month: int, day: int, hour: int = 20) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


@pytest.fixture
def spring(alice):
    """Texts from Sam on 1 May and 15 June 2024 (45 days apart), and a call on 20 March."""
    sam = person_named_sam(alice)
    job = import_job(sam)
    return keep(
        [
            call(job, 1, _on(3, 20)),
            text(job, 2, _on(5, 1), "Where were you on Monday?"),
            text(job, 3, _on(6, 15), "Where are you now?"),
        ]
    )


def _get(client, **params):
    response = client.get(reverse("timeline"), params)
    return page_text(response), response.context["beyond_url"]


def test_newest_first_a_page_shows_a_month_and_links_to_the_earlier_ones(alice_client, spring):
    text, link = _get(alice_client)

    assert "1 text from Sam, at 20:00" in text and "Saturday 15 June 2024" in text
    assert "Wednesday 1 May 2024" not in text
    assert "Messages and calls before 16 May 2024 are not on this page." in text
    assert "Show them, from 1 May 2024 back" in text
    assert link == "?date_to=2024-05-01"

    earlier = page_text(alice_client.get(reverse("timeline") + link))
    assert "Wednesday 1 May 2024" in earlier
    assert "Saturday 15 June 2024" not in earlier
    assert "Show them, from 20 March 2024 back" in earlier


def test_oldest_first_a_page_shows_a_month_and_links_to_the_later_ones(alice_client, spring):
    text, link = _get(alice_client, order="oldest")

    assert "Wednesday 20 March 2024" in text and "1 missed call from Sam" in text
    assert "Wednesday 1 May 2024" not in text
    assert "Messages and calls after 19 April 2024 are not on this page." in text
    assert "Show them, from 1 May 2024 on" in text
    assert link == "?order=oldest&date_from=2024-05-01"

    later = page_text(alice_client.get(reverse("timeline") + link))
    assert "Wednesday 1 May 2024" in later and "Wednesday 20 March 2024" not in later


def test_a_search_jumps_to_the_next_match_keeping_the_words(alice_client, spring):
    text, link = _get(alice_client, q="where")

    assert "Saturday 15 June 2024" in text
    assert "Show them, from 1 May 2024 back" in text  # the call in March does not match
    assert link == "?q=where&date_to=2024-05-01"
    earlier = page_text(alice_client.get(reverse("timeline") + link))
    assert "Wednesday 1 May 2024" in earlier
    assert "not on this page" not in earlier  # nothing older matches


def test_a_month_with_everything_in_it_needs_no_link(alice_client, alice):
    sam = person_named_sam(alice)
    job = import_job(sam)
    keep([text(job, 1, _on(5, 1), "One."), text(job, 2, _on(5, 20), "Two.")])

    shown, link = _get(alice_client)

    assert "Wednesday 1 May 2024" in shown and "Monday 20 May 2024" in shown
    assert "not on this page" not in shown and link == ""


def test_the_page_between_incidents_keeps_its_texts_with_them(alice, alice_client, spring):
    make_incident(alice, occurred_at=_on(5, 1, 21), description="He waited at the door.")

    text, _link = _get(alice_client)

    # The month shown runs back from the newest text; the incident older than it is still on
    # the page, and the link leads to the texts of its day.
    assert "He waited at the door." in text
    assert "Show them, from 1 May 2024 back" in text
