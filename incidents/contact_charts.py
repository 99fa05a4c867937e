"""The pattern pictures for imported messages and calls received from the person: their own
series, drawn as the incident charts are (charts.py), with the notice and police reports marked
on the weekly one, and their own words beside each."""

from datetime import date, datetime, timedelta, tzinfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import chart_counts, local_formats
from .chart_counts import COMPARE_DAYS, WEEKDAYS_PLURAL, block_text
from .charts import (
    DASHBOARD_WEEKS,
    Counted,
    LogTimes,
    calendar_chart,
    dashboard_first_week,
    time_chart,
    weekly_chart,
)
from .contacts import received_times
from .local_formats import grouped
from .models import Case, User


def received(n: int) -> str:
    return ngettext("%(n)s message or call received", "%(n)s messages and calls received", n) % {
        "n": grouped(n)
    }


def counted() -> Counted:
    """The words of the contact charts, in the active language."""
    return Counted(
        key="contacts-",
        count=received,
        plural=_("messages and calls received"),
        per_day=_("Received a day:"),
        per_cell=_("Received:"),
        empty=_("Nothing received"),
        weighted=True,
    )


def weekly_words(times: list[tuple[datetime, int]], tz: tzinfo, today: date) -> str:
    """The last 4 weeks against the 4 before, and the total since the first. `times`: (time,
    how many), oldest first."""
    days = [(at.astimezone(tz).date(), n) for at, n in times]
    recent_from = today - timedelta(days=COMPARE_DAYS - 1)
    before_from = recent_from - timedelta(days=COMPARE_DAYS)
    recent = sum(n for day, n in days if recent_from <= day <= today)
    before = sum(n for day, n in days if before_from <= day < recent_from)
    sentence = _("%(recent)s in the last 4 weeks, against %(before)s in the 4 weeks before.")
    words = sentence % {"recent": received(recent), "before": grouped(before)}
    if days:
        total = sum(n for _day_, n in days)
        since = _("%(total)s since %(day)s.") % {
            "total": received(total),
            "day": local_formats.when(days[0][0]),
        }
        words = f"{words} {since}"
    return words


def calendar_words(days: list[tuple[date, int]], any_received: bool) -> str:
    busy = [(day, n) for day, n in days if n]
    if not busy:
        return _("Nothing received in the last %(n)s days.") % {"n": len(days)}
    top_day, top = max(busy, key=lambda item: (item[1], item[0]))
    return _(
        "Messages or calls received on %(busy)s of the last %(n)s days. The most in one day: "
        "%(top)s, on %(day)s."
    ) % {"busy": len(busy), "n": len(days), "top": grouped(top), "day": local_formats.when(top_day)}


def time_words(grid: list[list[int]]) -> str:
    total = sum(map(sum, grid))
    if total < chart_counts.FEW:
        return _("Too few received yet to show a pattern in the time of day.")
    top, day, block = max(
        (n, day, block) for day, row in enumerate(grid) for block, n in enumerate(row)
    )
    return _("Received most often on %(days)s between %(block)s (%(top)s of %(total)s).") % {
        "days": WEEKDAYS_PLURAL[day],
        "block": block_text(block),
        "top": grouped(top),
        "total": grouped(total),
    }


def _with_marks(times: list[tuple[datetime, int]], marks: LogTimes) -> LogTimes:
    return LogTimes(incidents=times, notices=marks.notices, police=marks.police)


def contact_pattern_charts(
    user: User, tz: tzinfo, today: date, case: Case | None, *, marks: LogTimes
):
    """The three charts for messages and calls received, or none when nothing was imported.
    `marks`: the log's times (charts.log_times), for the notices and reports on the weekly."""
    times = received_times(user, case)
    if not times:
        return []
    words = counted()
    weekly = weekly_chart(
        _with_marks(times, marks),
        tz,
        today,
        counted=words,
        title=_("Messages and calls received per week"),
        summary=weekly_words(times, tz, today),
    )
    moments, weights = [at for at, _n in times], [n for _at, n in times]
    return [
        weekly,
        calendar_chart(moments, tz, today, words, calendar_words, weights),
        time_chart(moments, tz, words, time_words, weights),
    ]


def contact_dashboard_chart(
    user: User, tz: tzinfo, today: date, case: Case | None, *, marks: LogTimes
):
    """Messages and calls received per week over the dashboard's 26 weeks, or None if none.
    `marks`: the log's times over those weeks (charts.dashboard_times)."""
    first_week = dashboard_first_week(today)
    times = received_times(user, case, start=first_week, per="day")  # drawn by week
    if not times:
        return None
    title = _("Messages and calls received per week, the last %(n)s weeks") % {"n": DASHBOARD_WEEKS}
    return weekly_chart(
        _with_marks(times, marks),
        tz,
        today,
        first_week=first_week,
        compact=True,
        counted=counted(),
        title=title,
        summary=weekly_words(times, tz, today),
    )
