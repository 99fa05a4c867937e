"""Importing messages and calls from SMS Backup & Restore exports (hand-made files under
tests/fixtures/sms/): what is kept, what is only counted, where each item comes from, and the
files that are refused with nothing kept."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from incidents import custody
from incidents.message_import import (
    import_file,
    message_import_choose,
    message_import_receive,
    message_import_run,
)
from incidents.models import Call, Case, CustodyEntry, Evidence, Message, MessageImport
from incidents.numbers import WITHHELD, number_key
from incidents.services import record_save
from incidents.sources.items import FileUnreadable
from incidents.sources.sbr import PARSER_VERSION

FILES = Path(__file__).parent / "fixtures" / "sms"
SAM = "447700900123"


@pytest.fixture
def case(alice):
    case = Case.objects.owned_by(alice).get()
    case.phone_numbers = "+44 7700 900123 (mobile)"
    record_save(record=case)
    return case


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), "text/xml")


def _import(case, name: str, numbers=()) -> MessageImport:
    return import_file(case=case, path=FILES / name, numbers=list(numbers))


def test_the_three_ways_of_writing_a_number_have_one_key():
    forms = ["+44 7700 900123", "07700 900123", "0044 7700-900123", "07700900123"]
    assert {number_key(form, "GB") for form in forms} == {SAM}
    assert number_key("", "GB") == WITHHELD
    assert number_key("BANK", "GB") == "bank"
    assert number_key("12345", "GB") == "12345"  # a short code has no country


def test_receiving_lists_the_numbers_with_counts_and_suggests_the_persons(case):
    job = message_import_receive(case=case, upload=_upload("sms-20250510.xml"))
    found = {n["key"]: n for n in job.numbers_found}
    assert job.region == "GB"
    assert job.numbers_found[0]["key"] == SAM and found[SAM]["suggested"]
    # Seven texts and picture messages from or to Sam (a draft is not counted; Jo's group
    # message counts for Jo, its sender), written three ways.
    assert found[SAM]["messages"] == 7
    assert set(found[SAM]["written"]) == {"+44 7700 900123", "07700 900123", "0044 7700-900123"}
    assert found["447700900456"]["messages"] == 2 and not found["447700900456"]["suggested"]
    assert found["447700900456"]["name"] == "Mum"
    assert job.items_found == 11
    assert Message.objects.count() == 0  # nothing is kept before the numbers are chosen


def test_the_file_is_kept_byte_for_byte_as_an_exhibit_with_its_hash(case):
    job = _import(case, "sms-20250510.xml")
    raw = (FILES / "sms-20250510.xml").read_bytes()
    source = job.source
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.size == len(raw) and source.kind == Evidence.Kind.MESSAGES
    assert source.exhibit_number == 1 and source.original_name == "sms-20250510.xml"
    assert Path(_storage_path(source)).read_bytes() == raw
    uploaded = CustodyEntry.objects.get(object_uuid=source.uuid, action="uploaded")
    assert uploaded.file_sha256 == source.sha256


def _storage_path(item: Evidence) -> str:
    from incidents.evidence import evidence_storage

    return evidence_storage().path(item.stored_name)


def test_texts_both_ways_are_kept_and_the_private_ones_only_counted(case):
    job = _import(case, "sms-20250510.xml")
    assert job.status == MessageImport.Status.DONE, job.error
    texts = list(Message.objects.filter(case=case).order_by("element"))
    assert [m.element for m in texts] == [1, 2, 3, 7, 8, 10, 11]
    assert [m.direction for m in texts[:3]] == ["in", "out", "in"]
    assert texts[1].body == "Please stop contacting me."
    assert {m.address_key for m in texts} == {SAM}
    # Shown as written, each in the form the file gives it.
    assert [m.address for m in texts[:3]] == ["+44 7700 900123", "07700 900123", "0044 7700-900123"]
    assert texts[0].sent_at.isoformat() == "2025-05-03T19:20:00+00:00"
    # Mum's two texts, Jo's group message and the draft: counted, never stored.
    assert job.added == 7 and job.skipped == 4
    assert job.reasons["other_number"] == 3 and job.reasons["draft"] == 1
    assert not Message.objects.filter(body__icontains="Mum").exists()
    assert (
        not Message.objects.filter(body__icontains="Jo what you did")
        .exclude(address_key=SAM)
        .exists()
    )
    assert [n["key"] for n in job.numbers_found] == [SAM]  # the other numbers are dropped
    assert job.reasons["other_numbers"] == 2


def test_each_item_cites_its_file_its_place_and_the_reader(case):
    job = _import(case, "sms-20250510.xml")
    text = Message.objects.get(case=case, element=2)
    assert text.source == job and text.source.source.sha256 == job.source.sha256
    assert text.line == 6 and job.parser_version == PARSER_VERSION
    batch = CustodyEntry.objects.get(sequence=text.custody_batch)
    assert batch.action == "imported_batch" and batch.object_uuid == job.uuid
    assert text.logged_sha256 == custody.content_sha256(text)
    assert CustodyEntry.objects.filter(object_uuid=job.uuid, action="imported").exists()
    assert custody.verify_chain().ok
    assert custody.altered_records() == []


def test_the_emoji_references_are_repaired_and_counted(case):
    job = _import(case, "sms-20250510.xml")
    assert Message.objects.get(element=3).body == "I know where you are \U0001f600"
    # A lone half of an emoji and a bare ampersand: repaired to what can be read.
    assert Message.objects.get(element=11).body == "Fish & chips at yours? \ufffd"
    assert job.recovered == 2
    assert set(Message.objects.filter(recovered=True).values_list("element", flat=True)) == {3, 11}


def test_a_picture_message_keeps_its_text_and_its_picture_as_an_exhibit(case):
    _import(case, "sms-20250510.xml")
    mms = Message.objects.get(element=7)
    assert mms.channel == "mms" and mms.body == "Nice car you parked today"
    assert mms.attachments == [{"seq": 0, "content_type": "image/png", "name": "outside.png"}]
    picture = Evidence.objects.get(message=mms)
    assert picture.kind == Evidence.Kind.IMAGE and picture.width == 6
    assert picture.exhibit_number == 2  # after the export file itself
    assert "item 7 in exhibit 1" in picture.caption


def test_group_messages_name_everyone_else_and_the_users_own_reply_is_kept(case):
    _import(case, "sms-20250510.xml")
    group = Message.objects.get(element=8)
    assert group.direction == "in" and group.address == "+447700900123"
    assert group.recipients == ["+447700900999", "07700 900789"]
    reply = Message.objects.get(element=10)
    assert reply.direction == "out" and reply.address == "+447700900123"
    assert reply.recipients == ["07700 900789"]


def test_calls_of_every_type_and_withheld_numbers(case):
    job = _import(case, "calls-20250510.xml", numbers=["07700 900123", "withheld"])
    assert job.format == MessageImport.Format.SBR_CALLS
    calls = list(Call.objects.filter(case=case).order_by("element"))
    outcomes = [(c.direction, c.outcome, c.duration) for c in calls]
    assert outcomes == [
        ("in", "missed", 0),
        ("in", "answered", 45),
        ("in", "rejected", 0),
        ("in", "blocked", 0),
        ("in", "voicemail", 20),
        ("out", "unanswered", 0),
        ("out", "answered", 12),
        ("in", "missed", 0),
        ("in", "rejected", 0),
    ]
    assert [c.withheld for c in calls[-2:]] == [True, True]
    assert {c.address_key for c in calls[-2:]} == {WITHHELD}
    assert job.added == 9 and job.skipped == 1  # Mum's call


def test_the_same_file_again_adds_nothing(case):
    first = _import(case, "sms-20250510.xml")
    again = _import(case, "sms-20250510.xml")
    assert again.added == 0 and again.already_there == first.added == 7
    assert again.source == first.source  # the file is not stored twice
    assert Message.objects.count() == 7
    assert Evidence.objects.filter(case=case).count() == 2  # the file and the one picture


def test_an_overlapping_later_export_adds_only_what_is_new(case):
    _import(case, "sms-20250510.xml")
    later = _import(case, "sms-20250520.xml")
    assert later.added == 2 and later.already_there == 3 and later.skipped == 1
    assert Message.objects.count() == 9
    assert later.source.exhibit_number == 3


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("sms-truncated.xml", "stops in the middle"),
        ("not-an-export.xml", "cannot read this file"),
        ("feed.xml", "not an SMS Backup & Restore export"),
        ("entities.xml", "declares entities of its own"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_kept(case, name, words):
    with pytest.raises(FileUnreadable, match=words):
        message_import_receive(case=case, upload=_upload(name))
    assert MessageImport.objects.count() == 0
    assert Evidence.objects.count() == Message.objects.count() == 0
    assert not list(Path(_staging()).glob("upload-*"))


def _staging():
    from incidents.evidence import staging_dir

    return staging_dir()


def test_a_zip_archive_is_refused_with_advice(case):
    upload = SimpleUploadedFile("sms.zip", b"PK\x03\x04" + b"\0" * 100, "application/zip")
    with pytest.raises(FileUnreadable, match="ZIP archive"):
        message_import_receive(case=case, upload=upload)


def test_an_import_interrupted_and_run_again_completes_without_doubles(case):
    job = message_import_receive(case=case, upload=_upload("sms-20250510.xml"))
    message_import_choose(job=job, keys=[SAM])
    message_import_run(job=job)
    Message.objects.filter(element__gt=3).delete()  # as if it stopped after the first batch
    message_import_run(job=job)
    assert Message.objects.count() == 7


def test_the_command_prints_what_it_did_and_fails_on_a_bad_file(case, capsys):
    call_command("import_messages", "--user", "alice", str(FILES / "sms-20250510.xml"))
    out = capsys.readouterr().out
    assert "added: 7" in out and "skipped: 4" in out and "recovered: 2" in out
    with pytest.raises(CommandError, match="could not be read"):
        call_command(
            "import_messages",
            "--user",
            "alice",
            "--number",
            "07700 900123",
            str(FILES / "sms-truncated.xml"),
            str(FILES / "sms-20250520.xml"),
        )
    captured = capsys.readouterr()
    assert "stops in the middle" in captured.err
    assert "added: 2" in captured.out  # the readable file was still imported


def test_an_account_with_imported_messages_can_still_be_deleted(case):
    from incidents.account_removal import account_delete

    _import(case, "sms-20250510.xml")
    account_delete(user=case.owner)
    assert not Message.objects.exists() and not MessageImport.objects.exists()
    assert not Evidence.objects.exists()


def test_an_import_left_running_by_a_stopped_worker_is_queued_again_and_finishes(
    case, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from incidents.message_jobs import recover_stale_imports

    job = message_import_receive(case=case, upload=_upload("sms-20250510.xml"))
    message_import_choose(job=job, keys=[SAM])
    long_ago = timezone.now() - timedelta(hours=1)
    MessageImport.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stale_imports() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.added == 7


def test_pictures_waiting_in_memory_are_kept_in_smaller_batches(case, monkeypatch):
    from incidents import message_import

    monkeypatch.setattr(message_import, "BATCH_PICTURE_BYTES", 10)
    job = _import(case, "sms-20250510.xml")
    assert job.added == 7 and job.pictures == 1


def test_the_command_makes_the_person_for_an_account_with_only_demo_data(alice, capsys):
    Case.objects.owned_by(alice).update(is_demo=True)
    call_command(
        "import_messages",
        "--user",
        "alice",
        "--number",
        "+44 7700 900123",  # in international form: it says how national ones are read
        str(FILES / "sms-20250510.xml"),
    )
    assert "added: 7" in capsys.readouterr().out
    real = Case.objects.owned_by(alice).get(is_demo=False)
    assert Message.objects.filter(case=real).count() == 7
