"""One file, one exhibit, in the browser: the same screenshot sent for a second incident is
recognised and attached there too; leaving a page while files are uploading asks first."""

import re

import pytest
from playwright.sync_api import Route, expect

from incidents.models import Evidence, ExhibitLink
from tests.conftest import make_incident

from .test_evidence import queued, screenshots

pytestmark = pytest.mark.browser


def test_the_same_screenshot_for_a_second_incident_is_attached_there_as_the_same_exhibit(
    phone, a11y, sign_in, alice, tmp_path
):
    first = make_incident(alice, description="Texts all evening")
    second = make_incident(alice, description="The same texts, reported again")
    (shot,) = screenshots(tmp_path, 1)
    sign_in(phone, alice)
    phone.goto(first.get_absolute_url())
    a11y(phone)
    phone.get_by_label("Files", exact=True).set_input_files([shot])
    phone.get_by_role("button", name="Add files").tap()
    expect(phone.get_by_role("link", name=re.compile(r"^Exhibit 1\b"))).to_be_visible()

    phone.goto(second.get_absolute_url())
    a11y(phone)
    phone.get_by_label("Files", exact=True).set_input_files([shot])
    phone.get_by_role("button", name="Add files").tap()
    entry = queued(phone, shot.name)
    expect(entry).to_contain_text(
        f"“{shot.name}” was not stored again: the same file is already exhibit 1, "
        f"attached to {first}."
    )
    expect(entry.get_by_role("link", name="Open exhibit 1")).to_be_visible()
    a11y(phone)
    entry.get_by_role("button", name="Attach exhibit 1 to this record as well").tap()

    expect(phone).to_have_url(re.compile(re.escape(second.get_absolute_url()) + "$"))
    expect(phone.get_by_text("Exhibit 1 is now attached here as well.")).to_be_visible()
    evidence = phone.get_by_role("region", name="Evidence")
    expect(evidence.get_by_role("link", name=re.compile(r"^Exhibit 1\b"))).to_be_visible()
    a11y(phone)
    assert Evidence.objects.count() == 1
    assert ExhibitLink.objects.get().incident_id == second.id


def test_leaving_while_files_are_uploading_asks_first(
    phone, a11y, sign_in, alice, incident, tmp_path
):
    (shot,) = screenshots(tmp_path, 1)
    sign_in(phone, alice)
    phone.goto(incident.get_absolute_url())
    a11y(phone)
    held: list[Route] = []

    def hold_the_first_upload(route: Route) -> None:
        if held:
            route.fallback()
        else:
            held.append(route)  # the file stays "on its way" until released below

    phone.route(re.compile(r".*/evidence/$"), hold_the_first_upload)
    asked = []

    def on_dialog(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    phone.on("dialog", on_dialog)
    phone.get_by_label("Files", exact=True).set_input_files([shot])
    phone.get_by_role("button", name="Add files").tap()
    phone.wait_for_timeout(300)
    assert held, "the upload did not start"
    phone.get_by_role("link", name="Timeline").first.click(no_wait_after=True)
    phone.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(phone).to_have_url(re.compile(re.escape(incident.get_absolute_url()) + "$"))

    # Once the file has arrived, nothing is asked.
    held[0].fallback()
    expect(phone.get_by_role("link", name=re.compile(r"^Exhibit 1\b"))).to_be_visible()
    a11y(phone)
    phone.get_by_role("link", name="Timeline").first.click()
    expect(phone).to_have_url(re.compile(r"/timeline/"))
    a11y(phone)
    assert asked == ["beforeunload"]
