"""A forgotten password in a real browser: 'Forgot your password?' from the sign-in page with a
recovery code, a mistake kept on the page, then signing in with the new password; and the
host's reset link."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from incidents import recovery

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a fresh long passphrase 77"


def _fill(page, username, code, password, again):
    page.get_by_label("User name").fill(username)
    page.get_by_label("Recovery code").fill(code)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("The new password again").fill(again)
    page.get_by_role("button", name="Set the new password").click()


def test_a_recovery_code_sets_a_new_password_from_the_sign_in_page(page, a11y, live_server, alice):
    codes = recovery.codes_issue(alice)
    page.goto("/sign-in/")
    a11y(page)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/forgot/")
    a11y(page)

    _fill(page, "alice", "wrong-code-0000-0000", NEW_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("User name")).to_have_value("alice")
    a11y(page)

    _fill(page, "alice", codes[0], NEW_PASSWORD, NEW_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/sign-in/")
    expect(page.get_by_role("status")).to_contain_text("9 recovery codes left")
    a11y(page)
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    a11y(page)


def test_the_hosts_link_sets_a_new_password(page, a11y, live_server, alice):
    out = StringIO()
    call_command("reset_password", "alice", "--base-url", live_server.url, stdout=out)
    link = re.search(r"http://\S+/sign-in/reset/\S+/", out.getvalue()).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    a11y(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("The new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/")
    a11y(page)
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    a11y(page)
