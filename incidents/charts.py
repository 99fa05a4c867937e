"""Pattern pictures: incidents per week, a calendar of the last year, and the time of day by
weekday, drawn as self-contained SVG so that the pages and the PDF dossier show the same ones.

Counting happens here in Python, on the plain times of one query, in the user's time zone: the
database would bucket by UTC days (or need time zone tables SQLite lacks), and a week that
starts at midnight in London is not a week that starts at midnight UTC. Each incident counts
once, whatever its `count` ("14 missed calls" is one incident); the weekly summary adds the
sum of counts where it differs.

The SVG carries everything it needs (explicit colours, sans-serif, a viewBox, no script, no
stylesheet), so that WeasyPrint draws it as a browser does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from html import escape

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .chart_counts import (
    BLOCK_HOURS,
    WEEKDAYS,
    WEEKDAYS_PLURAL,
    block_text,
    calendar_summary,
    count_of,
    daily_counts,
    day_text,
    local_dates,
    shade,
    shade_ranges,
    time_grid,
    time_summary,
    week_start,
    weekly_counts,
    weekly_summary,
)
from .local_formats import grouped, when
from .models import User, kinds
from .models.kinds import RecordKind

DASHBOARD_WEEKS = 26
MIN_WEEKS = 12  # fewer bars than this look like a mistake rather than a chart
MAX_WEEKS = 104  # two years; beyond that the bars get too thin to read on a phone
CALENDAR_DAYS = 365


# Colours: text meets WCAG AA on white and on the shade it sits on.
WIDTH = 400  # viewBox units; on a phone the SVG is about 330 px wide
FONT = 13
CHAR = 7.6  # the width of an average character at FONT, to keep labels apart
TEXT = "#1f2933"
MUTED = "#4b5563"
GRID = "#e5e7eb"
AXIS = "#6b7280"
BAR = "#1d4ed8"
BAR_PARTIAL = "#93c5fd"
NOTICE = "#b45309"
POLICE = "#047857"
SHADES = ["#e5e7eb", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"]
ON_SHADES = [TEXT, TEXT, TEXT, "#ffffff", "#ffffff"]


@dataclass(frozen=True)
class Chart:
    key: str  # unique on a page: the SVG's title and desc ids start with it
    title: str
    svg: SafeString
    summary: str


@dataclass(frozen=True)
class Counted:
    """What a chart counts, in the words its pictures use."""

    key: str  # starts the chart's key, so two kinds of chart can share a page
    count: Callable[[int], str]  # 3 -> "3 incidents"
    plural: str  # "incidents", in the descriptions read out by screen readers
    per_day: str  # the calendar's legend
    per_cell: str  # the time grid's legend
    empty: str  # an empty weekly chart
    # Each time stands for as many as its count (imported texts, counted by the hour), rather
    # than for one (an incident, however many calls it held).
    weighted: bool = False


INCIDENTS = Counted(
    key="",
    count=lambda n: count_of(n, "incident"),
    plural=gettext_lazy("incidents"),
    per_day=gettext_lazy("Incidents a day:"),
    per_cell=gettext_lazy("Incidents:"),
    empty=gettext_lazy("Nothing logged yet"),
)


@dataclass(frozen=True)
class LogTimes:
    """What the charts count: when each incident happened (and its count), notices, reports."""

    incidents: list[tuple[datetime, int]]
    notices: list[datetime]
    police: list[datetime]


# --- queries ---------------------------------------------------------------------------------


def log_times(user: User, since: datetime | None = None, case=None) -> LogTimes:
    """The user's live records' times (one person's, with `case`): three narrow queries, however
    long the log."""
    incident, notice, report = kinds.INCIDENT, kinds.NOTICE, kinds.POLICE
    incidents = _live_since(incident, user, since, case).values_list(incident.when, "count")
    notices = _live_since(notice, user, since, case).values_list(notice.when, flat=True)
    police = _live_since(report, user, since, case).values_list(report.when, flat=True)
    return LogTimes(incidents=list(incidents), notices=list(notices), police=list(police))


def _live_since(kind: RecordKind, user: User, since: datetime | None, case=None) -> QuerySet:
    records = kind.model.objects.owned_by(user).live().for_person(case).order_by()
    if since is not None:
        records = records.filter(**{f"{kind.when}__gte": since})
    return records


def dashboard_times(user: User, tz: tzinfo, today: date, case=None) -> LogTimes:
    """The log's times over the dashboard's weeks: read once, drawn by both weekly charts."""
    since = datetime.combine(dashboard_first_week(today), time.min, tzinfo=tz)
    return log_times(user, since=since, case=case)


def dashboard_first_week(today: date) -> date:
    """The Monday that starts the dashboard's 26 weeks."""
    return week_start(today) - timedelta(weeks=DASHBOARD_WEEKS - 1)


def dashboard_chart(times: LogTimes, tz: tzinfo, today: date) -> Chart:
    """The compact weekly chart: the last 26 weeks (`times` from dashboard_times)."""
    return weekly_chart(times, tz, today, first_week=dashboard_first_week(today), compact=True)


def pattern_charts(times: LogTimes, tz: tzinfo, today: date) -> list[Chart]:
    """All three charts over the whole log (or one person's: `times` from log_times), for the
    Patterns page."""
    datetimes = [at for at, _ in times.incidents]
    return [
        weekly_chart(times, tz, today),
        calendar_chart(datetimes, tz, today),
        time_chart(datetimes, tz),
    ]


# --- SVG -------------------------------------------------------------------------------------


def _f(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _width(words: str) -> float:
    return len(words) * CHAR


def _text(x, y, content, *, anchor="start", fill=MUTED) -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(content)}</text>"
    )


