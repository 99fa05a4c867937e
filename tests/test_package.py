"""The evidence package, unpacked and checked as the person who receives it would."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tracemalloc
import zipfile
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader, PdfWriter

from incidents.dossier import DossierOptions
from incidents.models import Case, Evidence, Incident, NoContactNotice, PoliceContact
from incidents.package import PackageError, PackageResult, build_package
from incidents.services import account_create, evidence_add
from tests.conftest import PASSWORD, copy_files, made_once, make_incident, making_in

EXHIBIT_NAME = re.compile(r"^exhibits/exhibit-\d{3}-[0-9a-f]{8}\.(png|pdf)$")


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1  # no process pool inside the test runner


@pytest.fixture(autouse=True)
def _alice_time_zone(alice):
    _in_berlin(alice)


def _in_berlin(alice) -> None:
    alice.time_zone = "Europe/Berlin"
    alice.save()
    timezone.activate(alice.time_zone)  # as the background job does


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


def pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def add_file(case, name: str, content: bytes, content_type: str, attached_to=None) -> Evidence:
    upload = SimpleUploadedFile(name, content, content_type)
    return evidence_add(case=case, upload=upload, attached_to=attached_to)


def stored_path(item: Evidence) -> Path:
    return django_settings.EVIDENCE_DIR / item.stored_name


@dataclass
class Log:
    case: Case
    uploaded: dict[str, bytes]  # sha256 -> the bytes sent
    in_period: list[Evidence]
    old: Evidence  # the file of the incident before the period
    old_incident: Incident


@pytest.fixture
def log(alice) -> Log:
    return _log(alice)


def _log(alice) -> Log:
    """Alice's case: incidents in the last weeks and one long before, a notice, a report, files."""
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    case.save()
    now = timezone.now()
    notice = NoContactNotice.objects.create(
        case=case, given_at=now - timedelta(days=10), words="Do not contact me again."
    )
    calls = make_incident(
        alice,
        occurred_at=now - timedelta(days=5),
        kind=Incident.Kind.CALLS,
        count=14,
        description="=cmd|' /C calc'!A0",
        exact_words="You can't ignore me forever.",
        threat_to_harm=True,
    )
    visit = make_incident(
        alice, occurred_at=now - timedelta(days=3), description="At my door at night."
    )
    old = make_incident(
        alice, occurred_at=now - timedelta(days=400), description="Long before the period."
    )
    report = PoliceContact.objects.create(
        case=case, contacted_at=now - timedelta(days=2), reference="CR/2026/0042"
    )
    report.incidents.set([calls, visit, old])
    files = [
        add_file(case, "Chat\n0000  evil.png", png("white"), "image/png", visit),
        add_file(case, "notice.pdf", pdf("Notice"), "application/pdf", notice),
        add_file(case, "letter.pdf", pdf("Filed on the case"), "application/pdf"),
    ]
    old_file = add_file(case, "old.png", png("grey"), "image/png", old)
    uploaded = {item.sha256: stored_path(item).read_bytes() for item in [*files, old_file]}
    return Log(case, uploaded, files, old_file, old)


def _mallorys_files(mallory) -> list[Evidence]:
    case = Case.objects.owned_by(mallory).get()
    case.name = "Mallory's person"
    case.save()
    incident = make_incident(mallory, description="Mallory's incident")
    return [
        add_file(case, "mallory.png", png("red"), "image/png", incident),
        add_file(case, "mallory.pdf", pdf("Mallory"), "application/pdf"),
    ]


@dataclass
class Package:
    result: PackageResult
    root: Path  # where it was unpacked
    names: list[str]
    progress: list[tuple[int, str]]

    def text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8-sig")

    @property
    def case(self) -> dict:
        return json.loads(self.text("case.json"))


def build(user, case, tmp_path, progress=None, **options) -> Package:
    out = tmp_path / "exports" / "package.zip"
    calls = []

    def report(percent, stage):
        calls.append((percent, stage))
        if progress:
            progress(percent, stage)

    result = build_package(user, DossierOptions(case=str(case.uuid), **options), out, report)
    root = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        zf.extractall(root)
    return Package(result, root, names, calls)


@dataclass
class Made:
    folder: Path  # the files of the records and the package
    package: Package
    log: Log
    mallorys_files: list[Evidence]


@pytest.fixture(scope="module")
def package_made_once(django_db_setup, django_db_blocker, tmp_path_factory) -> Made:
    """Alice's package of the last 30 days, made while mallory has files of her own: made once
    for the module, its rows rolled back at once (the tests read the files and the package)."""
    folder = tmp_path_factory.mktemp("package")
    with made_once(django_db_blocker, folder), making_in(folder):
        alice = account_create(username="alice", password=PASSWORD, is_owner=True)
        _in_berlin(alice)
        log = _log(alice)
        mallorys_files = _mallorys_files(account_create(username="mallory", password=PASSWORD))
        start = timezone.localdate() - timedelta(days=30)
        package = build(alice, log.case, folder, date_from=start)
    return Made(folder, package, log, mallorys_files)


