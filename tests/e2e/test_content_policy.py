"""The pages work under their strict Content-Security-Policy: nothing on them is blocked."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_main_pages_break_no_rule_of_their_policy(page, a11y, sign_in, alice, incident):
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(page, alice)

    for url in ("/", "/timeline/", "/patterns/", f"/incidents/{incident.uuid}/", "/steps/"):
        page.goto(url)
        a11y(page)
    # The upload script ran: it marks the page and hides the shared caption.
    expect(page.locator("html.js")).to_have_count(1)

    assert not blocked, "\n".join(blocked)