def _rect(x, y, w, h, fill, *, rx=0, tip=None) -> str:
    tip = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="{rx}" '
        f'fill="{fill}">{tip}</rect>'
    )


def _line(x1, y1, x2, y2, stroke, extra="") -> str:
    return (
        f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="{stroke}"{extra}/>'
    )


def _svg(key: str, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {WIDTH} '
        f'{_f(height)}" width="{WIDTH}" height="{_f(height)}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" font-family="sans-serif" font-size="{FONT}">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(desc)}</desc>'
        f'<rect width="{WIDTH}" height="{_f(height)}" fill="#ffffff"/>{"".join(body)}</svg>'
    )
    # Every piece of text in it went through escape() above.
    return mark_safe(svg)  # noqa: S308


def _legend(items, y: float, label: str = "") -> tuple[list[str], float]:
    """Swatches and their words in rows from y, wrapped to the width; returns (parts, bottom).

    Each item is (draw, words), where draw(x, centre_y) returns the swatch.
    """
    parts, x, centre = [], 0.0, y + 7
    if label:
        parts.append(_text(0, centre + 4.5, label))
        x = _width(label) + 10
    for draw, words in items:
        needed = 20 + _width(words)
        if x and x + needed > WIDTH:
            x, centre = 0.0, centre + 22
        parts += [draw(x, centre), _text(x + 20, centre + 4.5, words)]
        x += needed + 14
    return parts, centre + 7


def _shade_items(ranges: list[tuple[int, int]]) -> list:
    def swatch(level):
        return lambda x, y: _rect(x, y - 6.5, 13, 13, SHADES[level], rx=2)

    return [
        (swatch(level), str(low) if low == top else f"{low}–{top}")
        for level, (low, top) in enumerate([(0, 0), *ranges])
    ]


def _month_text(month: date, with_year: bool) -> str:
    """A month's short name; January as its year, where the year changes (as on a clock face)."""
    if month.month == 1:
        return str(month.year)
    return when(month, "SHORT_YEAR_MONTH_FORMAT") if with_year else when(month, "MONTH_FORMAT")


# --- chart 1: incidents per week ---------------------------------------------------------------


def weekly_chart(
    times: LogTimes,
    tz: tzinfo,
    today: date,
    *,
    first_week: date | None = None,
    compact: bool = False,
    counted: Counted = INCIDENTS,
    title: str = "",
    summary: str | None = None,
    ongoing: bool = True,
) -> Chart:
    """Bars per week, notices and police reports marked. Without first_week: the whole log."""
    datetimes = [at for at, _ in times.incidents]
    note = ""
    if first_week is None:
        first_week, note = _weekly_span(datetimes, tz, today)
    weights = [n for _, n in times.incidents] if counted.weighted else None
    weeks = weekly_counts(datetimes, tz, first_week, today, weights)
    if summary is None:
        summary = weekly_summary(times.incidents, tz, today, whole_log=not compact)
    if not title:
        title = (
            _("Incidents per week, the last %(n)s weeks") % {"n": len(weeks)}
            if compact
            else _("Incidents per week")
        )
    markers = _markers(times, tz, first_week, today)
    # A chart that ends before today (a dossier's period) has no week "so far".
    svg = _weekly_svg(weeks, today, markers, title, compact, counted, ongoing)
    return Chart(f"{counted.key}weekly", title, svg, f"{summary} {note}".strip())


