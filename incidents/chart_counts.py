"""What the pattern charts count and say, as plain Python on plain times: incidents per week
and per day, the time-of-day grid, the shading steps, and the summaries read out beside each
chart (charts.py draws them). Counting happens in the user's time zone: see charts.py."""

from collections import Counter
from datetime import date, datetime, timedelta, tzinfo
from itertools import repeat

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .local_formats import grouped

BLOCK_HOURS = 3
COMPARE_DAYS = 28  # "the last 4 weeks" against "the 4 weeks before"
FEW = 5  # below this many incidents, a busiest time would be chance, not a pattern

NO_INCIDENTS = gettext_lazy("No incidents yet: the charts fill in as you log.")
WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
# "on Mondays": a plural of its own, as not every language adds an s.
WEEKDAYS_PLURAL = [
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
    gettext_lazy("Saturdays"),
    gettext_lazy("Sundays"),
]


# --- counting (pure) ---------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def local_dates(datetimes, tz: tzinfo) -> list[date]:
    return [at.astimezone(tz).date() for at in datetimes]


def _counted(keys, weights) -> Counter:
    """How many of each key; with weights, each key counts as many as its weight."""
    if weights is None:
        return Counter(keys)
    counts = Counter()
    for key, weight in zip(keys, weights, strict=True):
        counts[key] += weight
    return counts


