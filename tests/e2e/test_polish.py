"""Small things a reader noticed, in a real browser: an image preview opens without breaking the
content policy, and text fields count their characters."""

import io
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident

pytestmark = pytest.mark.browser

# Screenshots for a person to look at (not compared by the tests).
SHOTS = Path(tempfile.gettempdir()) / "stalkerlog-screenshots"
SHOTS.mkdir(exist_ok=True)


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


def test_on_a_phone_the_description_counts_its_characters_and_a_too_long_one_is_kept(
    phone, a11y, sign_in, alice
):
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    counter = phone.locator("#id_description_count")
    expect(counter).to_have_text("0 of 20,000 characters")

    phone.locator("#id_description").fill("They were at the gate.")
    expect(counter).to_have_text("22 of 20,000 characters")

    too_long = ("They were at the gate again.\n" * 700).strip()  # 20,299 characters
    phone.locator("#id_description").fill(too_long)
    expect(counter).to_have_text("20,299 characters: 299 more than the 20,000 this field holds")
    expect(counter).to_have_class("char-count char-count-over")
    phone.screenshot(path=SHOTS / "counter-phone.png", full_page=False)

    phone.get_by_role("button", name="Save").click()
    a11y(phone)
    expect(phone.locator("#id_description_error")).to_contain_text(
        "This is 20,299 characters long, and the most it can hold is 20,000."
    )
    # Every character is back in the field (the browser sent line breaks as CR LF; they are
    # counted, and shown, as one character each).
    assert phone.locator("#id_description").input_value() == too_long
    expect(phone.locator("#id_description_count")).to_have_class("char-count char-count-over")


def test_history_tables_on_a_phone_keep_every_word_whole(phone, a11y, sign_in, alice, incident):
    services.record_amend(
        record=incident,
        changes={
            "kind": "threats",
            "location": "Outside the neighbourhood pharmacy on Wellington Road",
            "witnesses": "Representative from the neighbourhood association",
        },
    )
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/")
    a11y(phone)
    history = phone.locator(".history table").first
    history.scroll_into_view_if_needed()
    phone.screenshot(path=SHOTS / "history-phone.png", full_page=False)
    split = phone.evaluate(SPLIT_WORDS, ".history tbody td, .history tbody th")
    assert split == [], split


# Words (in the given cells) whose letters the browser laid out on more than one line.
SPLIT_WORDS = """(selector) => {
  const split = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_demo_data_is_marked_on_the_pages_and_removed_in_one_action(
    request, size, a11y, sign_in, alice
):
    tab = request.getfixturevalue("phone" if size == "phone" else "page")
    call_command("seed_demo", user="alice", incidents=12, stdout=io.StringIO())
    sign_in(tab, alice)
    tab.goto("/")
    a11y(tab)
    banner = tab.get_by_role("note")
    expect(banner).to_contain_text("Demonstration data. This account holds invented records")
    expect(tab.locator(".entry .badge-demo").first).to_be_visible()
    tab.screenshot(path=SHOTS / f"demo-banner-{size}.png", full_page=False)

    tab.goto("/notices/new/")
    a11y(tab)
    expect(banner).to_be_visible()
    tab.screenshot(path=SHOTS / f"counters-{size}.png", full_page=True)

    tab.get_by_role("link", name="Remove the demonstration data…").click()
    a11y(tab)
    expect(tab.get_by_role("heading", level=1)).to_have_text("Remove the demonstration data?")
    tab.get_by_role("button", name="Remove the demonstration data").click()
    a11y(tab)
    expect(tab.locator(".messages")).to_contain_text("The demonstration data has been removed.")
    expect(tab.get_by_role("note")).to_have_count(0)
    assert not Incident.objects.exists()
