"""The quick exit: one tap, one Tab or three presses of Esc, and the app is gone from the screen."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def network(network):
    # The exit goes to another site; the browser is shown a stand-in page instead.
    network.fulfil_quick_exit = True
    return network


def test_the_first_tab_reaches_quick_exit_which_leaves_with_no_way_back(
    page, a11y, sign_in, alice, live_server
):
    sign_in(page, alice)
    page.goto("/")
    a11y(page)

    page.keyboard.press("Tab")
    quick_exit = page.get_by_role("link", name="Quick exit")
    expect(quick_exit).to_be_focused()
    quick_exit.click()
    expect(page).to_have_url(settings.QUICK_EXIT_URL)
    expect(page).to_have_title("Welcome")

    # location.replace: the app page is gone from the history, so Back cannot show it again.
    page.go_back()
    assert not page.url.startswith(live_server.url), f"Back returned to {page.url}"


def test_pressing_escape_three_times_leaves_the_app(page, a11y, sign_in, alice):
    sign_in(page, alice)
    page.goto("/timeline/")
    a11y(page)

    for _ in range(3):
        page.keyboard.press("Escape")
    expect(page).to_have_url(settings.QUICK_EXIT_URL)
