"""First run and signing in, as the person who runs the server does them."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import User
from incidents.services import setup_code_get_or_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "plum kettle lighthouse 42"


def test_a_new_owner_sets_up_the_app_with_the_console_code(page, a11y, live_server):
    code = setup_code_get_or_create()

    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/setup/")
    a11y(page)

    page.get_by_label("Setup code").fill("WRONG-CODE-0000")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("alert")).to_contain_text("Please check the field marked below")
    expect(page.get_by_label("Setup code")).to_have_accessible_description(
        re.compile("That code does not match")
    )
    expect(page.get_by_label("Username")).to_have_value("sam")
    assert not User.objects.exists()
    a11y(page)

    page.get_by_label("Setup code").fill(code.lower())
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    # Two-factor sign-in is offered next, with the reason, and can be left for later.
    expect(page).to_have_url(f"{live_server.url}/account/two-factor/start/")
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    expect(page.get_by_text("the password alone is not enough")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Not now").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Log what happened")).to_be_visible()
    a11y(page)
    assert User.objects.get().username == "sam"


def test_an_owner_signs_in_and_out(page, a11y, live_server, alice):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    a11y(page)

    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That user name and password did not work. Please try again."
    )
    expect(page.get_by_label("User name")).to_have_value("alice")
    expect(page.get_by_label("Password")).to_have_value("")
    a11y(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Log what happened")).to_be_visible()
    a11y(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    a11y(page)

    page.goto("/timeline/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))
    a11y(page)


def test_an_unknown_user_name_gets_the_same_message_as_a_wrong_password(page, a11y, alice):
    page.goto("/sign-in/")
    page.get_by_label("User name").fill("nobody")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That user name and password did not work. Please try again."
    )
    a11y(page)