def weekly_counts(
    datetimes, tz: tzinfo, start: date, end: date, weights=None
) -> list[tuple[date, int]]:
    """(Monday, incidents that week) for every week from start's to end's, empty ones too."""
    counts = _counted((week_start(day) for day in local_dates(datetimes, tz)), weights)
    first, last = week_start(start), week_start(end)
    # Dates, not datetimes: a week is seven calendar days even when it holds 167 or 169 hours.
    return [
        (first + timedelta(weeks=i), counts[first + timedelta(weeks=i)])
        for i in range((last - first).days // 7 + 1)
    ]


def daily_counts(
    datetimes, tz: tzinfo, start: date, end: date, weights=None
) -> list[tuple[date, int]]:
    """(day, incidents that day) for every day from start to end, in the time zone tz."""
    counts = _counted(local_dates(datetimes, tz), weights)
    return [
        (start + timedelta(days=i), counts[start + timedelta(days=i)])
        for i in range((end - start).days + 1)
    ]


def time_grid(
    datetimes, tz: tzinfo, block_hours: int = BLOCK_HOURS, weights=None
) -> list[list[int]]:
    """Seven rows (Monday first) of 24 / block_hours cells: incidents that began in each."""
    grid = [[0] * (24 // block_hours) for _ in WEEKDAYS]
    # Without weights, each counts one: repeat(1) has no end, so the zip cannot be strict.
    for at, weight in zip(datetimes, repeat(1) if weights is None else weights, strict=False):
        local = at.astimezone(tz)
        grid[local.weekday()][local.hour // block_hours] += weight
    return grid


def shade_ranges(counts) -> list[tuple[int, int]]:
    """The counts each shade after the empty one stands for: up to four ranges that span the
    non-zero counts, so that a log busy in every slot still shows where it is busiest."""
    present = [n for n in counts if n]
    if not present:
        return []
    low, high = min(present), max(present)
    if high - low < 4:
        return [(n, n) for n in range(low, high + 1)]
    # Ceiling division: the tops of four equal steps from low to high.
    tops = [low - 1 - (-(high - low + 1) * i // 4) for i in range(1, 5)]
    return list(zip([low, *[top + 1 for top in tops[:-1]]], tops, strict=True))


def shade(n: int, ranges: list[tuple[int, int]]) -> int:
    """The shade index (0 for none) of a count."""
    return next((i for i, (_, top) in enumerate(ranges, 1) if n <= top), 0) if n else 0


# --- summaries (pure) --------------------------------------------------------------------------


def _n(n: int) -> str:
    """A count with the reader's thousands separator."""
    return grouped(n)


def count_of(n: int, word: str) -> str:
    """3 -> "3 incidents" (word: "incident" or "contact")."""
    if word == "contact":
        text = ngettext("%(n)s contact", "%(n)s contacts", n)
    else:
        text = ngettext("%(n)s incident", "%(n)s incidents", n)
    return text % {"n": _n(n)}


def day_text(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def weekly_summary(
    incidents: list[tuple[datetime, int]], tz: tzinfo, today: date, *, whole_log: bool = False
) -> str:
    """The last 4 weeks against the 4 before, and (for the whole log) since the first one."""
    if not incidents:
        return str(NO_INCIDENTS)
    dated = [(at.astimezone(tz).date(), count) for at, count in incidents]
    recent_from = today - timedelta(days=COMPARE_DAYS - 1)
    before_from = recent_from - timedelta(days=COMPARE_DAYS)
    recent = [count for day, count in dated if recent_from <= day <= today]
    before = [count for day, count in dated if before_from <= day < recent_from]
    sentences = [_trend(len(recent), len(before), max(day for day, _ in dated))]
    if sum(recent) != len(recent):
        sentences.append(
            _("Counting each repeated call or message, that is %(contacts)s.")
            % {"contacts": count_of(sum(recent), "contact")}
        )
    if whole_log:
        sentences.append(_since_first(dated, today))
    return " ".join(sentences)


def _trend(recent: int, before: int, latest: date) -> str:
    values = {"recent": count_of(recent, "incident"), "before": _n(before)}
    if recent and before:
        if recent == before:
            text = _("%(recent)s in the last 4 weeks, as many as in the 4 weeks before.")
        elif recent > before:
            text = _("%(recent)s in the last 4 weeks, up from %(before)s in the 4 weeks before.")
        else:
            text = _("%(recent)s in the last 4 weeks, down from %(before)s in the 4 weeks before.")
    elif recent:
        text = _("%(recent)s in the last 4 weeks, and none in the 4 weeks before.")
    elif before:
        text = _("No incidents in the last 4 weeks, after %(before)s in the 4 weeks before.")
    else:
        text = _("No incidents in the last 8 weeks. The most recent was on %(latest)s.")
    return text % {**values, "latest": day_text(latest)}


def _since_first(dated: list[tuple[date, int]], today: date) -> str:
    first = min(day for day, _ in dated)
    weeks = (week_start(today) - week_start(first)).days // 7 + 1
    busy = len({week_start(day) for day, _ in dated if day <= today})
    contacts = sum(count for _, count in dated)
    values = {
        "incidents": count_of(len(dated), "incident"),
        "first": day_text(first),
        "contacts": _n(contacts),
        "busy": _n(busy),
        "weeks": _n(weeks),
    }
    if contacts != len(dated):
        text = _(
            "%(incidents)s since %(first)s (%(contacts)s contacts), in %(busy)s of the "
            "%(weeks)s weeks since then."
        )
    else:
        text = _("%(incidents)s since %(first)s, in %(busy)s of the %(weeks)s weeks since then.")
    return text % values


def calendar_summary(days: list[tuple[date, int]], any_incidents: bool) -> str:
    if not any_incidents:
        return str(NO_INCIDENTS)
    busy = [(day, n) for day, n in days if n]
    if not busy:
        return _("No incidents in the last %(days)s days.") % {"days": len(days)}
    values = {"busy": len(busy), "days": len(days)}
    top_day, top = max(busy, key=lambda item: (item[1], item[0]))
    if top == 1:
        sentences = [
            _("Incidents on %(busy)s of the last %(days)s days, never more than one a day.")
            % values
        ]
    else:
        sentences = [
            _(
                "Incidents on %(busy)s of the last %(days)s days. The most in one day: %(top)s, "
                "on %(day)s."
            )
            % {**values, "top": top, "day": day_text(top_day)}
        ]
    run, run_end = _longest_run(days)
    if run >= 3:
        run_start = run_end - timedelta(days=run - 1)
        sentences.append(
            _(
                "The longest run of days in a row with an incident: %(run)s, from %(start)s to "
                "%(end)s."
            )
            % {"run": run, "start": day_text(run_start), "end": day_text(run_end)}
        )
    return " ".join(sentences)


def _longest_run(days: list[tuple[date, int]]) -> tuple[int, date | None]:
    """The most days in a row with an incident, and the last of them (the latest such run)."""
    best, best_end, current = 0, None, 0
    for day, n in days:
        current = current + 1 if n else 0
        if current and current >= best:
            best, best_end = current, day
    return best, best_end


def block_text(index: int, block_hours: int = BLOCK_HOURS) -> str:
    return _("%(start)02d:00 and %(end)02d:00") % {
        "start": index * block_hours,
        "end": (index + 1) * block_hours,
    }


def time_summary(grid: list[list[int]]) -> str:
    total = sum(map(sum, grid))
    if not total:
        return str(NO_INCIDENTS)
    if total < FEW:
        return _("%(incidents)s so far: too few yet to show a pattern in the time of day.") % {
            "incidents": count_of(total, "incident")
        }
    cells = sorted(
        ((n, day, block) for day, row in enumerate(grid) for block, n in enumerate(row)),
        reverse=True,
    )
    top, day, block = cells[0]
    sentences = []
    if top > cells[1][0]:
        sentences.append(
            _("Incidents happen most often on %(days)s between %(block)s (%(top)s of %(total)s).")
            % {
                "days": WEEKDAYS_PLURAL[day],
                "block": block_text(block),
                "top": top,
                "total": _n(total),
            }
        )
    by_day = [sum(row) for row in grid]
    by_block = [sum(column) for column in zip(*grid, strict=True)]
    busiest_day = max(range(7), key=lambda i: by_day[i])
    busiest_block = max(range(len(by_block)), key=lambda i: by_block[i])
    sentences.append(
        _(
            "The busiest day is %(day)s (%(incidents)s); the busiest time of day is between "
            "%(block)s (%(n)s)."
        )
        % {
            "day": WEEKDAYS[busiest_day],
            "incidents": count_of(by_day[busiest_day], "incident"),
            "block": block_text(busiest_block),
            "n": _n(by_block[busiest_block]),
        }
    )
    return " ".join(sentences)
