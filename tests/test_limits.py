"""Limits and sense checks: every text field has a maximum, shown beside it; a longer text or
dates that contradict each other are refused with a message, and what was typed stays."""

import html

import pytest
from django.urls import reverse

from incidents.forms import IncidentForm
from incidents.models import Case, Incident, NoContactNotice, PoliceContact, ProtectiveOrder, limits
from tests.conftest import make_incident, page_text

WHEN = "2026-02-01T18:30"


def field_html(response) -> str:
    """The re-shown page's markup, with its text unescaped: what the fields hold."""
    return html.unescape(response.content.decode())


def test_a_100000_character_description_is_refused_with_a_message_and_kept(alice_client):
    long_text = ("They stood at the gate and shouted. " * 2800)[:100_000]
    response = alice_client.post(
        reverse("incident_new"), {"occurred_at": WHEN, "description": long_text}
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "This is 100,000 characters long, and the most it can hold is 20,000." in text
    assert "Please shorten it by 80,000 characters" in text
    assert "Everything you typed is still here." in text
    # Every character comes back in the re-shown form, and nothing was saved.
    assert long_text in field_html(response)
    assert not Incident.objects.exists()


def test_a_description_at_the_limit_is_saved_whole(alice_client):
    text = "x" * limits.LONG_TEXT
    response = alice_client.post(
        reverse("incident_new"), {"occurred_at": WHEN, "description": text}
    )
    assert response.status_code == 302
    assert Incident.objects.get().description == text


def test_the_limit_is_written_beside_each_text_field_without_javascript(alice_client):
    content = alice_client.get(reverse("incident_new")).content.decode()
    text = page_text(alice_client.get(reverse("incident_new")))
    assert "Up to 20,000 characters." in text  # what happened, exact words
    assert "Up to 2,000 characters." in text  # witnesses
    assert "Up to 300 characters." in text  # where
    # The browser's own maxlength would cut a pasted text short without a word: not used.
    assert 'maxlength="' not in content
    assert 'aria-describedby="id_description_count"' in content


@pytest.mark.parametrize(
    ("url", "field", "data", "limit"),
    [
        (
            "notice_new",
            "words",
            {"given_at": WHEN, "method": "text", "acknowledged": "unknown"},
            5000,
        ),
        ("police_new", "reported", {"contacted_at": WHEN, "method": "phone"}, 20000),
        ("order_new", "terms", {"order_type": "protective", "issued_on": "2026-01-01"}, 5000),
        ("case_new", "addresses", {"relationship": "unknown"}, 2000),
    ],
)
def test_every_kind_of_record_refuses_an_over_long_field_and_keeps_it(
    alice_client, url, field, data, limit
):
    models = {
        "notice_new": NoContactNotice,
        "police_new": PoliceContact,
        "order_new": ProtectiveOrder,
        "case_new": Case,
    }
    before = models[url].objects.count()
    typed = "line of text\n" * (limit // 10)
    response = alice_client.post(reverse(url), {**data, field: typed})

    assert response.status_code == 200
    assert f"the most it can hold is {limit:,}" in page_text(response)
    assert typed.strip() in field_html(response)
    assert models[url].objects.count() == before


def test_an_over_long_caption_is_refused_on_the_exhibit_page(alice, alice_client, incident):
    from tests.test_steps import _png

    alice_client.post(
        reverse("incident_evidence_upload", args=[incident.uuid]), {"files": [_png()]}
    )
    item = incident.evidence.get()
    caption = "c" * 301
    response = alice_client.post(reverse("evidence_detail", args=[item.uuid]), {"caption": caption})
    assert "the most it can hold is 300" in page_text(response)
    assert caption in response.content.decode()
    item.refresh_from_db()
    assert item.caption == ""


def test_every_text_field_of_the_records_has_a_maximum():
    for model in (Incident, NoContactNotice, PoliceContact, ProtectiveOrder, Case):
        for field in model._meta.get_fields():
            if field.get_internal_type() in ("TextField", "CharField") and field.editable:
                assert field.max_length, f"{model.__name__}.{field.name} has no maximum"


def test_an_incident_that_ends_before_it_starts_is_refused(alice_client):
    response = alice_client.post(
        reverse("incident_new"),
        {"occurred_at": WHEN, "ended_at": "2026-02-01T17:00", "description": "At the door."},
    )
    assert "The end is before the start" in page_text(response)
    assert "At the door." in page_text(response)
    assert not Incident.objects.exists()


def test_a_police_follow_up_before_the_contact_is_refused_and_the_input_kept(alice_client):
    response = alice_client.post(
        reverse("police_new"),
        {
            "contacted_at": "2026-02-10T10:00",
            "method": "phone",
            "reference": "CR/2026/0042",
            "follow_up_on": "2026-02-03",
        },
    )
    text = page_text(response)
    assert "The follow-up date is before the contact itself." in text
    assert 'value="CR/2026/0042"' in response.content.decode()
    assert 'value="2026-02-03"' in response.content.decode()
    assert not PoliceContact.objects.exists()


def test_a_follow_up_on_the_day_of_the_contact_is_fine(alice_client):
    response = alice_client.post(
        reverse("police_new"),
        {"contacted_at": "2026-02-10T10:00", "method": "phone", "follow_up_on": "2026-02-10"},
    )
    assert response.status_code == 302
    assert PoliceContact.objects.get().follow_up_on.isoformat() == "2026-02-10"


def test_amending_a_contact_to_a_follow_up_before_it_is_refused(alice, alice_client):
    alice_client.post(
        reverse("police_new"),
        {"contacted_at": "2026-02-10T10:00", "method": "phone", "follow_up_on": "2026-02-20"},
    )
    contact = PoliceContact.objects.get()
    response = alice_client.post(
        reverse("police_edit", args=[contact.uuid]),
        {"contacted_at": "2026-02-10T10:00", "method": "phone", "follow_up_on": "2026-02-01"},
    )
    assert "The follow-up date is before the contact itself." in page_text(response)
    contact.refresh_from_db()
    assert contact.follow_up_on.isoformat() == "2026-02-20"


def test_an_order_served_after_it_expired_is_refused(alice_client):
    response = alice_client.post(
        reverse("order_new"),
        {
            "order_type": "protective",
            "court": "County Court",
            "issued_on": "2026-01-01",
            "served_on": "2026-08-01",
            "expires_on": "2026-06-30",
        },
    )
    assert "This is after the order expired." in page_text(response)
    assert 'value="County Court"' in response.content.decode()
    assert not ProtectiveOrder.objects.exists()


def test_an_order_that_ends_before_it_starts_is_refused(alice_client):
    response = alice_client.post(
        reverse("order_new"),
        {"order_type": "protective", "issued_on": "2026-03-01", "expires_on": "2026-02-01"},
    )
    assert "cannot expire before it was issued" in page_text(response)
    assert 'value="2026-02-01"' in response.content.decode()


def test_the_timeline_search_has_no_counter(alice_client):
    make_incident(Case.objects.get().owner)
    assert "characters" not in page_text(alice_client.get(reverse("timeline")))


def test_the_form_field_keeps_the_limit_for_the_counter(alice):
    form = IncidentForm(user=alice)
    assert form["description"].limit == 20_000
    assert form["occurred_at"].limit is None


def test_the_sign_in_page_has_no_counter(client, alice):
    assert "characters" not in page_text(client.get(reverse("login")))
