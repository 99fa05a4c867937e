"""The setup page as a newcomer meets it: the cursor in the code field, the time zone guessed
from the browser and searchable, and the right command named for printing the code again."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from incidents.models import User
from incidents.services import setup_code_get_or_create

pytestmark = pytest.mark.browser

PASSWORD = "plum kettle lighthouse 42"


def test_setup_starts_in_the_code_field_guesses_the_zone_and_lets_the_user_search(
    browser, live_server, network, a11y
):
    code = setup_code_get_or_create()
    context = browser.new_context(base_url=live_server.url, timezone_id="Pacific/Auckland")
    context.route("**/*", network.handle)
    page = context.new_page()
    a11y.watch(page)
    try:
        page.goto("/setup/")
        a11y(page)
        expect(page.get_by_label("Setup code")).to_be_focused()
        zone = page.locator("#id_time_zone")
        expect(zone).to_have_value("Pacific/Auckland")
        guess = page.get_by_text("Chosen from this device's clock: Pacific/Auckland")
        expect(guess).to_be_visible()
        expect(page.get_by_text(settings.SETUP_CODE_COMMAND)).to_be_visible()

        page.get_by_label("Search the time zones").fill("berlin")
        expect(zone).to_have_value("Europe/Berlin")
        expect(zone.locator("option:not([hidden])")).to_have_count(1)
        page.get_by_label("Search the time zones").fill("nowhere at all")
        expect(page.get_by_text("No time zone matches that")).to_be_visible()
        page.get_by_label("Search the time zones").fill("lisbon")
        a11y(page)

        page.get_by_label("Setup code").fill(code)
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password confirmation").fill(PASSWORD)
        page.get_by_role("button", name="Create my account").click()
        expect(page.get_by_role("status")).to_contain_text("Your account is ready")
        a11y(page)
        assert User.objects.get().time_zone == "Europe/Lisbon"
    finally:
        context.close()
    assert not network.offsite
