"""Importing Telegram Desktop's JSON export (hand-made files under tests/fixtures/telegram/): one
chat, the whole account, and the ZIP of an export folder with a photo; who sent what, when,
the text as written, and where each message sits in result.json."""

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from incidents.message_import import import_file
from incidents.models import Case, Message, MessageImport
from incidents.sources import jsonstream, reader_for
from incidents.sources.items import FileUnreadable, MessageItem, SkippedItem
from incidents.sources.telegram import TelegramReader

FILES = Path(__file__).parent / "fixtures" / "telegram"
FOLDER = FILES / "ChatExport_2024-05-03"
PHOTO = FOLDER / "photos" / "photo_1@03-05-2024_21-14-02.jpg"


@pytest.fixture
def case(alice):
    return Case.objects.owned_by(alice).get()


def _zip(tmp_path, members: dict[str, bytes], name="ChatExport_2024-05-03.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def _export_zip(tmp_path) -> Path:
    return _zip(
        tmp_path,
        {
            "ChatExport_2024-05-03/result.json": (FOLDER / "result.json").read_bytes(),
            "ChatExport_2024-05-03/photos/" + PHOTO.name: PHOTO.read_bytes(),
        },
    )


def _import(case, path: Path, me="user777") -> MessageImport:
    return import_file(case=case, path=path, numbers=[], addresses=["user123"], me=me)


def _line_of(path: Path, message_id: int) -> int:
    """The line of the opening brace of a message in the file, counted by hand."""
    lines = path.read_text().splitlines()
    at = lines.index(f'   "id": {message_id},')
    assert lines[at - 1].strip() == "{"
    return at  # 1-based number of the line before


def test_one_chat_is_imported_with_senders_times_and_joined_text(case):
    job = _import(case, FOLDER / "result.json")
    assert job.status == MessageImport.Status.DONE, job.error
    assert job.format == "telegram" and job.description.startswith("a Telegram chat (Sam)")
    assert job.items_found == 6 and job.added == 5
    assert job.reasons["service"] == 1  # the missed call's notice
    assert job.reasons["other_numbers"] == 1  # Alice's own account, listed and not chosen
    messages = Message.objects.filter(case=case).order_by("sent_at")
    assert [m.direction for m in messages] == ["in", "in", "out", "in", "in"]
    assert {m.channel for m in messages} == {"telegram"}
    first, entities, mine, photo, voice = messages
    # date_unixtime, not the exporting computer's local "date" an hour ahead.
    assert first.sent_at == datetime(2024, 5, 3, 20, 5, tzinfo=UTC)
    assert first.address == "user123" and first.contact_name == "Sam"
    assert first.body == "Why did you block my number?"
    assert entities.body == "Answer me. I know you moved to Elm Street 😡"
    assert mine.body == "Please stop contacting me." and mine.address == "user123"
    assert mine.details["sender"] == "user777"
    assert photo.details["edited_unixtime"] == "1714771200" and photo.details["chat"] == "Sam"
    assert photo.attachments == [{"seq": 1, "content_type": "image/jpeg", "name": PHOTO.name}]
    assert not photo.evidence.exists()  # a lone result.json has no photos with it
    assert voice.attachments[0]["content_type"] == "audio/ogg"
    assert voice.details["file_not_included"].startswith("(File not included")
    assert photo.dedupe_key and entities.element == 3
    assert entities.line == _line_of(FOLDER / "result.json", 42)
    assert first.line == _line_of(FOLDER / "result.json", 41)


def test_the_users_messages_are_sent_to_the_person_even_without_saying_who_the_user_is(case):
    job = _import(case, FOLDER / "result.json", me="")
    assert job.added == 5  # the personal chat's id is Sam's account: Alice's message went there
    assert Message.objects.get(body__startswith="Please stop").direction == "out"


def test_all_chats_keep_only_the_persons_chat(case):
    job = _import(case, FILES / "result-all-chats.json")
    assert job.description == "a Telegram Desktop export of 3 chats"
    assert job.items_found == 8
    # Sam's two messages and Alice's reply to Sam; Mum's chat and the book club are counted
    # (Alice's "Yes please" to Mum is hers to someone else), never kept.
    assert job.added == 3
    assert job.reasons["service"] == 2 and job.reasons["other_number"] == 3
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        "Answer me. I know you moved to Elm Street 😡",
        "Please stop contacting me.",
        "Why did you block my number?",
    ]
    reply = Message.objects.get(direction="out")
    assert reply.address == "user123" and reply.details["chat_id"] == 123
    assert reply.element == 6 and reply.line == 136


