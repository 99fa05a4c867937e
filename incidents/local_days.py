"""The user's local day of a stored time, worked out inside the database.

Django's TruncDate with a time zone costs SQLite one call into Python per row, which is most of
the time of a page over tens of thousands of messages. A zone's offset from UTC changes only at
its transitions (summer time, law changes), so over a stretch of days the local day is
date(time, '+N minutes') with N piecewise constant: one CASE over the few transitions in the
stretch, evaluated by SQLite itself. Other databases convert natively and keep TruncDate.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db import connections
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

# Times outside a stretch left open are taken at the offset of its nearest end: no phone's
# export goes back before this.
EARLIEST = date(1990, 1, 1)
SAMPLE = timedelta(days=28)  # transitions are months apart; each is then found to the minute


def _offset(tz, at: datetime) -> int:
    return int(at.astimezone(tz).utcoffset().total_seconds() // 60)


def _transition(tz, low: datetime, high: datetime) -> datetime:
    """The first minute in (low, high] at the offset `high` has (they differ)."""
    target = _offset(tz, high)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if _offset(tz, middle) == target:
            high = middle
        else:
            low = middle
    return high.replace(second=0, microsecond=0)


def offsets(tz, start: date, end: date) -> list[tuple[datetime, int]]:
    """(from when, offset in minutes) over the days start to end, oldest first."""
    at = datetime.combine(start, time.min, tzinfo=UTC) - timedelta(days=1)
    stop = datetime.combine(end, time.min, tzinfo=UTC) + timedelta(days=2)
    found = [(at, _offset(tz, at))]
    while at < stop:
        following = min(at + SAMPLE, stop)
        while _offset(tz, following) != found[-1][1]:
            since = _transition(tz, at, following)
            found.append((since, _offset(tz, since)))
            at = since
        at = following
    return found


def _shift(field: str, start: date | None, end: date | None) -> Case:
    """The SQLite modifier ('+60 minutes') that turns `field` into the user's local time."""
    tz = timezone.get_current_timezone()
    spans = offsets(tz, start or EARLIEST, end or timezone.localdate() + timedelta(days=366))
    # Newest first: most rows are recent, and CASE stops at the first match.
    whens = [
        When(**{f"{field}__gte": since}, then=Value(f"{minutes:+d} minutes"))
        for since, minutes in reversed(spans[1:])
    ]
    return Case(*whens, default=Value(f"{spans[0][1]:+d} minutes"), output_field=CharField())


def local_day(field: str, db: str, start: date | None = None, end: date | None = None):
    """An expression for the local day of `field` (a 'YYYY-MM-DD' text on SQLite, a date
    elsewhere: read it with as_day) for times from day `start` to day `end`."""
    if connections[db].vendor != "sqlite":
        return TruncDate(field, tzinfo=timezone.get_current_timezone())
    shift = _shift(field, start, end)
    return Func(F(field), shift, function="date", output_field=CharField())


def local_hour(field: str, db: str, start: date | None = None, end: date | None = None):
    """An expression for the local 'YYYY-MM-DD HH' of `field` on SQLite, the start of its
    local hour (an aware time) elsewhere."""
    if connections[db].vendor != "sqlite":
        return TruncHour(field, tzinfo=timezone.get_current_timezone())
    shift = _shift(field, start, end)
    return Func(
        Value("%Y-%m-%d %H"), F(field), shift, function="strftime", output_field=CharField()
    )


def as_day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
