"""The evidence package carries the exported file as an exhibit, byte for byte, and the
transcript of imported messages and calls as a CSV that a spreadsheet cannot run."""

import csv
import hashlib
import io
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from incidents.message_services import imported_hide, imported_note_set
from incidents.models import Case
from incidents.services import account_create
from tests.conftest import PASSWORD, made_once, make_incident, making_in
from tests.imported import call, export_file, import_job, keep, text
from tests.test_package import Package, build

EXPORT = b"<?xml version='1.0'?><smses count='4'><sms body='=1+1'/></smses>"


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def _sam(alice) -> Case:
    """Alice's case with four imported items of sam's, one with a note, one left out."""
    alice.time_zone = "Europe/London"
    alice.save()
    case = Case.objects.owned_by(alice).get()
    make_incident(alice, occurred_at=datetime(2024, 5, 1, 20, tzinfo=UTC))
    job = import_job(case, export_file(case, EXPORT))
    items = keep(
        [
            text(job, 1, datetime(2024, 5, 2, 20, 2, tzinfo=UTC), '=HYPERLINK("http://x")'),
            call(job, 2, datetime(2024, 5, 2, 20, 30, tzinfo=UTC), withheld=True),
            text(job, 3, datetime(2024, 5, 3, 9, 0, tzinfo=UTC), "No.", direction="out"),
            text(job, 4, datetime(2024, 5, 3, 9, 5, tzinfo=UTC), "To my sister.", direction="out"),
        ]
    )
    imported_note_set(item=items[0], note="The first after the notice.")
    imported_hide(item=items[3], reason="Not to Sam.")
    return case


@pytest.fixture(scope="module")
def sams_package(django_db_setup, django_db_blocker, tmp_path_factory) -> Package:
    """The package of `_sam`, made once for the module, its rows rolled back at once: the tests
    below only read it."""
    folder = tmp_path_factory.mktemp("sam")
    with made_once(django_db_blocker, folder), making_in(folder):
        alice = account_create(username="alice", password=PASSWORD, is_owner=True)
        case = _sam(alice)
        with timezone.override("Europe/London"):  # as the package's job does with alice's zone
            return build(alice, case, folder)


@pytest.mark.slow
def test_the_export_file_is_in_the_package_byte_for_byte(sams_package):
    package = sams_package

    digest = hashlib.sha256(EXPORT).hexdigest()
    manifest = (package.root / "manifest.sha256").read_text()
    line = next(line for line in manifest.splitlines() if line.startswith(digest))
    assert (package.root / line.split("  ", 1)[1]).read_bytes() == EXPORT


def test_the_transcript_csv_has_each_item_not_left_out_with_its_place_in_the_file(sams_package):
    package = sams_package

    assert (package.root / "transcript.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(package.text("transcript.csv"))))
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert len(cells) == 3  # the one left out is not there
    first, second, third = cells
    assert first["text"] == '\'=HYPERLINK("http://x")'  # a formula, disarmed
    assert (first["date"], first["time"], first["UTC"]) == (
        "2024-05-02",
        "21:02:00",
        "2024-05-02T20:02:00Z",
    )
    assert (first["exhibit"], first["item in the file"], first["line in the file"]) == (
        "1",
        "1",
        "2",
    )
    assert first["note"] == "The first after the notice."
    assert second["kind"] == "call: missed" and second["number as written"] == "withheld"
    assert third["direction"] == "Sent" and third["text"] == "No."
    assert "transcript.csv" in package.text("README.txt")


@pytest.mark.slow
def test_a_package_without_imports_has_no_transcript(alice, tmp_path):
    make_incident(alice)
    package = build(alice, Case.objects.owned_by(alice).get(), tmp_path)
    assert "transcript.csv" not in package.names
