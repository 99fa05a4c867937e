"""Logging, finding, amending and deleting incidents, as the person being stalked does it."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident

pytestmark = pytest.mark.browser

FIRST_TEXT = "He stood across the road from the bakery for twenty minutes."
AMENDED_TEXT = "He stood across the road from the bakery for forty minutes, then followed me."


def local_input_time(user, delta: timedelta) -> str:
    """A time as the browser's date and time field takes it, in the user's own time zone."""
    moment = (timezone.now() + delta).astimezone(zoneinfo.ZoneInfo(user.time_zone))
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_on_a_phone_one_logs_finds_and_amends_an_incident(
    phone, a11y, sign_in, alice, incident, live_server
):
    sign_in(phone, alice)
    phone.goto("/")
    a11y(phone)

    phone.get_by_role("link", name="Log what happened").tap()
    expect(phone).to_have_url(f"{live_server.url}/incidents/new/")
    a11y(phone)
    phone.get_by_label("When it happened").fill(local_input_time(alice, -timedelta(minutes=30)))
    phone.get_by_label("What happened").fill(FIRST_TEXT)
    phone.get_by_role("button", name="Save").tap()

    expect(phone.get_by_role("status")).to_contain_text("Saved.")
    expect(phone.get_by_text(FIRST_TEXT)).to_be_visible()
    a11y(phone)
    logged = Incident.objects.get(description=FIRST_TEXT)
    assert logged.case == alice.cases.get()

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline").tap()
    expect(phone.get_by_role("link", name=re.compile("bakery"))).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Fourteen missed calls"))).to_be_visible()
    a11y(phone)

    phone.get_by_text("Search and filter").tap()
    phone.get_by_label("Search").fill("bakery")
    phone.get_by_role("button", name="Show").tap()
    expect(phone.get_by_text("1 incident matches your filters.")).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Fourteen missed calls"))).to_have_count(0)
    a11y(phone)

    phone.get_by_role("link", name=re.compile("bakery")).tap()
    expect(phone).to_have_url(f"{live_server.url}/incidents/{logged.uuid}/")
    a11y(phone)
    phone.get_by_role("link", name="Amend").tap()
    expect(phone.get_by_role("heading", name="Amend this entry")).to_be_visible()
    expect(phone.get_by_label("What happened")).to_have_value(FIRST_TEXT)
    a11y(phone)
    phone.get_by_label("What happened").fill(AMENDED_TEXT)
    phone.get_by_role("button", name="Save").tap()

    expect(phone.get_by_role("status")).to_contain_text("Amended.")
    expect(phone.get_by_text(re.compile(r"Entered on .*, amended on "))).to_be_visible()
    history = phone.get_by_role("region", name="History of changes")
    change = history.get_by_role("row", name=re.compile("What happened"))
    expect(change.get_by_role("cell").nth(0)).to_have_text(FIRST_TEXT)
    expect(change.get_by_role("cell").nth(1)).to_have_text(AMENDED_TEXT)
    a11y(phone)


def test_an_invalid_quick_entry_shows_the_error_beside_the_field_and_keeps_the_input(
    page, a11y, sign_in, alice
):
    sign_in(page, alice)
    page.goto("/incidents/new/")
    a11y(page)
    when, what = page.get_by_label("When it happened"), page.get_by_label("What happened")

    earlier = local_input_time(alice, -timedelta(hours=2))
    when.fill(earlier)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Everything you typed is still here.")
    expect(what).to_have_accessible_description(re.compile("This field is required"))
    expect(what).to_have_attribute("aria-invalid", "true")
    expect(when).to_have_value(earlier)
    a11y(page)

    tomorrow = local_input_time(alice, timedelta(days=1))
    when.fill(tomorrow)
    what.fill("A note left under the wiper of my car.")
    page.get_by_role("button", name="Save").click()
    expect(when).to_have_accessible_description(re.compile("This is in the future"))
    expect(when).to_have_value(tomorrow)
    expect(what).to_have_value("A note left under the wiper of my car.")
    expect(what).not_to_have_attribute("aria-invalid", "true")
    a11y(page)
    assert not Incident.objects.exists()


def test_a_deleted_incident_waits_in_the_trash_and_can_be_restored(
    page, a11y, sign_in, alice, incident, live_server
):
    sign_in(page, alice)
    page.goto(f"/incidents/{incident.uuid}/")
    a11y(page)

    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete this entry?")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="Move to trash").click()

    expect(page).to_have_url(f"{live_server.url}/timeline/")
    expect(page.get_by_role("status").first).to_contain_text("Moved to the trash")
    expect(page.get_by_text("Fourteen missed calls")).to_have_count(0)
    a11y(page)
    incident.refresh_from_db()
    assert incident.deleted_at is not None

    page.get_by_role("link", name="Account").click()
    a11y(page)
    page.get_by_role("link", name="Trash").click()
    entry = page.get_by_role("listitem").filter(has_text="Fourteen missed calls")
    expect(entry).to_be_visible()
    a11y(page)
    entry.get_by_role("button", name="Restore").click()

    expect(page).to_have_url(f"{live_server.url}/incidents/{incident.uuid}/")
    expect(page.get_by_role("status")).to_contain_text("Restored.")
    a11y(page)
    page.get_by_role("link", name="← Timeline").click()
    expect(page.get_by_role("link", name=re.compile("Fourteen missed calls"))).to_be_visible()
    a11y(page)
    incident.refresh_from_db()
    assert incident.deleted_at is None
