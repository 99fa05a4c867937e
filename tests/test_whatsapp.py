"""Reading WhatsApp "Export chat" files (hand-made under tests/fixtures/whatsapp/, zipped with
media made here) and importing them: senders, times in the phone's zone, WhatsApp's notes and
marks, the order of day and month, media kept as exhibits, and the files refused."""

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from incidents.message_import import import_file
from incidents.models import Case, Evidence, Message, MessageImport
from incidents.sources import reader_for, whatsapp, whatsapp_lines
from incidents.sources.csv_table import CsvReader
from incidents.sources.items import FileUnreadable, MessageItem, SkippedItem
from incidents.sources.whatsapp import WhatsAppReader, content_type

FILES = Path(__file__).parent / "fixtures" / "whatsapp"
ANDROID_CHAT = "WhatsApp Chat with Sam.txt"


def _reader(data: bytes, pictures=False, **options) -> tuple[WhatsAppReader, list]:
    reader = WhatsAppReader(io.BytesIO(data), pictures=pictures, options=options)
    return reader, list(reader.items())


def _read(name: str, **options) -> tuple[WhatsAppReader, list]:
    return _reader((FILES / name).read_bytes(), **options)


def _messages(items: list) -> list[MessageItem]:
    return [item for item in items if isinstance(item, MessageItem)]


