"""The dossier page on a phone: making the PDF dossier and the evidence package, following the
job while it is made, downloading the files; and the form's own checks."""

import hashlib
import io
import re
import threading
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from incidents import exports
from incidents.models import Case, Export, NoContactNotice
from incidents.services import evidence_add
from tests.conftest import make_incident

pytestmark = pytest.mark.browser

DESCRIPTIONS = [
    "Waited by my car in the supermarket car park.",
    "Eight calls from a withheld number before work.",
    "Left flowers and a card on the doorstep.",
]
NOTICE = "I do not want any contact with you. Do not call, message or visit me."
CAPTION = "The message sent after the flowers."
# Long enough for the page's script to ask at least twice (it asks every two seconds), and for a
# PDF to be drawn; short enough that a stuck job fails the test rather than hanging it.
JOB_TIMEOUT = 20_000


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "steelblue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def records(alice, settings):
    """Three incidents, a no-contact notice and a screenshot attached to the last incident."""
    settings.DOSSIER_WORKERS = 1  # no pool of processes inside the test's process
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    case.save()
    now = timezone.now()
    incidents = [
        make_incident(alice, occurred_at=now - timedelta(days=days), description=description)
        for days, description in zip((5, 3, 1), DESCRIPTIONS, strict=True)
    ]
    NoContactNotice.objects.create(case=case, given_at=now - timedelta(days=4), words=NOTICE)
    upload = SimpleUploadedFile("screenshot.png", png(), "image/png")
    evidence = evidence_add(case=case, upload=upload, attached_to=incidents[-1], caption=CAPTION)
    return case, evidence


def check(a11y, page: Page) -> None:
    """The page passes the accessibility check and does not scroll sideways on the phone."""
    a11y(page)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


def open_dossier_page(phone: Page, a11y, live_server) -> None:
    phone.goto("/")
    check(a11y, phone)
    phone.get_by_role("contentinfo").get_by_role("link", name="Dossier").tap()
    expect(phone).to_have_url(f"{live_server.url}/dossier/")
    expect(phone.get_by_role("heading", name="Dossier", level=1)).to_be_visible()
    check(a11y, phone)


def export_url(live_server) -> re.Pattern:
    return re.compile(re.escape(live_server.url) + r"/exports/[0-9a-f-]{36}/$")


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class HeldWorker:
    """The database worker (`manage.py db_worker`) in a thread, for one job. The job is held at
    its first progress report until the test has seen that report on the page: a small dossier
    is made faster than the page's script asks, and this way no sleep is needed to watch it."""

    def __init__(self, monkeypatch):
        self.reported = threading.Event()
        self.released = threading.Event()
        self.errors: list[BaseException] = []
        held = self

        class HeldProgress(exports._ProgressSaver):
            def __call__(self, percent: int, stage: str) -> None:
                super().__call__(percent, stage)
                held.reported.set()
                held.released.wait(timeout=JOB_TIMEOUT / 1000)

        monkeypatch.setattr(exports, "_ProgressSaver", HeldProgress)
        self.thread = threading.Thread(target=self._work, daemon=True)

    def _work(self) -> None:
        try:
            worker = Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=1,
                worker_id="test-worker",
                excluded_queue_names=[],
            )
            worker.run()
        except BaseException as error:  # reported by the test, which cannot see this thread
            self.errors.append(error)
        finally:
            self.released.set()

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.released.set()
        self.thread.join(timeout=JOB_TIMEOUT / 1000)
        assert not self.thread.is_alive(), "The worker did not finish."
        assert not self.errors, self.errors


