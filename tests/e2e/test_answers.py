"""On a phone: from the steps page to the entries whose answer is missing, confirming pre-filled
answers there and on an entry, then giving a reason when moving an entry to the trash, which its
history shows after the restore."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Case, Incident, NoContactNotice, TrashEvent
from tests.conftest import make_incident

from .test_steps import check

pytestmark = pytest.mark.browser
migration = importlib.import_module("incidents.migrations.0009_answers_and_changes")


def _entries_before_issue_11(user) -> list[Incident]:
    case = Case.objects.owned_by(user).get()
    now = timezone.now()
    NoContactNotice.objects.create(case=case, given_at=now - timedelta(days=9), words="Stop.")
    made = [
        make_incident(user, occurred_at=now - timedelta(days=d), description=text, response="none")
        for d, text in ((6, "Eight calls before work."), (4, "Waited by my car."))
    ]
    make_incident(user, occurred_at=now - timedelta(days=2), description="Flowers on the step.")
    with transaction.atomic():  # as migrate runs it; PostgreSQL's row lock needs one
        migration.mark_prefilled_answers(django_apps, None)
    return made


def test_on_a_phone_one_confirms_prefilled_answers_from_the_steps_page(
    phone, a11y, sign_in, alice, live_server
):
    calls, car = _entries_before_issue_11(alice)
    sign_in(phone, alice)
    phone.goto("/steps/")
    consistency = phone.get_by_role("region", name="4. Consistency")
    expect(consistency).to_contain_text(
        "After your first notice, 3 incidents logged: no reply in 0 entries, a reply in 0, "
        "not recorded in 3."
    )
    check(a11y, phone)

    consistency.get_by_role("link", name=re.compile("fill in the gaps")).tap()
    expect(phone).to_have_url(f"{live_server.url}/answers/")
    expect(phone.get_by_role("heading", name="Answers not confirmed (2 entries)")).to_be_visible()
    expect(phone.get_by_role("heading", name="Not recorded (1 entry)")).to_be_visible()
    check(a11y, phone)
    phone.get_by_role("checkbox", name=re.compile("Waited by my car")).check()
    phone.get_by_role("button", name=re.compile("for the ticked entries")).tap()

    expect(phone.get_by_role("status")).to_contain_text("Confirmed the answer of 1 entry.")
    expect(phone.get_by_role("heading", name="Answer not confirmed (1 entry)")).to_be_visible()
    check(a11y, phone)
    car.refresh_from_db()
    assert car.response_state == "answered"

    phone.goto(f"/incidents/{calls.uuid}/")
    expect(phone.get_by_text("Answer not confirmed.")).to_be_visible()
    check(a11y, phone)
    phone.get_by_role("button", name="Confirm: “I did not respond”").tap()
    expect(phone.get_by_role("status")).to_contain_text("Answer confirmed.")
    history = phone.get_by_role("region", name="History of changes")
    expect(history.get_by_role("row", name=re.compile("Answer confirmed"))).to_contain_text("yes")
    check(a11y, phone)


def test_on_a_phone_a_reason_given_for_the_trash_shows_in_the_history(
    phone, a11y, sign_in, alice, incident, live_server
):
    sign_in(phone, alice)
    phone.goto(f"/incidents/{incident.uuid}/delete/")
    phone.get_by_label("Why (optional)").fill("I logged this twice.")
    check(a11y, phone)
    phone.get_by_role("button", name="Move to trash").tap()
    expect(phone).to_have_url(f"{live_server.url}/timeline/")
    check(a11y, phone)
    assert TrashEvent.objects.get().reason == "I logged this twice."

    phone.goto("/trash/")
    check(a11y, phone)
    phone.get_by_role("button", name="Restore").first.tap()
    history = phone.get_by_role("region", name="History of changes")
    expect(history).to_contain_text("Reason given: “I logged this twice.”")
    expect(history).to_contain_text("Restored from the trash on")
    check(a11y, phone)
