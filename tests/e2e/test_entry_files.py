"""Files while logging, on a phone: an incident and two pictures go in with one save, each with
its own caption and a preview first; without JavaScript the plain file input still works."""

import random
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from incidents.models import Evidence, Incident
from incidents.screenshots import chat_screenshot

pytestmark = pytest.mark.browser

NOT_AN_IMAGE = b"<!doctype html><html><body><p>Not a picture at all.</p></body></html>"


def _picture(tmp_path, number: int):
    path = tmp_path / f"IMG_2025-03-14-21-{number:02d}.png"
    path.write_bytes(
        chat_screenshot(
            contact="Unknown number",
            messages=["I saw you at the bakery today.", f"Message {number}"],
            sent_at=datetime(2025, 3, 14, 21, number),
            rng=random.Random(number),
            size=(390, 844),
        )
    )
    return path


def test_on_a_phone_an_incident_and_two_pictures_are_saved_in_one_go(
    phone, a11y, sign_in, alice, tmp_path
):
    first, second = _picture(tmp_path, 1), _picture(tmp_path, 2)
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    phone.get_by_label("What happened").fill("They sent two pictures of my front door.")
    phone.get_by_label("Choose pictures or files").set_input_files([first, second])

    queue = phone.locator("[data-file-queue]")
    expect(queue.get_by_role("listitem")).to_have_count(2)
    for path in (first, second):
        item = queue.get_by_role("listitem").filter(has_text=path.name)
        expect(item.locator(".file-queue-name")).to_have_text(path.name)
        expect(item.locator("img.file-queue-preview")).to_have_js_property("complete", True)
        assert item.locator("img.file-queue-preview").evaluate("i => i.naturalWidth") > 0
    queue.get_by_label(f"Caption for {second.name} (optional)").fill("The second picture")
    a11y(phone)
    assert not Incident.objects.exists()  # nothing is sent before Save

    phone.get_by_role("button", name="Save").tap()
    expect(phone.get_by_role("status")).to_contain_text("Saved with 2 files")
    evidence = phone.get_by_role("region", name="Evidence")
    expect(evidence.get_by_role("link", name=re.compile(r"^Exhibit \d"))).to_have_count(2)
    a11y(phone)
    incident = Incident.objects.get()
    kept = list(Evidence.objects.filter(incident=incident).order_by("exhibit_number"))
    assert [item.original_name for item in kept] == [first.name, second.name]
    assert [item.caption for item in kept] == ["", "The second picture"]


def test_a_file_the_app_cannot_take_is_named_and_the_entry_kept(
    phone, a11y, sign_in, alice, tmp_path
):
    fake = tmp_path / "photo.png"
    fake.write_bytes(NOT_AN_IMAGE)
    good = _picture(tmp_path, 3)
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    phone.get_by_label("What happened").fill("A note on the windscreen.")
    phone.get_by_label("Choose pictures or files").set_input_files([good, fake])
    phone.get_by_role("button", name="Save").tap()
    expect(phone.get_by_role("main")).to_contain_text("“photo.png” was not added.")
    a11y(phone)
    incident = Incident.objects.get()
    assert incident.description == "A note on the windscreen."
    assert [e.original_name for e in Evidence.objects.filter(incident=incident)] == [good.name]


def test_a_pasted_screenshot_joins_the_list_and_is_saved_with_the_entry(
    page, a11y, sign_in, alice, tmp_path
):
    picture = _picture(tmp_path, 4).read_bytes()
    sign_in(page, alice)
    page.goto("/incidents/new/")
    a11y(page)
    page.get_by_label("What happened").fill("A message with a photo of my street.")
    # What a browser does when a screenshot is pasted: a paste event carrying the image file.
    page.get_by_label("What happened").evaluate(
        """(field, bytes) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "image.png", {type: "image/png"});
            transfer.items.add(file);
            const paste = {clipboardData: transfer, bubbles: true};
            field.dispatchEvent(new ClipboardEvent("paste", paste));
        }""",
        list(picture),
    )
    item = page.locator("[data-file-queue]").get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item.locator(".file-queue-name")).to_have_text("image.png")
    expect(page.get_by_label("What happened")).to_have_value("A message with a photo of my street.")
    a11y(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved with 1 file")
    a11y(page)
    assert Evidence.objects.get().original_name == "image.png"


def test_files_past_the_total_a_request_may_carry_are_named_before_sending(
    phone, a11y, sign_in, alice, tmp_path, settings
):
    # 2 MB for the whole request, 1 MB of it for files: the second 0.6 MB file would not fit.
    settings.EVIDENCE_MAX_REQUEST_MB = 2
    first, second = (tmp_path / "voice-1.mp3", tmp_path / "voice-2.mp3")
    for path in (first, second):
        path.write_bytes(b"\xff\xfb\x90\x00" * 150_000)
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    expect(phone.locator("#entry-files-hint")).to_contain_text("2 MB together")
    phone.get_by_label("Choose pictures or files").set_input_files([first, second])

    queue = phone.locator("[data-file-queue]")
    refused = queue.get_by_role("listitem").filter(has_text=second.name)
    expect(refused).to_contain_text("2 MB together at most")
    assert phone.get_by_label("Choose pictures or files").evaluate("i => i.files.length") == 1
    phone.goto("/")  # leaving the form keeps its draft now, not while the test database closes
    a11y(phone)
