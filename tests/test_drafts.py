"""Drafts of the new-entry form: kept on the server, shown as a draft on the next visit (also
after signing in again), removed when the entry is saved or discarded, never another user's."""

from django.test import Client
from django.urls import reverse

from incidents.drafts import DRAFT_CHAR_LIMIT
from incidents.models import Draft, Incident
from tests.conftest import page_text

HALF = "They were at the gate again when I came home, and they"


def _keep(client, **fields):
    return client.post(reverse("draft_save"), {"occurred_at": "2026-12-01T21:15", **fields})


def test_a_draft_is_kept_and_comes_back_marked_as_a_draft_after_signing_in_again(
    client, alice, alice_client
):
    response = _keep(alice_client, description=HALF, location="Front gate")
    assert response.status_code == 200
    assert "not part of your log" in response.json()["message"]

    alice_client.logout()  # as the idle sign-out does
    client.force_login(alice)
    response = client.get(reverse("incident_new"))
    text = page_text(response)
    assert "not part of your log" in text
    assert HALF in response.content.decode()
    assert 'value="Front gate"' in response.content.decode()
    assert 'value="2026-12-01T21:15"' in response.content.decode()
    # A draft is not an entry: nothing in the timeline, nothing counted.
    assert not Incident.objects.exists()
    assert HALF not in page_text(client.get(reverse("timeline")))


def test_saving_the_entry_removes_the_draft(alice_client, alice):
    _keep(alice_client, description=HALF)
    assert Draft.objects.owned_by(alice).count() == 1
    response = alice_client.post(
        reverse("incident_new"),
        {"occurred_at": "2026-12-01T21:15", "description": HALF + " left.", "kind": "other"},
    )
    assert response.status_code == 302, page_text(response)
    assert not Draft.objects.exists()
    assert "not part of your log" not in page_text(alice_client.get(reverse("incident_new")))


def test_a_refused_entry_keeps_its_draft(alice_client, alice):
    _keep(alice_client, description=HALF)
    alice_client.post(reverse("incident_new"), {"occurred_at": "", "description": HALF})
    assert Draft.objects.owned_by(alice).get().fields["description"] == HALF


def test_discarding_removes_the_draft(alice_client):
    _keep(alice_client, description=HALF)
    response = alice_client.post(reverse("draft_discard"), follow=True)
    assert "The draft was discarded." in page_text(response)
    assert HALF not in response.content.decode()
    assert not Draft.objects.exists()


def test_an_emptied_form_leaves_no_draft(alice_client):
    _keep(alice_client, description=HALF)
    _keep(alice_client, description="   ")
    assert not Draft.objects.exists()


def test_a_draft_too_long_is_refused_with_a_message_and_nothing_kept(alice_client):
    response = _keep(alice_client, description="x" * (DRAFT_CHAR_LIMIT + 1))
    assert response.status_code == 400
    assert "still on this page" in response.json()["message"]
    assert not Draft.objects.exists()


def test_only_the_forms_own_fields_are_kept(alice_client, alice):
    _keep(alice_client, description=HALF, password="secret", owner="mallory")
    fields = Draft.objects.owned_by(alice).get().fields
    assert "password" not in fields and "owner" not in fields
    assert "csrfmiddlewaretoken" not in fields


def test_one_users_draft_never_shows_to_another(alice, mallory):
    alice_client, mallory_client = Client(), Client()
    alice_client.force_login(alice)
    mallory_client.force_login(mallory)
    _keep(alice_client, description=HALF)
    response = mallory_client.get(reverse("incident_new"))
    assert HALF not in response.content.decode()
    assert "not part of your log" not in page_text(response)
    mallory_client.post(reverse("draft_discard"))
    assert Draft.objects.count() == 1


def test_drafts_need_a_sign_in_and_a_post(alice_client):
    response = Client().post(reverse("draft_save"), {"description": HALF})
    assert response.status_code == 302
    assert not Draft.objects.exists()
    assert alice_client.get(reverse("draft_save")).status_code == 405


def test_a_nul_character_in_a_draft_is_dropped_and_the_rest_kept(alice_client, alice):
    response = _keep(alice_client, description="At the gate\x00 again")
    assert response.status_code == 200
    assert Draft.objects.get(owner=alice).fields["description"] == "At the gate again"


def test_a_form_holding_only_what_it_starts_with_leaves_no_draft(alice_client, alice):
    form = alice_client.get(reverse("incident_new")).context["form"]
    untouched = {name: form[name].value() or "" for name in form.fields}
    untouched = {name: value for name, value in untouched.items() if name != "occurred_at"}
    _keep(alice_client, description=HALF)
    _keep(alice_client, **{**untouched, "description": ""})
    assert not Draft.objects.owned_by(alice).exists()


def test_a_draft_send_arriving_after_the_entry_was_saved_is_ignored(alice_client, alice):
    page = alice_client.get(reverse("incident_new")).context["draft_page"]
    _keep(alice_client, description=HALF, draft_page=page)
    alice_client.post(
        reverse("incident_new"),
        {
            "occurred_at": "2026-12-01T21:15",
            "description": HALF + " walked off.",
            "draft_page": page,
        },
    )
    assert not Draft.objects.exists()
    # The page's last timed send, on its way while Save was tapped, arrives now.
    response = _keep(alice_client, description=HALF + " walked", draft_page=page)
    assert response.json()["saved"] is False
    assert not Draft.objects.exists()
    # A new showing of the form keeps drafts again.
    again = alice_client.get(reverse("incident_new")).context["draft_page"]
    assert again != page
    _keep(alice_client, description="Another day.", draft_page=again)
    assert Draft.objects.owned_by(alice).get().fields["description"] == "Another day."