@pytest.fixture
def package(package_made_once, tmp_path) -> Package:
    """This test's own copy of the package and of the files it was made from."""
    made = package_made_once
    copy_files(made.folder, tmp_path)
    return replace(made.package, root=tmp_path / made.package.root.relative_to(made.folder))


@pytest.fixture
def package_log(package_made_once) -> Log:
    """The records the package was made of (read only: their rows are gone)."""
    return package_made_once.log


@pytest.fixture
def mallorys_files(package_made_once) -> list[Evidence]:
    """Mallory's files, there when the package was made (their files are in the test's copy)."""
    return package_made_once.mallorys_files


def test_the_package_unpacks_and_sha256sum_checks_every_file(package):
    checked = subprocess.run(  # noqa: S603
        [shutil.which("sha256sum"), "-c", "manifest.sha256"],
        cwd=package.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = {line.split("  ", 1)[1] for line in package.text("manifest.sha256").splitlines()}
    assert set(package.names) == listed | {"manifest.sha256"}
    assert {"dossier.pdf", "case.json", "incidents.csv", "README.txt"} <= listed
    assert checked.stdout.count(": OK") == len(listed) == package.result.files - 1
    assert len(PdfReader(package.root / "dossier.pdf").pages) == package.result.pages


def test_every_exhibit_is_byte_identical_to_the_uploaded_file(package, package_log):
    exhibits = [name for name in package.names if name.startswith("exhibits/")]
    assert len(exhibits) == package.result.exhibits == len(package_log.in_period)
    by_name = {item["file"]: item for item in package.case["exhibits"]}
    for name in exhibits:
        content = (package.root / name).read_bytes()
        assert content == package_log.uploaded[by_name[name]["sha256"]]


def test_exhibit_names_are_made_by_the_server_and_the_original_names_kept(package):
    exhibits = package.case["exhibits"]
    assert all(EXHIBIT_NAME.match(item["file"]) for item in exhibits)
    assert not any("evil" in name for name in package.names)
    originals = {item["original_name"] for item in exhibits}
    assert originals == {"Chat\n0000  evil.png", "notice.pdf", "letter.pdf"}
    for item in exhibits:
        assert item["file"].startswith(f"exhibits/exhibit-{item['number']:03d}-")
        assert (
            item["file"][-3:]
            == {"image/png": "png", "application/pdf": "pdf"}[item["content_type"]]
        )


def test_case_json_holds_the_incidents_and_the_exhibit_hashes(package, package_log):
    data = package.case
    assert data["format_version"] == 1
    assert data["person_of_concern"]["name"] == "Sam Example"
    calls, visit = data["incidents"]
    assert [calls["ref"], visit["ref"]] == [1, 2]
    assert calls["description"] == "=cmd|' /C calc'!A0"
    assert calls["exact_words"] == "You can't ignore me forever."
    assert calls["count"] == 14 and calls["kind_label"] == "Phone calls"
    assert calls["danger_signs"] == ["Threat to harm or kill"]
    assert re.search(r"T\d\d:\d\d:\d\d(\.\d+)?\+0[12]:00$", calls["occurred_at"])
    assert calls["created_at"] and calls["amended_at"] is None
    in_period = {e.sha256 for e in package_log.in_period}
    assert {item["sha256"] for item in data["exhibits"]} == in_period
    picture = next(item for item in data["exhibits"] if item["content_type"] == "image/png")
    assert picture["attached_to"] == {"type": "incident", "uuid": visit["uuid"], "ref": 2}
    assert visit["exhibits"] == [picture["number"]]
    assert data["no_contact_notices"][0]["words"] == "Do not contact me again."
    [report] = data["police_contacts"]
    assert report["reference"] == "CR/2026/0042"
    assert [linked["ref"] for linked in report["incidents"]] == [None, 1, 2]


def test_incidents_csv_has_one_row_per_incident_and_neutralises_formulas(package):
    raw = (package.root / "incidents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    header, *rows = list(csv.reader(io.StringIO(package.text("incidents.csv"))))
    assert header[:3] == ["number", "date", "time"]
    assert len(rows) == 2
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert cells[0]["what happened"] == "'=cmd|' /C calc'!A0"
    assert cells[0]["how many times"] == "14"
    assert cells[0]["danger signs"] == "Threat to harm or kill"
    assert cells[1]["what happened"] == "At my door at night."
    assert cells[1]["exhibits"] == str(package.case["incidents"][1]["exhibits"][0])


@pytest.mark.slow
def test_effects_left_out_of_the_dossier_are_left_out_of_the_records_too(alice, tmp_path):
    make_incident(alice, effect_level=Incident.Effect.SEVERE, effect_notes="I moved out.")
    case = Case.objects.owned_by(alice).get()
    package = build(alice, case, tmp_path, include_effects=False, short=True)
    assert "I moved out" not in package.text("case.json") + package.text("incidents.csv")
    assert "effect_level" not in package.case["incidents"][0]
    assert "effect" not in package.text("incidents.csv").splitlines()[0].split(",")


def test_an_incident_outside_the_period_is_left_out_with_its_files(package, package_log):
    assert "Long before the period" not in package.text("case.json")
    assert "Long before the period" not in package.text("incidents.csv")
    assert package_log.old.sha256 not in package.text("manifest.sha256")
    assert str(package_log.old.uuid)[:8] not in " ".join(package.names)


def test_mallorys_files_never_appear_in_alices_package(package, mallorys_files):
    everything = b"".join((package.root / name).read_bytes() for name in package.names)
    for item in mallorys_files:
        assert item.sha256.encode() not in everything
        assert stored_path(item).read_bytes() not in everything
        assert item.original_name.encode() not in everything
    assert b"Mallory" not in everything


def test_mallory_cannot_package_alices_case(mallory, log, tmp_path):
    out = tmp_path / "exports" / "package.zip"
    with pytest.raises(Case.DoesNotExist):
        build_package(mallory, DossierOptions(case=str(log.case.uuid)), out)
    assert list(out.parent.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["image/png", "application/pdf"])
def test_a_changed_original_stops_the_package_and_leaves_nothing(alice, log, tmp_path, kind):
    changed = next(item for item in log.in_period if item.content_type == kind)
    path = stored_path(changed)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(content)
    out = tmp_path / "exports" / "package.zip"
    with pytest.raises(PackageError, match="has changed since it was received"):
        build_package(alice, DossierOptions(case=str(log.case.uuid)), out)
    assert list(out.parent.iterdir()) == []


@pytest.mark.slow
def test_the_error_names_the_changed_exhibit(alice, log, tmp_path):
    changed = next(item for item in log.in_period if item.original_name == "letter.pdf")
    number = changed.exhibit_number
    path = stored_path(changed)
    path.write_bytes(path.read_bytes() + b"appended")
    with pytest.raises(PackageError) as error:
        build_package(alice, DossierOptions(case=str(log.case.uuid)), tmp_path / "p.zip")
    assert str(error.value).startswith(f"Exhibit {number} (letter.pdf) has changed")


def test_a_missing_original_stops_the_package_with_a_clear_error(alice, log, tmp_path):
    os.remove(stored_path(log.in_period[0]))
    out = tmp_path / "exports" / "package.zip"
    with pytest.raises(PackageError, match="is missing from the evidence store"):
        build_package(alice, DossierOptions(case=str(log.case.uuid)), out)
    assert list(out.parent.iterdir()) == []


@pytest.mark.slow
def test_a_large_file_is_streamed_not_held_in_memory(alice, tmp_path):
    case = Case.objects.owned_by(alice).get()
    incident = make_incident(alice)
    large = b"%PDF-1.7\n" + os.urandom(8 * 1024 * 1024)
    add_file(case, "recording.pdf", large, "application/pdf", incident)
    peaks = []

    def measure(percent, stage):
        if stage.startswith("Copying") and not tracemalloc.is_tracing():
            tracemalloc.start()
        elif stage == "Checking":
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    try:
        package = build(alice, case, tmp_path, progress=measure)
    finally:
        tracemalloc.stop()
    assert (package.root / package.case["exhibits"][0]["file"]).read_bytes() == large
    assert peaks[0] < 3 * 1024 * 1024


def test_progress_is_reported_in_stages(package):
    percents = [percent for percent, _ in package.progress]
    stages = [stage for _, stage in package.progress]
    assert percents == sorted(percents) and percents[0] >= 0 and percents[-1] <= 100
    assert any(stage.startswith("Making the dossier") for stage in stages)
    assert "Copying exhibit 1 of 3" in stages and "Copying exhibit 3 of 3" in stages
    assert stages[-1] == "Checking"


def test_the_readme_says_how_to_check_the_package(package):
    readme = package.text("README.txt")
    assert "Sam Example" in readme
    for command in ("sha256sum -c manifest.sha256", "shasum -a 256 -c", "Get-FileHash"):
        assert command in readme
