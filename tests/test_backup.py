"""Backups and restores, end to end through the two commands, on the database the suite runs on.

Each test works on throwaway databases of its own: a "source" cloned from the migrated test
database (the live installation), and a "restored" one that starts empty. They are real files
(SQLite) or real databases (PostgreSQL), so other threads can write while a backup reads, as
the app's web workers do.
"""

import hashlib
import io
import json
import re
import shutil
import sqlite3
import threading
import unicodedata
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from incidents import custody
from incidents.account_removal import account_delete
from incidents.backup import crypto as backup_crypto
from incidents.backup import database as backup_database
from incidents.backup.crypto import Cipher, Undecryptable
from incidents.evidence import check_integrity
from incidents.models import (
    Case,
    CustodyEntry,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    Revision,
    User,
    UserSession,
)
from incidents.services import account_create, evidence_add, record_amend, record_save

from .conftest import PASSWORD

PASSPHRASE = "plum sofa glacier orbit lantern"
MARKER = b"MARKER-3f9c2e71-not-for-anyone-else"
REAL_SCRYPT_N = backup_crypto.SCRYPT_N  # read before the fixture below lowers it


@pytest.fixture(autouse=True)
def _fast_key_derivation(monkeypatch):
    # The real cost (2**17) is for people; the format and the checks are the same at 2**12.
    monkeypatch.setattr(backup_crypto, "SCRYPT_N", 2**12)


# --- throwaway databases ---------------------------------------------------------------------


