"""Dossiers and evidence packages made in the background: asked for on the dossier page, followed
on the progress page, downloaded, retried, deleted; and jobs a stopped worker left behind.

The task backend runs jobs inline in tests (conftest), once the request's transaction commits.
"""

import io
import logging
import os
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import exports, pdf
from incidents.dossier import DossierOptions
from incidents.models import Case, Export
from tests.conftest import form_data, page_text

CALM = (
    "The dossier could not be made. Try again; if it fails again, tell the person who runs "
    "this server."
)


@pytest.fixture
def case(alice, incident):
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    case.save()
    return case


@pytest.fixture
def make(alice_client, django_capture_on_commit_callbacks):
    """Ask for an export on the dossier page, as the form is filled in, and let the job run."""

    def make(kind="dossier", **typed):
        form = alice_client.get(reverse("dossier")).context["form"]
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(reverse("dossier"), form_data(form, kind=kind, **typed))
        return response

    return make


def _files() -> list[str]:
    root = settings.EXPORTS_DIR
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_dossier_is_made_in_the_background_and_ends_ready(make, case, alice_client):
    response = make(short="on")

    export = Export.objects.get()
    assert response.url == export.get_absolute_url()
    assert export.status == Export.Status.DONE
    assert export.progress == 100
    assert export.pages >= 1
    assert _files() == [export.file_name]
    assert export.file_name.startswith(f"{case.owner_id}/") and export.file_name.endswith(".pdf")
    content = (settings.EXPORTS_DIR / export.file_name).read_bytes()
    assert export.size == len(content)
    text = _pdf_text(content)
    assert "Sam Example" in text
    assert "Page 1 of" in text
    assert "Fourteen missed calls" in text


def test_the_progress_page_shows_the_status(alice, case, alice_client):
    # Started but not yet run: the transaction's commit (and so the job) never comes here.
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )

    response = alice_client.get(export.get_absolute_url())

    text = page_text(response)
    assert "Waiting to start" in text
    assert "Check again" in text
    content = response.content.decode()
    assert "<progress" in content and "export-progress.js" in content
    assert "<script>" not in content  # nothing inline: the page works under a strict CSP
    status = alice_client.get(reverse("export_status", args=[export.uuid])).json()
    assert status == {
        "status": "queued",
        "label": "Waiting to start",
        "progress": 0,
        "stage": "",
        "finished": False,
        "slow": False,
    }


def test_a_job_waiting_long_says_so(alice, case, alice_client):
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )
    Export.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=2))

    assert alice_client.get(reverse("export_status", args=[export.uuid])).json()["slow"]
    assert "taking longer than it should" in page_text(alice_client.get(export.get_absolute_url()))


@pytest.mark.slow
def test_a_finished_dossier_downloads_as_an_attachment(make, case, alice_client):
    make()
    export = Export.objects.get()

    page = page_text(alice_client.get(export.get_absolute_url()))
    response = alice_client.get(reverse("export_download", args=[export.uuid]))

    assert "Download the dossier" in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    made_on = timezone.localdate(export.finished_at)
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{made_on}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.slow
def test_the_dossier_page_lists_what_was_made(make, case, alice_client):
    make()

    text = page_text(alice_client.get(reverse("dossier")))

    assert "Made before" in text
    assert re.search(r"PDF dossier, full version ?: ready, \d+ pages?, [\d.]+ KB", text)
    assert "Download the PDF dossier" in text


def test_nothing_downloads_before_it_is_ready(alice, case, alice_client):
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )

    assert alice_client.get(reverse("export_download", args=[export.uuid])).status_code == 404


def test_it_checks_ownership(make, case, mallory):
    make()
    export = Export.objects.get()
    as_mallory = Client()
    as_mallory.force_login(mallory)

    for name in ("export_detail", "export_status", "export_download", "export_delete"):
        url = reverse(name, args=[export.uuid])
        assert as_mallory.get(url).status_code == 404, name
        assert as_mallory.post(url).status_code == 404, name
    assert as_mallory.post(reverse("export_retry", args=[export.uuid])).status_code == 404
    assert "Sam Example" not in page_text(as_mallory.get(reverse("dossier")))
    assert Export.objects.get() == export
    assert _files() == [export.file_name]


