"""verify.py, shipped in every evidence package: run as the recipient runs it (a separate
Python without Django or any installed package, no network) on a real package, untouched and
tampered with; and trusted timestamps from a local time-stamping authority."""

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from incidents import custody, timestamps
from incidents.dossier import DossierOptions
from incidents.models import Case, ChainTimestamp, CustodyEntry
from incidents.package import build_package
from incidents.services import account_create, evidence_add
from tests.conftest import PASSWORD, made_once, make_incident, making_in
from tests.local_tsa import OPENSSL, LocalAuthority


@pytest.fixture(autouse=True)
def _alice_time_zone(alice, settings):
    settings.DOSSIER_WORKERS = 1
    with timezone.override("Europe/London"):
        yield


def _png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), color).save(buffer, "PNG")
    return buffer.getvalue()


def _records(user) -> Case:
    case = Case.objects.owned_by(user).get()
    incident = make_incident(user, description="Followed me from the station.")
    upload = SimpleUploadedFile("photo.png", _png("tomato"), "image/png")
    evidence_add(case=case, upload=upload, attached_to=incident, caption="The car.")
    return case


def _package(user, case, tmp_path) -> Path:
    out = tmp_path / "package.zip"
    build_package(user, DossierOptions(case=str(case.uuid)), out)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder)
    return folder