def _utc(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _media_zip() -> bytes:
    """An Android export with media: the chat, a photo and a document (the video it names is
    missing, as when a phone had deleted it)."""
    return _zip(
        {
            ANDROID_CHAT: (FILES / "android-media.txt").read_bytes(),
            "IMG-20240520-WA0001.jpg": _jpeg(),
            "DOC-20240520-WA0002.pdf": _pdf(),
        }
    )


# --- line forms ---------------------------------------------------------------------------------


def test_an_android_day_first_chat_reads_senders_texts_and_times_in_the_phones_zone():
    reader, items = _read("android-day-first.txt", time_zone="Europe/London")
    messages = _messages(items)
    assert [m.address for m in messages] == ["Sam", "Sam", "Alex", "Sam", "Sam", "Sam"]
    first = messages[0]
    assert first.body == "Why did you block me?" and first.element == 2 and first.line == 2
    assert first.direction == "" and first.parties == ["Sam"] and first.channel == "whatsapp"
    # 09:15 in London in May is 08:15 UTC (summer time).
    assert first.date_ms == _utc(2024, 5, 3, 8, 15)
    assert first.details["written_time"] == "03/05/2024, 09:15"
    assert reader.date_order == "dmy" and reader.description() == (
        "a WhatsApp chat from an Android phone"
    )
    assert reader.warnings == []


def test_continuation_lines_belong_to_the_message_above_them():
    items = _read("android-day-first.txt", time_zone="UTC")[1]
    threat = _messages(items)[1]
    assert threat.body == "I know where you are.\nI saw your car outside the gym.\nAnswer me."
    assert threat.line == 3 and threat.element == 3
    after = _messages(items)[2]
    assert after.line == 6 and after.element == 4 and after.address == "Alex"


def test_whatsapps_notes_are_skipped_and_its_marks_kept_beside_the_text_as_written():
    items = _read("android-day-first.txt", time_zone="UTC")[1]
    notes = [item for item in items if isinstance(item, SkippedItem)]
    assert [(n.element, n.line, n.reason) for n in notes] == [
        (1, 1, "system_line"),
        (8, 10, "system_line"),
    ]
    omitted, deleted, edited = _messages(items)[3:]
    assert omitted.body == "<Media omitted>" and omitted.details["media_omitted"]
    assert omitted.attachments == []
    assert deleted.body == "This message was deleted" and deleted.details["deleted"] is True
    assert edited.body == "You can't hide from me <This message was edited>"
    assert edited.details["edited"] is True and "deleted" not in edited.details


def test_a_us_android_chat_reads_month_first_dates_and_12_hour_times_with_a_narrow_space():
    reader, items = _read("android-month-first.txt", time_zone="America/New_York")
    messages = _messages(items)
    assert reader.date_order == "mdy"
    # 10:02 PM on 31 December 2023 in New York is 03:02 UTC the next day.
    assert messages[0].date_ms == _utc(2024, 1, 1, 3, 2)
    assert messages[1].date_ms == _utc(2024, 1, 1, 5, 15)  # 12:15 AM
    assert messages[2].date_ms == _utc(2024, 1, 1, 17, 20)  # 12:20 PM
    photo = messages[3]
    assert photo.date_ms == _utc(2024, 1, 2, 14, 5)
    assert photo.body == "IMG-20240102-WA0003.jpg (file attached)\nRemember this?"
    assert photo.attachments == [
        {"seq": 1, "content_type": "image/jpeg", "name": "IMG-20240102-WA0003.jpg"}
    ]


def test_an_iphone_chat_with_brackets_seconds_marks_and_crlf():
    reader, items = _read("iphone-chat.txt", time_zone="Europe/Paris")
    assert reader.description() == "a WhatsApp chat from an iPhone"
    assert [type(item).__name__ for item in items] == [
        "SkippedItem",  # the encryption note, written after the chat's name
        "MessageItem",
        "MessageItem",
        "MessageItem",
        "SkippedItem",  # a missed voice call: WhatsApp's note
        "MessageItem",
        "MessageItem",
    ]
    watching, image, stop, deleted, edited = _messages(items)
    assert watching.body == "I'm watching you"  # no CR left at the end
    assert watching.date_ms == _utc(2024, 6, 2, 16, 3, 44)
    assert image.address == "Sam" and image.details["media_omitted"] == "image omitted"
    assert stop.address == "Alex" and stop.date_ms == _utc(2024, 6, 13, 21, 59, 59)
    assert deleted.details["deleted"] is True
    assert edited.details["edited"] is True and edited.body.startswith("Pick up")


# --- the order of day and month ----------------------------------------------------------------


def test_a_file_whose_dates_all_fit_both_orders_asks_and_reads_day_first_until_answered():
    reader, items = _read("ambiguous.txt", time_zone="UTC", me="name:alex")
    assert reader.date_order == "" and reader.open_questions() == ["date_order"]
    assert _messages(items)[0].date_ms == _utc(2024, 4, 3, 10, 5)  # 3 April


def test_the_users_answer_decides_the_order_of_an_undecided_file():
    reader, items = _read("ambiguous.txt", time_zone="UTC", me="name:alex", date_order="mdy")
    assert reader.open_questions() == []
    first, second = _messages(items)
    assert first.date_ms == _utc(2024, 3, 4, 10, 5)  # 4 March
    assert second.date_ms == _utc(2024, 4, 5, 11, 0)


def test_a_decided_file_asks_only_what_no_file_says():
    reader, _items = _read("android-day-first.txt")
    assert reader.open_questions() == ["time_zone", "me"]


def test_a_time_that_happens_twice_when_clocks_go_back_is_read_as_the_first():
    chat = (
        b"27/10/2024, 00:59 - Sam: before\n"
        b"27/10/2024, 01:30 - Sam: in the repeated hour\n"
        b"31/03/2024, 01:30 - Sam: in the hour that never happens\n"
    )
    items = _reader(chat, time_zone="Europe/London")[1]
    before, repeated, skipped = _messages(items)
    assert repeated.date_ms == _utc(2024, 10, 27, 0, 30)  # 01:30 BST, not 01:30 GMT
    assert repeated.details["local_time"] == "repeated" and "local_time" not in before.details
    assert skipped.date_ms == _utc(2024, 3, 31, 1, 30)  # read with GMT, the offset before
    assert skipped.details["local_time"] == "skipped"


# --- a chat that may be cut short ----------------------------------------------------------------


def test_a_chat_that_starts_mid_conversation_is_flagged_as_possibly_cut_short():
    reader, items = _read("cut-short.txt", time_zone="UTC")
    assert len(_messages(items)) == 2
    assert len(reader.warnings) == 1
    assert "oldest messages may be missing" in reader.warnings[0]


@pytest.mark.slow
def test_a_chat_near_whatsapps_export_limit_with_media_is_flagged():
    lines = ["01/05/2024, 08:00 - Messages and calls are end-to-end encrypted."]
    lines += [
        f"{1 + n // 1440:02d}/05/2024, {n // 60 % 24:02d}:{n % 60:02d} - Sam: m{n}"
        for n in range(9600)
    ]
    data = _zip({"_chat.txt": "\n".join(lines).encode(), "IMG-20240501-WA0001.jpg": _jpeg()})
    reader, items = _reader(data, time_zone="UTC")
    assert len(_messages(items)) == 9600
    assert len(reader.warnings) == 1 and "9,600 messages" in reader.warnings[0]
    assert (
        "about 10,000 of a chat's latest messages in one export (with media)"
        in (reader.warnings[0])
    )
    # The same chat without media is far from that export's limit.
    reader, _items = _reader("\n".join(lines).encode(), time_zone="UTC")
    assert reader.warnings == []


# --- a ZIP archive with media --------------------------------------------------------------


def test_a_zip_with_media_gives_each_file_to_its_message():
    reader, items = _reader(_media_zip(), pictures=True, time_zone="Europe/London")
    photo, document, video, reply = _messages(items)
    assert photo.details["member"] == ANDROID_CHAT and photo.line == 2 and photo.element == 2
    assert photo.body == "IMG-20240520-WA0001.jpg (file attached)\nThat's your front door."
    assert [(p.content_type, p.name, p.data[:3]) for p in photo.pictures] == [
        ("image/jpeg", "IMG-20240520-WA0001.jpg", b"\xff\xd8\xff")
    ]
    assert document.pictures[0].content_type == "application/pdf"
    assert video.attachments[0]["missing"] is True and video.pictures == []
    assert reply.pictures == [] and reply.attachments == []
    assert reader.with_media and reader.warnings == []


def test_media_are_only_named_when_pictures_are_not_asked_for():
    items = _reader(_media_zip(), time_zone="UTC")[1]
    photo = _messages(items)[0]
    assert photo.pictures == [] and photo.attachments[0]["name"] == "IMG-20240520-WA0001.jpg"


def test_an_iphone_zip_names_its_media_with_attached_marks():
    photo_name = "00000003-PHOTO-2024-06-02-18-05-00.jpg"
    voice_name = "00000004-AUDIO-2024-06-02-18-06-00.opus"
    lrm = "\u200e"
    chat = (
        f"[02/06/2024, 18:01:09] Sam: {lrm}Messages and calls are end-to-end encrypted.\r\n"
        f"{lrm}[02/06/2024, 18:05:00] Sam: {lrm}<attached: {photo_name}>\r\n"
        f"{lrm}[02/06/2024, 18:06:00] Sam: {lrm}<attached: {voice_name}>\r\n"
    ).encode()
    data = _zip({"_chat.txt": chat, "00000003-PHOTO-2024-06-02-18-05-00.jpg": _jpeg()})
    items = _reader(data, pictures=True, time_zone="UTC")[1]
    photo, voice = _messages(items)
    assert photo.pictures[0].name == "00000003-PHOTO-2024-06-02-18-05-00.jpg"
    assert voice.attachments[0]["content_type"] == "audio/ogg" and voice.attachments[0]["missing"]


def test_content_types_of_whatsapps_media():
    assert content_type("PTT-20240520-WA0004.opus") == "audio/ogg"
    assert content_type("VID-20240520-WA0003.mp4") == "video/mp4"
    assert content_type("DOC-20240520-WA0002.PDF") == "application/pdf"
    assert content_type("STK-20240520-WA0005.webp") == "image/webp"


# --- finding the format by content, and files refused ------------------------------------------


def test_a_whatsapp_chat_is_recognised_by_its_content_whatever_its_name():
    for name in ("android-day-first.txt", "android-month-first.txt", "iphone-chat.txt"):
        stream = io.BytesIO((FILES / name).read_bytes())
        stream.name = "notes.csv"
        assert reader_for(stream) is WhatsAppReader
    assert reader_for(io.BytesIO(_media_zip())) is WhatsAppReader


def test_a_csv_file_or_a_log_is_not_taken_for_a_chat():
    table = b"date,time,sender,text\n03/05/2024,09:15,Sam,hi\n"
    assert reader_for(io.BytesIO(table)) is CsvReader  # a table: read as one, not as a chat
    for data in (
        b"2024-05-03 10:00:00 INFO started\n",
        b"Sam: 03/05/2024, 09:15 hello\n",
    ):
        with pytest.raises(FileUnreadable, match="The app cannot read this file"):
            reader_for(io.BytesIO(data))


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"_chat.txt": b""}, "holds no messages"),
        ({"_chat.txt": b"Shopping list\nmilk\n"}, "does not start like a WhatsApp chat"),
        ({"IMG-20240520-WA0001.jpg": b"\xff\xd8\xff"}, "holds no WhatsApp chat"),
    ],
)
def test_a_zip_without_a_chat_is_refused_with_a_reason(members, words):
    stream = io.BytesIO(_zip(members))
    with pytest.raises(FileUnreadable, match=words):
        list(reader_for(stream)(stream).items())


