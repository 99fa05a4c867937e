"""The designed look, in a real browser: every main page passes axe at phone and desktop sizes,
in light and in dark mode, and Quick exit never lies over the text while scrolling."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from incidents import services

pytestmark = pytest.mark.browser

PAGES = ["/", "/incidents/new/", "/timeline/", "/patterns/", "/steps/", "/people/", "/account/"]


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 500), "#88aacc").save(buffer, "PNG")
    return SimpleUploadedFile("shot.png", buffer.getvalue(), "image/png")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["phone", "page"])
def test_main_pages_pass_axe_in_both_schemes_and_sizes(
    request, size, scheme, a11y, sign_in, alice, incident
):
    tab = request.getfixturevalue(size)
    services.evidence_add(case=incident.case, attached_to=incident, upload=_png())
    tab.emulate_media(color_scheme=scheme)
    sign_in(tab, alice)
    for path in [*PAGES, f"/incidents/{incident.uuid}/"]:
        tab.goto(path)
        a11y(tab)
    expect(tab.get_by_role("heading", name="Evidence")).to_be_visible()


def test_quick_exit_keeps_its_own_band_and_covers_no_text_while_scrolling(
    phone, a11y, sign_in, alice, incident
):
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/")
    a11y(phone)
    phone.evaluate("window.scrollTo(0, 300)")
    assert phone.evaluate("window.scrollY") > 0
    exit_box = phone.get_by_role("link", name="Quick exit").bounding_box()
    header_box = phone.locator(".site-header").bounding_box()
    # Still at hand at the top after scrolling, and inside the header's own band...
    assert header_box["y"] == 0
    assert exit_box["y"] + exit_box["height"] <= header_box["height"]
    # ...so what is drawn at its centre is the header, never a line of the page's text under it.
    centre = [exit_box["x"] + exit_box["width"] / 2, exit_box["y"] + exit_box["height"] / 2]
    assert phone.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.site-header') !== null", centre
    )
