"""The import flow every format goes through: what was found said in one sentence, the file's
warnings shown, the questions a file leaves open (the phone's time zone, the order of day and
month, which sender is the user) asked, answered, said back and applied, in the pages, the
import_messages command and the dossier beside the transcript."""

import html
import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from incidents.dossier import DossierOptions
from incidents.models import Message, MessageImport
from incidents.pdf import render_dossier
from tests.chat_reader import CUT_SHORT, read_chats_first
from tests.conftest import page_text
from tests.imported import person_named_sam

CHAT = (
    "TESTCHAT\n"
    "03/04/2025, 14:22 - Sam: Where are you?\n"
    "03/04/2025, 14:25 - Alex: Please stop.\n"
    "05/04/2025, 23:10 - Sam: I know where you live.\n"
)
CUT = CHAT + "05/04/2025, 23:1"
DECIDED = CHAT + "13/04/2025, 09:00 - Sam: Answer me.\n"
SAM, ALEX = "name:sam", "name:alex"
ANSWERS = {"time_zone": "America/New_York", "date_order": "mdy", "me": ALEX}


@pytest.fixture(autouse=True)
def _chat_reader(monkeypatch):
    read_chats_first(monkeypatch)


@pytest.fixture
def case(alice):
    return person_named_sam(alice, "Europe/London")


def _upload(client, content: str = CHAT, name: str = "chat.txt") -> str:
    upload = SimpleUploadedFile(name, content.encode(), "text/plain")
    return client.post(reverse("message_import_new"), {"file": upload}).url


def test_the_file_is_said_in_a_sentence_and_its_open_questions_are_asked(alice_client, case):
    response = alice_client.get(_upload(alice_client, CUT))
    page, html = page_text(response), response.content.decode()
    assert "A test chat, 3 messages between 3 April and 5 April 2025, 2 people." in page
    assert "Which names in the chat are the person's?" in page
    assert "Tick the person's: the names in the chat found in the file" in page
    assert CUT_SHORT in page  # the reader's warning
    assert "The time zone the phone was in" in page and "the phone's clock" in page
    assert '<option value="Europe/London" selected>' in html  # the owner's zone
    assert "A date from it: 03/04/2025, 14:22" in page  # the start of the line, no more
    assert "Where are you?" not in page  # nobody's message is shown before it is chosen
    assert "Which of these senders is you? (optional)" in page
    assert 'value="other" selected' in html  # in a chat of two: the one not ticked


def test_a_file_whose_dates_decide_their_order_is_not_asked_it(alice_client, case):
    page = page_text(alice_client.get(_upload(alice_client, DECIDED)))
    assert "How are the file's dates written?" not in page
    assert "The time zone the phone was in" in page


def test_a_missing_answer_is_asked_again_with_the_other_answers_kept(alice_client, case):
    job_url = _upload(alice_client)
    response = alice_client.post(job_url, {"numbers": [SAM], "time_zone": "Asia/Tokyo"})
    assert response.status_code == 400
    assert "Say how the dates are written." in page_text(response)
    assert '<option value="Asia/Tokyo" selected>' in response.content.decode()


