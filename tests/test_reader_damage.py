"""Damage a file can carry past the first reading, answered with a plain message or a skipped
item, never a server error: a damaged chat or photo inside a WhatsApp ZIP, a time no message
can have in a file's preview, and JSON nested deeper than any export."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import MessageImport
from incidents.sources.items import FileUnreadable, MessageItem
from incidents.sources.telegram import TelegramReader
from incidents.sources.whatsapp import WhatsAppReader
from tests.conftest import page_text
from tests.imported import person_named_sam

CHAT = "WhatsApp Chat with Sam.txt"
LINES = "".join(f"20/05/2024, 19:{n:02d} - Sam: Answer me, message {n}.\n" for n in range(60))


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _damaged(data: bytes, member: str, at: int = 40) -> bytes:
    """The archive with a byte of `member`'s packed data changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + at
    return data[:start] + bytes([data[start] ^ 0xFF]) + data[start + 1 :]


@pytest.fixture
def case(alice):
    return person_named_sam(alice, "Europe/London")


def test_a_damaged_chat_in_a_whatsapp_zip_is_refused_with_a_reason(alice_client, case):
    data = _damaged(_zip({CHAT: LINES.encode()}), CHAT)
    upload = SimpleUploadedFile("WhatsApp Chat with Sam.zip", data, "application/zip")

    response = alice_client.post(reverse("message_import_new"), {"file": upload})

    assert response.status_code == 400
    assert "is damaged, so nothing was read" in page_text(response)
    assert not MessageImport.objects.exists()


def test_a_damaged_photo_leaves_its_message_kept_and_named():
    chat = "20/05/2024, 19:02 - Sam: IMG-20240520-WA0001.jpg (file attached)\n" + LINES
    photo = bytes(range(256)) * 40
    stored = _zip({CHAT: chat.encode(), "IMG-20240520-WA0001.jpg": photo}, zipfile.ZIP_STORED)
    data = _damaged(stored, "IMG-20240520-WA0001.jpg", at=100)  # its checksum no longer holds

    reader = WhatsAppReader(io.BytesIO(data), pictures=True, options={"date_order": "dmy"})
    first = next(item for item in reader.items() if isinstance(item, MessageItem))

    assert first.attachments[0]["name"] == "IMG-20240520-WA0001.jpg"
    assert first.pictures == []


def test_a_time_no_message_can_have_is_skipped_in_the_preview_too(alice_client, case):
    data = (
        b'{"name": "Sam", "type": "personal_chat", "id": 123, "messages": ['
        b'{"id": 1, "type": "message", "date": "2024-05-03T21:14:02", '
        b'"date_unixtime": "1714770842", "from": "Sam", "from_id": "user123", "text": "hi"},'
        b'{"id": 2, "type": "message", "date": "2024-05-03T21:15:02", '
        b'"date_unixtime": "99999999999999", "from": "Sam", "from_id": "user123", '
        b'"text": "from far away"}]}'
    )
    upload = SimpleUploadedFile("result.json", data, "application/json")
    job_url = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    key = MessageImport.objects.get().numbers_found[0]["key"]

    preview = alice_client.post(job_url, {"numbers": [key], "me": ""})

    assert preview.status_code == 200
    assert "hi" in page_text(preview) and "from far away" not in page_text(preview)


def test_json_nested_deeper_than_any_export_is_refused_as_damaged():
    deep = b"[" * 100_000 + b"]" * 100_000
    data = b'{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [' + deep + b"]}"

    with pytest.raises(FileUnreadable, match="nested far deeper than an export"):
        list(TelegramReader(io.BytesIO(data)).items())
