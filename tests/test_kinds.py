"""Every kind of record is described once (incidents/models/kinds.py), and every place that must
know all the kinds reads that description: the timeline, the custody log, the backup counts and
the walk of every page as a stranger. A kind added to the models but not described, or described
but left out of one of these, fails here."""

from datetime import timedelta

from django.apps import apps
from django.urls import get_resolver, reverse
from django.utils import timezone

from incidents import custody, record_views
from incidents.backup import database as backup_database
from incidents.models import Case, CustodyEntry, Evidence, Record
from incidents.models.kinds import RECORD_KINDS, STEP_KINDS, kind_of
from incidents.services import record_save
from incidents.timeline import timeline_page
from tests.conftest import make_incident
from tests.test_access import IMPORTED_MAKERS, RECORD_MAKERS

EXPECTED = {"incident", "notice", "police", "order", "change", "message", "call"}


def _one_of_each(alice) -> dict:
    """One live record of every kind, saved through the service, two days ago."""
    case = Case.objects.owned_by(alice).get()
    when = timezone.now() - timedelta(days=2)
    records = {"incident": make_incident(alice, occurred_at=when)}
    makers = {**RECORD_MAKERS, **IMPORTED_MAKERS}
    records.update({slug: make(case, when) for slug, make in makers.items()})
    for record in records.values():
        record_save(record=record)  # the makers write rows directly; the service logs them
    return records


def test_every_kind_of_record_in_the_models_is_described():
    kept = {
        model
        for model in apps.get_app_config("incidents").get_models()
        if issubclass(model, Record) and model is not Evidence
    }
    assert kept == {kind.model for kind in RECORD_KINDS.values()}
    assert set(RECORD_KINDS) == EXPECTED


def test_every_kind_shows_on_the_timeline(alice):
    records = _one_of_each(alice)
    _page, days = timeline_page(alice, {}, 1)
    shown = {item.kind: item.record for day in days for item in day.items}
    for slug, kind in RECORD_KINDS.items():
        if kind.in_timeline:
            assert shown.get(slug) == records[slug], f"{slug} is missing from the timeline"


def test_every_kind_is_written_to_the_custody_log_and_checked_by_it(alice):
    records = _one_of_each(alice)
    for slug, kind in RECORD_KINDS.items():
        assert kind.model in custody.LOGGED_MODELS, f"{slug} is not checked against the log"
        logged = CustodyEntry.objects.filter(object_uuid=records[slug].uuid)
        assert logged.exists(), f"{slug} was written without a custody entry"
    assert custody.altered_records() == []


def test_every_kind_is_counted_in_a_backup(alice):
    _one_of_each(alice)
    for slug, kind in RECORD_KINDS.items():
        assert backup_database.COUNTED.get(kind.counted_as) is kind.model, slug
        assert kind.model.objects.count() == 1


def test_every_kind_has_its_pages_and_is_walked_as_a_stranger(alice_client):
    # tests/test_access.py walks every URL as a stranger with one record of each of these.
    assert set(RECORD_MAKERS) == set(STEP_KINDS)
    assert {slug: pages.record for slug, pages in record_views.PAGES.items()} == STEP_KINDS
    for slug, kind in STEP_KINDS.items():
        page = alice_client.get(reverse(f"{slug}_list"))
        assert page.status_code == 200
        assert str(kind.plural) in page.content.decode()
        assert (f"{slug}_evidence_upload" in _url_names()) == kind.takes_files


def test_each_record_knows_its_kind(alice):
    for slug, record in _one_of_each(alice).items():
        assert kind_of(record) is RECORD_KINDS[slug]
    assert kind_of(Case.objects.owned_by(alice).get()) is None


def _url_names() -> set[str]:
    return {name for name in get_resolver().reverse_dict if isinstance(name, str)}