def test_the_preview_says_the_answers_and_reads_the_file_with_them(
    alice_client, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client)
    preview = page_text(alice_client.post(job_url, {"numbers": [SAM], **ANSWERS}))
    assert "Times are read as the phone's clock in America/New York" in preview
    assert "You said the month comes first: 03/04/2025 means 4 March 2025." in preview
    assert "You said “Sam” in this file is the person of concern." in preview
    assert "You said “Alex” in this file is you." in preview
    # 14:22 in New York on 4 March is 19:22 in London (the user's zone), month first.
    assert "4 Mar 2025, 19:22 · from Sam: Where are you?" in preview
    assert "4 Mar 2025, 19:25 · sent by you to Sam: Please stop." in preview
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": [SAM], "confirm": "1", **ANSWERS})
    job = MessageImport.objects.get()
    assert job.status == "done" and job.added == 3
    assert job.options["time_zone"] == "America/New_York" and job.options["me"] == ALEX
    first, sent, last = Message.objects.order_by("element")
    assert first.sent_at == datetime(2025, 3, 4, 19, 22, tzinfo=UTC)
    assert (first.direction, sent.direction, last.direction) == ("in", "out", "in")
    assert sent.details["sender"] == "Alex" and sent.address == "Sam"
    assert last.sent_at == datetime(2025, 5, 5, 3, 10, tzinfo=UTC)  # 4 May, 23:10 EDT
    result = page_text(alice_client.get(job_url))
    assert "You said “Alex” in this file is you." in result
    # The timeline opens on May's message; March is one link further back.
    newest = alice_client.get(reverse("timeline")).content.decode()
    back = re.search(r'data-contacts-beyond>.*?<a href="([^"]+)"', newest, re.S)[1]
    timeline = page_text(alice_client.get(reverse("timeline") + html.unescape(back)))
    assert "1 message from Sam; 1 message to Sam, 19:22 to 19:25" in timeline  # not "texts"


def test_without_saying_who_they_are_only_the_persons_messages_are_kept(
    alice_client, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client)
    answers = {**ANSWERS, "me": ""}
    preview = page_text(alice_client.post(job_url, {"numbers": [SAM], **answers}))
    assert "You did not say which sender is you" in preview
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": [SAM], "confirm": "1", **answers})
    assert list(Message.objects.values_list("direction", flat=True)) == ["in", "in"]
    assert MessageImport.objects.get().reasons["other_number"] == 1  # Alex's: counted only


def test_the_command_takes_the_answers_as_options(case, tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(CHAT)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_messages", "--user", "alice", "--sender", "Sam", path, stderr=err)
    assert "Say which with --date-order dmy or --date-order mdy." in err.getvalue()
    assert not Message.objects.exists()
    options = ["--sender", "Sam", "--me", "Alex", "--time-zone", "Asia/Tokyo"]
    options += ["--date-order", "dmy"]
    call_command("import_messages", "--user", "alice", *options, path, stdout=out)
    printed = " ".join(out.getvalue().split())
    assert "A test chat, 3 messages between 3 April and 5 April 2025, 2 people." in printed
    assert "added: 3" in printed and "the phone was set to" not in printed
    assert "Times are read as the phone's clock in Asia/Tokyo" in printed
    first = Message.objects.order_by("element").first()
    assert first.sent_at == datetime(2025, 4, 3, 5, 22, tzinfo=UTC)  # 14:22 in Tokyo
    assert Message.objects.get(body="Please stop.").direction == "out"


def test_the_command_refuses_a_zone_that_is_not_one(case, tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(CHAT)
    with pytest.raises(CommandError, match="Mars/Olympus is not a time zone name"):
        call_command(
            "import_messages", "--user", "alice", "--sender", "Sam", "--time-zone",
            "Mars/Olympus", path,
        )  # fmt: skip


@pytest.mark.slow
def test_the_dossier_prints_what_the_user_confirmed_beside_the_transcript(
    alice, case, tmp_path, settings
):
    settings.DOSSIER_WORKERS = 1
    path = tmp_path / "chat.txt"
    path.write_text(CUT)
    options = ["--sender", "Sam", "--me", "Alex", "--date-order", "mdy"]
    call_command("import_messages", "--user", "alice", *options, path, stdout=StringIO())
    out = tmp_path / "dossier.pdf"
    render_dossier(alice, DossierOptions(case=str(case.uuid)), out)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    transcript = text.split("Transcript of the imported messages and calls", 1)[1]
    assert "The person keeping this log said the phone was set to Europe/" in transcript
    assert "said the month comes first: 03/04/2025 means 4 March 2025" in transcript
    assert "said “Sam” in this file is the person of concern" in transcript
    assert "said “Alex” in this file is themselves" in transcript
    assert f"About this file: {CUT_SHORT}" in transcript
    assert "WhatsApp message · Sam" in transcript and "Where are you?" in transcript
