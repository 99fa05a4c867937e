"""On a phone, with a court order in force: log an incident, mark that it broke the order,
record a change to daily life from it, make the dossier, and find both on its first page."""

import io
import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from incidents.models import Case, Incident, LifeChange, ProtectiveOrder

pytestmark = pytest.mark.browser

WHAT_HAPPENED = "Eight calls from a withheld number before work, then a voicemail."
NOTE = "New number from the shop; told only family and work."
TERMS = "No contact of any kind, direct or indirect, with the applicant."


@pytest.fixture
def order(alice):
    today = timezone.localdate()
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    case.save()
    return ProtectiveOrder.objects.create(
        case=case,
        order_type=ProtectiveOrder.Type.STALKING,
        court="Northtown Magistrates' Court",
        issued_on=today - timedelta(days=20),
        expires_on=today + timedelta(days=345),
        terms=TERMS,
    )


def check(a11y, page: Page) -> None:
    """The page passes the accessibility check and does not scroll sideways on the phone."""
    a11y(page)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


def test_on_a_phone_a_breach_and_a_life_change_reach_the_dossiers_first_page(
    phone, a11y, sign_in, alice, order, live_server
):
    sign_in(phone, alice)
    phone.goto("/")
    expect(
        phone.get_by_text(re.compile("Stalking protection order in force until"))
    ).to_be_visible()
    check(a11y, phone)

    # Log the incident: the order's terms are on the form, and its question is not answered.
    phone.get_by_role("link", name="Log what happened").tap()
    box = phone.get_by_role("region", name="A court order is in force")
    expect(box).to_contain_text(TERMS)
    breach = phone.get_by_label("This incident broke the order")
    expect(breach).not_to_be_checked()
    hint = box.get_by_text("This kind of contact is what these terms forbid")
    expect(hint).to_be_hidden()
    check(a11y, phone)
    moment = (timezone.now() - timedelta(minutes=40)).astimezone(zoneinfo.ZoneInfo(alice.time_zone))
    phone.get_by_label("When it happened").fill(f"{moment:%Y-%m-%dT%H:%M}")
    phone.get_by_label("What happened").fill(WHAT_HAPPENED)
    phone.get_by_text("More details (optional, can be added later)").tap()
    phone.get_by_label("What kind of contact").select_option(label="Phone calls")
    # Calls are contact, which the order bars: the form says so, and leaves the box alone.
    expect(hint).to_be_visible()
    expect(breach).not_to_be_checked()
    check(a11y, phone)
    breach.check()
    phone.get_by_role("button", name="Save").tap()

    expect(phone.get_by_role("status")).to_contain_text("Saved.")
    expect(phone.get_by_text("Danger signs: Violates a court order")).to_be_visible()
    check(a11y, phone)
    incident = Incident.objects.get(description=WHAT_HAPPENED)
    assert incident.violates_order

    # A change to daily life, from the incident: its date is filled in, nothing else.
    phone.get_by_role("link", name=re.compile("Record the change")).tap()
    expect(phone.get_by_role("heading", name="Record a change to daily life")).to_be_visible()
    expect(phone.get_by_label("When")).to_have_value(f"{moment:%Y-%m-%d}")
    expect(phone.get_by_role("radio", checked=True)).to_have_count(0)
    check(a11y, phone)
    phone.get_by_label("Changed phone number or accounts").check()
    phone.get_by_label("More about it").fill(NOTE)
    phone.get_by_role("button", name="Save").tap()
    expect(phone.get_by_role("status")).to_contain_text("Saved.")
    expect(phone.get_by_text(NOTE)).to_be_visible()
    check(a11y, phone)
    change = LifeChange.objects.get()
    assert change.kind == LifeChange.Kind.NUMBER

    # The dossier (jobs run as soon as they are asked for in tests: see tests/conftest.py).
    phone.get_by_role("contentinfo").get_by_role("link", name="Dossier").tap()
    expect(phone.get_by_role("heading", name="Dossier", level=1)).to_be_visible()
    check(a11y, phone)
    phone.get_by_role("button", name="Make the PDF dossier").tap()
    download_link = phone.get_by_role("link", name="Download the dossier")
    expect(download_link).to_be_visible(timeout=20_000)
    check(a11y, phone)
    with phone.expect_download() as download_info:
        download_link.tap()
    pages = PdfReader(io.BytesIO(download_info.value.path().read_bytes())).pages

    # Page 1 is the cover; the first page of the record itself is the summary.
    first = " ".join(pages[1].extract_text().split())
    assert first.startswith("Stalking log") or "Summary" in first[:60]
    when = f"{moment:%-d %b %Y, %H:%M}"
    assert "1 incident marked by the person keeping this log as breaking an order" in first
    assert f"{when}: Phone calls (incident 1)" in first
    assert f"{moment:%-d %b %Y}: Changed phone number or accounts" in first
