"""The import of messages and calls in the browser's pages: upload, numbers, preview, the job and
an imported item's note and reason; each for its owner only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from incidents.models import Case, Message, MessageImport
from incidents.services import record_save
from tests.conftest import page_text

FILES = Path(__file__).parent / "fixtures" / "sms"
SAM = "447700900123"


@pytest.fixture
def case(alice):
    case = Case.objects.owned_by(alice).get()
    case.phone_numbers = "07700 900123"
    case.owner.time_zone = "Europe/London"
    case.owner.save()
    record_save(record=case)
    return case


def _upload(client, name="sms-20250510.xml"):
    upload = SimpleUploadedFile(name, (FILES / name).read_bytes(), "text/xml")
    return client.post(reverse("message_import_new"), {"file": upload})


def test_the_page_is_linked_from_home_and_the_steps(alice_client):
    url = reverse("message_import_new")
    for page in ("dashboard", "checklist"):
        assert url in alice_client.get(reverse(page)).content.decode()


def test_a_file_leads_to_its_numbers_with_the_persons_ticked(alice_client, case):
    response = _upload(alice_client)
    job = MessageImport.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    page = alice_client.get(response.url)
    html = page.content.decode()
    assert f'value="{SAM}" id="number-1" checked' in html
    assert 'value="447700900456" id="number-2">' in html  # Mum's: listed, not ticked
    assert "on their profile" in page_text(page)


def test_a_bad_file_is_refused_on_the_upload_page(alice_client, case):
    response = _upload(alice_client, "sms-truncated.xml")
    assert response.status_code == 400
    assert "stops in the middle" in page_text(response)
    assert not MessageImport.objects.exists()


def test_no_number_ticked_is_refused_beside_the_list(alice_client, case):
    job_url = _upload(alice_client).url
    response = alice_client.post(job_url, {})
    assert response.status_code == 400 and "Tick at least one number." in page_text(response)


def test_the_preview_says_what_will_be_added_then_the_import_runs(
    alice_client, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client).url
    preview = alice_client.post(job_url, {"numbers": [SAM]})
    assert "7 messages, 0 calls." in page_text(preview)
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = alice_client.post(job_url, {"numbers": [SAM], "confirm": "1"})
    assert done.url == job_url
    job = MessageImport.objects.get()
    assert job.status == "done" and job.added == 7
    page = page_text(alice_client.get(job_url))
    assert "7 items added." in page and "Please stop contacting me." in page
    status = alice_client.get(reverse("message_import_status", args=[job.uuid])).json()
    assert status["finished"] and status["progress"] == 100


def test_an_item_takes_a_note_and_is_hidden_only_with_a_reason(
    alice_client, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client).url
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": [SAM], "confirm": "1"})
    item = Message.objects.get(element=2)
    url = reverse("message_detail", args=[item.uuid])
    page = page_text(alice_client.get(url))
    assert "Exhibit 1, item 2 (line 6)" in page
    alice_client.post(url, {"action": "note", "note-note": "Sent after the notice."})
    refused = alice_client.post(url, {"action": "hide", "hide-reason": ""})
    assert refused.status_code == 400 and "Give a reason" in page_text(refused)
    alice_client.post(url, {"action": "hide", "hide-reason": "Sent to the wrong person."})
    item.refresh_from_db()
    assert item.note == "Sent after the notice." and item.is_hidden
    assert item.body == "Please stop contacting me."  # what the file says never changes


def test_a_picture_message_links_its_exhibit(
    alice_client, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client).url
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": [SAM], "confirm": "1"})
    mms = Message.objects.get(element=7)
    page = alice_client.get(reverse("message_detail", args=[mms.uuid]))
    assert "Exhibit 2" in page_text(page)


def test_a_stranger_gets_404_for_the_job_and_its_items(
    alice_client, mallory, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client).url
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": [SAM], "confirm": "1"})
    item = Message.objects.first()
    stranger = Client()
    stranger.force_login(mallory)
    assert stranger.get(job_url).status_code == 404
    assert stranger.post(job_url, {"numbers": [SAM], "confirm": "1"}).status_code == 404
    assert stranger.get(reverse("message_detail", args=[item.uuid])).status_code == 404
    assert "sms-20250510" not in stranger.get(reverse("message_import_new")).content.decode()


def test_the_export_file_downloads_as_it_was_received(alice_client, case):
    _upload(alice_client)
    source = MessageImport.objects.get().source
    response = alice_client.get(reverse("evidence_original", args=[source.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (FILES / "sms-20250510.xml").read_bytes()
    assert ".xml" in response["Content-Disposition"]
    detail = alice_client.get(reverse("evidence_detail", args=[source.uuid]))
    assert "Message export (application/xml)" in page_text(detail)


def test_the_demonstration_person_is_never_offered_for_an_import(alice_client, case):
    demo = Case.objects.create(owner=case.owner, name="Sam Doe (sample data)", is_demo=True)
    page = alice_client.get(reverse("message_import_new")).content.decode()
    assert 'name="case"' not in page  # one real person: nobody to choose between
    _upload(alice_client)
    assert MessageImport.objects.get().case == case and demo.message_imports.count() == 0


@pytest.mark.parametrize(
    ("name", "content_type", "extension"),
    [
        ("chat.txt", "text/plain", ".txt"),
        ("calls.csv", "text/csv", ".csv"),
    ],
)
def test_every_kind_of_export_file_downloads_with_its_own_extension(
    alice_client, case, name, content_type, extension
):
    files = {
        "chat.txt": b"03/05/2024, 20:20 - Sam: Where are you?\n",
        "calls.csv": b"when,number,outcome\n2024-05-03 20:20,07700 900123,missed\n",
    }
    upload = SimpleUploadedFile(name, files[name], "application/octet-stream")
    alice_client.post(reverse("message_import_new"), {"file": upload})
    source = MessageImport.objects.get().source
    assert source.content_type == content_type
    response = alice_client.get(reverse("evidence_original", args=[source.uuid]))
    assert response.status_code == 200 and extension in response["Content-Disposition"]
