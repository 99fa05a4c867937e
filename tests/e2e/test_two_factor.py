"""Two-factor sign-in and the account safety pages, as someone who fears their password is known
uses them: turning two-factor on, signing in with a code or a backup code, and checking where
the account is signed in.

Every page keeps to its strict Content-Security-Policy: each test records what the browser
blocks (console messages and `securitypolicyviolation` events) and ends with none.
"""

import re
import time
import zoneinfo
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, Response, expect

from incidents import two_factor
from incidents.headers import PAGE_CSP
from incidents.models import Incident, User
from tests.conftest import PASSWORD

from .conftest import _origin

pytestmark = pytest.mark.browser

WHAT_HAPPENED = "He was waiting at the bus stop outside my work when I left."
USED_CODE_MESSAGE = "That code did not work. Codes can be used only once."

# Runs before the page's own scripts, outside its policy: keeps each blocked thing on the page
# and hands it to the test at once, so that nothing is lost when the page goes away.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const text = `${location.pathname}: ${event.effectiveDirective} blocked ` +
    `${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`;
  window.__cspViolations.push(text);
  window.cspViolationSeen(text);
});
"""


class PolicyWatch:
    """What the browser blocked under the page's policy, and app pages sent without it."""

    def __init__(self, page: Page, origin: str):
        self.page = page
        self.origin = origin
        self.violations: list[str] = []
        self.without_policy: list[str] = []
        page.context.expose_function("cspViolationSeen", self._on_violation)
        page.add_init_script(CSP_RECORDER)
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_violation(self, text: str) -> None:
        self.violations.append(text)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def _on_response(self, response: Response) -> None:
        page_of_ours = (
            response.request.resource_type == "document" and _origin(response.url) == self.origin
        )
        if page_of_ours and response.headers.get("content-security-policy") != PAGE_CSP:
            self.without_policy.append(f"{response.status} {response.url}")

    def assert_none(self) -> None:
        stored = self.page.evaluate("window.__cspViolations || []")
        blocked = self.violations + [text for text in stored if text not in self.violations]
        assert not blocked, "Blocked by the Content-Security-Policy:\n" + "\n".join(blocked)
        assert not self.without_policy, "Pages without the policy:\n" + "\n".join(
            self.without_policy
        )


@pytest.fixture
def csp(page, live_server) -> PolicyWatch:
    return PolicyWatch(page, _origin(live_server.url))


@pytest.fixture
def phone_csp(phone, live_server) -> PolicyWatch:
    return PolicyWatch(phone, _origin(live_server.url))


def authenticator_code(key: bytes) -> str:
    """What an authenticator app shows now for this key (30-second steps, 6 digits)."""
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now without waiting for the clock.

    django-otp accepts the codes of `tolerance` steps either side of the current step (shifted
    by the drift it learnt), but none for a step at or before the last one used: the current
    step's code may already have been spent. The last step it accepts is always unspent, and
    stays accepted if the clock moves on to the next step before the form is sent.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    totp.drift += device.tolerance
    assert totp.t() > device.last_t
    return f"{totp.token():0{device.digits}d}"


def local_input_time(user, delta: timedelta) -> str:
    moment = (timezone.now() + delta).astimezone(zoneinfo.ZoneInfo(user.time_zone))
    return moment.strftime("%Y-%m-%dT%H:%M")


