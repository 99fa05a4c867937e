"""Benchmark: importing an mbox mailbox, against a bare read of the same file.

    .venv/bin/python benchmarks/mail_import.py [--messages 20000] [--share 0.5]
        [--attachment-kb 0] [--big-mb 0]

Writes a generated mailbox (each message with the headers a real one has: Received lines, a
DKIM signature, a plain and an HTML part; a PNG attached to one message in 100 with
--attachment-kb; with --big-mb, ten messages each carrying an attachment of that many MB), the
person's share of the messages from or to the person (half sent by the person, half by the
user), then in one run:
- two bare reads, the figures the import is compared with, in a process of their own (so that
  the peak memory measured is the import's): every line of the file (`for line in file`), and
  every message through `mailbox.mbox` (which parses each with the standard library's legacy
  parser);
- the import as `manage.py import_messages` does it (receive, hash and scan; keep the person's
  messages and their attached pictures);
- the same file imported again (nothing added).
Peak memory is this process's (the import runs in it; there are no other processes).
Figures go in docs/benchmarks.md.
"""

import argparse
import base64
import contextlib
import gc
import json
import mailbox
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_case, django_setup, peak_rss_mb

PERSON = "sam@example.org"
USER = "alex@example.net"
OTHERS = [f"friend{n}@example.com" for n in range(60)]
START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
TEXT = (
    "I saw you leave the car park after work again tonight, and I waited by the gate because "
    "you never answer me when I call. We need to talk about this properly, you owe me that "
    "much after everything. Answer your phone.\n"
)


def _message(n: int, share: float, attachment: bytes | None) -> bytes:
    every = max(int(1 / share), 1) if share else 0
    mine = every and n % every == 0
    sender, to = (PERSON, USER) if mine and n % 2 == 0 else (USER, PERSON)
    if not mine:
        sender, to = OTHERS[n % len(OTHERS)], USER
    sent = START + timedelta(minutes=7 * n)
    when = format_datetime(sent)
    head = (
        f"From - {sent:%a %b %d %H:%M:%S %Y}\nReturn-Path: <{sender}>\n"
        f"Received: from mail.example.org (mail.example.org [192.0.2.{n % 250}])\n"
        f"\tby mx.example.net with ESMTPS id {n:08x}\n\tfor <{to}>; {when}\n"
        f"Received: from [10.0.0.{n % 250}] by mail.example.org; {when}\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail2024;\n"
        f"\th=from:to:subject:date:message-id; bh={base64.b64encode(os.urandom(32)).decode()};\n"
        f"\tb={base64.b64encode(os.urandom(256)).decode()}\n"
        f"From: Sender {n % 97} <{sender}>\nTo: <{to}>\nSubject: Message {n}\nDate: {when}\n"
        f"Message-ID: <{n}.bench@example.org>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="mix"\n\n--mix\n'
        'Content-Type: multipart/alternative; boundary="alt"\n\n--alt\n'
        f"Content-Type: text/plain; charset=utf-8\n\nMessage {n}: {TEXT}\n--alt\n"
        f"Content-Type: text/html; charset=utf-8\n\n<p>Message {n}: {TEXT}</p>\n--alt--\n"
    )
    tail = "--mix--\n\n"
    if attachment is None:
        return (head + tail).encode()
    encoded = base64.encodebytes(attachment + n.to_bytes(4)).decode()
    part = (
        f"--mix\nContent-Type: image/png\nContent-Disposition: attachment; "
        f'filename="p{n}.png"\nContent-Transfer-Encoding: base64\n\n{encoded}'
    )
    return (head + part + tail).encode()


def write_mailbox(path: Path, messages: int, share: float, picture, big: bytes | None) -> None:
    with open(path, "wb") as out:
        for n in range(messages):
            attachment = None
            if big is not None and n % max(messages // 10, 1) == 0:
                attachment = big
            elif picture is not None and n % 100 == 0:
                attachment = picture
            out.write(_message(n, share, attachment))


def _picture(size_kb: int) -> bytes:
    """A PNG of about size_kb (noise does not compress), made with Pillow."""
    import io

    from PIL import Image

    side = max(int((size_kb * 1024 / 3) ** 0.5), 1)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def bare_lines(path: Path) -> float:
    started = time.perf_counter()
    with open(path, "rb") as stream:
        for _line in stream:
            pass
    return time.perf_counter() - started


def bare_mailbox(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    count = sum(1 for _message in mailbox.mbox(path))
    return time.perf_counter() - started, count


def _reset_peak() -> None:
    """Forget the peak memory a new process inherits from its parent (Linux only)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """This process's peak memory since _reset_peak (Linux), else since it started."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak_rss_mb()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kb) / 1024


def bare_reads(path: Path) -> dict:
    """Both bare reads in a fresh process: their times, messages and peak memory."""
    done = subprocess.run(
        [sys.executable, __file__, "--bare", str(path)], capture_output=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.5, help="the person's part")
    parser.add_argument("--attachment-kb", type=int, default=0, help="PNG in one message of 100")
    parser.add_argument("--big-mb", type=float, default=0, help="ten messages this large")
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)  # bare_reads' process
    args = parser.parse_args()
    if args.bare:
        _reset_peak()
        lines = bare_lines(args.bare)
        parsed, count = bare_mailbox(args.bare)
        print(json.dumps({"lines": lines, "parsed": parsed, "count": count, "mb": _peak_mb()}))
        return
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        django_setup(data_dir)

        from incidents.message_import import import_file
        from incidents.models import Evidence, Message

        case = bench_case()

        picture = _picture(args.attachment_kb) if args.attachment_kb else None
        big = _picture(int(args.big_mb * 1024)) if args.big_mb else None
        path = Path(data_dir) / "Inbox"
        write_mailbox(path, args.messages, args.share, picture, big)
        size = path.stat().st_size / 1024 / 1024
        print(f"mailbox: {size:.0f} MB, {args.messages:,} messages")

        bare = bare_reads(path)
        lines, parsed = bare["lines"], bare["parsed"]
        assert bare["count"] == args.messages, bare["count"]
        print(f"bare line read: {lines:.2f} s; bare mailbox.mbox read: {parsed:.2f} s")
        print(f"peak memory of the bare reads' process: {bare['mb']:.0f} MB")
        print(f"peak memory before the import: {peak_rss_mb():.0f} MB")
        gc.collect()
        started = time.perf_counter()
        job = import_file(case=case, path=path, numbers=[], addresses=[PERSON])
        first = time.perf_counter() - started
        assert job.error == "", job.error
        started = time.perf_counter()
        again = import_file(case=case, path=path, numbers=[], addresses=[PERSON])
        second = time.perf_counter() - started

        print(
            f"import: {first:.1f} s = {first / parsed:.1f} x the mailbox.mbox read, "
            f"{first / lines:.0f} x the line read"
        )
        print(f"  added {job.added:,}, skipped {job.skipped:,}, pictures {job.pictures}")
        print(f"re-import: {second:.1f} s = {second / parsed:.1f} x the mailbox.mbox read;", end="")
        print(f" added {again.added}")
        print(f"kept: {Message.objects.count():,} messages, {Evidence.objects.count()} exhibits")
        print(f"peak memory of the process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
