"""Importing Facebook Messenger and Instagram messages from Meta's "Download your information"
(hand-made exports under tests/fixtures/meta/): the garbled accents and emoji repaired, unsent
messages, photos, message requests, the warning about encrypted chats, and where each message
sits in its file."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incidents.message_import import import_file
from incidents.models import Case, Message, MessageImport
from incidents.sources import reader_for
from incidents.sources.items import FileUnreadable
from incidents.sources.meta import MetaReader, repaired

FILES = Path(__file__).parent / "fixtures" / "meta"
MESSENGER = FILES / "messenger"
INSTAGRAM = FILES / "instagram"
SAM_THREAD = MESSENGER / "your_facebook_activity/messages/inbox/samdoe_10158842"
SAM = "Sam Doé"


@pytest.fixture
def case(alice):
    return Case.objects.owned_by(alice).get()


def _zip(folder: Path, path: Path, top: str = "") -> Path:
    """The export as Meta zips it: the folders under `folder`, optionally inside `top`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, top + file.relative_to(folder).as_posix())
    return path


def _import(case, path: Path, me: str = "") -> MessageImport:
    return import_file(case=case, path=path, numbers=[], addresses=[SAM], me=me)


def _line_of(path: Path, timestamp_ms: int) -> int:
    """The line of the opening brace of the message with this time, counted by hand."""
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if f'"timestamp_ms": {timestamp_ms},' in line)
    assert lines[at - 2].strip() == "{"
    return at - 1