def _weekly_span(datetimes, tz: tzinfo, today: date) -> tuple[date, str]:
    """The Monday to start from: the first incident's week, within MIN_WEEKS..MAX_WEEKS."""
    this_week = week_start(today)
    earliest = this_week - timedelta(weeks=MAX_WEEKS - 1)
    first = min(local_dates(datetimes, tz), default=today)
    if first < earliest:
        note = _("The chart shows the last %(n)s weeks; your log goes back to %(first)s.") % {
            "n": MAX_WEEKS,
            "first": day_text(first),
        }
        return earliest, note
    return min(week_start(first), this_week - timedelta(weeks=MIN_WEEKS - 1)), ""


def _markers(times: LogTimes, tz: tzinfo, start: date, end: date) -> list[tuple[date, str]]:
    marks = [(day, "notice") for day in local_dates(times.notices, tz)]
    marks += [(day, "police") for day in local_dates(times.police, tz)]
    return sorted(mark for mark in marks if start <= mark[0] <= end)


def _weekly_svg(
    weeks, today: date, markers, title: str, compact: bool, counted: Counted, ongoing: bool
) -> SafeString:
    top, left, plot_h = 24, 30, (70 if compact else 120)
    plot_w, base = WIDTH - left - 4, top + plot_h
    highest, first = max(n for _, n in weeks), weeks[0][0]
    pitch = plot_w / len(weeks)

    def x_of(day: date) -> float:
        return left + (day - first).days / 7 * pitch

    body = [_text(left - 5, base + 4.5, "0", anchor="end")]
    if highest:
        body += [
            _line(left, top, WIDTH - 4, top, GRID),
            _text(left - 5, top + 4.5, str(highest), anchor="end"),
        ]
    for week, n in weeks:
        if n:
            h = max(plot_h * n / highest, 2)
            fill = BAR_PARTIAL if ongoing and week == week_start(today) else BAR
            tip = _("%(count)s in the week of %(week)s") % {
                "count": counted.count(n),
                "week": day_text(week),
            }
            body.append(_rect(x_of(week) + pitch * 0.1, base - h, pitch * 0.8, h, fill, tip=tip))
    if not highest:
        body.append(_text(left + plot_w / 2, top + plot_h / 2, counted.empty, anchor="middle"))
    body.append(_line(left, base, WIDTH - 4, base, AXIS))
    body += _week_months(first, today, x_of, base)
    # A mark sits at its day within the week's bar: a notice mid-week splits the bar visibly.
    body += [_marker(kind, x_of(day) + pitch / 14, top, base) for day, kind in markers]
    partial = ongoing and weeks[-1][1] > 0
    legend, bottom = _legend(_weekly_legend_items(markers, partial), base + 28)
    height = bottom + 4 if legend else base + 26
    desc = _weekly_desc(weeks, markers, counted)
    return _svg(f"chart-{counted.key}weekly", height, title, desc, body + legend)


def _week_months(first: date, today: date, x_of, base: float) -> list[str]:
    months, month = [], date(first.year, first.month, 1)
    while month <= today:
        if month >= first:
            months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    spacing = (x_of(today) - x_of(first)) / max(len(months), 1)
    # Every month, or every 2nd, 3rd or 6th, so that the labels do not run into each other.
    step = next((s for s in (1, 2, 3, 6) if spacing * s >= 5 * CHAR), 12)
    months = [month for month in months if (month.month - 1) % step == 0]
    parts, free_from = [], 0.0
    for month in months:
        x = x_of(month)
        label = _month_text(month, with_year=not parts)
        if x >= free_from and x + _width(label) <= WIDTH:
            parts += [_line(x, base, x, base + 5, AXIS), _text(x, base + 18, label)]
            free_from = x + _width(label) + 8
    return parts