def test_on_a_phone_one_makes_the_pdf_dossier_watches_it_being_made_and_downloads_it(
    phone, a11y, sign_in, alice, records, live_server, settings, monkeypatch
):
    # Jobs wait in the database for a worker, as they do on a server (see `make run`).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    worker = HeldWorker(monkeypatch)
    sign_in(phone, alice)
    open_dossier_page(phone, a11y, live_server)

    phone.get_by_role("button", name="Make the PDF dossier").tap()
    expect(phone).to_have_url(export_url(live_server))
    expect(phone.get_by_role("heading", name="PDF dossier", level=1)).to_be_visible()
    expect(phone.get_by_text("Waiting to start")).to_be_visible()
    check(a11y, phone)
    export = Export.objects.get()
    assert (export.kind, export.status) == (Export.Kind.DOSSIER, Export.Status.QUEUED)
    queued = DBTaskResult.objects.ready().get()
    assert queued.task_path == exports.run_export.module_path
    assert queued.args_kwargs["args"] == [export.pk]

    try:
        worker.start()
        assert worker.reported.wait(timeout=JOB_TIMEOUT / 1000), "The job never started."
        # The page's script shows the job's state without the page being opened again.
        expect(phone.get_by_text("Being made")).to_be_visible(timeout=JOB_TIMEOUT)
        expect(phone.get_by_role("status")).to_have_text("Gathering the records")
        expect(phone.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "2")
        check(a11y, phone)
        worker.released.set()

        # Once the job ends the script opens the page again, with the download button.
        download_button = phone.get_by_role("link", name="Download the dossier")
        expect(download_button).to_be_visible(timeout=JOB_TIMEOUT)
    finally:
        worker.finish()
    expect(phone.get_by_text(re.compile(r"^Ready: \d+ pages?, "))).to_be_visible()
    expect(phone.get_by_role("progressbar")).to_have_count(0)
    check(a11y, phone)
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL

    with phone.expect_download() as download_info:
        download_button.tap()
    download = download_info.value
    assert re.fullmatch(r"dossier-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    content = download.path().read_bytes()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    export.refresh_from_db()
    assert len(PdfReader(io.BytesIO(content)).pages) == export.pages
    _, evidence = records
    for words in [
        "About: Sam Example",
        *DESCRIPTIONS,
        NOTICE,
        f"Caption: {CAPTION}",
        evidence.sha256,
        f"Page 1 of {export.pages}",
    ]:
        assert words in text, f"{words!r} is not in the dossier"


def test_the_evidence_package_holds_the_dossier_the_exhibit_and_their_fingerprints(
    phone, a11y, sign_in, alice, records, live_server
):
    _, evidence = records
    sign_in(phone, alice)
    open_dossier_page(phone, a11y, live_server)

    # Jobs run as soon as they are asked for in tests (see tests/conftest.py).
    phone.get_by_role("button", name="Make the evidence package (ZIP)").tap()
    expect(phone).to_have_url(export_url(live_server))
    expect(phone.get_by_role("heading", name="Evidence package", level=1)).to_be_visible()
    expect(phone.get_by_text(re.compile(r"^Ready: "))).to_be_visible()
    check(a11y, phone)

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download the evidence package").tap()
    download = download_info.value
    assert re.fullmatch(r"evidence-package-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as package:
        names = package.namelist()
        assert "manifest.sha256" in names
        assert "dossier.pdf" in names
        exhibits = [name for name in names if name.startswith("exhibits/")]
        assert len(exhibits) == 1 and re.fullmatch(r"exhibits/exhibit-001-\w+\.png", exhibits[0])
        assert package.read(exhibits[0]) == png()
        assert hashlib.sha256(package.read(exhibits[0])).hexdigest() == evidence.sha256
        manifest = dict(
            reversed(line.split("  ", 1))
            for line in package.read("manifest.sha256").decode().splitlines()
        )
        assert set(manifest) == set(names) - {"manifest.sha256"}
        for name in manifest:
            assert manifest[name] == hashlib.sha256(package.read(name)).hexdigest(), name
        assert "Page 1 of" in pdf_text(package.read("dossier.pdf"))

    phone.get_by_role("link", name="Back to the dossier page").tap()
    expect(phone.get_by_role("region", name="Made before").get_by_role("listitem")).to_have_count(1)
    check(a11y, phone)


def test_the_dossier_form_refuses_a_start_date_after_the_end_date_and_keeps_both(
    phone, a11y, sign_in, alice, records, live_server
):
    sign_in(phone, alice)
    open_dossier_page(phone, a11y, live_server)
    date_from = phone.get_by_label("From (optional)")
    date_to = phone.get_by_label("To (optional)")
    date_from.fill("2025-03-20")
    date_to.fill("2025-03-10")

    phone.get_by_role("button", name="Make the PDF dossier").tap()
    expect(phone.get_by_role("alert")).to_contain_text("Everything you typed is still here.")
    expect(phone).to_have_url(f"{live_server.url}/dossier/")
    expect(date_to).to_have_accessible_description(
        re.compile("The end date is before the start date")
    )
    expect(date_to).to_have_attribute("aria-invalid", "true")
    expect(date_from).to_have_value("2025-03-20")
    expect(date_to).to_have_value("2025-03-10")
    check(a11y, phone)
    assert not Export.objects.exists()
