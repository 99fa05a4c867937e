"""Processes killed outright (SIGKILL: a crash, the out-of-memory killer, a power cut) in the
middle of their work, on the real server and the real background worker.

- An upload cut off when the web server dies leaves no file among the evidence and no record
  without its file; the partial copy lies only in the private upload directories, and is
  removed later by `exports_recover` (which `make run` and the worker's service run at start).
- A dossier whose worker dies half-way is made again once by `exports_recover`, or, if that is
  interrupted too, reported failed with a message; never left "being made", and never a
  half-written file where the finished one belongs.
"""

import json
import os
import shutil
import signal
import socket
import time

import pytest
from pypdf import PdfReader

from tests.live_client import Visitor, evidence_image, find_form, multipart
from tests.live_server import group_members, live_site, wait_for

pytestmark = pytest.mark.slow  # run by `make test` and .ci/run, not by `pytest -m "not slow"`

UPLOAD_BYTES = 12 * 1024 * 1024
CUT_AFTER = 4 * 1024 * 1024  # past Django's 2.5 MB in memory: the upload is being spooled
LONG_AGO = time.time() - 2 * 3600  # abandoned uploads go after an hour untouched


def _files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --- uploads --------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    with live_site(tmp_path, ["alice"]) as site:
        yield site


def _incident_page(visitor):
    new = visitor.get("/incidents/new/")
    saved = visitor.submit(new, having="description", typed={"description": "At the door."})
    assert saved.status == 302
    return visitor.get(saved.location)


