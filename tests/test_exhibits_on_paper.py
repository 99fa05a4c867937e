"""Documents and recordings in the dossier: a PDF exhibit's own pages, stamped; a recording's
length and format; a note instead of pages when a PDF cannot be opened."""

import hashlib
import io
import wave
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from incidents.dossier import DossierOptions
from incidents.evidence import evidence_storage
from incidents.models import Case, Evidence
from incidents.pdf import render_dossier
from incidents.services import evidence_add
from tests.conftest import make_incident


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def letter_pdf(*sheets: str) -> bytes:
    """A real PDF with one page per text, as a police station would send."""
    pages = "".join(f"<p style='page-break-after: always'>{text}</p>" for text in sheets)
    return HTML(string=f"<html><body>{pages}</body></html>").write_pdf()


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(rate * seconds))
    return buffer.getvalue()


def add_file(user, name, content, content_type, **incident_fields) -> Evidence:
    case = Case.objects.owned_by(user).get()
    incident = make_incident(user, **incident_fields)
    upload = SimpleUploadedFile(name, content, content_type)
    return evidence_add(case=case, attached_to=incident, upload=upload)


def render(user, tmp_path) -> tuple[PdfReader, list[str]]:
    case = Case.objects.owned_by(user).get()
    out = tmp_path / "dossier.pdf"
    render_dossier(user, DossierOptions(case=str(case.uuid)), out)
    reader = PdfReader(out)
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.mark.slow
def test_a_pdf_exhibits_pages_follow_its_header_stamped_and_numbered(alice, tmp_path):
    add_file(alice, "photo.png", _png(), "image/png")
    letter = add_file(
        alice,
        "letter.pdf",
        letter_pdf("Crime reference CR/2026/0042: your report was received.", "Second sheet."),
        "application/pdf",
    )
    assert letter.exhibit_number == 2
    reader, pages = render(alice, tmp_path)
    header = next(i for i, text in enumerate(pages) if text.startswith("Exhibit 2 "))
    assert "Its 2 pages follow this header" in pages[header]
    first, second = pages[header + 1], pages[header + 2]
    assert "Exhibit 2, page 1 of 2" in first
    assert "Crime reference CR/2026/0042: your report was received." in first
    assert "Exhibit 2, page 2 of 2" in second and "Second sheet." in second
    # The dossier's own page numbers count the inserted pages too.
    total = len(pages)
    assert f"Page {header + 2} of {total}" in first
    assert f"Page {total} of {total}" in pages[-1]
    # The inserted pages have the dossier's paper size, the letter placed inside the margins.
    assert reader.pages[header + 1].mediabox == reader.pages[header].mediabox


@pytest.mark.slow
def test_a_documents_pages_come_before_the_next_exhibit(alice, tmp_path):
    add_file(alice, "letter.pdf", letter_pdf("From the court.", "Terms."), "application/pdf")
    add_file(alice, "photo.png", _png(), "image/png")
    reader, pages = render(alice, tmp_path)
    first = next(i for i, text in enumerate(pages) if "Original file name: letter.pdf" in text)
    assert "Exhibit 1, page 1 of 2" in pages[first + 1] and "From the court." in pages[first + 1]
    assert "Exhibit 1, page 2 of 2" in pages[first + 2] and "Terms." in pages[first + 2]
    assert pages[first + 3].startswith("Exhibit 2 ")
    assert "Original file name: photo.png" in pages[first + 3]
    assert "Exhibit 1: its pages" in _bookmarks(reader)


def _bookmarks(reader) -> list[str]:
    titles, stack = [], list(reader.outline)
    while stack:
        entry = stack.pop()
        if isinstance(entry, list):
            stack.extend(entry)
        else:
            titles.append(entry.title)
    return titles


@pytest.mark.slow
def test_the_original_pdf_is_left_as_it_was(alice, tmp_path):
    letter = add_file(alice, "letter.pdf", letter_pdf("Unchanged."), "application/pdf")
    render(alice, tmp_path)
    with evidence_storage().open(letter.stored_name, "rb") as original:
        assert hashlib.sha256(original.read()).hexdigest() == letter.sha256


