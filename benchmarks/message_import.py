"""Benchmark: importing an SMS Backup & Restore export, against a bare streaming parse.

    .venv/bin/python benchmarks/message_import.py [--texts 200000] [--calls 20000]
        [--share 0.5] [--picture-mb 0]

Writes a generated export (texts with an emoji in one of ten, a picture message in every 500
when --picture-mb is given, and a call log), then in one run:
- a bare parse of each file (xml.etree.ElementTree.iterparse reading every element and clearing
  it), the figure the import is compared with;
- the import as `manage.py import_messages` does it (receive, hash and scan; keep the chosen
  number's items), with the person's number `--share` of the items;
- the same files imported again (nothing added).
Peak memory is this process's (the import runs in it; there are no other processes).
Figures go in docs/benchmarks.md.
"""

import argparse
import base64
import gc
import os
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_case, django_setup, peak_rss_mb

PERSON = "+44 7700 900123"
WRITTEN = ["+44 7700 900123", "07700 900123", "0044 7700-900123"]  # the same number three ways
OTHERS = [f"+44 7700 900{n:03d}" for n in range(200, 260)]
START_MS = 1_700_000_000_000


def _texts_file(path: Path, texts: int, share: float, picture: bytes | None) -> None:
    every = max(int(1 / share), 1) if share else 0
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<smses count="{texts}" backup_set="bench" type="full">\n')
        for n in range(texts):
            mine = every and n % every == 0
            address = WRITTEN[n % 3] if mine else OTHERS[n % len(OTHERS)]
            when = START_MS + n * 47_000
            body = (
                f"Message {n}: I saw you leave the car park after work again tonight, and I waited "
                "by the gate because you never answer me when I call. We need to talk about this "
                "properly, you owe me that much after everything. Answer your phone."
            )
            if n % 10 == 0:
                # An emoji. Written as the app's emoji option writes it (surrogate references),
                # a strict parser stops at the first one, and there would be no bare parse.
                body += " \U0001f600"
            if picture is not None and n % 500 == 0:
                out.write(
                    f'  <mms date="{when}" msg_box="1" address="{address}" m_id="m{n}" '
                    f'text_only="0" contact_name="null">\n    <parts>\n'
                    f'      <part seq="0" ct="image/png" name="p{n}.png" cl="p{n}.png" text="null" '
                    f'data="{base64.b64encode(picture + n.to_bytes(4)).decode()}" />\n'
                    f'      <part seq="1" ct="text/plain" name="null" text="{body}" />\n'
                    f'    </parts>\n    <addrs>\n      <addr address="{address}" type="137" />\n'
                    "    </addrs>\n  </mms>\n"
                )
                continue
            # Every attribute the app writes, as in a real export (about 700 bytes a text).
            out.write(
                f'  <sms protocol="0" address="{address}" date="{when}" type="{1 + n % 2}" '
                f'subject="null" body="{body}" toa="null" sc_toa="null" '
                f'service_center="+447785016005" read="1" status="-1" locked="0" '
                f'date_sent="{when - 2000}" sub_id="1" readable_date="14 Nov 2023 22:13:20" '
                f'contact_name="(Unknown)" />\n'
            )
        out.write("</smses>\n")


def _calls_file(path: Path, calls: int, share: float) -> None:
    every = max(int(1 / share), 1) if share else 0
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<calls count="{calls}" backup_set="bench" type="full">\n')
        for n in range(calls):
            mine = every and n % every == 0
            number = WRITTEN[n % 3] if mine else OTHERS[n % len(OTHERS)]
            out.write(
                f'  <call number="{number}" duration="{(n * 7) % 300}" '
                f'date="{START_MS + n * 311_000}" type="{1 + n % 6}" presentation="1" '
                'contact_name="null" />\n'
            )
        out.write("</calls>\n")


def _picture(size_kb: int) -> bytes:
    """A PNG of about size_kb (noise does not compress), made with Pillow."""
    from PIL import Image

    side = int((size_kb * 1024 / 3) ** 0.5)
    return _png(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)))


def _png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def bare_parse(path: Path) -> float:
    started = time.perf_counter()
    for _event, element in ET.iterparse(path, events=("end",)):  # noqa: S314
        element.clear()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.5, help="the person's part of the items")
    parser.add_argument("--picture-mb", type=float, default=0, help="total MB of MMS pictures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        django_setup(data_dir)

        from incidents.message_import import import_file
        from incidents.models import Call as CallRecord
        from incidents.models import Message

        case = bench_case()
        case.phone_numbers = PERSON
        case.save()

        picture = None
        if args.picture_mb:
            pictures = max(args.texts // 500, 1)
            picture = _picture(int(args.picture_mb * 1024 * 3 / 4 / pictures))
        texts, calls = Path(data_dir) / "sms-bench.xml", Path(data_dir) / "calls-bench.xml"
        _texts_file(texts, args.texts, args.share, picture)
        _calls_file(calls, args.calls, args.share)
        sizes = [p.stat().st_size / 1024 / 1024 for p in (texts, calls)]
        print(f"files: texts {sizes[0]:.0f} MB ({args.texts:,} items), calls {sizes[1]:.1f} MB")

        cpu = time.process_time()
        bare = sum(bare_parse(p) for p in (texts, calls))
        bare_cpu = time.process_time() - cpu
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        jobs = [import_file(case=case, path=p, numbers=[]) for p in (texts, calls)]
        first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        added = [(job.added, job.skipped, job.recovered, job.pictures) for job in jobs]
        started, cpu = time.perf_counter(), time.process_time()
        again = [import_file(case=case, path=p, numbers=[]) for p in (texts, calls)]
        second, second_cpu = time.perf_counter() - started, time.process_time() - cpu

        # Processor time beside elapsed time: the machine is shared, and elapsed time moves
        # with what else runs on it.
        print(f"bare iterparse of both files: {bare:.2f} s ({bare_cpu:.2f} s processor)")
        print(f"import: {first:.1f} s = {first / bare:.1f} x the bare parse", end=" ")
        print(f"({first_cpu:.1f} s processor = {first_cpu / bare_cpu:.1f} x); added, skipped,")
        print(f"  recovered, pictures per file: {added}")
        print(f"re-import: {second:.1f} s = {second / bare:.1f} x the bare parse", end=" ")
        print(f"({second_cpu:.1f} s processor = {second_cpu / bare_cpu:.1f} x);", end=" ")
        print(f"added {[job.added for job in again]}")
        print(f"kept: {Message.objects.count():,} messages, {CallRecord.objects.count():,} calls")
        print(f"peak memory of the process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
