"""Imported messages and calls are logged in the custody log one batch at a time: one entry that
fingerprints every item of the batch, checked by verify_chain, by the check of every record
against the log, and by verify.py in the evidence package. Items logged one entry each, as
imports did before, still check."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from incidents import custody
from incidents import message_import as importing
from incidents.message_import import import_file
from incidents.message_services import imported_note_set
from incidents.models import Case, CustodyEntry, Message
from incidents.services import record_save
from tests.conftest import CUSTODY_GUARD
from tests.imported import import_job, keep, text
from tests.test_verifier import _edit_custody, _package, _verify

FILES = Path(__file__).parent / "fixtures" / "sms"


@pytest.fixture
def case(alice, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 3)  # a few batches from a small file
    case = Case.objects.owned_by(alice).get()
    case.phone_numbers = "+44 7700 900123"
    record_save(record=case)
    return case


@pytest.fixture
def texts(case):
    job = import_file(case=case, path=FILES / "sms-20250510.xml", numbers=[])
    assert job.added >= 4
    return job


def _batches():
    return list(CustodyEntry.objects.filter(action=custody.Action.BATCH))


def _changed(message: Message, **fields) -> None:
    """Change a row behind the app's back, as someone with the database could."""
    Message.objects.filter(pk=message.pk).update(**fields)


def _check_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_chain")
    return str(failure.value)


def test_an_import_logs_one_entry_per_batch_and_none_per_item(texts):
    messages = list(Message.objects.filter(source=texts).order_by("element"))
    batches = _batches()
    assert len(batches) == -(-len(messages) // 3)  # batches of three, the last one shorter
    assert not CustodyEntry.objects.filter(object_type="message").exists()
    assert {b.object_uuid for b in batches} == {texts.uuid}
    first = [m for m in messages if m.custody_batch == batches[0].sequence]
    assert len(first) == 3
    items = [(str(m.uuid), custody.content_sha256(m)) for m in first]
    assert batches[0].content_sha256 == custody.batch_sha256(texts.uuid, "message", items)
    assert custody.verify_chain().ok
    assert custody.altered_records() == []


def test_a_changed_body_is_found_and_the_item_named(texts, capsys):
    message = Message.objects.filter(source=texts).order_by("element")[1]
    _changed(message, body="I never wrote to you.")
    problems = custody.altered_records()
    assert problems == [
        f"Message {message.uuid} (item {message.element} of its file) differs from its "
        f"version logged in custody entry {message.custody_batch}."
    ]
    assert "1 records were changed without the custody log" in _check_fails()
    assert f"ALTERED  Message {message.uuid}" in capsys.readouterr().out


def test_a_body_changed_with_the_fingerprint_beside_it_breaks_its_batch(texts):
    message = Message.objects.filter(source=texts).order_by("element")[1]
    _changed(message, body="I never wrote to you.")
    message.refresh_from_db()
    _changed(message, logged_sha256=custody.content_sha256(message))
    problems = custody.altered_records()
    assert len(problems) == 1
    assert f"custody entry {message.custody_batch} (import {texts.uuid}" in problems[0]
    assert "no longer match its fingerprint" in problems[0]


def test_an_item_removed_from_its_batch_is_found(texts):
    message = Message.objects.filter(source=texts).order_by("element").last()
    alone = Message.objects.filter(custody_batch=message.custody_batch).count() == 1
    Message.objects.filter(pk=message.pk).delete()
    problems = custody.altered_records()
    assert len(problems) == 1
    assert f"custody entry {message.custody_batch}" in problems[0]
    assert ("0 found" if alone else "found") in problems[0]


def test_a_changed_batch_entry_breaks_the_chain(texts):
    batch = _batches()[0]
    with connection.cursor() as cursor:
        for sql in CUSTODY_GUARD.UNPROTECTION_SQL[connection.vendor]:
            cursor.execute(sql)
        CustodyEntry.objects.filter(pk=batch.pk).update(content_sha256="0" * 64)
        for sql in CUSTODY_GUARD.PROTECTION_SQL[connection.vendor]:
            cursor.execute(sql)
    report = custody.verify_chain()
    assert not report.ok
    assert f"Entry {batch.sequence} (imported_batch messageimport) no longer matches" in (
        report.problem
    )


def test_a_note_after_the_import_is_checked_against_its_own_entry(texts):
    message = Message.objects.filter(source=texts).first()
    imported_note_set(item=message, note="The night of the party.")
    assert custody.altered_records() == []
    _changed(message, note="Something else.")
    assert custody.altered_records() == [
        f"Message {message.uuid} differs from its last logged version."
    ]


def test_items_logged_one_entry_each_still_check(case, texts):
    # As imports logged them before batches: one "created" entry per item.
    earlier = import_job(case)
    old = keep([text(earlier, 90, timezone.now(), body="An older import.")])[0]
    old = Message.objects.get(dedupe_key=old.dedupe_key)
    assert old.custody_batch is None and not old.logged_sha256
    assert custody.verify_chain().ok
    assert custody.altered_records() == []
    _changed(old, body="Rewritten.")
    assert custody.altered_records() == [
        f"Message {old.uuid} differs from its last logged version."
    ]


@pytest.fixture
def package(case, texts, tmp_path, settings):
    settings.DOSSIER_WORKERS = 1
    return _package(case.owner, case, tmp_path)


@pytest.mark.slow
def test_the_package_carries_each_batch_with_its_items_and_verify_checks_them(package, texts):
    proof = json.loads((package / "custody.json").read_text())
    batches = [e for e in proof["entries"] if e.get("action") == "imported_batch"]
    assert len(batches) == len(_batches())
    listed = [uuid for batch in batches for uuid, _fingerprint in batch["items"]]
    kept = Message.objects.filter(source=texts).order_by("custody_batch", "element")
    assert listed == [str(uuid) for uuid in kept.values_list("uuid", flat=True)]
    result = _verify(package)
    assert result.returncode == 0, result.stdout
    assert f"the {len(batches)} batches of imported items among them" in result.stdout


@pytest.mark.slow
def test_verify_names_a_batch_whose_items_were_changed_in_the_package(package):
    def change(proof):
        batch = next(e for e in proof["entries"] if e.get("action") == "imported_batch")
        batch["items"][0][1] = "f" * 64
        change.sequence = batch["sequence"]

    _edit_custody(package, change)
    result = _verify(package)
    assert result.returncode == 1
    assert (
        f"Custody entry {change.sequence} logs a batch of imported texts or calls, but the "
        "items listed with it do not give its fingerprint"
    ) in result.stdout
