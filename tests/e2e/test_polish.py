"""Small things a reader noticed, in a real browser: an image preview opens without breaking the
content policy, and text fields count their characters."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from incidents import services

pytestmark = pytest.mark.browser


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 500), "#88aacc").save(buffer, "PNG")
    return SimpleUploadedFile("shot.png", buffer.getvalue(), "image/png")


def test_opening_an_image_preview_breaks_no_rule_of_the_content_policy(
    page, a11y, sign_in, alice, incident
):
    item = services.evidence_add(case=incident.case, attached_to=incident, upload=_png())
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, alice)
    page.goto(f"/evidence/{item.uuid}/")
    a11y(page)
    page.locator("a:has(img.preview)").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/evidence/{item.uuid}/preview/")
    expect(page.locator("img")).to_have_count(1)
    # The browser's own image page: none of our markup to audit (and no scripts may run in it).
    a11y.checked.add(page.url)
    assert not blocked, "\n".join(blocked)
