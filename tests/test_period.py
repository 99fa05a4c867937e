"""One period filter (CaseOwnedQuerySet.in_period) serves the timeline, the evidence gallery and
the dossier: a day is the user's day, and a record that holds a day is compared as it is."""

from datetime import UTC, date, datetime

from django.utils import timezone

from incidents.models import Case, Incident, LifeChange
from tests.conftest import make_incident


def test_a_late_evening_in_berlin_belongs_to_that_day_not_to_the_utc_one(alice):
    # 23:30 in Berlin on 2 June is 21:30 UTC; 00:30 on 3 June in Berlin is 22:30 UTC on 2 June.
    evening = make_incident(alice, occurred_at=datetime(2024, 6, 2, 21, 30, tzinfo=UTC))
    night = make_incident(alice, occurred_at=datetime(2024, 6, 2, 22, 30, tzinfo=UTC))
    incidents = Incident.objects.owned_by(alice)
    with timezone.override("Europe/Berlin"):
        sunday = set(incidents.in_period("occurred_at", date(2024, 6, 2), date(2024, 6, 2)))
        monday_on = set(incidents.in_period("occurred_at", date(2024, 6, 3)))
    assert sunday == {evening}
    assert monday_on == {night}
    assert set(incidents.in_period("occurred_at")) == {evening, night}


def test_a_day_field_is_compared_as_it_is(alice):
    case = Case.objects.owned_by(alice).get()
    moved = LifeChange.objects.create(case=case, kind="moved", changed_on=date(2024, 6, 2))
    changes = LifeChange.objects.owned_by(alice)
    with timezone.override("Pacific/Kiritimati"):
        assert list(changes.in_period("changed_on", end=date(2024, 6, 2))) == [moved]
        assert not changes.in_period("changed_on", start=date(2024, 6, 3)).exists()