def test_it_requires_login(alice, case, client):
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )

    for url in (reverse("dossier"), export.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_failing_render_ends_calmly_and_leaves_no_file(
    make, case, alice_client, monkeypatch, caplog
):
    def broken(user, options, out, progress):
        progress(40, "Drawing pages (1 of 3)")
        out.write_bytes(b"%PDF half a dossier")
        raise ValueError(f"could not draw: {case.incidents.get().description}")

    monkeypatch.setattr(pdf, "render_dossier", broken)

    with caplog.at_level(logging.ERROR, logger="incidents.exports"):
        make()

    export = Export.objects.get()
    assert export.status == Export.Status.FAILED
    assert export.error == CALM
    assert export.file_name == "" and _files() == []
    # The server log has where it failed, but not the message, which quoted the incident.
    assert "ValueError" in caplog.text and "broken" in caplog.text
    assert "Fourteen missed calls" not in caplog.text
    page = alice_client.get(export.get_absolute_url())
    assert CALM in page_text(page)
    assert "Try again" in page_text(page)
    assert alice_client.get(reverse("export_download", args=[export.uuid])).status_code == 404


@pytest.mark.slow
def test_try_again_makes_it_with_the_same_choices(
    make, case, alice_client, monkeypatch, django_capture_on_commit_callbacks
):
    real = pdf.render_dossier
    monkeypatch.setattr(pdf, "render_dossier", lambda *args: 1 / 0)
    make(date_from="2020-01-01", paper="Letter", prepared_by="S. Example")
    failed = Export.objects.get()
    monkeypatch.setattr(pdf, "render_dossier", real)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("export_retry", args=[failed.uuid]))

    again = Export.objects.get()
    assert response.url == again.get_absolute_url()
    assert again.status == Export.Status.DONE
    assert again.options == failed.options
    assert again.options["paper"] == "Letter" and again.options["date_from"] == "2020-01-01"


def test_a_package_that_cannot_be_made_says_why(make, case, monkeypatch):
    from incidents import package

    def refuse(user, options, out, progress):
        raise package.PackageError("Exhibit 1 (photo.jpg) is missing from the evidence store.")

    monkeypatch.setattr(package, "build_package", refuse)

    make(kind="package")

    export = Export.objects.get()
    assert export.kind == Export.Kind.PACKAGE
    assert export.status == Export.Status.FAILED
    assert export.error == "Exhibit 1 (photo.jpg) is missing from the evidence store."


@pytest.mark.slow
def test_deleting_an_export_asks_first_and_removes_its_file(make, case, alice_client):
    make()
    export = Export.objects.get()
    url = reverse("export_delete", args=[export.uuid])

    assert "Delete this dossier?" in page_text(alice_client.get(url))
    assert Export.objects.exists()
    response = alice_client.post(url)

    assert response.url == reverse("dossier")
    assert not Export.objects.exists()
    assert _files() == []


def test_a_job_deleted_while_it_runs_stops_and_leaves_nothing(alice, case, monkeypatch):
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )

    def render(user, options, out, progress):
        Export.objects.filter(pk=export.pk).delete()  # the user deletes it meanwhile
        progress(50, "Drawing pages")
        out.write_bytes(b"%PDF should never be kept")

    monkeypatch.setattr(pdf, "render_dossier", render)
    exports.run_export.call(export.pk)

    assert not Export.objects.exists()
    assert _files() == []


def test_the_form_refuses_a_period_that_ends_before_it_starts(alice_client, case):
    form = alice_client.get(reverse("dossier")).context["form"]

    response = alice_client.post(
        reverse("dossier"),
        form_data(form, kind="dossier", date_from="2024-05-10", date_to="2024-05-01"),
    )

    assert response.status_code == 400
    assert "The end date is before the start date" in page_text(response)
    content = response.content.decode()
    assert 'value="2024-05-10"' in content and 'value="2024-05-01"' in content
    assert not Export.objects.exists()


def test_the_form_asks_which_person_only_when_there_are_two(alice, alice_client, case):
    assert "case" not in alice_client.get(reverse("dossier")).context["form"].fields
    Case.objects.create(owner=alice, name="Another Person")

    form = alice_client.get(reverse("dossier")).context["form"]

    assert form.fields["case"].label == "About"
    assert form["case"].value() == case.uuid
    assert form["prepared_by"].value() == "alice"


