"""Adding screenshots and documents to the record, and checking later that none has changed."""

import base64
import hashlib
import random
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Locator, Page, Route, expect

from incidents import services
from incidents.models import Evidence
from incidents.screenshots import chat_screenshot

from .conftest import PHONE, _open_page

pytestmark = pytest.mark.browser

# Small screens keep the images quick to make and to upload; they are still real PNGs.
SMALL = (390, 844)
MESSAGES = [
    ["Why aren't you answering?", "I know you're home, your light is on."],
    ["You can't ignore me forever."],
    ["I saw you at the bakery today.", "Nice coat."],
]
NOT_AN_IMAGE = b"<!doctype html><html><body><p>Not a picture at all.</p></body></html>"


def screenshot(number: int) -> bytes:
    return chat_screenshot(
        contact="Unknown number",
        messages=MESSAGES[number % len(MESSAGES)],
        sent_at=datetime(2025, 3, 14, 21, number),
        rng=random.Random(number),
        size=SMALL,
    )


def screenshots(directory: Path, count: int) -> list[Path]:
    paths = []
    for number in range(1, count + 1):
        path = directory / f"Screenshot_2025-03-14-21-{number:02d}.png"
        path.write_bytes(screenshot(number))
        paths.append(path)
    return paths


def upload_queue(page: Page) -> Locator:
    return page.locator("[data-upload-queue]")


def queued(page: Page, name: str) -> Locator:
    return upload_queue(page).get_by_role("listitem").filter(has_text=name)


def expect_image_loaded(image: Locator) -> None:
    """The image was fetched and decoded: a broken one has no natural width."""
    image.scroll_into_view_if_needed()  # thumbnails load lazily, once near the screen
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0, f"{image} did not load"


def stored_originals(settings) -> list[Path]:
    return [p for p in (settings.EVIDENCE_DIR / "originals").rglob("*") if p.is_file()]


@pytest.fixture
def phone_without_js(browser, live_server, network, a11y):
    """The phone, with JavaScript switched off (as in Tor Browser's safest mode)."""
    yield from _open_page(browser, live_server, network, a11y, java_script_enabled=False, **PHONE)


@pytest.fixture
def a11y_without_js(browser, live_server, network, a11y):
    """Checks a page shown without JavaScript.

    axe needs scripts to run, so the page as it was shown is replayed, at its own address, in a
    tab that runs axe but none of the page's own scripts.
    """
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.route("**/*", network.handle)

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        shown, url = page.content(), page.url
        context.add_cookies(page.context.cookies())  # the images need the session
        replay = context.new_page()

        def serve(route: Route) -> None:
            if route.request.url == url and route.request.is_navigation_request():
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=shown)
            elif route.request.resource_type == "script":
                route.abort()
            else:
                route.fallback()

        replay.route("**/*", serve)
        replay.goto(url)
        a11y(replay)
        replay.close()

    yield check
    context.close()


def test_on_a_phone_several_screenshots_are_added_at_once_each_with_its_own_caption(
    phone, a11y, sign_in, alice, incident, tmp_path, live_server
):
    files = screenshots(tmp_path, 3)
    caption = "Texts from 555-0100 after I blocked their old number"
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/")
    a11y(phone)

    phone.get_by_label("Files", exact=True).set_input_files(files)
    expect(upload_queue(phone).get_by_role("listitem")).to_have_count(3)
    for path in files:
        entry = queued(phone, path.name)
        caption_field = entry.get_by_role("textbox", name=f"Caption for {path.name} (optional)")
        expect(caption_field).to_be_visible()
        progress = entry.get_by_role("progressbar", name=f"Upload progress for {path.name}")
        expect(progress).to_be_visible()
    a11y(phone)
    queued(phone, files[1].name).get_by_role("textbox").fill(caption)
    phone.get_by_role("button", name="Add files").tap()

    evidence = phone.get_by_role("region", name="Evidence")
    for number in (1, 2, 3):
        card = evidence.get_by_role("link", name=re.compile(rf"^Exhibit {number}\b"))
        expect(card).to_be_visible()
        expect_image_loaded(card.locator("img"))
    expect(evidence.get_by_role("link", name=re.compile(caption))).to_have_count(1)
    a11y(phone)
    kept = list(Evidence.objects.order_by("received_at"))
    assert [item.original_name for item in kept] == [path.name for path in files]
    assert [item.caption for item in kept] == ["", caption, ""]

    evidence.get_by_role("link", name=re.compile(r"^Exhibit 2\b")).tap()
    expect(phone).to_have_url(f"{live_server.url}/evidence/{kept[1].uuid}/")
    expect(phone.get_by_role("heading", name="Exhibit 2")).to_be_visible()
    expect_image_loaded(phone.get_by_role("img", name=f"Exhibit 2: {caption}"))
    expect(phone.get_by_role("textbox", name="Caption")).to_have_value(caption)
    sha256 = hashlib.sha256(files[1].read_bytes()).hexdigest()
    expect(phone.get_by_text(sha256)).to_be_visible()
    a11y(phone)