def test_a_zip_of_other_files_a_path_outside_its_folder_or_a_zip_bomb_is_refused():
    with pytest.raises(FileUnreadable, match="holds no export the app can read"):
        reader_for(io.BytesIO(_zip({"holiday.jpg": _jpeg()})))
    stream = io.BytesIO(_zip({"_chat.txt": b"x", "../evil.txt": b"x"}))
    with pytest.raises(FileUnreadable, match="leads outside its folder"):
        list(reader_for(stream)(stream).items())
    bomb = io.BytesIO(_zip({"_chat.txt": b"\0" * (20 * 1024 * 1024)}))
    with pytest.raises(FileUnreadable, match="fill the disk"):
        list(reader_for(bomb)(bomb).items())


def test_a_message_longer_than_whatsapp_allows_stops_the_reading():
    data = b"03/05/2024, 09:15 - Sam: hi\n" + b"a" * 200_000 + b"\n"
    with pytest.raises(FileUnreadable, match="runs longer than any WhatsApp message"):
        _reader(data, time_zone="UTC")


# --- importing ---------------------------------------------------------------------------------


@pytest.fixture
def case(alice):
    return Case.objects.owned_by(alice).get()


def _import(case, path: Path, **options) -> MessageImport:
    return import_file(
        case=case, path=path, numbers=[], addresses=["Sam"], me="Alex", options=options
    )


