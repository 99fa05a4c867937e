"""Two people recorded: the timeline and the patterns are filtered to one of them."""

import pytest
from playwright.sync_api import expect

from incidents.models import Case
from tests.conftest import make_incident

pytestmark = pytest.mark.browser


def test_two_people_filter_the_timeline_and_the_patterns_to_one(page, a11y, sign_in, alice):
    jordan = Case.objects.owned_by(alice).get()
    jordan.name = "Jordan Vale"
    jordan.save()
    robin = Case.objects.create(owner=alice, name="Robin Marsh")
    make_incident(alice, case=jordan, description="Jordan left notes on the car.")
    make_incident(alice, case=robin, description="Robin called the office twice.")
    make_incident(alice, case=robin, description="Robin waited at the station.")
    sign_in(page, alice)

    page.goto("/timeline/")
    a11y(page)
    expect(page.get_by_text("Jordan left notes on the car.")).to_be_visible()
    page.get_by_label("Show records about").select_option(label="Robin Marsh")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Showing only the records about Robin Marsh.")).to_be_visible()
    expect(page.get_by_text("Robin waited at the station.")).to_be_visible()
    expect(page.get_by_text("Jordan left notes on the car.")).to_have_count(0)
    a11y(page)

    # The choice is kept: Patterns counts Robin's two incidents, not all three.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patterns").click()
    expect(page.get_by_role("heading", name="Patterns", level=1)).to_be_visible()
    a11y(page)
    expect(page.get_by_label("Show records about")).to_have_value(str(robin.uuid))
    expect(page.get_by_role("main")).to_contain_text("2 incidents so far")
    a11y(page)

    page.get_by_label("Show records about").select_option(label="Everyone")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("3 incidents so far")
    a11y(page)