def _marker(kind: str, x: float, top: float, base: float) -> str:
    """A no-contact notice as a dashed line; a police report as a diamond over a thin line."""
    if kind == "notice":
        return _line(x, top - 18, x, base, NOTICE, ' stroke-width="2" stroke-dasharray="4 3"')
    diamond = f"{_f(x)},{top - 20} {_f(x + 6)},{top - 13} {_f(x)},{top - 6} {_f(x - 6)},{top - 13}"
    return _line(x, top - 8, x, base, POLICE) + f'<polygon points="{diamond}" fill="{POLICE}"/>'


def _weekly_legend_items(markers, partial_week: bool) -> list:
    kinds = {kind for _, kind in markers}
    items = []
    if "notice" in kinds:
        items.append((lambda x, y: _marker("notice", x + 7, y + 11, y + 7), _("No-contact notice")))
    if "police" in kinds:
        items.append((lambda x, y: _marker("police", x + 7, y + 13, y + 7), _("Police report")))
    if partial_week:
        items.append((lambda x, y: _rect(x, y - 6.5, 13, 13, BAR_PARTIAL), _("This week so far")))
    return items


def _weekly_desc(weeks, markers, counted: Counted) -> str:
    first, last = weeks[0][0], weeks[-1][0]
    sentences = [
        _(
            "Bar chart of %(counted)s per week (Monday to Sunday), from the week of %(first)s to "
            "the week of %(last)s."
        )
        % {"counted": counted.plural, "first": day_text(first), "last": day_text(last)}
    ]
    highest, top_week = max((n, week) for week, n in weeks)
    if highest:
        sentences.append(
            _("The highest bar: %(count)s, week of %(week)s.")
            % {"count": counted.count(highest), "week": day_text(top_week)}
        )
    for kind, label in (("notice", _("No-contact notices")), ("police", _("Police reports"))):
        if days := [day_text(day) for day, k in markers if k == kind]:
            sentences.append(
                _("%(label)s marked: %(days)s.") % {"label": label, "days": ", ".join(days)}
            )
    return " ".join(sentences)


# --- chart 2: a calendar of the last year ----------------------------------------------------

DAY_LABELS = 38  # room for a year
PITCH = (WIDTH - DAY_LABELS - 2) / 27  # 27 weeks per half-year strip
CELL = PITCH - 2.5


def calendar_chart(
    datetimes: list[datetime],
    tz: tzinfo,
    today: date,
    counted: Counted = INCIDENTS,
    summarise=calendar_summary,
    weights=None,
) -> Chart:
    """One square per day for the last 365 days, in week columns, shaded by count."""
    start = today - timedelta(days=CALENDAR_DAYS - 1)
    days = daily_counts(datetimes, tz, start, today, weights)
    summary = summarise(days, bool(datetimes))
    svg = _calendar_svg(days, counted)
    return Chart(f"{counted.key}calendar", _("The last 12 months, day by day"), svg, summary)