def test_importing_a_chat_keeps_the_persons_messages_and_the_users_replies(case):
    job = _import(case, FILES / "android-day-first.txt", time_zone="Europe/London")
    assert job.status == MessageImport.Status.DONE and job.format == "whatsapp"
    assert job.source.content_type == "text/plain"  # kept, and downloaded, as the .txt it is
    assert job.description == "a WhatsApp chat from an Android phone"
    assert job.added == 6 and job.skipped == 2 and job.reasons["system_line"] == 2
    kept = list(Message.objects.filter(source=job).order_by("element"))
    assert [(m.element, m.line, m.direction) for m in kept] == [
        (2, 2, "in"),
        (3, 3, "in"),
        (4, 6, "out"),
        (5, 7, "in"),
        (6, 8, "in"),
        (7, 9, "in"),
    ]
    assert {m.address for m in kept} == {"Sam"} and kept[2].details["sender"] == "Alex"
    assert kept[0].sent_at == datetime(2024, 5, 3, 8, 15, tzinfo=UTC)
    assert kept[0].channel == Message.Channel.WHATSAPP and kept[5].details["edited"] is True


def test_importing_the_same_chat_again_adds_nothing(case):
    _import(case, FILES / "android-day-first.txt", time_zone="Europe/London")
    again = _import(case, FILES / "android-day-first.txt", time_zone="Europe/London")
    assert again.added == 0 and again.already_there == 6
    assert Message.objects.count() == 6


def test_a_group_members_messages_are_counted_and_never_kept(case, tmp_path):
    path = tmp_path / "group.txt"
    path.write_text(
        "03/05/2024, 09:12 - Messages and calls are end-to-end encrypted.\n"
        "03/05/2024, 09:13 - Sam added Jo\n"
        "03/05/2024, 09:15 - Jo: hello all\n"
        "03/05/2024, 09:16 - Sam: hi Jo\n"
    )
    job = _import(case, path, time_zone="UTC", date_order="dmy")  # no date decides it
    assert job.added == 1 and job.reasons["system_line"] == 2
    assert job.reasons["other_number"] == 1
    assert not Message.objects.filter(body="hello all").exists()


def test_importing_a_zip_keeps_its_media_as_exhibits_of_their_messages(case, tmp_path):
    path = tmp_path / "WhatsApp Chat with Sam.zip"
    path.write_bytes(_media_zip())
    job = _import(case, path, time_zone="Europe/London")
    assert job.added == 4 and job.pictures == 2
    photo = Message.objects.get(source=job, element=2)
    assert photo.line == 2 and photo.details["member"] == ANDROID_CHAT
    assert photo.sent_at == datetime(2024, 5, 20, 18, 2, tzinfo=UTC)
    exhibits = Evidence.objects.filter(case=case).exclude(pk=job.source_id)
    assert sorted(e.content_type for e in exhibits) == ["application/pdf", "image/jpeg"]
    photo_exhibit = exhibits.get(content_type="image/jpeg")
    assert photo_exhibit.original_name == "IMG-20240520-WA0001.jpg"
    assert photo_exhibit.attached_to == photo
    assert exhibits.get(content_type="application/pdf").attached_to.element == 3


