"""On a phone, an entry being written is kept as a draft on the server: closing the page
mid-sentence loses nothing, and the next visit shows it as a draft, not as part of the log."""

import pytest
from playwright.sync_api import expect

from incidents.models import Draft, Incident

pytestmark = pytest.mark.browser

HALF = "They were standing by the bus stop again and when I looked up they"


def test_a_draft_is_restored_after_the_page_is_closed_mid_sentence(phone, a11y, sign_in, alice):
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    phone.get_by_label("What happened").fill(HALF)
    # Closed straight away, before the every-few-seconds save: the page's last act keeps it.
    context = phone.context
    phone.close(run_before_unload=True)

    def kept() -> str:
        draft = Draft.objects.owned_by(alice).first()
        return draft.fields.get("description", "") if draft else ""

    again = context.new_page()
    a11y.watch(again)
    for _ in range(50):
        if kept() == HALF:
            break
        again.wait_for_timeout(100)
    assert kept() == HALF

    again.goto("/incidents/new/")
    expect(again.get_by_role("heading", name="not part of your log")).to_be_visible()
    expect(again.get_by_label("What happened")).to_have_value(HALF)
    a11y(again)
    assert not Incident.objects.exists()

    # Finished and saved: the entry is in the log and the draft is gone.
    again.get_by_label("What happened").fill(HALF + " walked off.")
    again.get_by_role("button", name="Save").click()
    expect(again.get_by_role("status")).to_contain_text("Saved.")
    a11y(again)
    assert Incident.objects.get().description == HALF + " walked off."
    assert not Draft.objects.exists()
    again.goto("/incidents/new/")
    expect(again.get_by_role("heading", name="not part of your log")).to_have_count(0)
    expect(again.get_by_label("What happened")).to_have_value("")
    a11y(again)


def test_while_typing_the_draft_is_kept_every_few_seconds(phone, a11y, sign_in, alice):
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    phone.get_by_label("What happened").press_sequentially("A grey car parked opposite")
    expect(phone.get_by_text("Draft kept on the server at")).to_be_visible(timeout=10_000)
    assert Draft.objects.owned_by(alice).get().fields["description"] == "A grey car parked opposite"
    a11y(phone)


def test_discarding_a_draft_asks_first_and_it_does_not_come_back(phone, a11y, sign_in, alice):
    Draft.objects.create(owner=alice, fields={"description": HALF})
    sign_in(phone, alice)
    phone.goto("/incidents/new/")
    a11y(phone)
    # More typed just before discarding: the page's last send must not bring the draft back.
    phone.get_by_label("What happened").fill(HALF + " walked")
    discard = phone.get_by_role("button", name="Discard the draft and start again")

    phone.once("dialog", lambda dialog: dialog.dismiss())
    discard.click()
    expect(phone.get_by_label("What happened")).to_have_value(HALF + " walked")
    assert Draft.objects.owned_by(alice).exists()

    phone.once("dialog", lambda dialog: dialog.accept())
    discard.click()
    expect(phone.get_by_role("heading", name="not part of your log")).to_have_count(0)
    expect(phone.get_by_label("What happened")).to_have_value("")
    a11y(phone)
    phone.wait_for_timeout(500)  # time for a stray last send to arrive, if one were made
    assert not Draft.objects.owned_by(alice).exists()
