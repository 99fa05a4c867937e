"""The guide's steps: telling them to stop, going to the police, seeing the pattern, and the
user's own safety steps, as the person being stalked works through them on a phone."""

import re
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, Route, expect

from incidents.models import Incident, NoContactNotice, PoliceContact, SafetyStep
from tests.conftest import make_incident

from .conftest import PHONE, _open_page

pytestmark = pytest.mark.browser

WORDING = (
    "I do not want a relationship or any contact with you. Do not call, message, visit or "
    "contact me in any way, including through other people."
)
REPORT_NUMBER = "CR/2025/004711"
# Oldest first. The notice and the police contact fall between them (see log_some_incidents).
DESCRIPTIONS = [
    "Waited by my car in the supermarket car park.",
    "Eight calls from a withheld number before work.",
    "Left flowers and a card on the doorstep.",
]


def log_some_incidents(user) -> list[Incident]:
    """Three incidents, five, three and one day ago, oldest first, none answered with a reply
    (each answer given: since issue 11 an entry has none unless the user gives one)."""
    now = timezone.now()
    return [
        make_incident(
            user,
            occurred_at=now - timedelta(days=days),
            description=description,
            response=Incident.Response.NONE,
        )
        for days, description in zip((5, 3, 1), DESCRIPTIONS, strict=True)
    ]


def local(user, moment: datetime) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(user.time_zone))


def input_time(user, moment: datetime) -> str:
    """A moment as the browser's date and time field takes it, in the user's time zone."""
    return local(user, moment).strftime("%Y-%m-%dT%H:%M")


def long_date(user, moment: datetime) -> str:
    """As the pages write a date: 7 March 2025."""
    when = local(user, moment)
    return f"{when.day} {when:%B %Y}"


def step_section(page: Page, heading: str) -> Locator:
    return page.get_by_role("region", name=heading)


def status_of(step: Locator) -> Locator:
    return step.locator(".step-status")


def check(a11y, page: Page) -> None:
    """The page passes the accessibility check and does not scroll sideways on the phone."""
    a11y(page)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


def test_on_a_phone_one_records_a_notice_and_a_police_report_and_both_steps_show_done(
    phone, a11y, sign_in, alice, live_server
):
    first, second, third = log_some_incidents(alice)
    sign_in(phone, alice)
    phone.goto("/")
    check(a11y, phone)

    phone.get_by_role("contentinfo").get_by_role("link", name="Your steps").tap()
    expect(phone).to_have_url(f"{live_server.url}/steps/")
    be_clear = step_section(phone, "1. Be clear")
    police = step_section(phone, "3. Talk to the police")
    expect(status_of(be_clear)).to_have_text(re.compile("Not yet$"))
    expect(status_of(police)).to_have_text(re.compile("Not yet$"))
    check(a11y, phone)

    be_clear.get_by_role("link", name="Record a notice").tap()
    expect(phone).to_have_url(f"{live_server.url}/notices/new/")
    check(a11y, phone)
    given_at = timezone.now() - timedelta(days=4)
    phone.get_by_label("When you told them").fill(input_time(alice, given_at))
    phone.get_by_text("Help with the wording").tap()
    phone.get_by_role("button", name="Use this wording").first.tap()
    words = phone.get_by_label("The exact words")
    expect(words).to_have_value(WORDING)
    expect(words).to_be_focused()
    # Nothing is picked for the user: how they told them, and whether it was acknowledged.
    phone.get_by_label("Text message").check()
    phone.get_by_label("I don't know").check()
    phone.get_by_role("button", name="Save").tap()

    expect(phone.get_by_role("status")).to_contain_text("Saved.")
    expect(phone.get_by_role("blockquote")).to_have_text(WORDING)
    check(a11y, phone)
    notice = NoContactNotice.objects.get()
    assert notice.words == WORDING
    assert notice.case == alice.cases.get()

    phone.get_by_role("contentinfo").get_by_role("link", name="Your steps").tap()
    expect(status_of(be_clear)).to_have_text(re.compile("Done$"))
    check(a11y, phone)
    police.get_by_role("link", name="Record a police contact").tap()
    expect(phone).to_have_url(f"{live_server.url}/police/new/")
    check(a11y, phone)
    contacted_at = timezone.now() - timedelta(days=2)
    phone.get_by_label("When", exact=True).fill(input_time(alice, contacted_at))
    phone.get_by_label("At a police station").check()
    phone.get_by_label("Police force or department").fill("Riverside Police, Mill Street")
    phone.get_by_label("Report or case number").fill(REPORT_NUMBER)
    phone.get_by_role("checkbox", name=re.compile(re.escape(first.description))).check()
    phone.get_by_role("checkbox", name=re.compile(re.escape(second.description))).check()
    phone.get_by_role("button", name="Save").tap()

    expect(phone.get_by_role("status")).to_contain_text("Saved.")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(REPORT_NUMBER)
    reported = phone.get_by_role("list").filter(
        has=phone.get_by_role("link", name=re.compile(re.escape(first.description)))
    )
    expect(reported.get_by_role("listitem")).to_have_text(
        [re.compile(re.escape(first.description)), re.compile(re.escape(second.description))]
    )
    expect(phone.get_by_text(third.description)).to_have_count(0)
    check(a11y, phone)
    contact = PoliceContact.objects.get()
    assert contact.reference == REPORT_NUMBER
    assert set(contact.incidents.all()) == {first, second}

    phone.get_by_role("contentinfo").get_by_role("link", name="Your steps").tap()
    expect(phone.get_by_text("4 of 4 done.")).to_be_visible()
    expect(status_of(be_clear)).to_have_text(re.compile("Done$"))
    expect(be_clear).to_contain_text(f"You told them to stop on {long_date(alice, given_at)}")
    expect(be_clear).to_contain_text("Since then you have logged 2 incidents")
    expect(status_of(police)).to_have_text(re.compile("Done$"))
    expect(police).to_contain_text(f"Report number: {REPORT_NUMBER}")
    check(a11y, phone)