def test_a_refused_file_shows_its_reason_in_the_list_and_the_good_one_is_kept(
    phone, a11y, sign_in, alice, incident, tmp_path, settings
):
    (good,) = screenshots(tmp_path, 1)
    bad = tmp_path / "message-from-them.jpg"
    bad.write_bytes(NOT_AN_IMAGE)
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/")
    a11y(phone)

    phone.get_by_label("Files", exact=True).set_input_files([bad, good])
    phone.get_by_role("button", name="Add files").tap()

    expect(queued(phone, bad.name)).to_contain_text(
        f"“{bad.name}” was not added. This is not a file type the app keeps."
    )
    expect(queued(phone, good.name)).to_contain_text("Added.")
    expect(upload_queue(phone)).to_contain_text("1 file was added.")
    expect(phone.get_by_role("button", name="Add files")).to_be_enabled()
    a11y(phone)
    (kept,) = Evidence.objects.all()
    assert kept.original_name == good.name
    assert [p.read_bytes() for p in stored_originals(settings)] == [good.read_bytes()]


def test_a_screenshot_pasted_from_the_clipboard_is_listed_and_added(
    phone, a11y, sign_in, alice, incident
):
    png = screenshot(7)
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/")
    a11y(phone)

    # What the browser hands the page when one pastes a copied screenshot.
    phone.evaluate(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
            document.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: transfer, bubbles: true, cancelable: true,
            }));
        }""",
        base64.b64encode(png).decode(),
    )
    expect(upload_queue(phone).get_by_role("listitem")).to_have_count(1)
    entry = queued(phone, "image.png")
    expect(entry.get_by_role("progressbar")).to_be_visible()
    entry.get_by_role("textbox", name="Caption for image.png (optional)").fill(
        "Their post about me"
    )
    a11y(phone)
    phone.get_by_role("button", name="Add files").tap()

    card = phone.get_by_role("link", name=re.compile(r"^Exhibit 1\b.*Their post about me"))
    expect(card).to_be_visible()
    expect_image_loaded(card.locator("img"))
    a11y(phone)
    (kept,) = Evidence.objects.all()
    assert (kept.original_name, kept.caption, kept.incident) == (
        "image.png",
        "Their post about me",
        incident,
    )
    assert kept.sha256 == hashlib.sha256(png).hexdigest()


def test_without_javascript_the_plain_form_adds_several_files_with_one_caption(
    phone_without_js, a11y_without_js, sign_in, alice, incident, tmp_path
):
    phone = phone_without_js
    files = screenshots(tmp_path, 2)
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/")
    expect(phone.locator("html")).not_to_have_class(re.compile(r"\bjs\b"))
    a11y_without_js(phone)

    phone.get_by_label("Files", exact=True).set_input_files(files)
    phone.get_by_role("textbox", name="Caption (optional)").fill("Two texts, 21:01 and 21:02")
    phone.get_by_role("button", name="Add files").tap()

    expect(phone.get_by_role("status")).to_contain_text("2 files added.")
    evidence = phone.get_by_role("region", name="Evidence")
    for number in (1, 2):
        card = evidence.get_by_role("link", name=re.compile(rf"^Exhibit {number}\b"))
        expect(card).to_contain_text("Two texts, 21:01 and 21:02")
        expect_image_loaded(card.locator("img"))
    a11y_without_js(phone)
    assert sorted(Evidence.objects.values_list("original_name", "caption")) == [
        (path.name, "Two texts, 21:01 and 21:02") for path in files
    ]


def test_the_gallery_lists_every_file_with_its_fingerprint_and_finds_them_intact(
    phone, a11y, sign_in, alice, incident, live_server
):
    case = incident.case
    items = [
        services.evidence_add(
            case=case,
            attached_to=incident,
            upload=SimpleUploadedFile(f"call-log-{n}.png", screenshot(n), "image/png"),
        )
        for n in (1, 2)
    ]
    police_report = b"%PDF-1.4\n% A police report, reference 2025/0314\n%%EOF\n"
    items.append(
        services.evidence_add(
            case=case,
            upload=SimpleUploadedFile("police-report.pdf", police_report, "application/pdf"),
            caption="Police report",
        )
    )
    sign_in(phone, alice)
    phone.goto(f"/people/{case.uuid}/")
    a11y(phone)

    phone.get_by_role("link", name="Evidence files and documents").tap()
    expect(phone).to_have_url(f"{live_server.url}/people/{case.uuid}/evidence/")
    expect(phone.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()
    for number, item in enumerate(items, start=1):
        card = phone.get_by_role("listitem").filter(has_text=f"Exhibit {number}")
        expect(card.get_by_text(item.sha256)).to_be_visible()
    expect(
        phone.get_by_role("link", name=re.compile(r"^Exhibit 3\b.*Police report"))
    ).to_be_visible()
    a11y(phone)  # waits for the style sheet, which the next check needs
    # The 64-character fingerprints wrap instead of making the page scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.get_by_role("button", name="Check that no file has changed").tap()
    expect(phone.get_by_role("status")).to_contain_text(
        "All 3 files checked: each is exactly as it was received."
    )
    a11y(phone)