def sign_in_with_password(page: Page) -> None:
    page.goto("/sign-in/")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_one_turns_two_factor_on_and_then_signs_in_with_a_code(
    phone, phone_csp, a11y, sign_in, alice, live_server
):
    url = live_server.url
    sign_in(phone, alice)
    phone.goto("/account/")
    a11y(phone)
    phone.get_by_role("link", name="Two-factor sign-in: off").tap()
    expect(phone).to_have_url(f"{url}/account/two-factor/")
    a11y(phone)
    phone.get_by_role("link", name="Turn on two-factor sign-in").tap()

    expect(phone).to_have_url(f"{url}/account/two-factor/setup/")
    expect(phone.locator(".qr-code svg")).to_be_visible()
    secret = phone.locator("code.secret")
    expect(secret).to_have_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4})+$"))
    a11y(phone)
    key = b32decode("".join(secret.inner_text().split()))
    assert key == TOTPDevice.objects.get(user=alice).bin_key

    phone.get_by_label("Your password").fill(PASSWORD)
    phone.get_by_label("Code").fill(authenticator_code(key))
    phone.get_by_role("button", name="Turn on").tap()

    expect(phone).to_have_url(f"{url}/account/two-factor/backup-codes/")
    codes = phone.locator(".backup-codes li")
    expect(codes).to_have_count(two_factor.BACKUP_CODE_COUNT)
    assert len(set(codes.all_inner_texts())) == two_factor.BACKUP_CODE_COUNT
    a11y(phone)
    assert TOTPDevice.objects.get(user=alice).confirmed

    # Shown only once: coming back to the page shows the settings instead.
    phone.reload()
    expect(phone).to_have_url(f"{url}/account/two-factor/")
    expect(phone.get_by_text(re.compile(r"On\. .* 10 unused backup codes"))).to_be_visible()
    a11y(phone)

    phone.get_by_role("button", name="Sign out").tap()
    expect(phone).to_have_url(f"{url}/sign-in/")
    a11y(phone)
    sign_in_with_password(phone)

    # The password alone opens nothing: every page leads back to the code.
    expect(phone).to_have_url(f"{url}/sign-in/code/?next=/")
    expect(phone.get_by_role("heading", name="Enter your code")).to_be_visible()
    a11y(phone)
    phone.goto("/timeline/")
    expect(phone).to_have_url(f"{url}/sign-in/code/?next=/timeline/")
    a11y(phone)

    phone.get_by_label("Code").fill(next_code(TOTPDevice.objects.get(user=alice)))
    phone.get_by_role("button", name="Sign in").tap()
    expect(phone).to_have_url(f"{url}/timeline/")
    expect(phone.get_by_role("heading", name="Timeline")).to_be_visible()
    a11y(phone)

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Home").tap()
    expect(phone).to_have_url(f"{url}/")
    a11y(phone)
    phone.get_by_role("link", name="Log what happened").tap()
    expect(phone).to_have_url(f"{url}/incidents/new/")
    a11y(phone)
    phone.get_by_label("When it happened").fill(local_input_time(alice, -timedelta(minutes=20)))
    phone.get_by_label("What happened").fill(WHAT_HAPPENED)
    phone.get_by_role("button", name="Save").tap()
    expect(phone.get_by_role("status")).to_contain_text("Saved.")
    a11y(phone)
    assert Incident.objects.get(description=WHAT_HAPPENED).case == alice.cases.get()

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline").tap()
    expect(phone.get_by_role("link", name=re.compile("bus stop"))).to_be_visible()
    a11y(phone)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Home").tap()
    phone.get_by_role("link", name=re.compile("See all patterns")).tap()
    expect(phone.get_by_role("heading", name="Patterns", exact=True)).to_be_visible()
    a11y(phone)
    phone.get_by_role("link", name="Your steps").tap()
    expect(phone.get_by_role("heading", name="Your steps", exact=True)).to_be_visible()
    a11y(phone)

    phone_csp.assert_none()


def test_a_backup_code_signs_in_once(page, csp, a11y, alice, live_server):
    url = live_server.url
    codes = two_factor.two_factor_enable(user=alice, device=two_factor.totp_pending(alice))

    sign_in_with_password(page)
    expect(page).to_have_url(f"{url}/sign-in/code/?next=/")
    a11y(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/")
    expect(page.get_by_role("status")).to_contain_text("Backup code used. You have 9 left.")
    a11y(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{url}/sign-in/")
    a11y(page)
    sign_in_with_password(page)
    code = page.get_by_label("Code")
    code.fill(codes[0])
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please check the field marked below")
    expect(code).to_have_accessible_description(re.compile(re.escape(USED_CODE_MESSAGE)))
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(f"{url}/sign-in/code/?next=/")
    a11y(page)
    assert two_factor.backup_codes_left(alice) == 9

    csp.assert_none()


def test_the_account_pages_show_and_sign_out_everywhere_else_works(
    page, csp, a11y, sign_in, alice, live_server
):
    url = live_server.url
    elsewhere = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Version/17.0 Mobile Safari/604.1")
    elsewhere.force_login(alice)
    assert elsewhere.get("/").status_code == 200
    sign_in(page, alice)

    page.goto("/account/")
    a11y(page)
    page.get_by_role("link", name="Where you are signed in").click()
    expect(page).to_have_url(f"{url}/account/sessions/")
    signed_in = page.locator(".entry-list .entry")
    expect(signed_in).to_have_count(2)
    expect(signed_in.filter(has_text="this browser")).to_have_count(1)
    a11y(page)

    page.get_by_role("button", name="Sign out everywhere else").click()
    expect(page.get_by_role("status")).to_have_text(
        "Signed out everywhere else. Only this browser is signed in now."
    )
    expect(signed_in).to_have_count(1)
    expect(signed_in).to_contain_text("this browser")
    a11y(page)
    response = elsewhere.get("/timeline/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    page.get_by_role("link", name="Back to your account").click()
    page.get_by_role("link", name="Sign-in history").click()
    expect(page.get_by_role("heading", name="Sign-in history")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Back to your account").click()
    page.get_by_role("link", name="Activity on your account").click()
    expect(page.get_by_text(re.compile(r"Signed out everywhere else: 1 other"))).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Back to your account").click()
    page.get_by_role("link", name="Keeping this private").click()
    expect(page.get_by_role("heading", name="Keeping this private")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Back to your account").click()
    page.get_by_role("link", name="Download a copy of your data").click()
    expect(page.get_by_role("button", name="Make the packages")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Back to your account").click()
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", name="Delete your account?")).to_be_visible()
    expect(
        page.get_by_role("button", name="Delete my account and everything in it")
    ).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Keep it").click()
    expect(page).to_have_url(f"{url}/account/")
    assert User.objects.filter(pk=alice.pk).exists()

    csp.assert_none()