def test_the_timeline_shows_the_notice_and_the_police_contact_among_the_incidents_in_order(
    phone, a11y, sign_in, alice
):
    first, second, third = log_some_incidents(alice)
    now, case = timezone.now(), alice.cases.get()
    NoContactNotice.objects.create(case=case, given_at=now - timedelta(days=4), words=WORDING)
    PoliceContact.objects.create(
        case=case, contacted_at=now - timedelta(days=2), reference=REPORT_NUMBER
    )
    sign_in(phone, alice)
    phone.goto("/timeline/")

    # Newest first: each record sits between the incidents it came between.
    expect(phone.get_by_role("main").locator(".entry")).to_have_text(
        [
            re.compile(re.escape(third.description)),
            re.compile(f"Police.*Report number {re.escape(REPORT_NUMBER)}", re.S),
            re.compile(re.escape(second.description)),
            re.compile("No-contact notice.*I do not want a relationship", re.S),
            re.compile(re.escape(first.description)),
        ]
    )
    expect(phone.get_by_text("3 incidents.")).to_be_visible()
    check(a11y, phone)


def charts(page: Page) -> Locator:
    return page.get_by_role("main").get_by_role("img")


def expect_drawn(chart: Locator) -> None:
    """The chart has a size on the page and no coordinate that went wrong."""
    box = chart.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    markup = chart.evaluate("svg => svg.outerHTML")
    assert markup.startswith("<svg"), markup
    assert not re.search(r'="[^"]*\b(?:nan|inf)\b', markup), markup


def test_the_pattern_charts_show_the_log_and_mark_the_notice(phone, a11y, sign_in, alice):
    log_some_incidents(alice)
    given_at = timezone.now() - timedelta(days=4)
    NoContactNotice.objects.create(case=alice.cases.get(), given_at=given_at, words=WORDING)
    sign_in(phone, alice)
    phone.goto("/")
    check(a11y, phone)

    phone.get_by_role("link", name=re.compile("See all patterns")).tap()
    expect(phone.get_by_role("heading", name="Patterns", level=1)).to_be_visible()
    expect(charts(phone)).to_have_count(3)
    for chart in charts(phone).all():
        expect_drawn(chart)
    weekly = phone.get_by_role("img", name=re.compile("^Incidents per week"))
    expect(weekly).to_have_accessible_name(
        re.compile(f"No-contact notices marked: {long_date(alice, given_at)}")
    )
    expect(weekly.get_by_text("No-contact notice", exact=True)).to_be_visible()
    summaries = phone.locator("figcaption")
    expect(summaries).to_have_count(3)
    expect(summaries.first).to_contain_text("3 incidents since")
    expect(summaries.nth(2)).to_contain_text("too few yet to show a pattern")
    check(a11y, phone)


