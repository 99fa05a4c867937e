"""Someone guessing at the owner's password from the same place does not keep her out of a
phone she has signed in on before, in a real browser (which must keep the device's cookie
through signing out); the pause is said plainly; a signed-in browser is offered to sign out."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(tab, password, keep=False):
    tab.get_by_label("User name").fill("alice")
    tab.get_by_label("Password", exact=True).fill(password)
    if keep:
        tab.get_by_label("Keep me signed in on this device").check()
    tab.get_by_role("button", name="Sign in").click()


def test_a_guesser_on_the_same_network_does_not_keep_the_owner_out_of_her_phone(
    phone, page, a11y, live_server, alice
):
    url = live_server.url
    phone.goto("/sign-in/")
    a11y(phone)
    _sign_in(phone, PASSWORD)
    expect(phone).to_have_url(f"{url}/")
    a11y(phone)
    phone.get_by_role("button", name="Sign out").click()
    expect(phone).to_have_url(f"{url}/sign-in/")
    a11y(phone)

    # Another browser at the same address (the live server sees 127.0.0.1 for both).
    page.goto("/sign-in/")
    for _ in range(5):
        _sign_in(page, "not the password")
    expect(page.get_by_role("alert")).to_contain_text(
        "Sign-in from here is paused for 15 more minutes"
    )
    a11y(page)
    _sign_in(page, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Sign-in from here is paused")
    expect(page).to_have_url(f"{url}/sign-in/")
    a11y(page)

    _sign_in(phone, PASSWORD, keep=True)
    expect(phone).to_have_url(f"{url}/")
    expect(phone.get_by_role("link", name="Log what happened")).to_be_visible()
    a11y(phone)

    phone.goto("/sign-in/")
    expect(phone.get_by_text("This browser is signed in as")).to_contain_text("alice")
    expect(phone.get_by_role("button", name="Sign out").first).to_be_visible()
    a11y(phone)