@pytest.mark.slow
def test_an_encrypted_pdf_is_listed_with_a_plain_note(alice, tmp_path):
    writer = PdfWriter(clone_from=io.BytesIO(letter_pdf("Secret words in the order.")))
    writer.encrypt(user_password="hunter2", owner_password="owner", algorithm="AES-256")
    locked = io.BytesIO()
    writer.write(locked)
    add_file(alice, "order.pdf", locked.getvalue(), "application/pdf")
    _, pages = render(alice, tmp_path)
    text = " ".join(pages)
    assert "This document’s pages are not shown here. The PDF is protected by a password." in text
    assert "It is in the evidence package, unchanged" in text
    assert "Secret words" not in text
    assert "page 1 of" not in text


@pytest.mark.slow
def test_a_pdf_that_opens_without_a_password_is_shown_though_encrypted(alice, tmp_path):
    writer = PdfWriter(clone_from=io.BytesIO(letter_pdf("Printing is restricted.")))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    locked = io.BytesIO()
    writer.write(locked)
    add_file(alice, "restricted.pdf", locked.getvalue(), "application/pdf")
    _, pages = render(alice, tmp_path)
    assert any("Exhibit 1, page 1 of 1" in p and "Printing is restricted." in p for p in pages)


@pytest.mark.slow
def test_a_damaged_pdf_is_listed_with_a_plain_note(alice, tmp_path):
    add_file(alice, "torn.pdf", b"%PDF-1.7\n1 0 obj << /Type /Cat", "application/pdf")
    _, pages = render(alice, tmp_path)
    text = " ".join(pages)
    assert "The PDF cannot be read; it may be damaged." in text
    assert "page 1 of" not in text


@pytest.mark.slow
def test_a_pdf_changed_on_the_server_is_not_shown_as_if_it_were_the_exhibit(alice, tmp_path):
    letter = add_file(alice, "letter.pdf", letter_pdf("The real letter."), "application/pdf")
    path = evidence_storage().path(letter.stored_name)
    with open(path, "wb") as f:
        f.write(letter_pdf("A forged letter."))
    _, pages = render(alice, tmp_path)
    text = " ".join(pages)
    assert "no longer matches the fingerprint taken when it was received" in text
    assert "A forged letter." not in text


@pytest.mark.slow
def test_an_audio_exhibit_is_listed_with_its_length_and_format(alice, tmp_path):
    item = add_file(alice, "voicemail.wav", wav_bytes(75.2), "audio/wav")
    assert item.duration == pytest.approx(75.2, abs=0.01)
    _, pages = render(alice, tmp_path)
    text = " ".join(pages)
    assert "Format: WAV audio" in text
    assert "Length: 1:15" in text


@pytest.mark.slow
def test_a_recording_received_before_lengths_were_read_gets_its_length_in_the_dossier(
    alice, tmp_path
):
    item = add_file(alice, "voicemail.wav", wav_bytes(3), "audio/wav")
    Evidence.objects.filter(pk=item.pk).update(duration=None)
    _, pages = render(alice, tmp_path)
    assert "Length: 0:03" in " ".join(pages)
    assert Evidence.objects.get(pk=item.pk).duration is None  # the dossier changes nothing


@pytest.mark.slow
def test_a_recording_whose_length_cannot_be_read_says_so(alice, tmp_path):
    header = wav_bytes(1)[:44]  # a WAV header that promises data that never comes
    add_file(alice, "cut.wav", header[:40], "audio/wav")
    _, pages = render(alice, tmp_path)
    assert "Length: the file does not say" in " ".join(pages)


def test_the_exhibit_page_shows_a_recordings_length(alice_client, alice):
    item = add_file(alice, "voicemail.wav", wav_bytes(5), "audio/wav")
    page = alice_client.get(f"/evidence/{item.uuid}/").content.decode()
    assert "Length (from the file)" in page and "0:05" in page


@pytest.mark.slow
def test_a_long_document_shows_its_first_pages_and_says_so(alice, tmp_path, monkeypatch):
    monkeypatch.setattr("incidents.pdf_documents.MAX_DOCUMENT_PAGES", 2)
    add_file(
        alice,
        "file.pdf",
        letter_pdf("One.", "Two.", "Three."),
        "application/pdf",
        occurred_at=timezone.now() - timedelta(days=1),
    )
    _, pages = render(alice, tmp_path)
    text = " ".join(pages)
    assert "The first 2 of its 3 pages follow this header" in text
    assert "Exhibit 1, page 2 of 3" in text
    assert "page 3 of 3" not in text


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 300), "white").save(buffer, "PNG")
    return buffer.getvalue()