def test_an_answered_date_order_and_a_cut_short_warning_reach_the_import(case):
    job = _import(case, FILES / "ambiguous.txt", time_zone="UTC", date_order="mdy")
    first = Message.objects.filter(source=job).order_by("element").first()
    assert first.sent_at == datetime(2024, 3, 4, 10, 5, tzinfo=UTC)
    cut = _import(case, FILES / "cut-short.txt", time_zone="UTC")
    assert cut.added == 2 and "oldest messages may be missing" in cut.warnings[0]


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/London", (2024, 3, 31)),
        ("Europe/London", (2024, 10, 27)),
        ("Australia/Lord_Howe", (2024, 4, 7)),
        ("Australia/Lord_Howe", (2024, 10, 6)),
        ("America/New_York", (2024, 11, 3)),
    ],
)
def test_the_hourly_shortcut_converts_every_minute_as_the_exact_conversion_does(zone, day):
    reader = WhatsAppReader(io.BytesIO(b""), options={"time_zone": zone})
    start = datetime(*day)
    for minutes in range(0, 24 * 60, 5):
        local = start + timedelta(minutes=minutes)
        assert reader._utc_ms(local) == whatsapp._utc_ms(local, reader._zone), local


@pytest.mark.parametrize(
    ("line", "order", "when", "sender"),
    [
        ("15.01.26, 10:23 - Sam: Hallo", "dmy", (2026, 1, 15, 10, 23), "Sam"),
        ("23/06/2018, 01:55 p. m. - Sam: uno", "dmy", (2018, 6, 23, 13, 55), "Sam"),
        ("23/06/2018, 12:05\u00a0a.\u00a0m. - Sam: dos", "dmy", (2018, 6, 23, 0, 5), "Sam"),
        ("13.6.2018 klo 21.25 - Sam: moi", "dmy", (2018, 6, 13, 21, 25), "Sam"),
        ("[12.3.2022 klo 14.08.18] Sam: moi", "dmy", (2022, 3, 12, 14, 8, 18), "Sam"),
        ("[2018/06/13, 21:25:15] Sam: hi", "mdy", (2018, 6, 13, 21, 25, 15), "Sam"),
        ("[3/6/18 1:55:00 p. m.] Sam: hola", "mdy", (2018, 3, 6, 13, 55), "Sam"),
        (
            "2026-01-15, 10:23 - +44 7700 900123: hi",
            "dmy",
            (2026, 1, 15, 10, 23),
            "+44 7700 900123",
        ),
    ],
)
def test_the_line_forms_of_other_locales(line, order, when, sender):
    items = _reader(line.encode(), time_zone="UTC", date_order=order)[1]
    (message,) = _messages(items)
    assert message.date_ms == _utc(*when) and message.address == sender


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("IMG-20240520-WA0001.jpg (arquivo anexado)", {"file": "IMG-20240520-WA0001.jpg"}),
        ("PTT-20240520-WA0004.opus (dosya ekte)", {"file": "PTT-20240520-WA0004.opus"}),
        (
            "\u200e<adjunto: 00000012-PHOTO-2024-05-20.jpg>",
            {"file": "00000012-PHOTO-2024-05-20.jpg"},
        ),
        ("<Medien ausgeschlossen>", {"media_omitted": "<Medien ausgeschlossen>"}),
        ("\u200eimagen omitida", {"media_omitted": "imagen omitida"}),
        ("Se eliminó este mensaje.", {"deleted": True}),
        ("Wo bist du? <Diese Nachricht wurde bearbeitet>", {"edited": True}),
        ("my notes.txt (really)", {}),  # a name in brackets, in no known language: plain text
        ("see you at 5 (maybe)", {}),
    ],
)
def test_whatsapps_marks_in_other_languages(text, found):
    assert whatsapp_lines.marks(text, {}) == found


def test_an_export_unpacked_and_zipped_again_in_its_folder_is_read_the_same():
    folder = "WhatsApp Chat - Sam/"
    data = _zip(
        {
            folder + ANDROID_CHAT: (FILES / "android-media.txt").read_bytes(),
            folder + "IMG-20240520-WA0001.jpg": _jpeg(),
        }
    )
    assert reader_for(io.BytesIO(data)) is WhatsAppReader
    reader, items = _reader(data, pictures=True, time_zone="UTC")
    photo = _messages(items)[0]
    assert photo.details["member"] == folder + ANDROID_CHAT
    assert photo.pictures[0].name == "IMG-20240520-WA0001.jpg" and reader.with_media