def _start_upload(visitor, page) -> socket.socket:
    """Send the head and the first CUT_AFTER bytes of a large upload, slowly, and leave the
    rest unsent: a phone on a slow connection, part-way through a video."""
    form = find_form(page, "files")
    picture = evidence_image("cut off") + os.urandom(UPLOAD_BYTES)
    body, content_type = multipart(form.fields, [("files", "big.jpg", "image/jpeg", picture)])
    cookies = "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())
    head = (
        f"POST {form.action} HTTP/1.1\r\nHost: {visitor.host}:{visitor.port}\r\n"
        f"Cookie: {cookies}\r\nOrigin: {visitor.base_url}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    connection = socket.create_connection((visitor.host, visitor.port), timeout=30)
    connection.sendall(head.encode())
    for start in range(0, CUT_AFTER, 64 * 1024):
        connection.sendall(body[start : start + 64 * 1024])
        time.sleep(0.002)
    return connection


def _spooled(site) -> list:
    return [p for p in (site.data_dir / "tmp").glob("*.upload*") if p.stat().st_size > 2**20]


def _answer_after_the_kill(connection: socket.socket) -> bytes:
    try:
        connection.sendall(b"\0" * (1024 * 1024))
        return connection.recv(1024)
    except (ConnectionResetError, BrokenPipeError):
        return b""
    finally:
        connection.close()


def _cut_off(site, victim: str) -> Visitor:
    """Kill gunicorn's worker (gunicorn starts another), or all of gunicorn (then start it
    again), part-way through an upload; returns the visitor, signed in, on the server now up."""
    server = site.start_server(workers=1)
    visitor = Visitor(server.url)
    assert visitor.sign_in("alice").status == 302
    page = _incident_page(visitor)
    connection = _start_upload(visitor, page)
    wait_for(lambda: _spooled(site), what="the upload to reach the disk", timeout=30)
    if victim == "worker":
        os.kill(server.worker_pids()[0], signal.SIGKILL)
        server.wait_ready()
    else:
        os.killpg(server.pid, signal.SIGKILL)
        server.popen.wait(timeout=10)
        server = site.start_server(workers=1)
    assert _answer_after_the_kill(connection) == b""  # no answer: the upload did not happen
    again = Visitor(server.url)
    again.cookies = dict(visitor.cookies)  # the same browser, still signed in
    return again


@pytest.mark.parametrize("victim", ["worker", "server"])
def test_it_leaves_no_trace_of_an_upload_cut_off_by_a_killed_server(site, victim):
    visitor = _cut_off(site, victim)

    assert site.query("SELECT count(*) FROM incidents_evidence") == [(0,)]
    assert _files(site.data_dir / "evidence") == []
    checked = site.manage("verify_evidence")
    assert "0 files checked: 0 missing, 0 changed, 0 stray." in checked.stdout
    leftover = _spooled(site)
    assert leftover  # only here, in the private upload directory

    # The site goes on as before.
    page = _incident_page(visitor)
    files = [("files", "photo.png", "image/png", evidence_image("after", kind="png"))]
    assert visitor.submit(page, having="files", typed={}, files=files).status == 302
    checked = site.manage("verify_evidence")
    assert "1 files checked: 0 missing, 0 changed, 0 stray." in checked.stdout

    # Partial copies are removed once clearly abandoned; recent ones may belong to an upload.
    staged = site.data_dir / "evidence" / ".staging" / "upload-abandoned"
    staged.write_bytes(b"\xff\xd8\xff half a photo")  # as a worker killed while staging leaves it
    site.manage("exports_recover")
    assert _spooled(site) == leftover and staged.exists()
    for path in [*leftover, staged]:
        os.utime(path, (LONG_AGO, LONG_AGO))
    recovered = site.manage("exports_recover")
    assert "2 partial uploads removed" in recovered.stdout
    assert _spooled(site) == [] and not staged.exists()
    assert "1 files checked: 0 missing" in site.manage("verify_evidence").stdout


# --- dossiers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dossier_site(tmp_path_factory):
    # Two drawing processes per dossier, as on a 2-core server; 600 incidents take a few
    # seconds to draw, time enough to kill the worker half-way.
    directory = tmp_path_factory.mktemp("dossier")
    with live_site(directory, ["alice"], DOSSIER_WORKERS="2") as site:
        site.manage("seed_demo", "--user", "alice", "--incidents", "600", "--images", "0")
        yield site


def _ask_for_dossier(site) -> int:
    """As the dossier page does: the job is recorded, and queued for the worker."""
    return site.python(
        "import json\n"
        "from incidents.dossier import DossierOptions\n"
        "from incidents.exports import export_start\n"
        "from incidents.models import Case, User\n"
        "user = User.objects.get(username='alice')\n"
        "case = Case.objects.get(owner=user, is_demo=True)\n"
        "export = export_start(user=user, case=case, kind='dossier', "
        "options=DossierOptions(case=str(case.uuid)))\n"
        "print(json.dumps(export.pk))"
    )


def _export(site, pk: int) -> dict:
    (row,) = site.query(
        "SELECT status, progress, stage, error, file_name, pages, options "
        "FROM incidents_export WHERE id = %s",
        (pk,),
    )
    columns = ["status", "progress", "stage", "error", "file_name", "pages", "options"]
    export = dict(zip(columns, row, strict=True))
    if isinstance(export["options"], str):  # SQLite keeps JSON as text
        export["options"] = json.loads(export["options"])
    return export


def _is_half_drawn(site, pk: int) -> bool:
    export = _export(site, pk)
    if export["status"] in {"done", "failed"}:
        raise AssertionError(f"The dossier ended before it could be interrupted: {export}")
    return export["status"] == "running" and export["progress"] >= 10


def _half_drawn(site, pk: int):
    """Start a worker, and return it once it is half-way through drawing the dossier."""
    # The drawing is cached per part: start from nothing, so that there is something to cut.
    shutil.rmtree(site.data_dir / "cache", ignore_errors=True)
    worker = site.start_worker()
    wait_for(lambda: _is_half_drawn(site, pk), what="the dossier to be half drawn", timeout=120)
    return worker


def _kill(worker) -> None:
    worker.kill()
    # Its drawing processes go with it, rather than wait for work for ever.
    wait_for(
        lambda: not group_members(worker.pid), what="the drawing processes to stop", timeout=30
    )


def test_it_makes_a_dossier_again_after_its_worker_was_killed_half_way(dossier_site):
    site = dossier_site
    pk = _ask_for_dossier(site)
    worker = _half_drawn(site, pk)
    os.kill(worker.pid, signal.SIGSTOP)  # silent, but alive: its job is left alone
    assert site.manage("exports_recover").stdout == ""
    assert _export(site, pk)["status"] == "running"
    _kill(worker)

    assert "1 queued again, 0 marked as failed" in site.manage("exports_recover").stdout
    export = _export(site, pk)
    assert export["status"] == "queued"
    assert export["stage"] == "Starting again after an interruption"
    assert export["options"]["retries"] == 1
    assert export["file_name"] == ""

    worker = site.start_worker()
    wait_for(lambda: _export(site, pk)["status"] == "done", what="the dossier", timeout=180)
    worker.stop()
    export = _export(site, pk)
    exports = site.data_dir / "exports"
    assert _files(exports) == [export["file_name"]]  # nothing half-written beside it
    assert len(PdfReader(exports / export["file_name"]).pages) == export["pages"] > 50


def test_it_reports_a_dossier_interrupted_twice_as_failed(dossier_site):
    site = dossier_site
    pk = _ask_for_dossier(site)
    _kill(_half_drawn(site, pk))
    assert "1 queued again" in site.manage("exports_recover").stdout
    _kill(_half_drawn(site, pk))

    assert "0 queued again, 1 marked as failed" in site.manage("exports_recover").stdout
    export = _export(site, pk)
    assert export["status"] == "failed"
    assert export["error"].startswith("This was interrupted twice while it was being made")
    assert export["file_name"] == ""
    known = {e for (e,) in site.query("SELECT file_name FROM incidents_export") if e}
    assert set(_files(site.data_dir / "exports")) <= known