def _verify(folder: Path) -> subprocess.CompletedProcess:
    # -I -S: no site-packages and no environment: the standard library alone, as on a laptop.
    return subprocess.run(
        [sys.executable, "-I", "-S", "verify.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def package_made_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """A package of alice's case, made while mallory's case has entries in the same chain, and
    unpacked: made once for the module, its rows rolled back at once. With the uuids of
    mallory's logged records."""
    folder = tmp_path_factory.mktemp("package")
    with (
        made_once(django_db_blocker, folder),
        making_in(folder),
        timezone.override("Europe/London"),
    ):
        alice = account_create(username="alice", password=PASSWORD, is_owner=True)
        mallory = account_create(username="mallory", password=PASSWORD)
        _records(mallory)
        case = _records(alice)
        make_incident(mallory, description="Another person's record.")
        unpacked = _package(alice, case, folder)
        theirs = CustodyEntry.objects.filter(user_id=mallory.pk).values_list("object_uuid")
        return unpacked, {str(uuid) for (uuid,) in theirs}


@pytest.fixture
def package(package_made_once, tmp_path) -> Path:
    """This test's own copy of the unpacked package, to tamper with."""
    return shutil.copytree(package_made_once[0], tmp_path / "unpacked")


@pytest.mark.slow
def test_an_untouched_package_is_verified(package):
    result = _verify(package)
    assert result.returncode == 0, result.stdout
    assert "VERDICT: VERIFIED" in result.stdout
    assert "the chain head equals the one in the dossier's cover" in result.stdout
    assert "the chain head equals the one in case.json" in result.stdout


def test_the_package_carries_no_content_of_other_cases(package, package_made_once):
    proof = json.loads((package / "custody.json").read_text())
    theirs = package_made_once[1]
    assert len(theirs) == 2  # mallory's case and file
    whole = [e for e in proof["entries"] if "action" in e]
    hashed_only = [e for e in proof["entries"] if "action" not in e]
    assert whole and hashed_only
    assert all(set(e) == {"sequence", "previous_hash", "entry_hash"} for e in hashed_only)
    assert not {e["object"] for e in whole} & theirs
    assert proof["head"] == json.loads((package / "case.json").read_text())["custody_head"]


def test_a_flipped_byte_in_an_exhibit_is_named(package):
    exhibit = next((package / "exhibits").iterdir())
    data = bytearray(exhibit.read_bytes())
    data[len(data) // 2] ^= 0x01
    exhibit.write_bytes(bytes(data))
    result = _verify(package)
    assert result.returncode == 1
    assert f"exhibits/{exhibit.name} does not match its fingerprint" in result.stdout
    assert "VERDICT: NOT VERIFIED" in result.stdout


def _edit_custody(package: Path, change) -> None:
    """Edit custody.json and, like a careful forger, its line in the manifest too."""
    path = package / "custody.json"
    proof = json.loads(path.read_text())
    change(proof)
    path.write_text(json.dumps(proof))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = package / "manifest.sha256"
    text = re.sub(r"^[0-9a-f]{64}  custody\.json$", f"{digest}  custody.json",
                  manifest.read_text(), flags=re.M)  # fmt: skip
    manifest.write_text(text)


def test_an_edited_custody_entry_is_named_even_with_the_manifest_updated(package):
    def change(proof):
        entry = next(e for e in proof["entries"] if e.get("action") == "uploaded")
        entry["file_sha256"] = "0" * 64
        change.sequence = entry["sequence"]

    _edit_custody(package, change)
    result = _verify(package)
    assert result.returncode == 1
    assert f"Custody entry {change.sequence} (uploaded evidence) does not match its hash" in (
        result.stdout
    )


def test_an_entry_rehashed_by_a_forger_no_longer_reaches_the_printed_head(package):
    def change(proof):
        entries = proof["entries"]
        entry = next(e for e in entries if e.get("action") == "created")
        entry["recorded_at"] = "2020-01-01T00:00:00.000000+00:00"
        fields = {k: v for k, v in entry.items() if k != "entry_hash"}
        entry["entry_hash"] = hashlib.sha256(
            json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        change.sequence = entry["sequence"]

    _edit_custody(package, change)
    result = _verify(package)
    assert result.returncode == 1
    assert (
        f"Custody entry {change.sequence + 1} does not follow entry {change.sequence}"
        in (result.stdout)
        or "does not follow" in result.stdout
    )


def test_a_changed_manifest_is_named(package):
    manifest = package / "manifest.sha256"
    lines = manifest.read_text().splitlines()
    _digest, name = lines[0].split("  ", 1)
    lines[0] = f"{'f' * 64}  {name}"
    manifest.write_text("\n".join(lines) + "\n")
    result = _verify(package)
    assert result.returncode == 1
    assert f"{name} does not match its fingerprint" in result.stdout


def test_a_removed_file_is_named(package):
    (package / "incidents.csv").unlink()
    result = _verify(package)
    assert result.returncode == 1
    assert "incidents.csv is listed in the manifest but is not in the package" in result.stdout


# --- trusted timestamps ---------------------------------------------------------------------


def test_without_the_setting_nothing_is_asked_and_the_dossier_says_so(alice, settings):
    settings.TIMESTAMP_URL = ""
    make_incident(alice, description="Rang the bell.")
    assert timestamps.stamp_if_configured() is None
    assert not ChainTimestamp.objects.exists()


def test_a_token_from_the_local_authority_verifies_and_is_logged(alice, authority):
    make_incident(alice, description="Rang the bell.")
    head = custody.chain_head()
    row = timestamps.stamp_if_configured()
    assert row is not None and row.head == str(head)
    assert authority.requests == 1
    assert timestamps.problems() == []
    logged = CustodyEntry.objects.get(action="timestamped")
    assert logged.file_sha256 == hashlib.sha256(bytes(row.token)).hexdigest()
    # Nothing changed since but the timestamp's own entry: no second token.
    assert timestamps.stamp_if_configured() == row and authority.requests == 1
    call_command("verify_chain")


def test_a_tampered_token_does_not_verify(alice, authority):
    make_incident(alice, description="Rang the bell.")
    row = timestamps.stamp_if_configured()
    token = bytearray(row.token)
    token[-10] ^= 0x01
    ChainTimestamp.objects.filter(pk=row.pk).update(token=bytes(token))
    assert "does not verify" in " ".join(timestamps.problems())
    with pytest.raises(CommandError, match="timestamps do not verify"):
        call_command("verify_chain")


def test_a_token_for_another_head_does_not_verify(alice, authority):
    make_incident(alice, description="Rang the bell.")
    row = timestamps.stamp_if_configured()
    ChainTimestamp.objects.filter(pk=row.pk).update(entry_hash="a" * 64)
    assert "no longer holds" in " ".join(timestamps.problems())


@pytest.mark.slow
def test_an_unreachable_authority_does_not_stop_a_package(alice, tmp_path, settings, caplog):
    settings.TIMESTAMP_URL = "http://127.0.0.1:9/tsa"  # the discard port: nothing listens
    settings.TIMESTAMP_CA_FILE = str(tmp_path / "none.pem")
    case = _records(alice)
    assert timestamps.stamp_if_configured() is None
    assert "could not be reached" in caplog.text
    folder = _package(alice, case, tmp_path)
    assert _verify(folder).returncode == 0


@pytest.mark.slow
def test_verify_py_checks_the_packaged_token_signature_and_chain(alice, authority, tmp_path):
    case = _records(alice)
    row = timestamps.stamp_if_configured()
    folder = _package(alice, case, tmp_path)
    assert (folder / f"timestamps/{row.sequence}.tsr").read_bytes() == bytes(row.token)
    result = _verify(folder)
    assert result.returncode == 0, result.stdout
    assert f"timestamps/{row.sequence}.tsr: the authority signed chain head" in result.stdout
    assert "signature and certificate chain checked" in result.stdout
    # OpenSSL, given the command verify.py prints, agrees.
    command = re.search(r"openssl ts -verify -in (\S+) -digest (\S+)", result.stdout)
    openssl = subprocess.run(  # noqa: S603
        [OPENSSL, "ts", "-verify", "-in", command[1], "-digest", command[2],
         "-CAfile", "timestamps/tsa-ca.pem"],
        cwd=folder, capture_output=True, text=True,
    )  # fmt: skip
    assert "Verification: OK" in openssl.stdout


@pytest.mark.slow
def test_verify_py_refuses_a_tampered_packaged_token(alice, authority, tmp_path):
    case = _records(alice)
    row = timestamps.stamp_if_configured()
    folder = _package(alice, case, tmp_path)
    token_path = folder / f"timestamps/{row.sequence}.tsr"
    token = bytearray(token_path.read_bytes())
    token[-10] ^= 0x01
    token_path.write_bytes(bytes(token))
    result = _verify(folder)
    assert result.returncode == 1
    assert f"timestamps/{row.sequence}.tsr does not verify" in result.stdout


@pytest.mark.slow
def test_verify_py_refuses_a_token_signed_by_another_authority(alice, authority, tmp_path):
    case = _records(alice)
    timestamps.stamp_if_configured()
    folder = _package(alice, case, tmp_path)
    stranger = LocalAuthority(tmp_path / "other")
    ca = folder / "timestamps/tsa-ca.pem"
    ca.write_bytes(stranger.ca_file.read_bytes())
    result = _verify(folder)
    assert result.returncode == 1
    assert "does not verify" in result.stdout


def test_a_custody_log_cut_short_no_longer_reaches_the_head_on_the_cover(package):
    _edit_custody(package, lambda proof: proof["entries"].pop())
    result = _verify(package)
    assert result.returncode == 1
    assert "case.json gives" in result.stdout and "the dossier's cover gives" in result.stdout


@pytest.mark.slow
def test_the_dossier_cites_the_timestamp_or_says_none_was_asked_for(
    alice, authority, tmp_path, settings
):
    case = _records(alice)
    row = timestamps.stamp_if_configured()
    folder = _package(alice, case, tmp_path)
    text = " ".join(p.extract_text() for p in PdfReader(folder / "dossier.pdf").pages)
    text = " ".join(text.split())
    assert f"(reference {row.reference})" in text
    assert "python3 verify.py" in text

    settings.TIMESTAMP_URL = ""
    ChainTimestamp.objects.all().delete()
    off = _package(alice, case, tmp_path / "off")
    text = " ".join(p.extract_text() for p in PdfReader(off / "dossier.pdf").pages)
    assert "nothing about this record was sent anywhere" in " ".join(text.split())
