"""Importing a phone's texts on a phone: choose the export file (sent with a progress bar), tick
the person's number, read the preview, watch the import run in the background, see the result,
open one of the messages, and find the day's line on the timeline."""

import re
import threading
from pathlib import Path

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import Page, expect

from incidents import message_import
from incidents.models import Case, Message, MessageImport
from incidents.services import record_save
from tests.e2e.test_dossier import JOB_TIMEOUT, check

pytestmark = pytest.mark.browser

EXPORT = Path(__file__).parent.parent / "fixtures" / "sms" / "sms-20250510.xml"
CUT = "sms-truncated.xml"


class HeldImport:
    """The database worker in a thread, for one import, held just after the job has started
    until the test has seen it running on the page."""

    def __init__(self, monkeypatch):
        self.started = threading.Event()
        self.released = threading.Event()
        self.errors: list[BaseException] = []
        run = message_import._import

        def held(job):
            self.started.set()
            self.released.wait(timeout=JOB_TIMEOUT / 1000)
            run(job)

        monkeypatch.setattr(message_import, "_import", held)
        self.thread = threading.Thread(target=self._work, daemon=True)

    def _work(self) -> None:
        try:
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=1,
                worker_id="test-worker",
                excluded_queue_names=[],
            ).run()
        except BaseException as error:  # reported by the test, which cannot see this thread
            self.errors.append(error)
        finally:
            self.released.set()

    def finish(self) -> None:
        self.released.set()
        self.thread.join(timeout=JOB_TIMEOUT / 1000)
        assert not self.thread.is_alive(), "The worker did not finish."
        assert not self.errors, self.errors


def test_on_a_phone_one_imports_the_texts_of_the_persons_number(
    phone: Page, a11y, sign_in, alice, live_server, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    case = Case.objects.owned_by(alice).get()
    case.name, case.phone_numbers = "Sam Example", "+44 7700 900123"
    record_save(record=case)
    worker = HeldImport(monkeypatch)
    sign_in(phone, alice)

    phone.goto("/")
    check(a11y, phone)
    phone.get_by_role("link", name="Import messages and calls").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Import messages and calls")
    check(a11y, phone)
    # A file cut off while copying: refused on the same page, with the reason.
    phone.get_by_label("The export file").set_input_files(str(EXPORT.with_name(CUT)))
    phone.get_by_role("button", name="Send and read the file").tap()
    expect(phone.get_by_text(re.compile("stops in the middle"))).to_be_visible()
    assert not MessageImport.objects.exists()
    check(a11y, phone)
    phone.get_by_label("The export file").set_input_files(str(EXPORT))
    phone.get_by_role("button", name="Send and read the file").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Which numbers are the person's?")
    sam = phone.get_by_role("checkbox", name=re.compile(r"^\+44 7700 900123, 07700 900123"))
    mum = phone.get_by_role("checkbox", name=re.compile(r"Mum"))
    expect(sam).to_be_checked()
    expect(mum).not_to_be_checked()
    check(a11y, phone)
    phone.get_by_role("button", name="See what will be added").tap()
    expect(phone.get_by_text("7 messages, 0 calls.")).to_be_visible()
    check(a11y, phone)
    phone.get_by_role("button", name="Import them").tap()

    expect(phone.get_by_text("Waiting to start")).to_be_visible()
    job = MessageImport.objects.get()
    assert job.numbers_chosen == ["447700900123"] and not Message.objects.exists()
    try:
        worker.thread.start()
        assert worker.started.wait(timeout=JOB_TIMEOUT / 1000), "The import never started."
        # The page's script shows the job running without the page being opened again.
        expect(phone.get_by_text("Being imported")).to_be_visible(timeout=JOB_TIMEOUT)
        expect(phone.get_by_role("progressbar", name="Progress")).to_be_visible()
        check(a11y, phone)
        worker.released.set()
        expect(phone.get_by_text("7 items added.")).to_be_visible(timeout=JOB_TIMEOUT)
    finally:
        worker.finish()
    expect(phone.get_by_role("progressbar")).to_have_count(0)
    expect(phone.get_by_text(job.source.sha256)).to_be_visible()
    check(a11y, phone)
    assert not Message.objects.filter(body__contains="Mum").exists()

    phone.get_by_role("link", name=re.compile("Please stop contacting me")).tap()
    expect(phone.get_by_text("Exhibit 1, item 2 (line 6)")).to_be_visible()
    check(a11y, phone)

    # The timeline gives the day's imported texts as one line, which opens the day's page.
    phone.goto("/timeline/")
    line = phone.get_by_role("link", name=re.compile(r"\d+ texts? .*from Sam Example"))
    expect(line.first).to_be_visible()
    check(a11y, phone)
    line.first.tap()
    expect(phone.get_by_text("Please stop contacting me.")).to_be_visible()
    check(a11y, phone)