def _calendar_svg(days: list[tuple[date, int]], counted: Counted) -> SafeString:
    first, last = days[0][0], days[-1][0]
    columns = (week_start(last) - week_start(first)).days // 7 + 1
    # Two half-year strips rather than one long one: the squares stay big enough on a phone.
    middle = -(-columns // 2)
    ranges = shade_ranges(n for _, n in days)
    strip_h = 22 + 7 * PITCH
    body = []
    for number, (from_col, to_col) in enumerate([(0, middle), (middle, columns)]):
        body += _strip(days, from_col, to_col, number * (strip_h + 12), ranges, counted)
    legend, bottom = _legend(_shade_items(ranges), 2 * (strip_h + 12), counted.per_day)
    desc = _(
        "Calendar from %(first)s to %(last)s: one square per day, in columns of weeks from "
        "Monday (top) to Sunday (bottom), in two rows of about six months. Darker squares mean "
        "more %(counted)s that day."
    ) % {"first": day_text(first), "last": day_text(last), "counted": counted.plural}
    title = _("The last 12 months, day by day")
    return _svg(f"chart-{counted.key}calendar", bottom + 4, title, desc, body + legend)


def _strip(days, from_col: int, to_col: int, top: float, ranges, counted: Counted) -> list[str]:
    """The weeks from_col..to_col of the calendar, with month and weekday labels."""
    monday = week_start(days[0][0]) + timedelta(weeks=from_col)
    until = monday + timedelta(weeks=to_col - from_col)
    cells_top = top + 22
    parts = [
        _text(0, cells_top + row * PITCH + CELL - 1.5, WEEKDAYS[row][:3]) for row in (0, 2, 4, 6)
    ]
    shown = [(day, n) for day, n in days if monday <= day < until]
    for day, n in shown:
        x = DAY_LABELS + (day - monday).days // 7 * PITCH
        y = cells_top + day.weekday() * PITCH
        tip = (
            _("%(count)s on %(weekday)s %(day)s")
            % {"count": counted.count(n), "weekday": date_format(day, "l"), "day": day_text(day)}
            if n
            else None
        )
        parts.append(_rect(x, y, CELL, CELL, SHADES[shade(n, ranges)], rx=2, tip=tip))
    return parts + _strip_months([day for day, _ in shown], monday, top + 14)


def _strip_months(shown: list[date], monday: date, y: float) -> list[str]:
    """The year in the margin; each month over the column of its 1st (and the first month)."""
    starts = [day for day in shown if day.day == 1]
    if shown and (not starts or (starts[0] - shown[0]).days >= 21):
        starts.insert(0, shown[0])
    parts, free_from = [_text(0, y, str(shown[0].year))] if shown else [], 0.0
    for day in starts:
        x = DAY_LABELS + (week_start(day) - monday).days // 7 * PITCH
        label = (
            when(day, "MONTH_FORMAT")
            if day.month == 1 and day.year == shown[0].year
            else _month_text(day, False)
        )
        if x >= free_from and x + _width(label) <= WIDTH:
            parts.append(_text(x, y, label))
            free_from = x + _width(label) + 6
    return parts


# --- chart 3: time of day by weekday ---------------------------------------------------------


def time_chart(
    datetimes: list[datetime],
    tz: tzinfo,
    counted: Counted = INCIDENTS,
    summarise=time_summary,
    weights=None,
) -> Chart:
    """When incidents begin: weekdays by three-hour blocks, counts in the squares."""
    grid = time_grid(datetimes, tz, weights=weights)
    title = _("Time of day, by weekday")
    return Chart(f"{counted.key}times", title, _time_svg(grid, title, counted), summarise(grid))


def _time_svg(grid: list[list[int]], title: str, counted: Counted) -> SafeString:
    left, top, row_h = 36, 22, 28
    col_w = (WIDTH - left) / len(grid[0])
    ranges = shade_ranges(n for row in grid for n in row)
    body = [
        _text(
            left + (i + 0.5) * col_w,
            14,
            f"{i * BLOCK_HOURS:02d}–{(i + 1) * BLOCK_HOURS:02d}",
            anchor="middle",
        )
        for i in range(len(grid[0]))
    ]
    for day, row in enumerate(grid):
        y = top + day * row_h
        body.append(_text(0, y + 18.5, WEEKDAYS[day][:3]))
        for block, n in enumerate(row):
            level, x = shade(n, ranges), left + block * col_w
            tip = (
                _("%(count)s, %(days)s between %(block)s")
                % {
                    "count": counted.count(n),
                    "days": WEEKDAYS_PLURAL[day],
                    "block": block_text(block),
                }
                if n
                else None
            )
            body.append(_rect(x + 1, y + 1, col_w - 2, row_h - 2, SHADES[level], rx=2, tip=tip))
            if n:
                label = grouped(n)
                body.append(
                    _text(x + col_w / 2, y + 18.5, label, anchor="middle", fill=ON_SHADES[level])
                )
    legend, bottom = _legend(_shade_items(ranges), top + 7 * row_h + 10, counted.per_cell)
    desc = _(
        "Grid of when all the %(counted)s in the log began: one row per weekday, Monday to "
        "Sunday, and one column per three hours of the day from midnight. Each square shows its "
        "number of %(counted)s; darker squares mean more."
    ) % {"counted": counted.plural}
    return _svg(f"chart-{counted.key}times", bottom + 4, title, desc, body + legend)
