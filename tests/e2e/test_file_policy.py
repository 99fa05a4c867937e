"""Files opened on their own (an image preview, a PDF original) show in the browser's own
viewer under the files' sandboxed policy without a single content-policy error, and no page or
file draws a complaint about the Permissions-Policy."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Frame, Page, expect

from incidents import services

pytestmark = pytest.mark.browser

POLICIES = ("Content Security Policy", "Permissions-Policy", "Permissions Policy")


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "steelblue").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png")


def _pdf() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, "PDF")
    return SimpleUploadedFile("letter.pdf", buffer.getvalue(), "application/pdf")


def _complaints(page: Page) -> list[str]:
    """Every console message about a policy, from the page and the viewers inside it."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if any(policy in message.text for policy in POLICIES)
            else None
        ),
    )
    # The PDF viewer is the browser's own, drawn from chrome:// and chrome-extension:// pages:
    # not other hosts, so let them through the test's guard against offsite requests.
    for viewer in ("chrome-extension://**", "chrome://**"):
        page.route(viewer, lambda route: route.continue_())
    return found


def _pdf_viewer(page: Page) -> Frame:
    """The browser's PDF viewer inside the page (it takes a moment to start)."""
    for _ in range(60):
        found = [f for f in page.frames if f.url.startswith("chrome-extension://")]
        if found:
            return found[0]
        page.wait_for_timeout(250)  # lets the browser's events through, unlike sleep()
    raise AssertionError("The PDF viewer did not open.")


def _viewer_only(page: Page, a11y) -> None:
    # The browser's own image or PDF viewer, not a page of the app: nothing for axe to judge.
    a11y.checked.add(page.url)


def test_an_image_and_a_pdf_opened_on_their_own_raise_no_policy_errors(
    page, a11y, sign_in, alice, incident
):
    image = services.evidence_add(case=incident.case, upload=_png(), attached_to=incident)
    pdf = services.evidence_add(case=incident.case, upload=_pdf(), attached_to=incident)
    complaints = _complaints(page)
    sign_in(page, alice)

    page.goto(incident.get_absolute_url())
    a11y(page)
    for variant in ("evidence_preview", "evidence_thumbnail"):
        page.goto(reverse(variant, args=[image.uuid]))
        _viewer_only(page, a11y)
        shown = page.locator("img")
        expect(shown).to_be_visible()
        assert shown.evaluate("img => img.naturalWidth") > 0

    page.goto(reverse("evidence_original", args=[pdf.uuid]))
    _viewer_only(page, a11y)
    viewer = _pdf_viewer(page)
    # The viewer names the file in its toolbar once the PDF has loaded.
    expect(viewer.locator("#title")).to_contain_text("exhibit-", timeout=15_000)
    page.wait_for_timeout(500)  # messages logged while the page is drawn

    assert not complaints, "\n".join(complaints)
