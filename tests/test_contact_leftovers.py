"""What users see of imported messages and calls beyond the timeline's day line: the timeline's
count line names what a page holds, the "Document everything" step counts the imports, an
incident made from a day counts its contacts, and the dossier lists export files in one page."""

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incidents.dossier import DossierOptions
from incidents.models import Incident, MessageImport, NoContactNotice
from incidents.pdf import render_dossier
from tests.conftest import make_incident, page_text
from tests.imported import call, export_file, import_job, in_may_2024, keep, person_named_sam, text

_at = in_may_2024


@pytest.fixture
def sam(alice):
    return person_named_sam(alice)


@pytest.fixture
def two_files(sam):
    """Two export files: 3 texts (one sent) and 1 missed call, then 1 more text."""
    first = import_job(sam, export_file(sam, b"<smses count='4'/>", name="sms-first.xml"))
    second = import_job(sam, export_file(sam, b"<smses count='1'/>", name="sms-second.xml"))
    keep(
        [
            text(first, 1, _at(2, 21, 2), "Answer me."),
            text(first, 2, _at(2, 21, 30), "Where are you?"),
            text(first, 3, _at(2, 22), "Leave me alone.", direction="out"),
            call(first, 4, _at(2, 23, 40)),
            text(second, 1, _at(5, 9), "From the later export."),
        ]
    )
    return first, second


def _timeline(client, **params) -> str:
    return page_text(client.get(reverse("timeline"), params))


def test_a_page_of_only_texts_and_calls_says_what_it_holds(alice_client, two_files):
    text = _timeline(alice_client)

    assert "This page holds 4 texts and 1 call; no incidents." in text
    assert "0 incidents." not in text


def test_the_count_line_adds_what_else_the_page_holds_to_the_incidents(
    alice, alice_client, sam, two_files
):
    make_incident(alice, occurred_at=_at(1, 8), description="He waited outside.")
    NoContactNotice.objects.create(case=sam, given_at=_at(3, 12), words="Stop.")

    text = _timeline(alice_client)

    assert "1 incident. This page also holds 4 texts, 1 call and 1 no-contact notice." in text


def test_the_count_line_counts_only_what_matches_a_search(alice_client, two_files):
    text = _timeline(alice_client, q="answer")

    assert "This page holds 1 text matching your filters; no incidents." in text


def test_an_empty_timeline_still_says_0_incidents(alice_client):
    assert "0 incidents." in _timeline(alice_client)


def test_the_document_step_counts_imported_texts_and_calls_by_file(alice_client, two_files):
    response = alice_client.get(reverse("checklist"))
    text = page_text(response)
    step = text.split("2. Document everything")[1].split("3. Talk to the police")[0]

    assert "4 texts and 1 call imported from 2 files:" in step
    assert "sms-first.xml : 3 texts and 1 call" in step
    assert "sms-second.xml : 1 text" in step
    assert "Nothing logged yet" not in step
    assert "Done" in step  # documenting by importing counts as documenting
    html = response.content.decode()
    for job in two_files:
        assert f'href="{job.get_absolute_url()}"' in html


def test_the_document_step_without_imports_says_nothing_of_them(alice_client, mallory, sam):
    # Mallory's imports are not Alice's.
    theirs = person_named_sam(mallory)
    keep([text(import_job(theirs), 1, _at(2, 9), "Not Alice's.")])

    step = page_text(alice_client.get(reverse("checklist"))).split("2. Document everything")[1]

    assert "imported from" not in step.split("3. Talk to the police")[0]
    assert "Nothing logged yet" in step


def test_a_hidden_text_still_counts_as_imported(alice_client, sam):
    from incidents.message_services import imported_hide

    job = import_job(sam)
    items = keep([text(job, 1, _at(2, 9), "One."), text(job, 2, _at(2, 10), "Two.")])
    imported_hide(item=items[1], reason="Sent to my sister.")

    text_ = page_text(alice_client.get(reverse("checklist")))

    assert "2 texts imported from 1 file:" in text_


def test_a_chat_exports_messages_are_called_messages_not_texts(alice_client, sam):
    job = import_job(sam)
    job.format = MessageImport.Format.WHATSAPP
    job.save()
    message = text(job, 1, _at(2, 9), "One.")
    message.channel = "whatsapp"
    keep([message])

    text_ = page_text(alice_client.get(reverse("checklist")))

    assert "1 message imported from 1 file:" in text_
    assert "1 text imported" not in text_


def test_an_incident_made_from_a_day_counts_each_received_contact(
    alice, alice_client, sam, two_files
):
    url = reverse("contact_day_incident", args=[sam.uuid, "2024-05-02"])
    alice_client.post(url)

    incident = Incident.objects.owned_by(alice).get()
    # 2 texts and 1 missed call received; her own text is not one of the person's contacts.
    assert incident.count == 3
    assert incident.response == "" and incident.effect_level is None
    edit = page_text(alice_client.get(reverse("incident_edit", args=[incident.uuid])))
    assert "How many times" in edit


@pytest.mark.slow
def test_the_dossier_lists_export_files_on_one_page_pointing_to_the_transcript(
    alice, sam, two_files, tmp_path, settings
):
    settings.DOSSIER_WORKERS = 1
    out = tmp_path / "dossier.pdf"
    render_dossier(alice, DossierOptions(case=str(sam.uuid)), out)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(out).pages]

    listing = [page for page in pages if "Phone export files" in page]
    assert len(listing) == 1
    page = listing[0]
    first, second = two_files
    assert f"Exhibit {first.source.exhibit_number} · sms-first.xml · 18 bytes · received" in page
    assert "in the transcript: 3 texts and 1 call, 2 May 2024" in page
    assert "in the transcript: 1 text, 5 May 2024" in page
    assert first.source.sha256 in page and second.source.sha256 in page
    assert "Transcript of the imported messages and calls" in page
    # No page of its own for either file.
    assert not any(f"Exhibit {first.source.exhibit_number} Original file name" in p for p in pages)
    assert not any("This message export is not shown on paper" in p for p in pages)
