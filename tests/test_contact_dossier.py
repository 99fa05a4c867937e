"""Imported messages and calls in the dossier: counted in the summary, a communications section
with the notice marked, and a transcript citing every item's source exhibit, its place in the
file and the file's SHA-256; hidden items left out and listed with their reason."""

import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from incidents.dossier import DossierOptions
from incidents.message_import import import_file
from incidents.message_services import imported_hide
from incidents.models import Case, Evidence, NoContactNotice, PoliceContact
from incidents.pdf import render_dossier
from incidents.services import account_create
from tests.conftest import PASSWORD, made_once, make_incident, making_in
from tests.imported import call, export_file, import_job, in_may_2024, keep, person_named_sam, text

FIXTURES = Path(__file__).parent / "fixtures" / "sms"
EXPORT = b"<?xml version='1.0'?><smses count='6'><!-- a test export --></smses>"


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


_at = in_may_2024


def _sam(alice) -> Case:
    """Sam's messages and calls around a notice and a police report, one of them hidden."""
    case = person_named_sam(alice)
    make_incident(alice, occurred_at=_at(1, 20), description="He waited outside.")
    NoContactNotice.objects.create(case=case, given_at=_at(2, 12), words="Stop contacting me.")
    PoliceContact.objects.create(case=case, contacted_at=_at(4, 9), reference="CR-1")
    job = import_job(case, export_file(case, EXPORT))
    items = keep(
        [
            text(job, 1, _at(1, 9), "Before the notice."),
            text(job, 2, _at(2, 21, 2), "Answer me now."),
            text(job, 3, _at(2, 21, 30), "I can see your window."),
            call(job, 4, _at(2, 23, 40)),
            text(job, 5, _at(3, 10), "Leave me alone.", direction="out"),
            text(job, 6, _at(3, 11), "A message to my sister.", direction="out"),
        ]
    )
    imported_hide(item=items[5], reason="Sent to my sister, not to Sam.")
    return case


@pytest.fixture(scope="module")
def sams_dossier(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """The text of alice's dossier with sam's messages and calls (`_sam`): drawn once for the
    module, its rows rolled back at once; the tests below only read it."""
    folder = tmp_path_factory.mktemp("sam")
    with made_once(django_db_blocker, folder), making_in(folder):
        alice = account_create(username="alice", password=PASSWORD, is_owner=True)
        _sam(alice)
        _, text = _render(alice, folder)
        return text


def _render(user, tmp_path, **options) -> tuple[PdfReader, str]:
    case = Case.objects.owned_by(user).first()
    out = tmp_path / "dossier.pdf"
    render_dossier(user, DossierOptions(case=str(case.uuid), **options), out)
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.mark.slow
def test_the_summary_counts_imported_contacts_and_those_after_the_notice(sams_dossier):
    text = sams_dossier

    assert (
        "From exported files: 3 texts and 1 missed call received between 1 May 2024 and 3 May 2024"
    ) in text
    assert "From exported files, after the notice: 2 texts and 1 missed call received." in text


def test_the_communications_section_counts_per_day_with_the_users_own_texts(sams_dossier):
    text = sams_dossier

    assert "Messages and calls, from exported files" in text
    assert "Thu 2 May 2024 · 2 texts and 1 missed call from Sam, 21:02 to 23:40" in text
    assert "Fri 3 May 2024 · 1 text to Sam, at 10:00" in text
    assert "From the person keeping this log: 1 text sent, on 3 May 2024." in text
    assert (
        "Per week 4 messages and calls received from 1 May 2024 to 2 May 2024; the most in one "
        "week: 4, in the week of 29 April 2024."
    ) in text


def test_the_transcript_cites_every_item_its_exhibit_place_and_the_files_sha256(sams_dossier):
    text = sams_dossier
    transcript = text.split("Transcript of the imported messages and calls", 1)[1]

    digest = hashlib.sha256(EXPORT).hexdigest()
    assert digest in transcript.replace(" ", "")
    assert "5 items in this transcript" in transcript
    order = [
        transcript.index(words)
        for words in (
            "Before the notice.",
            "exhibit 1, item 2, line 3",
            "Answer me now.",
            "I can see your window.",
            "call: missed",
            "Leave me alone.",
        )
    ]
    assert order == sorted(order)
    assert "Wed 1 May 2024, 09:00:00 · Received · Text message (SMS) · +44 7700 900123" in (
        transcript
    )


def test_a_hidden_item_is_left_out_and_listed_with_its_reason(sams_dossier):
    text = sams_dossier
    transcript = text.split("Transcript of the imported messages and calls", 1)[1]
    transcript = transcript.split("Changes to the record", 1)[0]

    assert "A message to my sister." not in transcript
    assert "1 imported item is left out of this transcript" in transcript
    changes = text.rsplit("Changes to the record", 1)[1]
    assert "Text sent 3 May 2024, 11:00 (exhibit 1, item 6)" in changes
    assert "Sent to my sister, not to Sam." in changes


def test_the_export_file_is_an_exhibit_with_its_fingerprint(sams_dossier):
    text = sams_dossier
    appendix = text.rsplit("Integrity of the exhibits", 1)[1]
    assert f"Exhibit 1 · {len(EXPORT)} bytes · sms-20240601.xml" in appendix


@pytest.mark.slow
def test_a_dossier_without_imports_has_no_communications_section(alice, tmp_path):
    make_incident(alice, description="Only an incident.")
    _, text = _render(alice, tmp_path)
    assert "Messages and calls, from exported files" not in text
    assert "Transcript of the imported messages and calls" not in text


@pytest.mark.slow
def test_a_picture_message_in_the_transcript_names_its_pictures_exhibit(alice, tmp_path):
    case = Case.objects.owned_by(alice).get()
    case.phone_numbers = "+44 7700 900123"
    case.save()
    import_file(case=case, path=FIXTURES / "sms-20250510.xml", numbers=[])
    picture = Evidence.objects.get(message__body="Nice car you parked today")

    _, text = _render(alice, tmp_path)
    transcript = text.split("Transcript of the imported messages and calls", 1)[1]
    line = transcript.split("Nice car you parked today", 1)[1][:40]
    assert line.strip().startswith(f"Picture: exhibit {picture.exhibit_number}")