def test_a_photo_in_the_zip_becomes_an_exhibit_of_its_message(case, tmp_path):
    job = _import(case, _export_zip(tmp_path))
    assert job.status == MessageImport.Status.DONE, job.error
    assert job.added == 5 and job.pictures == 1
    photo = Message.objects.get(body="Nice door.")
    [exhibit] = photo.evidence.all()
    assert exhibit.sha256 == hashlib.sha256(PHOTO.read_bytes()).hexdigest()
    assert photo.details["member"] == "ChatExport_2024-05-03/result.json"
    assert photo.line == _line_of(FOLDER / "result.json", 44)
    assert job.source.original_name == "ChatExport_2024-05-03.zip"
    assert job.source.content_type == "application/zip"


def test_the_kept_export_can_be_downloaded_as_it_came(case, alice_client, tmp_path):
    for path, ending in ((FOLDER / "result.json", ".json"), (_export_zip(tmp_path), ".zip")):
        source = _import(case, path).source
        response = alice_client.get(reverse("evidence_original", args=[source.uuid]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == path.read_bytes()
        assert response["Content-Disposition"].endswith(ending + '"')


def test_the_same_export_again_adds_nothing(case, tmp_path):
    _import(case, FOLDER / "result.json")
    again = _import(case, _export_zip(tmp_path))
    assert again.added == 0 and again.already_there == 5


def test_a_file_is_read_by_its_content_whatever_its_name(tmp_path):
    renamed = tmp_path / "notes.txt"
    renamed.write_bytes((FILES / "result-all-chats.json").read_bytes())
    with open(renamed, "rb") as stream:
        assert reader_for(stream) is TelegramReader


def test_the_reader_streams_in_bounded_chunks_and_counts_lines_across_them(monkeypatch):
    raw = (FILES / "result-all-chats.json").read_bytes()
    whole = [vars(i) for i in TelegramReader(io.BytesIO(raw)).items()]
    monkeypatch.setattr(jsonstream, "CHUNK_BYTES", 37)
    stream = io.BytesIO(raw)
    reads = []
    original = stream.read
    stream.read = lambda size=-1: reads.append(size) or original(size)
    assert [vars(i) for i in TelegramReader(stream).items()] == whole
    assert all(0 < size < 4096 for size in reads)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [{"id": 1,', "stops in"),
        (
            b'{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [{"id": 1} {}]}',
            "damaged at line 1",
        ),
        (b'{"name": "Sam", "type": "personal_chat", "id": 1}', "not a Telegram chat export"),
    ],
)
def test_damaged_or_empty_exports_are_refused_with_a_reason(data, words):
    with pytest.raises(FileUnreadable, match=words):
        list(TelegramReader(io.BytesIO(data)).items())


def test_other_json_is_not_taken_for_telegram():
    assert not TelegramReader.sniff(b'{"messages": [{"text": "hi"}]}', io.BytesIO())
    assert not TelegramReader.sniff(b'[{"date_unixtime": "1"}]', io.BytesIO())


def test_a_zip_without_result_json_or_saved_as_web_pages_is_explained(tmp_path):
    html = _zip(tmp_path, {"ChatExport_2024-05-03/messages.html": b"<html></html>"})
    with open(html, "rb") as stream:
        assert reader_for(stream) is TelegramReader
        with pytest.raises(FileUnreadable, match="saved as web pages"):
            list(TelegramReader(stream).items())
    plain = _zip(tmp_path, {"notes/readme.txt": b"hello"}, "other.zip")
    with open(plain, "rb") as stream, pytest.raises(FileUnreadable, match="holds no export"):
        reader_for(stream)


def test_a_message_with_only_a_local_time_is_skipped_with_a_warning():
    data = (
        b'{"name": "Sam", "type": "personal_chat", "id": 123, "messages": ['
        b'{"id": 1, "type": "message", "date": "2019-01-01T10:00:00", "from": "Sam", '
        b'"from_id": "user123", "text": "old"}]}'
    )
    reader = TelegramReader(io.BytesIO(data))
    [item] = reader.items()
    assert isinstance(item, SkippedItem) and item.reason == "no_time"
    assert "local time" in reader.warnings[0]


def test_a_photo_path_leading_outside_the_export_is_not_read(tmp_path):
    data = (
        b'{"name": "Sam", "type": "personal_chat", "id": 123, "messages": ['
        b'{"id": 1, "type": "message", "date_unixtime": "1714766700", "from": "Sam", '
        b'"from_id": "user123", "photo": "../../secret.jpg", "text": ""}]}'
    )
    path = _zip(tmp_path, {"Chat/result.json": data, "secret.jpg": PHOTO.read_bytes()})
    with open(path, "rb") as stream:
        [item] = TelegramReader(stream, pictures=True).items()
    assert isinstance(item, MessageItem) and item.pictures == []
    assert item.attachments[0]["name"] == "secret.jpg"
