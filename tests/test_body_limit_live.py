"""On a real gunicorn: a 50 MB body from someone not signed in is refused with 413 while it is
still arriving, and nothing of it reaches the data directory; the access log holds no query
strings and no password-reset tokens."""

import re
import select
import socket
import sys
import time
from pathlib import Path

import pytest

from tests.live_client import Visitor
from tests.live_server import BIN, START_TIMEOUT, Process, live_site, wait_for

pytestmark = pytest.mark.slow  # a live server: run by `make test` and .ci/run

FIFTY_MB = 50 * 1024 * 1024
PIECE = 256 * 1024


class LoggingServer(Process):
    """gunicorn as `make run` starts it (gunicorn.conf.py, an access log), on a free port."""

    def __init__(self, site, *, access_log: Path, log: Path):
        command = [
            str(BIN / "gunicorn"),
            "stalkerlog.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
            "--no-control-socket",
        ]
        super().__init__(command, env=site.env, log=log)
        listening = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
        found = wait_for(
            lambda: listening.search(self.log()), what="gunicorn", timeout=START_TIMEOUT
        )
        self.port = int(found[1])
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self._answers, what="the sign-in page", timeout=START_TIMEOUT)

    def _answers(self) -> bool:
        try:
            return Visitor(self.url).get("/sign-in/").status == 200
        except OSError:
            return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("live")
    with live_site(directory, ["alice"]) as site:
        process = LoggingServer(
            site, access_log=directory / "access.log", log=directory / "gunicorn.log"
        )
        site.processes.append(process)
        process.site = site
        process.access_log = directory / "access.log"
        yield process


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _send_until_answered(port: int, head: bytes, pieces, data_dir: Path) -> tuple[bytes, int, int]:
    """Send the head, then the body piece by piece until the server answers (or it is all
    sent). Returns the answer, how much of the body went out, and the most the data directory
    grew by while it was sent."""
    before = _size(data_dir)
    grew = sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head)
        for piece in pieces:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
            try:
                connection.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
            grew = max(grew, _size(data_dir) - before)
        answer = b""
        deadline = time.monotonic() + 30
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    return answer, sent, max(grew, _size(data_dir) - before)


def _file_upload(size: int):
    """A well-formed multipart body with one file of `size` bytes, and its length: what
    Django would spool to FILE_UPLOAD_TEMP_DIR (in the data directory) if it read it."""
    start = (
        b'--b0undary\r\nContent-Disposition: form-data; name="files"; filename="v.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\n"
    )
    end = b"\r\n--b0undary--\r\n"

    def pieces():
        yield start
        for _ in range(size // PIECE):
            yield b"x" * PIECE
        yield end

    return pieces(), len(start) + size // PIECE * PIECE + len(end)


def _form_cookie(server) -> str:
    """The form-token cookie any visitor gets: with it, Django reads (and spools) the body to
    check the token; without it, the request would be refused before the body is read."""
    visitor = Visitor(server.url)
    visitor.get("/sign-in/")
    return "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())


def test_a_50_mb_anonymous_post_is_refused_before_it_is_read(server):
    pieces, length = _file_upload(FIFTY_MB)
    head = (
        f"POST /sign-in/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Cookie: {_form_cookie(server)}\r\n"
        "Content-Type: multipart/form-data; boundary=b0undary\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    answer, sent, grew = _send_until_answered(server.port, head, pieces, server.site.data_dir)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < FIFTY_MB // 2, f"{sent} bytes went out before the answer"
    assert grew == 0, f"the data directory grew by {grew} bytes"


def test_a_50_mb_chunked_anonymous_post_is_cut_off_early(server):
    head = (
        f"POST /sign-in/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = f"{PIECE:x}\r\n".encode() + b"x" * PIECE + b"\r\n"
    pieces = (chunk for _ in range(FIFTY_MB // PIECE))
    answer, sent, grew = _send_until_answered(server.port, head, pieces, server.site.data_dir)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < FIFTY_MB // 2, f"{sent} bytes went out before the answer"
    assert grew == 0, f"the data directory grew by {grew} bytes"


def test_the_access_log_holds_paths_without_query_strings_or_reset_tokens(server):
    visitor = Visitor(server.url)
    visitor.get("/sign-in/?next=/timeline/%3Fq%3Dpolice-report-words")
    visitor.get("/static/css/app.css?v=words-in-a-query")
    visitor.get("/sign-in/reset/a-secret-reset-token-123/")
    logged = wait_for(
        lambda: (text := server.access_log.read_text()).count("GET ") >= 3 and text,
        what="the access log",
        timeout=10,
    )
    assert '"GET /sign-in/ HTTP/1.1" 200' in logged
    assert "police-report-words" not in logged and "words-in-a-query" not in logged
    assert "?" not in logged
    assert "a-secret-reset-token" not in logged and '"GET /sign-in/reset/…/ HTTP/1.1"' in logged


if sys.platform != "linux":  # /proc and the process groups of tests/live_server.py
    pytestmark = [pytestmark, pytest.mark.skip("needs Linux")]
