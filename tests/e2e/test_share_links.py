"""A share link, end to end: the owner makes one for an advocate, the advocate opens it in a
browser of their own (no account, no cookies from the owner), downloads the dossier, and the
owner then sees the visit and the download beside the link."""

import hashlib
import re

import pytest
from playwright.sync_api import Page, expect

from incidents import exports
from incidents.dossier import DossierOptions
from incidents.models import Case, Export
from tests.conftest import make_incident

pytestmark = pytest.mark.browser


@pytest.fixture
def dossier(alice, settings) -> Export:
    """A finished dossier, made by the export job itself (as the worker makes it)."""
    settings.DOSSIER_WORKERS = 1
    make_incident(alice, description="Waited by the school gate at half past three.")
    case = Case.objects.owned_by(alice).get()
    export = Export.objects.create(
        owner=alice,
        case=case,
        kind=Export.Kind.DOSSIER,
        options=DossierOptions(case=str(case.uuid)).as_json(),
    )
    exports.run_export.call(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    return export


def test_a_dossier_shared_with_an_advocate_is_opened_downloaded_and_the_visit_shown(
    page: Page, phone: Page, a11y, sign_in, alice, dossier, live_server
):
    sign_in(page, alice)
    page.goto(dossier.get_absolute_url())
    a11y(page)
    page.get_by_label("Who it is for").fill("Ana Ruiz")
    page.get_by_label("They are").select_option(label="Advocate or support worker")
    page.get_by_label(re.compile("Make a new copy for them")).uncheck()
    page.get_by_role("button", name="Make a link").click()
    expect(page.get_by_role("heading", name="Link made")).to_be_visible()
    a11y(page)
    link = page.get_by_label("The link").input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/s/#[A-Za-z0-9_-]{43}", link)

    # The advocate's own browser: a fresh context, phone-sized, never signed in. Without the
    # code the page asks for it (what a browser without JavaScript shows, too).
    phone.goto("/s/")
    expect(phone.get_by_label(re.compile("The code from your link"))).to_be_visible()
    a11y(phone)
    # The link is that same page: its script posts the code after the # and the page moves on
    # at once, so the page checked above stands for it.
    a11y.checked.add(link)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="A shared file")).to_be_visible()
    expect(phone.get_by_text(dossier.sha256)).to_be_visible()
    expect(phone.get_by_text("Ana Ruiz (Advocate or support worker)")).to_be_visible()
    assert "#" not in phone.url  # the token was taken out of the address bar
    a11y(phone)
    with phone.expect_download() as download_info:
        phone.get_by_role("button", name="Download the dossier").tap()
    content = download_info.value.path().read_bytes()
    assert hashlib.sha256(content).hexdigest() == dossier.sha256

    page.goto(dossier.get_absolute_url())
    history = page.locator(".share-link", has_text="Ana Ruiz")
    expect(history.get_by_text("Share link opened")).to_be_visible()
    expect(history.get_by_text("File downloaded through a share link")).to_be_visible()
    expect(history.get_by_text("Downloads: 1.")).to_be_visible()
    a11y(page)

    # Revoked: the same link now finds nothing, and the try is shown to the owner.
    history.get_by_role("link", name="Revoke this link").click()
    a11y(page)
    page.get_by_role("button", name="Revoke it").click()
    a11y(page)
    phone.goto("about:blank")  # as when the link is followed again from an e-mail
    phone.goto(link)
    expect(phone.get_by_text("This link does not work")).to_be_visible()
    a11y(phone)
    page.reload()
    expect(history.get_by_text("Refused: the share link was revoked")).to_be_visible()
