"""The streaming reader of SMS Backup & Restore files: repairs that hold wherever the file's
chunks happen to be cut, and reading in bounded pieces."""

import io
from pathlib import Path

import pytest

from incidents.sources import sbr_repair
from incidents.sources.items import FileUnreadable, MessageItem
from incidents.sources.sbr import SbrReader
from incidents.sources.sbr_repair import repair

FILES = Path(__file__).parent / "fixtures" / "sms"


def _read(data: bytes) -> list:
    return list(SbrReader(io.BytesIO(data)).items())


def test_a_surrogate_pair_becomes_one_character_and_other_damage_is_mended():
    fixed, repairs = repair(b"a&#55357;&#56832;b &#xD83D;&#xDE00; &#1; \x07 & &nbsp; &amp;", 0)
    assert fixed == b"a&#128512;b &#128512; &#xFFFD; &#xFFFD; &amp; &amp;nbsp; &amp;"
    assert len(repairs) == 6


@pytest.mark.parametrize("chunk_size", [33, 40, 57, 64, 101, 250])
def test_the_repairs_do_not_depend_on_where_the_chunks_are_cut(monkeypatch, chunk_size):
    raw = (FILES / "sms-20250510.xml").read_bytes()
    whole = [vars(item) for item in _read(raw)]
    monkeypatch.setattr(sbr_repair, "CHUNK_SIZE", chunk_size)
    assert [vars(item) for item in _read(raw)] == whole


def test_a_pair_cut_between_chunks_is_still_joined(monkeypatch):
    body = "x" * 20 + "&#55357;&#56832;"
    raw = (
        f'<smses count="1"><sms address="1" date="1000" type="1" body="{body}" /></smses>'
    ).encode()
    for size in range(33, 80):
        monkeypatch.setattr(sbr_repair, "CHUNK_SIZE", size)
        [item] = _read(raw)
        assert isinstance(item, MessageItem) and item.body.endswith("\U0001f600"), size
        assert item.recovered


class _CountingStream(io.BytesIO):
    largest = 0

    def read(self, size=-1):
        assert size > 0, "the reader asked for the whole file at once"
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def test_the_file_is_read_in_bounded_chunks():
    raw = (FILES / "sms-20250510.xml").read_bytes() * 1  # one read of every byte, in pieces
    stream = _CountingStream(raw)
    items = list(SbrReader(stream).items())
    assert len(items) == 11 and stream.largest <= sbr_repair.CHUNK_SIZE


def test_an_element_too_large_to_hold_is_refused(monkeypatch):
    monkeypatch.setattr("incidents.sources.sbr.MAX_ELEMENT_BYTES", 1000)
    raw = b'<smses count="1"><sms address="1" date="1000" type="1" body="' + b"a" * 5000
    raw += b'" /></smses>'
    with pytest.raises(FileUnreadable, match="too large"):
        _read(raw)


def test_times_are_read_as_utc_milliseconds():
    [item] = _read(b'<smses><sms address="1" date="1746300000123" type="1" body="" /></smses>')
    assert item.sent_at.isoformat() == "2025-05-03T19:20:00.123000+00:00"


def test_an_item_without_a_time_or_with_an_unknown_type_is_skipped_with_its_reason():
    items = _read(
        b'<smses><sms address="1" date="" type="1" body="" />'
        b'<sms address="1" date="5" type="9" body="" /></smses>'
    )
    assert [(i.element, i.reason) for i in items] == [(1, "no_time"), (2, "unknown_type")]
