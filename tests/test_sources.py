"""Choosing a reader by the file's content, matching addresses of every kind, and opening a ZIP
archive without trusting it."""

import io
import zipfile
from pathlib import Path

import pytest

from incidents.sources import archives, reader_for
from incidents.sources.items import ACCOUNT, EMAIL, NAME, NUMBER, FileUnreadable
from incidents.sources.keys import address_key
from incidents.sources.sbr import SbrReader

FILES = Path(__file__).parent / "fixtures" / "sms"


def test_a_file_is_read_by_its_content_whatever_its_name():
    stream = io.BytesIO((FILES / "sms-20250510.xml").read_bytes())
    stream.name = "holiday photos.txt"
    assert reader_for(stream) is SbrReader
    assert stream.tell() == 0


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "This file is empty"),
        (b"   \n", "This file is empty"),
        (b"%PDF-1.7 a letter", "The app cannot read this file. It reads: .*SMS Backup"),
        (b"PK\x03\x04" + b"\0" * 60, "This ZIP archive holds no export the app can read"),
    ],
)
def test_a_file_no_reader_knows_is_refused_saying_what_the_app_reads(data, words):
    with pytest.raises(FileUnreadable, match=words):
        reader_for(io.BytesIO(data))


def test_numbers_keep_their_keys_and_other_addresses_never_match_a_number():
    assert address_key(NUMBER, "+44 7700 900123") == address_key(NUMBER, "07700-900123", "GB")
    assert address_key(NAME, "  Sam   Doe ") == address_key(NAME, "sam doe")
    assert address_key(EMAIL, "Sam@Example.org") == address_key(EMAIL, "sam@example.org")
    assert address_key(ACCOUNT, "user42") != address_key(ACCOUNT, "User42")
    assert address_key(NAME, "447700900123") != address_key(NUMBER, "447700900123")


def test_a_long_address_gets_a_key_that_fits_and_stays_its_own():
    long_name = "Sam " * 40
    key = address_key(NAME, long_name)
    assert len(key) <= 64 and key.startswith("name:")
    assert key == address_key(NAME, long_name.upper())
    assert key != address_key(NAME, long_name + "x")


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    stream.seek(0)
    return stream


def test_a_plain_archive_opens_and_its_members_read():
    archive = archives.open_zip(_zip({"_chat.txt": b"hello", "IMG-1.jpg": b"\xff\xd8"}))
    member = archive.getinfo("_chat.txt")
    assert archives.read_member(archive, member, limit=100) == b"hello"


@pytest.mark.parametrize("name", ["../outside.txt", "media/../../outside.txt", "/etc/passwd"])
def test_an_archive_with_a_path_outside_its_folder_is_refused(name):
    with pytest.raises(FileUnreadable, match="leads outside its folder"):
        archives.open_zip(_zip({"_chat.txt": b"hi", name: b"x"}))


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    bomb = _zip({"_chat.txt": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(FileUnreadable, match="fill the disk"):
        archives.open_zip(bomb)


def test_a_member_larger_than_its_limit_is_refused():
    archive = archives.open_zip(_zip({"_chat.txt": b"a" * 5000}, zipfile.ZIP_STORED))
    with pytest.raises(FileUnreadable, match="larger than the limit"):
        archives.read_member(archive, archive.getinfo("_chat.txt"), limit=1000)


def test_a_damaged_archive_is_refused():
    data = _zip({"_chat.txt": b"hello" * 100}).getvalue()
    with pytest.raises(FileUnreadable, match="damaged or incomplete"):
        archives.open_zip(io.BytesIO(data[: len(data) // 2]))
