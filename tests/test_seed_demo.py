"""seed_demo: invented incidents in a clearly marked demo case, for showing and benchmarking."""

import io
import re
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from incidents.models import Case, Evidence, Incident
from incidents.screenshots import PHONE_SIZE

TEXT_FIELDS = ["description", "exact_words", "witnesses", "effect_notes", "response_notes"]
GENDERED = re.compile(r"\b(he|she|him|his|her|hers|himself|herself)\b", re.IGNORECASE)


def seed(username: str = "alice", incidents: int = 50, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", user=username, incidents=incidents, stdout=out, **options)
    return out.getvalue()


def demo_incidents(user) -> list[Incident]:
    return list(Incident.objects.owned_by(user).filter(case__is_demo=True).order_by("id"))


@pytest.fixture
def big_log(alice) -> list[Incident]:
    """A log of 1,000 incidents for a user away from UTC, to look at its shape."""
    alice.time_zone = "America/Chicago"
    alice.save()
    seed(incidents=1000)
    return demo_incidents(alice)


def test_it_adds_exactly_n_incidents_to_a_demo_case_of_that_user(alice, mallory):
    seed(incidents=37)

    demo = Case.objects.get(is_demo=True)
    assert demo.owner == alice
    assert demo.incidents.count() == 37
    assert Incident.objects.count() == 37
    assert not Case.objects.owned_by(mallory).filter(is_demo=True).exists()
    assert not Case.objects.owned_by(alice).get(is_demo=False).incidents.exists()


def test_it_marks_the_case_as_demo_with_obviously_invented_details(alice):
    seed(incidents=1)

    demo = Case.objects.owned_by(alice).get(is_demo=True)
    assert str(demo) == "Sam Doe (sample data)"
    assert all(line.startswith("555-01") for line in demo.phone_numbers.splitlines())
    assert "@example.com" in demo.online_accounts
    assert "DEMO" in demo.vehicles


def test_it_prints_a_short_summary(alice):
    assert seed(incidents=20) == "Added 20 incidents to the demo case for alice.\n"


def test_it_reuses_the_demo_case_when_run_twice(alice):
    seed(incidents=20)
    seed(incidents=30, seed=2)

    demo = Case.objects.owned_by(alice).get(is_demo=True)
    assert demo.incidents.count() == 50


def test_it_refuses_an_unknown_user(alice):
    with pytest.raises(CommandError, match="No account called 'nobody'"):
        seed("nobody")
    assert not Case.objects.filter(is_demo=True).exists()


@pytest.mark.parametrize("incidents", [0, -5])
def test_it_refuses_fewer_than_one_incident(alice, incidents):
    with pytest.raises(CommandError, match="at least 1"):
        seed(incidents=incidents)
    assert not Case.objects.filter(is_demo=True).exists()


def test_it_gives_the_same_data_for_the_same_seed(alice, mallory):
    seed("alice", incidents=200, seed=7)
    seed("mallory", incidents=200, seed=7)

    def rows(user):
        fields = [f for f in Incident.HISTORY_FIELDS if f != "case"]
        return [[getattr(i, f) for f in fields] for i in demo_incidents(user)]

    assert rows(alice) == rows(mallory)


def test_it_gives_different_data_for_another_seed(alice, mallory):
    seed("alice", incidents=50, seed=7)
    seed("mallory", incidents=50, seed=8)

    def descriptions(user):
        return [i.description for i in demo_incidents(user)]

    assert descriptions(alice) != descriptions(mallory)


def test_it_saves_in_batches_not_one_by_one(alice, django_assert_max_num_queries):
    # SQLite allows 999 parameters per query, so a batch holds about 30 incidents there; the
    # case, the notice, the police contacts and the order are saved and logged one by one.
    with django_assert_max_num_queries(1200 // 15):
        seed(incidents=1200)


@pytest.mark.slow
def test_it_puts_every_incident_in_the_past_spread_over_six_to_nine_months(big_log):
    now = timezone.now()
    times = [i.occurred_at for i in big_log]

    assert max(times) < now
    assert min(times) > now - timedelta(days=9 * 31)
    assert max(times) - min(times) > timedelta(days=5 * 30)
    assert all(now > i.ended_at >= i.occurred_at for i in big_log if i.ended_at)


def test_it_escalates_in_frequency(big_log):
    first, last = min(i.occurred_at for i in big_log), max(i.occurred_at for i in big_log)
    third = (last - first) / 3
    early = sum(i.occurred_at < first + third for i in big_log)
    middle = sum(first + third <= i.occurred_at < last - third for i in big_log)
    late = sum(i.occurred_at >= last - third for i in big_log)

    assert early < middle < late
    assert late > 2 * early


def test_it_clusters_in_the_evenings_and_at_weekends_in_the_users_time_zone(big_log):
    local = [i.occurred_at.astimezone(ZoneInfo("America/Chicago")) for i in big_log]
    evenings = sum(t.hour >= 18 for t in local)
    mornings = sum(6 <= t.hour < 12 for t in local)
    weekends = sum(t.weekday() >= 5 for t in local)

    assert evenings > 2.5 * mornings
    # Per day, a weekend day sees clearly more than a weekday.
    assert weekends / 2 > 1.5 * (len(local) - weekends) / 5


def test_it_uses_every_kind_with_calls_and_messages_most_common(big_log):
    kinds = Counter(i.kind for i in big_log)

    assert set(kinds) == set(Incident.Kind.values)
    top_three = {kind for kind, _ in kinds.most_common(3)}
    assert top_three == {Incident.Kind.CALLS, Incident.Kind.TEXTS, Incident.Kind.SOCIAL_MEDIA}
    assert any(i.count > 1 for i in big_log if i.kind == Incident.Kind.CALLS)


def test_it_fills_the_details_a_real_log_has(big_log):
    def share(test) -> float:
        return sum(map(test, big_log)) / len(big_log)

    assert share(lambda i: bool(i.exact_words)) > 0.3
    assert 0 < share(lambda i: bool(i.witnesses)) < 0.3
    assert 0 < share(lambda i: bool(i.location)) < 0.7
    assert 0 < share(lambda i: i.is_approximate) < 0.3
    assert 0 < share(lambda i: i.ended_at is not None) < 0.7
    assert {i.effect_level for i in big_log} == {None, *Incident.Effect.values}
    assert len({i.description for i in big_log}) > 0.6 * len(big_log)


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_it_uses_every_kind_even_in_a_short_log(alice, seed_value):
    seed(incidents=60, seed=seed_value)

    assert {i.kind for i in demo_incidents(alice)} == set(Incident.Kind.values)


@pytest.mark.slow
def test_it_mostly_records_no_response_and_a_few_replies(big_log):
    responses = Counter(i.response for i in big_log)

    assert responses[Incident.Response.NONE] > 0.75 * len(big_log)
    assert 0 < responses[Incident.Response.REPLIED] < 0.08 * len(big_log)


def test_it_flags_danger_rarely_with_one_weapon_and_order_violations_late(big_log):
    flagged = [i for i in big_log if i.danger_labels]
    violations = [i.occurred_at for i in big_log if i.violates_order]

    assert 0 < len(flagged) < 0.15 * len(big_log)
    assert sum(i.weapon for i in big_log) == 1
    assert any(i.threat_to_harm for i in big_log)
    assert violations
    assert min(violations) > min(i.occurred_at for i in big_log) + timedelta(days=120)


def test_it_never_assumes_anyones_gender(big_log):
    texts = [getattr(i, field) for i in big_log for field in TEXT_FIELDS]
    texts.append(Case.objects.get(is_demo=True).description)

    assert not [text for text in texts if GENDERED.search(text)]


def test_it_attaches_phone_screenshots_that_quote_the_incidents(alice):
    seed(incidents=20, images=3)
    screenshots = Evidence.objects.filter(case__owner=alice).select_related("incident")
    assert screenshots.count() == 3
    for item in screenshots:
        assert item.kind == Evidence.Kind.IMAGE
        assert (item.width, item.height) == PHONE_SIZE
        assert item.incident.case.is_demo
        assert item.caption.startswith(item.incident.get_kind_display())


def test_it_records_a_notice_police_reports_and_an_order_in_a_plausible_order(alice):
    seed(incidents=200)
    case = Case.objects.get(owner=alice, is_demo=True)
    notice = case.notices.get()
    first, second = case.police_contacts.order_by("contacted_at")
    order = case.orders.get()
    assert notice.given_at < first.contacted_at < second.contacted_at
    assert first.incidents.exists() and second.incidents.exists()
    breaches = Incident.objects.filter(case=case, violates_order=True)
    assert all(b.occurred_at.date() > order.issued_on for b in breaches)
    seed(incidents=20)  # a second run adds incidents, not another set of steps
    assert case.notices.count() == 1 and case.orders.count() == 1
