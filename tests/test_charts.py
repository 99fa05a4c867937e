"""Pattern pictures: counted in the user's time zone, drawn as self-contained SVG, private."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import chart_counts, charts
from incidents.models import Case, Incident, NoContactNotice, PoliceContact
from incidents.services import record_trash
from tests.conftest import make_incident, page_text

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SVG = "{http://www.w3.org/2000/svg}"


def _local(tz, *args) -> datetime:
    return datetime(*args, tzinfo=tz)


def _times(*incidents, notices=(), police=()) -> charts.LogTimes:
    return charts.LogTimes(
        incidents=[(at, 1) for at in incidents], notices=list(notices), police=list(police)
    )


def _parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 (our own output, not untrusted)


# --- counting --------------------------------------------------------------------------------


def test_a_monday_just_after_midnight_belongs_to_its_own_week_after_the_clocks_go_forward():
    # 30 March 2026 00:30 in London (BST) is still Sunday 29 March, 23:30, in UTC.
    monday = _local(LONDON, 2026, 3, 30, 0, 30)
    sunday = _local(LONDON, 2026, 3, 29, 23, 30)
    assert monday.astimezone(UTC).day == 29

    weeks = chart_counts.weekly_counts(
        [monday, sunday], LONDON, date(2026, 3, 23), date(2026, 4, 5)
    )

    assert weeks == [(date(2026, 3, 23), 1), (date(2026, 3, 30), 1)]


def test_weeks_stay_monday_to_sunday_when_the_clocks_go_back():
    times = [
        _local(LONDON, 2026, 10, 19, 0, 30),  # BST: Sunday 18 October 23:30 in UTC
        _local(LONDON, 2026, 10, 25, 23, 30),  # GMT, the evening of the change
        _local(LONDON, 2026, 10, 26, 0, 30),
    ]

    weeks = chart_counts.weekly_counts(times, LONDON, date(2026, 10, 12), date(2026, 11, 1))

    assert weeks == [(date(2026, 10, 12), 0), (date(2026, 10, 19), 2), (date(2026, 10, 26), 1)]


def test_iso_week_53_is_one_week_across_the_new_year():
    times = [
        _local(UTC, 2026, 12, 28, 9),
        _local(UTC, 2027, 1, 1, 0, 5),
        _local(UTC, 2027, 1, 3, 23, 59),
        _local(UTC, 2027, 1, 4, 0, 0),
    ]
    assert date(2026, 12, 28).isocalendar().week == 53

    weeks = chart_counts.weekly_counts(times, UTC, date(2026, 12, 21), date(2027, 1, 10))

    assert weeks == [(date(2026, 12, 21), 0), (date(2026, 12, 28), 3), (date(2027, 1, 4), 1)]


def test_weeks_without_incidents_are_counted_as_zero_and_those_outside_are_left_out():
    times = [_local(UTC, 2026, 5, 4, 12), _local(UTC, 2026, 6, 1, 12)]

    weeks = chart_counts.weekly_counts(times, UTC, date(2026, 5, 6), date(2026, 5, 24))

    assert weeks == [(date(2026, 5, 4), 1), (date(2026, 5, 11), 0), (date(2026, 5, 18), 0)]


def test_the_calendar_counts_days_in_the_users_time_zone():
    # 02:00 UTC on 2 June is the evening of 1 June in New York.
    late_evening = _local(UTC, 2026, 6, 2, 2)
    noon = _local(UTC, 2026, 6, 2, 12)

    in_new_york = chart_counts.daily_counts(
        [late_evening, noon], NEW_YORK, date(2026, 6, 1), date(2026, 6, 3)
    )
    in_london = chart_counts.daily_counts(
        [late_evening, noon], LONDON, date(2026, 6, 1), date(2026, 6, 3)
    )

    assert in_new_york == [(date(2026, 6, 1), 1), (date(2026, 6, 2), 1), (date(2026, 6, 3), 0)]
    assert in_london == [(date(2026, 6, 1), 0), (date(2026, 6, 2), 2), (date(2026, 6, 3), 0)]


def test_the_time_grid_puts_each_incident_in_its_local_weekday_and_three_hours():
    saturday_night = _local(UTC, 2026, 6, 6, 22, 15)  # Saturday 23:15 in London (BST)
    sunday_small_hours = _local(UTC, 2026, 6, 6, 23, 30)  # Sunday 00:30 in London

    grid = chart_counts.time_grid([saturday_night, sunday_small_hours], LONDON)

    assert len(grid) == 7 and all(len(row) == 8 for row in grid)
    assert grid[5][7] == 1  # Saturday, 21:00 to 24:00
    assert grid[6][0] == 1  # Sunday, 00:00 to 03:00
    assert sum(map(sum, grid)) == 2


def test_shades_split_the_counts_into_at_most_four_ranges():
    assert chart_counts.shade_ranges([0, 0]) == []
    assert chart_counts.shade_ranges([0, 1, 3]) == [(1, 1), (2, 2), (3, 3)]
    assert chart_counts.shade_ranges([0, 1, 10]) == [(1, 3), (4, 5), (6, 8), (9, 10)]
    ranges = chart_counts.shade_ranges([0, 1, 10])
    assert [chart_counts.shade(n, ranges) for n in (0, 1, 3, 4, 8, 10)] == [0, 1, 1, 2, 3, 4]


def test_shades_start_from_the_smallest_count_when_every_slot_is_busy():
    ranges = chart_counts.shade_ranges([15, 20, 42])

    assert ranges == [(15, 21), (22, 28), (29, 35), (36, 42)]
    assert chart_counts.shade(15, ranges) == 1 and chart_counts.shade(42, ranges) == 4


# --- summaries -------------------------------------------------------------------------------


def _days_ago(today: date, days: int, hour: int = 12) -> datetime:
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), UTC).replace(
        hour=hour
    )


def test_the_weekly_summary_compares_the_last_four_weeks_and_adds_up_repeats():
    today = date(2026, 6, 10)
    incidents = [
        (_days_ago(today, 0), 1),
        (_days_ago(today, 10), 14),
        (_days_ago(today, 27), 1),
        (_days_ago(today, 28), 3),  # the 4 weeks before
    ]

    summary = chart_counts.weekly_summary(incidents, UTC, today)

    assert summary == (
        "3 incidents in the last 4 weeks, up from 1 in the 4 weeks before. "
        "Counting each repeated call or message, that is 16 contacts."
    )


@pytest.mark.parametrize(
    ("recent", "before", "expected"),
    [
        (1, 3, "1 incident in the last 4 weeks, down from 3 in the 4 weeks before."),
        (2, 2, "2 incidents in the last 4 weeks, as many as in the 4 weeks before."),
        (2, 0, "2 incidents in the last 4 weeks, and none in the 4 weeks before."),
        (0, 2, "No incidents in the last 4 weeks, after 2 in the 4 weeks before."),
    ],
)
def test_the_weekly_summary_says_calmly_which_way_it_went(recent, before, expected):
    today = date(2026, 6, 10)
    incidents = [(_days_ago(today, 1), 1)] * recent + [(_days_ago(today, 40), 1)] * before

    assert chart_counts.weekly_summary(incidents, UTC, today) == expected


def test_the_weekly_summary_for_the_whole_log_says_since_when_and_in_how_many_weeks():
    today = date(2026, 6, 10)  # a Wednesday
    incidents = [(_days_ago(today, 0), 2), (_days_ago(today, 60), 1)]

    summary = chart_counts.weekly_summary(incidents, UTC, today, whole_log=True)

    assert (
        "2 incidents since 11 April 2026 (3 contacts), in 2 of the 10 weeks since then." in summary
    )


def test_with_nothing_logged_every_summary_says_the_charts_fill_in():
    assert chart_counts.weekly_summary([], UTC, date(2026, 6, 10)) == chart_counts.NO_INCIDENTS
    assert chart_counts.calendar_summary([(date(2026, 6, 10), 0)], any_incidents=False) == (
        "No incidents yet: the charts fill in as you log."
    )
    assert chart_counts.time_summary(chart_counts.time_grid([], UTC)) == chart_counts.NO_INCIDENTS


def test_the_calendar_summary_names_the_busiest_day_and_the_longest_run():
    days = [(date(2026, 6, 1) + timedelta(days=i), n) for i, n in enumerate([1, 2, 4, 1, 0, 1])]

    summary = chart_counts.calendar_summary(days, any_incidents=True)

    assert summary == (
        "Incidents on 5 of the last 6 days. The most in one day: 4, on 3 June 2026. "
        "The longest run of days in a row with an incident: 4, from 1 June 2026 to 4 June 2026."
    )


def test_the_time_summary_names_the_busiest_time():
    saturday_nights = [_local(UTC, 2026, 6, 6, 22)] * 3
    others = [_local(UTC, 2026, 6, 1, 9), _local(UTC, 2026, 6, 2, 13), _local(UTC, 2026, 6, 3, 22)]

    summary = chart_counts.time_summary(chart_counts.time_grid(saturday_nights + others, UTC))

    assert summary.startswith(
        "Incidents happen most often on Saturdays between 21:00 and 24:00 (3 of 6)."
    )
    assert "the busiest time of day is between 21:00 and 24:00 (4)" in summary


def test_a_handful_of_incidents_is_not_called_a_pattern():
    grid = chart_counts.time_grid([_local(UTC, 2026, 6, 6, 22)] * 2, UTC)

    assert chart_counts.time_summary(grid) == (
        "2 incidents so far: too few yet to show a pattern in the time of day."
    )


# --- drawing ---------------------------------------------------------------------------------


def _all_charts(times: charts.LogTimes, today: date) -> list[charts.Chart]:
    datetimes = [at for at, _ in times.incidents]
    return [
        charts.weekly_chart(times, LONDON, today),
        charts.weekly_chart(times, LONDON, today, first_week=date(2026, 1, 5), compact=True),
        charts.calendar_chart(datetimes, LONDON, today),
        charts.time_chart(datetimes, LONDON),
    ]


@pytest.mark.parametrize("with_data", [True, False], ids=["with data", "empty"])
def test_every_chart_is_valid_self_contained_svg_with_a_text_alternative(with_data):
    today = date(2026, 6, 10)
    incidents = [_local(LONDON, 2026, 5, d, 21, 30) for d in range(1, 29)] if with_data else []
    times = _times(*incidents, notices=[_local(LONDON, 2026, 5, 3, 12)])

    for chart in _all_charts(times, today):
        svg = _parse(chart)
        assert svg.tag == f"{SVG}svg"
        assert svg.get("role") == "img" and svg.get("viewBox")
        assert svg.get("font-family") == "sans-serif"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id
        assert svg.find(f"{SVG}desc").get("id") == desc_id and svg.find(f"{SVG}desc").text
        tags = {element.tag.removeprefix(SVG) for element in svg.iter()}
        assert not tags & {"script", "style", "foreignObject", "image", "a"}, chart.key
        assert all(e.get("fill") for e in svg.iter() if e.tag in (f"{SVG}rect", f"{SVG}text"))
        assert "href" not in str(chart.svg) and "url(" not in str(chart.svg)
        assert chart.summary


def test_the_weekly_chart_marks_notices_and_police_reports_and_this_week():
    today = date(2026, 6, 10)
    times = _times(
        _local(LONDON, 2026, 5, 1, 20),
        _local(LONDON, 2026, 6, 9, 20),
        notices=[_local(LONDON, 2026, 5, 5, 9)],
        police=[_local(LONDON, 2026, 5, 20, 15)],
    )

    chart = charts.weekly_chart(times, LONDON, today)
    svg = _parse(chart)

    texts = [element.text for element in svg.iter(f"{SVG}text")]
    assert {"No-contact notice", "Police report", "This week so far"} <= set(texts)
    desc = svg.find(f"{SVG}desc").text
    assert "No-contact notices marked: 5 May 2026." in desc
    assert "Police reports marked: 20 May 2026." in desc
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "1 incident in the week of 27 April 2026",
        "1 incident in the week of 8 June 2026",
    ]


def test_the_weekly_chart_shows_at_most_104_weeks_and_says_so():
    today = date(2026, 6, 10)
    times = _times(_local(UTC, 2022, 1, 5, 12), _local(UTC, 2026, 6, 1, 12))

    chart = charts.weekly_chart(times, UTC, today)

    assert "The chart shows the last 104 weeks; your log goes back to 5 January 2022." in (
        chart.summary
    )
    assert "from the week of 17 June 2024 to the week of 8 June 2026" in chart.svg


def test_a_short_log_still_gets_a_chart_of_twelve_weeks():
    chart = charts.weekly_chart(_times(_local(UTC, 2026, 6, 9, 12)), UTC, date(2026, 6, 10))

    assert "from the week of 23 March 2026 to the week of 8 June 2026" in chart.svg


def test_text_in_the_charts_is_escaped():
    chart = charts.Chart("x", "t", charts._svg("x", 10, "<b>", "a & b", []), "")

    assert "&lt;b&gt;" in chart.svg and "a &amp; b" in chart.svg
    _parse(chart)


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture
def london_alice(alice):
    alice.time_zone = "Europe/London"
    alice.save()
    return alice


def test_the_patterns_page_shows_alices_charts(london_alice, alice_client):
    now = timezone.now()
    make_incident(london_alice, occurred_at=now - timedelta(days=2), count=14)
    make_incident(london_alice, occurred_at=now - timedelta(days=3))
    case = Case.objects.owned_by(london_alice).get()
    NoContactNotice.objects.create(case=case, given_at=now - timedelta(days=20), words="Stop.")
    PoliceContact.objects.create(case=case, contacted_at=now - timedelta(days=10))

    response = alice_client.get(reverse("patterns"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Incidents per week" in text
    assert "2 incidents in the last 4 weeks, and none in the 4 weeks before." in text
    assert "that is 15 contacts" in text
    assert "Days and times are in your time zone, Europe/London." in text
    html = response.content.decode()
    assert html.count('role="img"') == 3
    assert "No-contact notice" in html and "Police report" in html


def test_the_patterns_page_counts_only_the_users_own_live_incidents(alice, mallory, alice_client):
    now = timezone.now()
    for days in range(5):
        make_incident(mallory, occurred_at=now - timedelta(days=days + 1))
    NoContactNotice.objects.create(
        case=Case.objects.owned_by(mallory).get(), given_at=now - timedelta(days=3), words="x"
    )
    record_trash(record=make_incident(alice, occurred_at=now - timedelta(days=1)))

    response = alice_client.get(reverse("patterns"))

    text = page_text(response)
    assert text.count("No incidents yet: the charts fill in as you log.") == 3
    assert "No-contact notice" not in response.content.decode()


def test_the_patterns_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("patterns"))

    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next=")


def test_the_dashboard_shows_the_last_26_weeks_and_links_to_the_patterns(alice, alice_client):
    make_incident(alice, occurred_at=timezone.now() - timedelta(days=400))
    make_incident(alice, occurred_at=timezone.now() - timedelta(days=1))

    response = alice_client.get(reverse("dashboard"))

    text = page_text(response)
    assert "Incidents per week, the last 26 weeks" in text
    assert "1 incident in the last 4 weeks, and none in the 4 weeks before." in text
    assert reverse("patterns") in response.content.decode()


def _log(user, n: int) -> None:
    case = Case.objects.owned_by(user).get()
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(case=case, occurred_at=now - timedelta(hours=7 * i), description="Called.")
        for i in range(n)
    )
    NoContactNotice.objects.create(case=case, given_at=now - timedelta(days=30), words="Stop.")
    PoliceContact.objects.create(case=case, contacted_at=now - timedelta(days=20))


@pytest.mark.parametrize("page", ["patterns", "dashboard"])
def test_the_number_of_queries_does_not_grow_with_the_log(alice, mallory, client, page):
    counts = []
    for user, n in ((alice, 10), (mallory, 500)):
        _log(user, n)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


def test_the_dashboard_leaves_the_chart_out_until_something_is_logged(alice_client):
    response = alice_client.get(reverse("dashboard"))

    assert 'role="img"' not in response.content.decode()
    assert "Incidents per week" not in page_text(response)