def test_the_pattern_page_of_a_fresh_account_says_there_is_nothing_yet(
    phone, a11y, sign_in, mallory
):
    sign_in(phone, mallory)
    phone.goto("/patterns/")

    expect(charts(phone)).to_have_count(3)
    for chart in charts(phone).all():
        expect_drawn(chart)
    expect(phone.locator("figcaption")).to_have_text(
        ["No incidents yet: the charts fill in as you log."] * 3
    )
    weekly = phone.get_by_role("img", name=re.compile("^Incidents per week"))
    expect(weekly.get_by_text("Nothing logged yet")).to_be_visible()
    check(a11y, phone)


@pytest.fixture
def phone_without_js(browser, live_server, network, a11y) -> Iterator[Page]:
    """A small phone with JavaScript switched off: the forms must work all the same."""
    yield from _open_page(browser, live_server, network, a11y, **PHONE, java_script_enabled=False)


class ScriptlessAudit:
    """Runs axe on a tab with scripts off. axe waits on timers, which never fire there, so it
    checks the very HTML that tab shows, served at the same address in a second tab that has
    scripts on (but not the app's: they are taken out, as they never ran)."""

    def __init__(self, a11y, checker: Page):
        self.a11y, self.checker = a11y, checker
        self.shown: dict[str, str] = {}
        # One route for the whole test: removing a page's last route while the context's route
        # was passing on the stylesheet failed now and then with "Route is already handled".
        checker.route(lambda url: url in self.shown, self._serve)

    def _serve(self, route: Route) -> None:
        html = self.shown.pop(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def __call__(self, page: Page) -> None:
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
        self.shown[page.url.split("#")[0]] = html
        self.checker.goto("about:blank")
        self.checker.goto(page.url)
        self.a11y(self.checker)
        assert self.checker.url == page.url


@pytest.fixture
def a11y_without_js(browser, live_server, network, a11y) -> Iterator[ScriptlessAudit]:
    for checker in _open_page(browser, live_server, network, a11y, **PHONE):
        yield ScriptlessAudit(a11y, checker)


def test_a_safety_step_is_ticked_with_todays_date_and_unticked_without_javascript(
    phone_without_js, a11y_without_js, sign_in, alice, live_server
):
    phone = phone_without_js
    label = SafetyStep.Step.ROUTES.label
    today = local(alice, timezone.now()).date()
    sign_in(phone, alice)
    phone.goto("/steps/")
    check(a11y_without_js, phone)

    step = phone.locator(".safety-step").filter(has=phone.get_by_role("heading", name=label))
    expect(step.get_by_label("Done on")).to_have_value(today.isoformat())
    step.get_by_label("Note (optional)").fill("Taking the bus instead of walking past the park.")
    step.get_by_role("button", name="Mark as done").tap()

    expect(phone).to_have_url(f"{live_server.url}/steps/#safety-routes")
    expect(step).to_contain_text(
        f"Done on {today.day} {today:%B %Y}: Taking the bus instead of walking past the park."
    )
    expect(phone.get_by_role("status")).to_contain_text(f"Ticked “{label}”.")
    check(a11y_without_js, phone)
    ticked = SafetyStep.objects.get(owner=alice)
    assert (ticked.step, ticked.done_on) == (SafetyStep.Step.ROUTES, today)

    step.get_by_role("button", name="Untick").tap()
    expect(phone.get_by_role("status")).to_contain_text(
        f"Unticked “{label}” (it was marked done on {today.day} {today:%B %Y})."
    )
    expect(step.get_by_role("button", name="Mark as done")).to_be_visible()
    expect(step.get_by_role("button", name="Untick")).to_have_count(0)
    check(a11y_without_js, phone)
    assert not SafetyStep.objects.filter(owner=alice).exists()
