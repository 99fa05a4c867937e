"""Imported messages and calls at phone size: the day's line on the timeline opens the day's
messages and calls; home, the steps and the patterns show their counts; every page passes axe."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Case, NoContactNotice
from tests.imported import call, import_job, keep, text

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to keep the pages as pictures


def _shot(tab, name: str) -> None:
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_days_line_opens_its_texts_and_calls_on_a_phone(phone, a11y, sign_in, alice):
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam"
    case.save()
    evening = timezone.localtime().replace(hour=21, minute=2, second=0, microsecond=0)
    evening -= timedelta(days=2)
    NoContactNotice.objects.create(case=case, given_at=evening - timedelta(days=5), words="Stop.")
    job = import_job(case)
    keep(
        [
            text(job, i, evening + timedelta(minutes=5 * i), f"Message {i}, answer me")
            for i in range(23)
        ]
        + [call(job, 40 + i, evening + timedelta(minutes=7 * i)) for i in range(4)]
        + [text(job, 50, evening + timedelta(minutes=30), "Please stop.", direction="out")]
    )

    sign_in(phone, alice)
    phone.goto("/timeline/")
    a11y(phone)
    line = phone.get_by_text("23 texts and 4 missed calls from Sam; 1 text to Sam")
    expect(line).to_be_visible()
    _shot(phone, "timeline")
    line.click()
    expect(phone.get_by_text("Message 22, answer me")).to_be_visible()
    a11y(phone)
    _shot(phone, "day")
    for path, name in (("/", "home"), ("/steps/", "steps"), ("/patterns/", "patterns")):
        phone.goto(path)
        a11y(phone)
        _shot(phone, name)
    phone.goto("/")
    expect(phone.get_by_text("Messages and calls received, from exported files")).to_be_visible()


def test_a_days_texts_become_an_incident_in_one_step_on_a_phone(phone, a11y, sign_in, alice):
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam"
    case.save()
    evening = timezone.localtime().replace(hour=21, minute=2, second=0, microsecond=0)
    evening -= timedelta(days=1)
    job = import_job(case)
    keep(
        [text(job, i, evening + timedelta(minutes=9 * i), f"Where are you {i}") for i in range(14)]
    )

    sign_in(phone, alice)
    phone.goto("/timeline/")
    a11y(phone)
    phone.get_by_text("14 texts from Sam").click()
    a11y(phone)
    phone.get_by_role("button", name="Make an incident of these 14 received").click()
    expect(phone.get_by_text("Incident made from the day's messages and calls")).to_be_visible()
    a11y(phone)
    _shot(phone, "incident_edit")
    phone.get_by_role("link", name="Timeline").first.click()
    a11y(phone)
    phone.get_by_text("14 texts from Sam between 21:02 and 22:59").click()
    expect(phone.get_by_role("heading", name="Messages and calls it cites")).to_be_visible()
    a11y(phone)
    _shot(phone, "incident_cites")