class Databases:
    """Databases made for one test and dropped after it, each a copy of `template` (migrated,
    empty) or empty."""

    def __init__(self, tmp_path: Path, template: str):
        self.test_connection = connections[DEFAULT_DB_ALIAS]
        self.template = template
        self.tmp_path = tmp_path
        self.made: list[str] = []

    @property
    def vendor(self) -> str:
        return self.test_connection.vendor

    def create(self, label: str, *, migrated: bool) -> dict:
        name = f"{label}_{uuid.uuid4().hex[:8]}"
        if self.vendor == "sqlite":
            name = str(self.tmp_path / f"{name}.sqlite3")
            if migrated:
                shutil.copyfile(self.template, name)  # closed, and used by no one
        else:
            name = f"{self.test_connection.settings_dict['NAME']}_{name}"
            template = f"TEMPLATE {quote(self.template)}" if migrated else ""
            execute_outside(f"CREATE DATABASE {quote(name)} {template}")
            self.made.append(name)
        return {**self.test_connection.settings_dict, "NAME": name}

    @contextmanager
    def use(self, settings_dict: dict):
        """Point this thread's default connection at another database for a while."""
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
            settings_dict, DEFAULT_DB_ALIAS
        )
        previous = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = wrapper
        try:
            yield
        finally:
            wrapper.close()
            connections[DEFAULT_DB_ALIAS] = previous

    def drop_all(self) -> None:
        for name in self.made:
            execute_outside(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


def quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def execute_outside(sql: str) -> None:
    """Run SQL from the server's maintenance database, outside the test's transaction."""
    with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture(scope="session")
def migrated_template(django_db_setup, django_db_blocker, tmp_path_factory):
    """A copy of the migrated, empty test database, made before any test opens a transaction
    on it (SQLite's backup waits for one to end; PostgreSQL copies only an unused database)."""
    with django_db_blocker.unblock():
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(path)
            connection.connection.backup(copy)
            copy.close()
            yield str(path)
            return
        name = f"{connection.settings_dict['NAME']}_backup_template"
        connection.close()
        execute_outside(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        execute_outside(
            f"CREATE DATABASE {quote(name)} TEMPLATE {quote(connection.settings_dict['NAME'])}"
        )
        yield name
        execute_outside(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


@pytest.fixture
def databases(migrated_template, db, tmp_path):
    # `db` sets the test database up; these tests write only to databases of their own.
    made = Databases(tmp_path, migrated_template)
    yield made
    made.drop_all()


@pytest.fixture
def live(databases):
    """The installation being backed up, with a log in it."""
    with databases.use(databases.create("source", migrated=True)):
        yield fill_log()


@contextmanager
def empty_installation(databases, settings, root: Path):
    """A new data directory and an empty database, as on a fresh machine."""
    with databases.use(databases.create("restored", migrated=False)):
        move_data_dir(settings, root)
        yield


def move_data_dir(settings, root: Path) -> None:
    settings.DATA_DIR = root
    settings.EVIDENCE_DIR = root / "evidence"
    evidence = settings.STORAGES["evidence"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": root / "evidence"}},
    }


# --- a log to back up ------------------------------------------------------------------------


def png(seed: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 90), (seed % 256, seed // 256 % 256, 90)).save(buffer, "PNG")
    return SimpleUploadedFile(f"screenshot-{seed}.png", buffer.getvalue(), "image/png")


def pdf(text: bytes) -> SimpleUploadedFile:
    content = b"%PDF-1.7\n% " + text + b"\n" + b"\x00" * 2048
    return SimpleUploadedFile("report.pdf", content, "application/pdf")


def add_incident(case: Case, description: str) -> Incident:
    incident = Incident(case=case, occurred_at=timezone.now(), description=description)
    record_save(record=incident)
    return incident


def fill_log() -> dict:
    """Every kind of record a person keeps, made through the services."""
    alice = account_create(username="alice", password=PASSWORD, is_owner=True)
    account_create(username="bob", password=PASSWORD)
    case = Case.objects.get(owner=alice)
    first = add_incident(case, "Waited outside the gym.")
    second = add_incident(case, MARKER.decode())
    record_amend(record=first, changes={"description": "Waited outside the gym, 21:00."})
    notice = NoContactNotice(case=case, given_at=timezone.now(), words="Do not contact me.")
    record_save(record=notice)
    police = PoliceContact(case=case, contacted_at=timezone.now(), reference="CR/1234/24")
    record_save(record=police)
    police.incidents.add(first, second)
    record_save(record=ProtectiveOrder(case=case, issued_on=date.today() - timedelta(days=3)))
    evidence_add(case=case, upload=png(1), attached_to=first)
    evidence_add(case=case, upload=pdf(MARKER), attached_to=police)
    TOTPDevice.objects.create(user=alice, name="Authenticator", confirmed=True)
    return everything()


def everything() -> dict:
    """What a restore must give back, row for row."""
    return {
        "users": sorted(User.objects.values_list("username", "password")),
        "cases": sorted(Case.objects.values_list("uuid", flat=True)),
        "incidents": sorted(Incident.objects.values_list("uuid", "description")),
        "evidence": sorted(Evidence.objects.values_list("uuid", "stored_name", "sha256")),
        "notices": sorted(NoContactNotice.objects.values_list("uuid", flat=True)),
        "police": sorted(PoliceContact.objects.values_list("uuid", "incidents__uuid")),
        "orders": sorted(ProtectiveOrder.objects.values_list("uuid", flat=True)),
        "revisions": Revision.objects.count(),
        "custody": list(CustodyEntry.objects.values_list("sequence", "entry_hash")),
        "devices": sorted(TOTPDevice.objects.values_list("user__username", "key")),
    }


# --- helpers ---------------------------------------------------------------------------------


def backup(out: Path, *args: str) -> Path:
    """Run the command; return the one new backup folder."""
    before = set(out.iterdir()) if out.exists() else set()
    call_command("backup", "--out", str(out), *args, stdout=io.StringIO())
    (made,) = set(out.iterdir()) - before
    return made


def restore(folder: Path, *, allow_plain: bool = True) -> str:
    output = io.StringIO()
    call_command("restore", str(folder), allow_plain=allow_plain, stdout=output)
    return output.getvalue()


def evidence_file(folder: Path) -> Path:
    return next(p for p in (folder / "evidence").rglob("*") if p.is_file())


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def assert_nothing_restored(root: Path) -> None:
    """The empty installation is as empty as it was: not a table, not a file."""
    assert connections[DEFAULT_DB_ALIAS].introspection.table_names() == []
    assert not (root / "evidence" / "originals").exists()


def files_under(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def edit_json(path: Path, change) -> None:
    """Replace a JSON file's contents with what `change` makes of them."""
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def drop(key):
    return lambda data: {name: value for name, value in data.items() if name != key}


def put(key, value):
    return lambda data: {**data, key: value}


def check(folder: Path) -> str:
    output = io.StringIO()
    call_command("restore", "--check", str(folder), stdout=output)
    return output.getvalue()


# --- round trips -----------------------------------------------------------------------------


def test_a_backup_restores_every_record_and_file_into_an_empty_installation(
    live, databases, settings, tmp_path
):
    folder = backup(tmp_path / "backups")
    originals = files_under(tmp_path / "evidence")

    with empty_installation(databases, settings, tmp_path / "new"):
        output = restore(folder)

        assert everything() == live
        assert check_integrity(Evidence.objects.all()).ok
        assert custody.verify_chain().ok
        assert files_under(tmp_path / "new/evidence") == originals
    assert "Restored and checked: everything matches." in output


@pytest.mark.slow
def test_after_a_restore_everyone_signs_in_again_with_password_and_two_factor(
    live, databases, settings, tmp_path
):
    session = SessionStore()
    session.create()
    alice = User.objects.get(username="alice")
    UserSession.objects.create(user=alice, session_key=session.session_key)
    folder = backup(tmp_path / "backups")
    settings.SECRET_KEY = "a-different-key-on-the-new-machine-" + "x" * 30

    with empty_installation(databases, settings, tmp_path / "new"):
        restore(folder)
        alice = User.objects.get(username="alice")
        device = TOTPDevice.objects.get(user=alice)
        code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()

        assert not Session.objects.exists() and not UserSession.objects.exists()
        assert alice.check_password(PASSWORD)
        assert device.verify_token(code)
    assert not (folder / "secret_key").exists()
    for path in folder.rglob("*"):
        assert not path.is_file() or session.session_key.encode() not in path.read_bytes()


def test_a_backup_taken_while_records_are_added_holds_its_snapshot_whole(
    live, databases, settings, tmp_path
):
    source = connections[DEFAULT_DB_ALIAS].settings_dict
    stop, committed, failures = threading.Event(), [], []

    def keep_writing(worker: int) -> None:
        with databases.use(source):
            case = Case.objects.get(owner__username="alice")
            try:
                for n in range(10_000):
                    if stop.is_set():
                        return
                    incident = add_incident(case, f"Worker {worker}, entry {n}.")
                    evidence_add(case=case, upload=png(worker * 1000 + n), attached_to=incident)
                    committed.append(incident.uuid)
            except Exception as error:  # reported below: an exception in a thread is silent
                failures.append(error)

    writers = [threading.Thread(target=keep_writing, args=(n,)) for n in (1, 2)]
    for writer in writers:
        writer.start()
    while len(committed) < 4 and not failures:
        stop.wait(0.01)
    before = set(committed)
    try:
        folder = backup(tmp_path / "backups")
        during = len(committed) - len(before)
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert not failures
    everything_written = set(Incident.objects.values_list("uuid", flat=True))

    with empty_installation(databases, settings, tmp_path / "new"):
        restore(folder)  # raises if a file of the snapshot is missing or its hash differs
        restored = set(Incident.objects.values_list("uuid", flat=True))
        assert check_integrity(Evidence.objects.all()).ok
        assert custody.verify_chain().ok

    assert during > 0, "the writers wrote nothing while the backup ran"
    assert before <= restored <= everything_written


def test_an_encrypted_backup_round_trips_and_hides_its_contents(
    live, databases, settings, tmp_path, monkeypatch
):
    plain = backup(tmp_path / "plain")
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    sealed = backup(tmp_path / "sealed", "--encrypt")

    assert any(MARKER in p.read_bytes() for p in plain.rglob("*") if p.is_file())
    for path in sealed.rglob("*"):
        assert not path.is_file() or MARKER not in path.read_bytes(), path
    with empty_installation(databases, settings, tmp_path / "new"):
        restore(sealed)
        assert everything() == live


def test_a_wrong_passphrase_is_refused_and_nothing_is_restored(
    live, databases, settings, tmp_path, monkeypatch
):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    sealed = backup(tmp_path / "sealed", "--encrypt")
    monkeypatch.setenv("BACKUP_PASSPHRASE", "plum sofa glacier orbit lanterns")

    with empty_installation(databases, settings, tmp_path / "new"):
        with pytest.raises(CommandError, match="passphrase does not open this backup"):
            restore(sealed)
        assert_nothing_restored(tmp_path / "new")


def test_encrypt_without_a_passphrase_in_the_environment_or_a_terminal_makes_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)

    with pytest.raises(CommandError, match="Set BACKUP_PASSPHRASE"):
        call_command("backup", "--out", str(tmp_path / "backups"), "--encrypt")
    assert not (tmp_path / "backups").exists()


def test_a_short_passphrase_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", "short")

    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("backup", "--out", str(tmp_path / "backups"), "--encrypt")


# --- refusing ---------------------------------------------------------------------------------


def change_evidence(folder: Path) -> str:
    path = evidence_file(folder)
    flip_a_byte(path)
    return path.relative_to(folder).as_posix()


def change_database(folder: Path) -> str:
    path = next(folder.glob("database.*"))
    flip_a_byte(path)
    return path.name


def remove_evidence(folder: Path) -> str:
    path = evidence_file(folder)
    path.unlink()
    return path.relative_to(folder).as_posix()


@pytest.mark.parametrize(
    ("tamper", "encrypt"),
    [
        (change_evidence, False),
        (change_database, False),
        (remove_evidence, False),
        (change_evidence, True),
        (change_database, True),
    ],
)
def test_a_tampered_backup_is_refused_naming_the_file(
    live, databases, settings, tmp_path, monkeypatch, tamper, encrypt
):
    if encrypt:
        monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    folder = backup(tmp_path / "backups", *(["--encrypt"] if encrypt else []))
    name = tamper(folder)

    with empty_installation(databases, settings, tmp_path / "new"):
        with pytest.raises(CommandError, match="nothing was restored") as refused:
            restore(folder)
        assert_nothing_restored(tmp_path / "new")
    assert name in str(refused.value)


def test_check_reports_a_changed_file_without_restoring_anything(live, tmp_path):
    folder = backup(tmp_path / "backups")
    output = io.StringIO()
    call_command("restore", "--check", str(folder), stdout=output)
    name = change_evidence(folder)

    assert "Every file matches" in output.getvalue()
    with pytest.raises(CommandError, match=re.escape(name)):
        call_command("restore", "--check", str(folder), stdout=io.StringIO())
    assert everything() == live


def test_restore_refuses_a_backup_made_by_a_newer_version(live, tmp_path, settings):
    folder = backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["migrations"]["incidents"] = "9999_from_the_future"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    move_data_dir(settings, tmp_path / "new")

    with pytest.raises(CommandError, match=r"newer version.*incidents\.9999_from_the_future"):
        restore(folder)


def test_restore_refuses_a_database_that_already_holds_records(live, tmp_path, settings):
    folder = backup(tmp_path / "backups")
    move_data_dir(settings, tmp_path / "new")

    with pytest.raises(CommandError, match="already holds data"):
        restore(folder)
    assert everything() == live


def test_restore_refuses_an_evidence_folder_that_is_not_empty(live, databases, settings, tmp_path):
    folder = backup(tmp_path / "backups")
    stray = tmp_path / "new/evidence/originals/ab/abcdef"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"someone else's file")

    with empty_installation(databases, settings, tmp_path / "new"):
        with pytest.raises(CommandError, match="evidence storage already holds files"):
            restore(folder)
        assert connections[DEFAULT_DB_ALIAS].introspection.table_names() == []
    assert stray.read_bytes() == b"someone else's file"


def test_a_failed_backup_leaves_no_folder_behind(live, tmp_path):
    missing = Evidence.objects.first().stored_name
    (tmp_path / "evidence" / missing).unlink()

    with pytest.raises(CommandError, match=re.escape(missing)):
        call_command("backup", "--out", str(tmp_path / "backups"), stdout=io.StringIO())
    assert list((tmp_path / "backups").iterdir()) == []


def add_evidence_for(username: str) -> str:
    user = User.objects.get(username=username)
    item = evidence_add(case=Case.objects.get(owner=user), upload=png(700 + user.pk))
    return item.stored_name


def deleting_accounts_after_each_snapshot(monkeypatch, usernames: list[str]) -> list:
    """Delete one account (rows, then files) just after each snapshot, as a person can while
    a backup runs. Returns the snapshots taken."""
    snapshots, real_dump = [], backup_database.dump

    def dump_then_delete(path):
        snapshot = real_dump(path)
        if len(snapshots) < len(usernames):
            account_delete(user=User.objects.get(username=usernames[len(snapshots)]))
        snapshots.append(snapshot)
        return snapshot

    monkeypatch.setattr(backup_database, "dump", dump_then_delete)
    return snapshots


def test_an_account_deleted_while_the_backup_runs_is_left_out_not_a_failure(
    live, tmp_path, monkeypatch
):
    gone = add_evidence_for("bob")
    snapshots = deleting_accounts_after_each_snapshot(monkeypatch, ["bob"])

    folder = backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())

    assert len(snapshots) == 2
    assert gone in {row["stored_name"] for row in snapshots[0].evidence}
    assert gone not in {row["stored_name"] for row in manifest["evidence"]}
    assert manifest["counts"]["accounts"] == 1
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [folder.name]


def test_deletions_during_both_attempts_fail_the_backup_with_a_plain_message(
    live, tmp_path, monkeypatch
):
    account_create(username="carol", password=PASSWORD)
    add_evidence_for("bob")
    add_evidence_for("carol")
    snapshots = deleting_accounts_after_each_snapshot(monkeypatch, ["bob", "carol"])

    with pytest.raises(CommandError, match=r"deleted while the backup ran\b.*Run it again"):
        call_command("backup", "--out", str(tmp_path / "backups"), stdout=io.StringIO())
    assert len(snapshots) == 2
    assert list((tmp_path / "backups").iterdir()) == []


def test_each_backup_goes_into_a_new_folder(live, tmp_path):
    first = backup(tmp_path / "backups")
    second = backup(tmp_path / "backups")

    assert first != second
    assert (first / "manifest.json").exists() and (second / "manifest.json").exists()


def test_the_manifest_records_hashes_migrations_and_the_custody_head(live, tmp_path):
    folder = backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())

    assert manifest["custody_head"] == str(custody.chain_head())
    assert manifest["migrations"]["incidents"].startswith("0")
    assert manifest["counts"]["incidents"] == 2
    assert {row["sha256"] for row in manifest["files"]} == set(
        Evidence.objects.values_list("sha256", flat=True)
    )
    assert manifest["database"]["path"] in {"database.sqlite3", "database.pgdump"}


def test_check_prints_the_manifest_hash_that_backup_printed(live, tmp_path):
    output = io.StringIO()
    call_command("backup", "--out", str(tmp_path / "backups"), stdout=output)
    (folder,) = (tmp_path / "backups").iterdir()
    printed = re.search(r"manifest\.json SHA-256: ([0-9a-f]{64})", output.getvalue())[1]

    assert printed == hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert f"manifest.json SHA-256: {printed}" in check(folder)


def test_restore_reports_a_custody_head_other_than_the_backups(live, databases, settings, tmp_path):
    folder = backup(tmp_path / "backups")
    head = custody.chain_head()
    earlier = CustodyEntry.objects.get(sequence=head.sequence - 1)
    edit_json(
        folder / "manifest.json", put("custody_head", f"{earlier.sequence}:{earlier.entry_hash}")
    )

    with (
        empty_installation(databases, settings, tmp_path / "new"),
        pytest.raises(CommandError, match="checks found problems") as found,
    ):
        restore(folder)
    assert f"custody chain head: {head} after the restore" in str(found.value)


def refusals(folder: Path, damages: dict, name: str, command) -> dict[str, str]:
    """Run `command` on a copy of the backup for each damage done to its file `name`: what
    each refused with ("" if it did not refuse). One backup for all, to keep this fast."""
    found = {}
    for label, damage in damages.items():
        copy = folder.with_name(f"{command.__name__}-{label}".replace(" ", "-"))
        shutil.copytree(folder, copy)
        edit_json(copy / name, damage)
        try:
            command(copy)
            found[label] = ""
        except CommandError as error:
            found[label] = str(error)
    return found


MANIFEST_DAMAGES = {
    "no custody_head": drop("custody_head"),
    "no counts": drop("counts"),
    "no migrations": drop("migrations"),
    "custody_head": put("custody_head", "the head"),
    "counts": put("counts", {"incidents": "two"}),
    "migrations": put("migrations", ["incidents"]),
    "evidence": put("evidence", [{"stored_name": "originals/ab/abc"}]),
    "files": put("files", [{"path": "../../outside", "size": 1, "sha256": "0" * 64}]),
    "not an object": lambda manifest: [manifest],
}


def test_a_damaged_manifest_is_refused_plainly_before_anything_is_restored(
    live, databases, settings, tmp_path
):
    folder = backup(tmp_path / "backups")

    checked = refusals(folder, MANIFEST_DAMAGES, "manifest.json", check)
    with empty_installation(databases, settings, tmp_path / "new"):
        restored = refusals(folder, MANIFEST_DAMAGES, "manifest.json", restore)
        assert_nothing_restored(tmp_path / "new")
    for found in (checked, restored):
        assert {
            label: "manifest.json" in message for label, message in found.items()
        } == dict.fromkeys(MANIFEST_DAMAGES, True), found


def encryption(change):
    return lambda header: {**header, "encryption": change(header["encryption"])}


HEADER_DAMAGES = {
    "not an object": put("encryption", "yes"),
    "empty": put("encryption", {}),
    "missing": drop("encryption"),
    "no key_check": encryption(drop("key_check")),
    "salt not base64": encryption(put("salt", "not base64!")),
    "salt not text": encryption(put("salt", 12345)),
    "n not a power of two": encryption(put("n", 3)),
    "2 GiB": encryption(lambda settings: {**settings, "n": 2**20, "r": 16}),
    "4 GiB": encryption(put("n", 2**22)),  # at r = 8
    "p": encryption(put("p", 1000)),
}


def test_a_damaged_encryption_header_is_refused_plainly_before_any_key_is_made(
    live, tmp_path, settings, monkeypatch
):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    folder = backup(tmp_path / "backups", "--encrypt")
    monkeypatch.setattr(backup_crypto, "_derive", pytest.fail)
    move_data_dir(settings, tmp_path / "new")

    found = refusals(folder, HEADER_DAMAGES, "backup.json", restore)

    assert {label: "backup.json" in message for label, message in found.items()} == dict.fromkeys(
        HEADER_DAMAGES, True
    ), found


def test_an_unencrypted_backup_is_refused_while_a_passphrase_is_set(
    live, tmp_path, settings, monkeypatch
):
    folder = backup(tmp_path / "backups")
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    move_data_dir(settings, tmp_path / "new")
    refused = "This backup is not encrypted.*unset BACKUP_PASSPHRASE"

    with pytest.raises(CommandError, match=refused):
        check(folder)
    with pytest.raises(CommandError, match=refused):
        restore(folder)


# --- the encryption format -------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(backup_crypto, "CHUNK_SIZE", 1024)
    return Cipher.create(PASSPHRASE)


def seal(cipher: Cipher, text: bytes, name: str = "evidence/x") -> bytes:
    target = io.BytesIO()
    writer = cipher.writer(target, name)
    writer.write(text)
    writer.close()
    return target.getvalue()


def open_sealed(cipher: Cipher, data: bytes, name: str = "evidence/x") -> bytes:
    return b"".join(cipher.chunks(io.BytesIO(data), name))


@pytest.mark.parametrize("size", [0, 1, 1024, 1025, 3 * 1024])
def test_a_sealed_file_opens_to_the_same_bytes(small_chunks, size):
    text = bytes(range(256)) * (size // 256) + b"x" * (size % 256)

    assert open_sealed(small_chunks, seal(small_chunks, text)) == text


def test_a_sealed_file_cut_at_a_chunk_boundary_does_not_open(small_chunks):
    data = seal(small_chunks, b"x" * 3000)
    record = 12 + 1024 + 16

    with pytest.raises(Undecryptable):
        open_sealed(small_chunks, data[: 8 + record])


def test_sealed_chunks_put_in_another_order_do_not_open(small_chunks):
    data = seal(small_chunks, b"a" * 1024 + b"b" * 1024 + b"c")
    record = 12 + 1024 + 16
    first, second = data[8 : 8 + record], data[8 + record : 8 + 2 * record]
    swapped = data[:8] + second + first + data[8 + 2 * record :]

    with pytest.raises(Undecryptable):
        open_sealed(small_chunks, swapped)


def test_a_sealed_file_does_not_open_under_another_name(small_chunks):
    data = seal(small_chunks, b"evidence", name="evidence/a")

    with pytest.raises(Undecryptable):
        open_sealed(small_chunks, data, name="evidence/b")


def test_a_passphrase_opens_however_its_accents_are_composed():
    composed = "café déjà vu naïve"
    cipher = Cipher.create(composed)
    decomposed = unicodedata.normalize("NFD", composed)

    assert decomposed != composed
    Cipher.open(decomposed, cipher.params)  # raises WrongPassphrase if not the same key


def test_the_key_settings_this_version_writes_are_accepted_and_costlier_ones_not():
    params = {**Cipher.create(PASSPHRASE).params, "n": REAL_SCRYPT_N}

    backup_crypto.check_params(params)
    backup_crypto.check_params({**params, "n": 2 * REAL_SCRYPT_N})  # room to raise it once
    with pytest.raises(Undecryptable, match="out of range"):
        backup_crypto.check_params({**params, "n": 4 * REAL_SCRYPT_N})
    with pytest.raises(Undecryptable, match="out of range"):
        backup_crypto.check_params({**params, "r": 16})


def test_a_folder_that_cannot_be_created_gets_a_message_not_a_traceback(db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="cannot be created or used"):
        call_command("backup", out=blocker / "backups")
