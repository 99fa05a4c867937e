"""The local day of a stored time, worked out by SQLite itself, agrees with Python's, across
summer-time changes and in zones a half or three quarters of an hour off UTC."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from incidents.local_days import as_day, local_day
from incidents.models import Case, Message
from tests.imported import import_job, keep, text

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"]
ZONES += ["Australia/Lord_Howe", "Pacific/Chatham", "UTC"]


@pytest.mark.parametrize("zone", ZONES)
def test_sqlite_finds_the_same_local_day_as_python(alice, zone):
    case = Case.objects.owned_by(alice).get()
    job = import_job(case)
    rng = random.Random(zone)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    times = [start + timedelta(minutes=rng.randrange(2 * 365 * 1440)) for _ in range(400)]
    # Either side of each summer-time change in London and Lord Howe in 2024.
    for edge in ("2024-03-31T00:59", "2024-03-31T01:01", "2024-10-27T00:59", "2024-10-27T01:01"):
        times.append(datetime.fromisoformat(edge).replace(tzinfo=UTC))
    for edge in ("2024-04-06T14:59", "2024-04-06T15:01", "2024-10-05T15:29", "2024-10-05T15:31"):
        times.append(datetime.fromisoformat(edge).replace(tzinfo=UTC))
    keep([text(job, i, at) for i, at in enumerate(times)])

    with timezone.override(zone):
        for bounds in ((None, None), (date(2024, 3, 1), date(2024, 11, 30))):
            rows = Message.objects.filter(case=case).annotate(
                day=local_day("sent_at", "default", *bounds)
            )
            for sent_at, day in rows.values_list("sent_at", "day"):
                inside = bounds[0] is None or bounds[0] <= timezone.localdate(sent_at) <= bounds[1]
                if inside:
                    assert as_day(day) == timezone.localdate(sent_at), (zone, sent_at)