def _ms(day: int, hour: int, minute: int) -> int:
    return int(datetime(2024, 5, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


def test_the_repair_reads_the_bytes_back_and_leaves_correct_text_alone():
    assert repaired("caf\u00c3\u00a9 \u00f0\u009f\u0098\u00a1") == ("café 😡", True)
    assert repaired("café") == ("café", False)  # already right: é alone is not UTF-8
    assert repaired("plain") == ("plain", False)
    assert repaired("€ \u00c3\u00a9") == ("€ \u00c3\u00a9", False)  # beyond Latin-1: as written


def test_a_messenger_export_is_imported_with_its_text_repaired(case, tmp_path):
    job = _import(case, _zip(MESSENGER, tmp_path / "facebook-alice-2024.zip"))
    assert job.status == MessageImport.Status.DONE, job.error
    assert job.format == "messenger"
    assert job.description.endswith("Download your information: 3 conversations")
    # Sam: five in the inbox, one among the message requests; Alice's reply to Sam. Mum's
    # conversation is counted, never kept.
    assert job.items_found == 7 and job.added == 6
    assert job.reasons["other_number"] == 1
    assert job.recovered == 5  # Sam's five, each naming "Sam Doé"; Alice's reply is plain
    body = Message.objects.get(sent_at=datetime(2024, 5, 6, 22, 10, tzinfo=UTC))
    assert body.body == "Tu es au café ce soir ? Je te vois 😡"
    assert body.contact_name == SAM and body.address == SAM and body.direction == "in"
    assert body.details["reactions"] == [{"reaction": "😮", "actor": "Alice Example"}]
    assert body.channel == "messenger" and body.recovered


def test_the_users_reply_is_sent_and_unsent_messages_are_kept_marked(case, tmp_path):
    _import(case, _zip(MESSENGER, tmp_path / "export.zip"))
    reply = Message.objects.get(body="Stop writing to me.")
    assert reply.direction == "out" and reply.address == SAM
    assert reply.details["sender"] == "Alice Example"
    unsent = Message.objects.get(details__is_unsent=True)
    assert unsent.body == "" and unsent.sent_at == datetime(2024, 5, 6, 23, 41, tzinfo=UTC)


def test_naming_the_user_keeps_their_messages_to_others_out(case, tmp_path):
    job = _import(case, _zip(MESSENGER, tmp_path / "export.zip"), me="Alice Example")
    assert job.added == 6
    assert not Message.objects.filter(body__contains="Call me").exists()


def test_a_photo_becomes_an_exhibit_and_citations_follow_the_file(case, tmp_path):
    job = _import(case, _zip(MESSENGER, tmp_path / "export.zip", top="facebook-alice/"))
    assert job.pictures == 1
    photo = Message.objects.get(sent_at=datetime(2024, 5, 6, 23, 50, tzinfo=UTC))
    [exhibit] = photo.evidence.all()
    original = SAM_THREAD / "photos" / "4412_n.jpg"
    assert exhibit.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert photo.attachments == [{"seq": 1, "content_type": "image/jpeg", "name": "4412_n.jpg"}]
    # Newest first, as in the file: the photo is the thread's first message, after Mum's.
    assert photo.element == 2
    assert photo.line == _line_of(SAM_THREAD / "message_1.json", _ms(6, 23, 50))
    member = "facebook-alice/your_facebook_activity/messages/inbox/samdoe_10158842/message_1.json"
    assert photo.details["member"] == member


def test_warnings_name_the_encrypted_chats_and_the_message_requests(case, tmp_path):
    job = _import(case, _zip(MESSENGER, tmp_path / "export.zip"))
    assert len(job.warnings) == 2
    assert "End-to-end encrypted chats" in job.warnings[0] and "chat backup" in job.warnings[0]
    assert "message requests" in job.warnings[1] and "read too" in job.warnings[1]
    first = Message.objects.get(details__folder="message_requests")
    assert first.body == "It's me. New account. Don't ignore this."
    assert first.sent_at == datetime(2024, 5, 1, 2, 13, tzinfo=UTC)


def test_one_conversation_file_alone_is_read_too(case):
    job = _import(case, SAM_THREAD / "message_1.json")
    assert job.format == "messenger" and job.added == 5 and job.pictures == 0
    assert len(job.warnings) == 1  # no message requests in it
    photo = Message.objects.get(sent_at=datetime(2024, 5, 6, 23, 50, tzinfo=UTC))
    assert photo.attachments[0]["name"] == "4412_n.jpg" and not photo.evidence.exists()
    assert photo.element == 1 and photo.line == 11


def test_an_instagram_export_is_told_from_messenger_by_its_folder(case, tmp_path):
    job = _import(case, _zip(INSTAGRAM, tmp_path / "instagram-alice.zip"))
    assert job.format == "instagram" and job.description.startswith("Instagram messages")
    assert job.added == 3 and job.warnings == []
    messages = Message.objects.order_by("sent_at")
    assert [m.body for m in messages] == ["Réponds-moi", "Leave me alone.", "Saw your story 👀"]
    assert [m.direction for m in messages] == ["in", "out", "in"]
    assert {m.channel for m in messages} == {"instagram"}
    assert messages[2].details["share"]["link"].startswith("https://www.instagram.com/")
    lone = INSTAGRAM / "your_instagram_activity/messages/inbox/sam.doe.77_17841400012"
    with open(lone / "message_1.json", "rb") as stream:
        reader = MetaReader(stream)
        list(reader.items())
    # A lone file without media names no folder: it is taken for Messenger (the docstring).
    assert reader.format == "messenger"


def test_reimporting_the_export_adds_nothing(case, tmp_path):
    _import(case, SAM_THREAD / "message_1.json")
    again = _import(case, _zip(MESSENGER, tmp_path / "export.zip"))
    assert again.added == 1 and again.already_there == 5  # only the message request is new


def test_the_export_is_recognised_by_its_content(tmp_path):
    renamed = tmp_path / "holiday.txt"
    renamed.write_bytes((SAM_THREAD / "message_1.json").read_bytes())
    with open(renamed, "rb") as stream:
        assert reader_for(stream) is MetaReader
    assert not MetaReader.sniff(b'{"participants": ["Sam"], "threadName": "x"}', io.BytesIO())


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"participants": [{"name": "Sam"}], "messages": [{"sender_name": "Sam",', "stops in"),
        (b'{"participants": [{"name": "Sam"}], "messages": [}', "damaged at line 1"),
        (b'{"participants": [{"name": "Sam"}], "messages": []}', "holds no messages"),
    ],
)
def test_damaged_or_empty_files_are_refused_with_a_reason(data, words):
    with pytest.raises(FileUnreadable, match=words):
        list(MetaReader(io.BytesIO(data)).items())


def test_an_export_in_html_is_explained(tmp_path):
    path = tmp_path / "facebook.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("your_facebook_activity/messages/inbox/sam_1/message_1.html", "<html>")
    with open(path, "rb") as stream:
        assert reader_for(stream) is MetaReader
        with pytest.raises(FileUnreadable, match="web pages"):
            list(MetaReader(stream).items())


def test_a_failed_import_keeps_nothing_and_says_why(case, tmp_path):
    bad = tmp_path / "message_1.json"
    bad.write_bytes((SAM_THREAD / "message_1.json").read_bytes()[:700])
    with pytest.raises(FileUnreadable, match="stops in the middle"):
        _import(case, bad)
    assert not Message.objects.exists() and not MessageImport.objects.exists()


def _group_file(tmp_path) -> Path:
    """A group conversation of Sam, Jo and Alice, newest first, as Meta writes it."""
    people = [{"name": "Sam Doe"}, {"name": "Jo"}, {"name": "Alice Example"}]
    messages = [
        {"sender_name": "Alice Example", "timestamp_ms": _ms(9, 10, 2), "content": "Sam, stop."},
        {"sender_name": "Jo", "timestamp_ms": _ms(9, 10, 1), "content": "Party at mine"},
        {"sender_name": "Sam Doe", "timestamp_ms": _ms(9, 10, 0), "content": "I'll be there"},
        {"sender_name": "Jo", "timestamp_ms": _ms(9, 9, 0), "type": "Subscribe", "content": ""},
    ]
    path = tmp_path / "message_1.json"
    body = {"participants": people, "messages": messages, "thread_path": "inbox/party_1"}
    path.write_text(json.dumps(body, indent=2))
    return path


def test_in_a_group_someone_elses_message_is_never_taken_for_the_users(case, tmp_path):
    job = import_file(case=case, path=_group_file(tmp_path), numbers=[], addresses=["Sam Doe"])
    # Sam's message is kept; without knowing the user's name, Jo's and Alice's (each to two
    # people) are not taken for hers; Jo joining is a notice.
    assert job.added == 1 and job.reasons["service"] == 1 and job.reasons["other_number"] == 2
    [message] = Message.objects.all()
    assert message.body == "I'll be there" and message.recipients == ["Jo", "Alice Example"]


def test_in_a_group_the_users_own_message_is_sent_once_her_name_is_given(case, tmp_path):
    path = _group_file(tmp_path)
    job = import_file(case=case, path=path, numbers=[], addresses=["Sam Doe"], me="Alice Example")
    assert job.added == 2
    sent = Message.objects.get(direction="out")
    assert sent.body == "Sam, stop." and sent.address == "Sam Doe"
    assert sent.recipients == ["Jo"] and sent.details["sender"] == "Alice Example"
    assert not Message.objects.filter(body="Party at mine").exists()


def test_a_zip_with_a_path_outside_its_folder_is_refused(tmp_path):
    path = tmp_path / "facebook.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "your_facebook_activity/messages/inbox/sam_1/message_1.json",
            (SAM_THREAD / "message_1.json").read_bytes(),
        )
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    with open(path, "rb") as stream:
        assert reader_for(stream) is MetaReader
        with pytest.raises(FileUnreadable, match="outside its folder"):
            list(MetaReader(stream).items())