def test_a_stranger_cannot_make_a_dossier_of_someone_elses_case(case, mallory, mallory_client):
    Case.objects.create(owner=mallory, name="Mallory's second")
    form = mallory_client.get(reverse("dossier")).context["form"]

    response = mallory_client.post(
        reverse("dossier"), form_data(form, kind="dossier", case=str(case.uuid))
    )

    assert response.status_code == 400
    assert not Export.objects.exists()


# --- jobs a stopped worker left behind ---------------------------------------------------------


def _left_running(export: Export) -> None:
    """As a worker that died mid-way leaves it: running, and silent for a while."""
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )


@pytest.mark.slow
def test_a_stale_job_is_started_again_once_then_failed(
    alice, case, django_capture_on_commit_callbacks
):
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )
    _left_running(export)

    with django_capture_on_commit_callbacks(execute=True):
        assert exports.recover_stale() == (1, 0)

    export.refresh_from_db()
    assert export.status == Export.Status.DONE  # it ran again, to the end
    assert export.options["retries"] == 1
    assert exports.export_options(export) == DossierOptions(case=str(case.uuid))

    _left_running(export)  # and the worker died on it a second time
    assert exports.recover_stale() == (0, 1)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert "interrupted twice" in export.error


def test_a_stale_job_that_never_started_is_queued_again_without_counting(
    alice, case, django_capture_on_commit_callbacks
):
    export = exports.export_start(
        user=alice, case=case, kind="dossier", options=DossierOptions(case=str(case.uuid))
    )
    Export.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command("exports_recover", stdout=io.StringIO())

    export.refresh_from_db()
    assert export.status == Export.Status.QUEUED
    assert "retries" not in export.options
    assert len(queued) == 1
    assert not Export.objects.stale().exists()


@pytest.mark.slow
def test_a_job_is_made_once_even_if_queued_twice(make, case):
    make()
    export = Export.objects.get()
    finished_at = export.finished_at

    exports.run_export.call(export.pk)

    export.refresh_from_db()
    assert export.finished_at == finished_at
    assert _files() == [export.file_name]


def test_recovery_removes_half_written_files(alice, case):
    stray = settings.EXPORTS_DIR / str(alice.pk) / "0123abcd.pdf.part"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF half")
    fresh = stray.with_name("fresh.pdf.part")
    fresh.write_bytes(b"%PDF being written now")
    old = (timezone.now() - timedelta(hours=1)).timestamp()
    os.utime(stray, (old, old))

    exports.recover_stale()

    assert _files() == [f"{alice.pk}/fresh.pdf.part"]


# --- the command line --------------------------------------------------------------------------


def test_the_dossier_command_writes_a_pdf(alice, case, tmp_path):
    out = tmp_path / "dossier.pdf"
    stdout = io.StringIO()

    call_command("dossier", "--user", "alice", "--out", str(out), "--short", stdout=stdout)

    text = _pdf_text(out.read_bytes())
    assert "Sam Example" in text and "Page 1 of" in text
    assert "pages" in stdout.getvalue() and "MB" in stdout.getvalue()


def test_a_dossier_is_of_the_first_real_case_or_else_the_demo(alice, case):
    demo = Case.objects.create(owner=alice, name="Demo", is_demo=True)
    Case.objects.filter(pk=demo.pk).update(created_at=case.created_at - timedelta(days=1))

    assert exports.default_dossier_case(alice) == case
    case.delete()
    assert exports.default_dossier_case(alice) == demo


@pytest.mark.slow
def test_a_dossier_whose_file_is_gone_says_so_and_can_be_made_again(
    make, case, alice_client, django_capture_on_commit_callbacks
):
    # As after restoring a backup: the record of the dossier is there, its file is not.
    make()
    export = Export.objects.get()
    exports.export_path(export).unlink()
    page = page_text(alice_client.get(export.get_absolute_url()))
    assert "This file is no longer on this server" in page
    assert "Download the dossier" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("export_retry", args=[export.uuid]))
    again = Export.objects.get()
    assert again.pk != export.pk
    assert response.url == again.get_absolute_url()
    assert again.status == Export.Status.DONE and exports.export_path(again).exists()
