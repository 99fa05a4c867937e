"""An incident cites imported messages and calls ("these 14 texts"), kept in its history and the
custody log; a day's messages and calls become an incident in one step, filled in with facts
only; the incident page and the dossier show what it cites."""

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incidents import custody
from incidents.citations import incident_cite, incident_from_contacts
from incidents.dossier import DossierOptions
from incidents.message_services import imported_hide
from incidents.models import Case, CustodyEntry, Incident
from incidents.pdf import render_dossier
from tests.conftest import make_incident, page_text
from tests.imported import call, import_job, in_may_2024, keep, person_named_sam, text

_at = in_may_2024


@pytest.fixture
def sam(alice):
    return person_named_sam(alice)


@pytest.fixture
def evening(sam):
    """14 texts and 2 missed calls from Sam on 2 May, 21:02 to 23:40; one reply; one hidden."""
    job = import_job(sam)
    items = [text(job, i, _at(2, 21, 2 + i), f"Text {i}") for i in range(13)]
    items.append(text(job, 13, _at(2, 23, 40), "Last one."))
    items += [call(job, 20, _at(2, 22, 0)), call(job, 21, _at(2, 22, 30))]
    items.append(text(job, 30, _at(2, 22, 45), "Stop.", direction="out"))
    items.append(text(job, 31, _at(2, 22, 50), "Wrong thread."))
    keep(items)
    imported_hide(item=items[-1], reason="Not from Sam.")
    return sorted(items, key=lambda item: getattr(item, "sent_at", None) or item.started_at)


def test_a_days_contacts_become_an_incident_in_one_step_with_facts_only(
    alice, alice_client, evening
):
    url = reverse("contact_day_incident", args=[evening[0].case.uuid, "2024-05-02"])
    response = alice_client.post(url)

    incident = Incident.objects.owned_by(alice).get()
    assert response.url == reverse("incident_edit", args=[incident.uuid])
    assert incident.description == (
        "14 texts and 2 missed calls from Sam between 21:02 and 23:40, as the exported file shows."
    )
    assert (incident.occurred_at, incident.ended_at) == (_at(2, 21, 2), _at(2, 23, 40))
    # Nothing about the user's own conduct or feelings is filled in for them.
    assert incident.response == "" and incident.effect_level is None
    assert incident.effect_notes == "" and incident.response_notes == ""
    assert incident.messages.count() == 14 and incident.calls.count() == 2
    assert "Stop." not in incident.messages.values_list("body", flat=True)  # her own reply
    assert "Wrong thread." not in incident.messages.values_list("body", flat=True)  # hidden
    assert CustodyEntry.objects.filter(object_uuid=incident.uuid, action="created").exists()
    assert custody.altered_records() == []


def test_the_one_step_needs_a_post_and_is_alices_only(alice_client, mallory_client, evening):
    url = reverse("contact_day_incident", args=[evening[0].case.uuid, "2024-05-02"])
    assert alice_client.get(url).status_code == 405
    assert mallory_client.post(url).status_code == 404
    assert not Incident.objects.exists()


def test_a_day_with_only_her_own_texts_makes_no_incident(alice, alice_client, sam):
    job = import_job(sam)
    keep([text(job, 1, _at(3, 9), "Hello?", direction="out")])

    response = alice_client.post(
        reverse("contact_day_incident", args=[sam.uuid, "2024-05-03"]), follow=True
    )
    assert "There is nothing received that day to make an incident of." in page_text(response)
    assert not Incident.objects.exists()


def test_citing_is_kept_in_history_and_the_custody_log(alice, evening):
    incident = make_incident(alice, occurred_at=_at(2, 21), description="A night of texts.")
    chosen = [item for item in evening if item.direction == "in"][:3]

    assert incident_cite(incident=incident, items=chosen)
    assert not incident_cite(incident=incident, items=chosen)  # already so

    assert incident.revisions.get().data["messages"] == []
    assert sorted(incident.snapshot()["messages"]) == sorted(str(i.uuid) for i in chosen)
    assert CustodyEntry.objects.filter(object_uuid=incident.uuid, action="amended").count() == 1
    assert custody.altered_records() == []


def test_an_incident_cites_only_its_own_persons_texts(alice, evening):
    other = Case.objects.create(owner=alice, name="Lee")
    incident = make_incident(alice, case=other)
    with pytest.raises(ValueError):
        incident_cite(incident=incident, items=evening[:1])
    with pytest.raises(ValueError):
        incident_from_contacts(case=other, items=evening)


def test_the_incident_page_lists_what_it_cites(alice, alice_client, evening):
    incident = incident_from_contacts(case=evening[0].case, items=evening)

    page = page_text(alice_client.get(reverse("incident_detail", args=[incident.uuid])))
    assert "Messages and calls it cites" in page
    assert "16 items from exported files" in page
    assert "2 May 2024, 23:40 · Received · Text message (SMS) · exhibit 1, item 13" in page


@pytest.mark.slow
def test_the_dossier_log_cites_the_items_by_exhibit_and_number(alice, evening, tmp_path, settings):
    settings.DOSSIER_WORKERS = 1
    incident_from_contacts(case=evening[0].case, items=evening)
    out = tmp_path / "dossier.pdf"
    render_dossier(alice, DossierOptions(case=str(evening[0].case.uuid)), out)
    text_ = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())

    log = text_.split("Chronological log", 1)[1]
    assert "Cites, from exported files: exhibit 1, items 0, 1, 2," in log
    assert "20, 21 (see the transcript)" in log


def test_sent_twice_the_one_step_makes_one_incident(alice, alice_client, evening):
    url = reverse("contact_day_incident", args=[evening[0].case.uuid, "2024-05-02"])
    alice_client.post(url)
    response = alice_client.post(url, follow=True)  # a double tap, or Back and again

    incident = Incident.objects.owned_by(alice).get()
    assert response.redirect_chain[-1][0] == reverse("incident_detail", args=[incident.uuid])
    assert "An incident of these messages and calls was made already" in page_text(response)
    assert incident_from_contacts(case=evening[0].case, items=evening) == incident
    assert Incident.objects.count() == 1
