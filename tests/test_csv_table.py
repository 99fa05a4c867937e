"""Message and call tables saved as CSV: recognised by their content, read only once the user
has said which column is what (with a look at the first rows), bad rows skipped with their
reasons, formulas kept as written, and the columns remembered for the next file of that shape."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from incidents.message_import import import_file, message_import_answer, message_import_receive
from incidents.models import Call, Case, CsvMapping, Message, MessageImport
from incidents.services import record_save
from incidents.sources import reader_for
from incidents.sources.csv_table import CsvReader, parse_duration
from incidents.sources.items import FileUnreadable, NeedsAnswers
from incidents.sources.sbr import SbrReader
from tests.conftest import page_text

FILES = Path(__file__).parent / "fixtures" / "csv"
SAM = "447700900123"
TEXT_COLUMNS = {
    "kind": "messages",
    "time": "0",
    "time_format": "iso",
    "time_zone": "Europe/London",
    "party": "2",
    "party_kind": "number",
    "direction": "1",
    "name": "3",
    "text": "4",
}
TEXT_MAPPING = {
    "kind": "messages",
    "time": 0,
    "time_format": "iso",
    "party": 2,
    "party_kind": "number",
    "direction": 1,
    "name": 3,
    "text": 4,
}


@pytest.fixture
def case(alice):
    case = Case.objects.owned_by(alice).get()
    case.phone_numbers = "07700 900123"
    alice.time_zone = "Europe/London"
    alice.save()
    record_save(record=case)
    return case


def _read(name: str, **options):
    stream = io.BytesIO((FILES / name).read_bytes())
    reader = reader_for(stream)(stream, options=options)
    return reader, list(reader.items())


def test_a_table_with_a_header_row_is_read_as_csv_and_a_line_of_prose_is_not():
    assert reader_for(io.BytesIO((FILES / "texts.csv").read_bytes())) is CsvReader
    assert reader_for(io.BytesIO((FILES / "calls.csv").read_bytes())) is CsvReader
    with pytest.raises(FileUnreadable, match="cannot read this file"):
        reader_for(io.BytesIO(b"Shopping list: milk, eggs, bread.\nAnd tea, later.\n"))
    xml = b"<?xml version='1.0'?><smses count='0'></smses>"
    assert reader_for(io.BytesIO(xml)) is SbrReader  # the most particular reader comes first


def test_without_columns_the_reader_asks_and_shows_the_first_rows():
    with pytest.raises(NeedsAnswers) as asked:
        _read("texts.csv")
    assert asked.value.questions == ["columns"]
    assert asked.value.preview["header"] == ["When", "Type", "Number", "Contact", "Text"]
    assert asked.value.preview["rows"][0][4] == "You can't ignore me"


def test_rows_are_read_with_the_columns_given_in_the_zone_given():
    reader, items = _read("texts.csv", columns=TEXT_MAPPING, time_zone="Europe/London")
    first, second, no_time, odd, mum, formula = items
    assert mum.contact_name == "Mum" and mum.parties == ["07700 900456"]
    assert reader.format == "csv_messages"
    assert first.sent_at == datetime(2025, 5, 2, 20, 2, tzinfo=UTC)  # 21:02 in London (BST)
    assert (first.direction, first.address, first.contact_name) == ("in", "07700 900123", "Sam")
    assert (second.direction, second.box, second.line) == ("out", 2, 3)
    assert (no_time.reason, no_time.line) == ("no_time", 4)
    assert odd.reason == "bad_row"  # "Sideways" is neither received nor sent
    assert formula.body == '=HYPERLINK("http://x","click")'  # kept as written, never worked out
    assert reader.open_questions() == []


def test_a_call_log_gives_outcomes_durations_and_withheld_numbers():
    columns = {"kind": "calls", "time": 0, "time_format": "dmy", "direction": 1, "party": 2}
    columns["duration"] = 3
    _reader, calls = _read("calls.csv", columns=columns, time_zone="UTC")
    assert [(c.direction, c.outcome, c.duration) for c in calls] == [
        ("in", "missed", 0),
        ("in", "answered", 95),
        ("out", "unanswered", 0),
        ("in", "missed", 0),
    ]
    assert calls[0].started_at == datetime(2025, 5, 2, 23, 40, tzinfo=UTC)  # 02/05 is 2 May
    assert [c.withheld for c in calls] == [False, False, False, True]
    assert parse_duration("0:01:35") == 95 and parse_duration("a minute") is None


def _upload(client, name="texts.csv"):
    upload = SimpleUploadedFile(name, (FILES / name).read_bytes(), "text/csv")
    return client.post(reverse("message_import_new"), {"file": upload})


def test_the_columns_step_reads_the_first_rows_then_the_import_keeps_the_persons(
    alice_client, case, django_capture_on_commit_callbacks
):
    job_url = _upload(alice_client).url
    job = MessageImport.objects.get()
    assert job.status == MessageImport.Status.ASKING and job.source.sha256
    page = page_text(alice_client.get(job_url))
    assert "Which column is what?" in page and "5: Text" in page and "You can't ignore me" in page
    look = page_text(alice_client.post(job_url, {**TEXT_COLUMNS, "look": "1"}))
    assert "Line 2: 2 May 2025, 21:02 · received from 07700 900123 · You can't ignore me" in look
    assert "Line 4: skipped: without a readable time" in look
    assert alice_client.post(job_url, {**TEXT_COLUMNS, "confirm": "1"}).url == job_url
    job.refresh_from_db()
    assert job.status == MessageImport.Status.SCANNED and "preview" not in job.options
    numbers = page_text(alice_client.get(job_url))
    assert "Messages saved as a CSV table, 4 messages between 2 May and 3 May 2025, 2 numbers." in (
        numbers
    )
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": [SAM], "confirm": "1"})
    job.refresh_from_db()
    assert job.added == 3 and job.reasons["bad_row"] == 1 and job.reasons["no_time"] == 1
    assert not Message.objects.filter(address="07700 900456").exists()  # Mum's: never kept
    assert CsvMapping.objects.get(owner=case.owner).columns["time_zone"] == "Europe/London"


def test_a_column_step_error_keeps_the_answers(alice_client, case):
    job_url = _upload(alice_client).url
    response = alice_client.post(job_url, {**TEXT_COLUMNS, "party": "0", "look": "1"})
    assert response.status_code == 400
    assert "This is the column chosen for the time." in page_text(response)
    assert 'value="4" selected' in response.content.decode()  # the text column, as chosen


def test_columns_that_read_no_row_are_refused_on_the_column_step(alice_client, case):
    job_url = _upload(alice_client).url
    response = alice_client.post(
        job_url, {**TEXT_COLUMNS, "time_format": "unix_ms", "confirm": "1"}
    )
    assert response.status_code == 400
    assert "Read this way, no row of the file gives a message or a call." in page_text(response)
    assert MessageImport.objects.get().status == MessageImport.Status.ASKING
    assert not CsvMapping.objects.exists()


def test_a_table_of_the_same_shape_is_offered_the_columns_given_before(alice_client, case):
    first = _upload(alice_client).url
    alice_client.post(first, {**TEXT_COLUMNS, "time_zone": "Europe/Paris", "confirm": "1"})
    later = (FILES / "texts.csv").read_bytes() + b"2025-05-04 10:00:00,Incoming,07700 900123,,x\n"
    upload = SimpleUploadedFile("later.csv", later, "text/csv")
    second = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    page = alice_client.get(second)
    assert "You described a table with the same columns before" in page_text(page)
    html = page.content.decode()
    assert '<option value="Europe/Paris" selected>' in html and 'value="4" selected' in html


def test_the_command_reads_a_table_with_the_columns_remembered_and_asks_otherwise(case, tmp_path):
    path = tmp_path / "texts.csv"
    path.write_bytes((FILES / "texts.csv").read_bytes())
    with pytest.raises(NeedsAnswers):
        import_file(case=case, path=path, numbers=["07700 900123"])
    assert MessageImport.objects.get().status == MessageImport.Status.ASKING  # the file kept
    job = MessageImport.objects.get()
    message_import_answer(job=job, answers={"columns": TEXT_MAPPING, "time_zone": "UTC"})
    done = import_file(case=case, path=path, numbers=["07700 900123"])
    assert done.added == 3 and done.options["columns"] == TEXT_MAPPING  # as remembered
    assert Message.objects.get(body="Please stop").sent_at == datetime(
        2025, 5, 2, 21, 5, tzinfo=UTC
    )


def test_a_call_log_table_is_imported_as_calls(case, tmp_path):
    columns = {"kind": "calls", "time": 0, "time_format": "dmy", "direction": 1, "party": 2}
    path = tmp_path / "calls.csv"
    path.write_bytes((FILES / "calls.csv").read_bytes())
    with path.open("rb") as stream:
        job = message_import_receive(case=case, upload=SimpleUploadedFile("c.csv", stream.read()))
    message_import_answer(job=job, answers={"columns": {**columns, "duration": 3}})
    done = import_file(case=case, path=path, numbers=["07700 900123"])
    assert done.format == "csv_calls" and done.added == 3
    assert sorted(Call.objects.values_list("outcome", flat=True)) == [
        "answered",
        "missed",
        "unanswered",
    ]


def test_the_upload_page_names_the_formats_read_and_a_table_is_its_owners_only(
    alice_client, case, mallory
):
    page = page_text(alice_client.get(reverse("message_import_new")))
    assert "SMS Backup & Restore export" in page and "CSV table of messages" in page
    job_url = _upload(alice_client).url
    mallory_client = Client()
    mallory_client.force_login(mallory)
    assert mallory_client.get(job_url).status_code == 404
    assert mallory_client.post(job_url, {**TEXT_COLUMNS, "confirm": "1"}).status_code == 404
    assert MessageImport.objects.get().status == MessageImport.Status.ASKING


def test_a_time_no_message_can_have_is_no_time_whatever_unit_or_zone():
    from zoneinfo import ZoneInfo

    from incidents.sources.csv_table import parse_time

    tokyo = ZoneInfo("Asia/Tokyo")
    assert parse_time("1712150520000", "unix_s", tokyo) is None  # milliseconds read as seconds
    assert parse_time("0001-01-01 00:00", "iso", tokyo) is None  # .NET's empty date
    assert parse_time("1712150520", "unix_s", tokyo) == 1712150520000


def test_an_item_with_an_impossible_time_is_skipped_not_a_broken_import():
    from incidents.sources.items import MessageItem, SkippedItem, readable

    item = MessageItem(
        element=3, line=4, recovered=False, channel="other", box=1, direction="in",
        date_ms=10**16, address="Sam", parties=["Sam"], recipients=[], contact_name="",
        subject="", body="Hi",
    )  # fmt: skip
    assert readable(item) == SkippedItem(3, 4, "no_time", False)
