"""Benchmark: importing a WhatsApp chat export, against a bare line-by-line read of the file.

    .venv/bin/python benchmarks/whatsapp_import.py [--messages 100000] [--photos 0]
        [--photo-side 512]

Writes a generated Android chat, day-first with a 24-hour clock (WhatsApp's encryption note
first, one message in 20 over three lines, one in 50 "<Media omitted>", half from the person
"Sam" and half from the user "Alex"), as a .txt file, or with --photos as the .zip WhatsApp
makes with that many JPEG photos of noise (made with Pillow) named in their messages. Then in
one run:
- a bare read: every line of the chat file read and decoded (Python's text file iteration),
  the figure the import is compared with;
- the reader alone (incidents/sources/whatsapp.py), every item read, media included;
- the import as `import_file` does it (receive, hash and scan; keep Sam's and Alex's
  messages with their custody entries), in the zone Europe/London;
- the same file imported again (nothing added).
Peak memory is this process's (the import runs in it). Figures go in docs/benchmarks.md.
"""

import argparse
import gc
import io
import os
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_case, cpu_seconds, django_setup, peak_rss_mb

CHAT = "WhatsApp Chat with Sam.txt"
START = datetime(2023, 1, 1, 8, 0)
# Day first, as written below: said, since a short chat may not decide the order by itself.
OPTIONS = {"time_zone": "Europe/London", "date_order": "dmy"}
NOTE = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more."
)


def _photo(side: int) -> bytes:
    """A JPEG photo of noise (which hardly packs, as photos do not), made with Pillow."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "JPEG")
    return buffer.getvalue()


def _lines(messages: int, photos: int):
    every_photo = messages // photos if photos else 0
    yield f"{START:%d/%m/%Y, %H:%M} - {NOTE}\n"
    for n in range(messages):
        at = START + timedelta(minutes=7 * n + 1)
        sender = "Sam" if n % 2 == 0 else "Alex"
        stamp = f"{at:%d/%m/%Y, %H:%M} - {sender}: "
        if every_photo and n % every_photo == 0 and n // every_photo < photos:
            yield f"{stamp}IMG-{at:%Y%m%d}-WA{n:04d}.jpg (file attached)\nLook where you are.\n"
        elif n % 50 == 0:
            yield f"{stamp}<Media omitted>\n"
        elif n % 20 == 0:
            yield f"{stamp}Message {n}: I know you were at the station.\nI was there.\nAnswer.\n"
        else:
            yield (
                f"{stamp}Message {n}: I saw you leave work again tonight and I waited by the "
                "gate, because you never answer me when I call. Answer your phone.\n"
            )


def write_chat(folder: Path, messages: int, photos: int, side: int = 64) -> tuple[Path, Path]:
    """The export (the .txt, or the .zip with photos) and the chat's text file itself."""
    text = folder / CHAT
    with open(text, "w", encoding="utf-8") as out:
        out.writelines(_lines(messages, photos))
    if not photos:
        return text, text
    export = folder / "WhatsApp Chat with Sam.zip"
    every_photo = messages // photos
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(text, CHAT)
        for k in range(photos):
            n = k * every_photo
            at = START + timedelta(minutes=7 * n + 1)
            archive.writestr(f"IMG-{at:%Y%m%d}-WA{n:04d}.jpg", _photo(side))
    return export, text


def bare_read(text: Path) -> tuple[float, float]:
    """Seconds and CPU seconds to read and decode every line."""
    cpu, started = cpu_seconds(), time.perf_counter()
    with open(text, encoding="utf-8") as lines:
        for _line in lines:
            pass
    return time.perf_counter() - started, cpu_seconds() - cpu


def read_only(export: Path) -> tuple[float, float, int]:
    """Seconds and CPU seconds for the reader alone, and the items it gave."""
    from incidents.sources.whatsapp import WhatsAppReader

    cpu, started = cpu_seconds(), time.perf_counter()
    with open(export, "rb") as stream:
        reader = WhatsAppReader(stream, pictures=True, options=OPTIONS)
        count = sum(1 for _item in reader.items())
    return time.perf_counter() - started, cpu_seconds() - cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--photos", type=int, default=0, help="a .zip with this many photos")
    parser.add_argument("--photo-side", type=int, default=512, help="pixels (512: about 200 KB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        django_setup(data_dir)

        from incidents.message_import import import_file
        from incidents.models import Message

        case = bench_case()
        export, text = write_chat(Path(data_dir), args.messages, args.photos, args.photo_side)
        size = export.stat().st_size / 1024 / 1024
        print(f"file: {export.name}, {size:.1f} MB, {args.messages:,} messages")

        bare, bare_cpu = bare_read(text)
        print(f"bare line-by-line read: {bare:.2f} s ({bare_cpu:.2f} s CPU)")
        reading, reading_cpu, items = read_only(export)
        print(f"reader alone: {reading:.2f} s ({reading_cpu:.2f} s CPU) = {reading / bare:.0f} x")
        print(f"  the bare read; {items:,} items")
        print(f"peak memory after reading: {peak_rss_mb():.0f} MB")

        def run():
            return import_file(
                case=case,
                path=export,
                numbers=[],
                addresses=["Sam"],
                me="Alex",
                options=OPTIONS,
            )

        gc.collect()
        cpu, started = cpu_seconds(), time.perf_counter()
        job = run()
        first, first_cpu = time.perf_counter() - started, cpu_seconds() - cpu
        started = time.perf_counter()
        again = run()
        second = time.perf_counter() - started
        print(f"import: {first:.1f} s ({first_cpu:.1f} s CPU) = {first / bare:.0f} x the bare read")
        print(f"  added {job.added:,}, skipped {job.skipped:,}, pictures {job.pictures:,}")
        print(f"re-import: {second:.1f} s = {second / bare:.0f} x; added {again.added}")
        print(f"kept: {Message.objects.count():,} messages; warnings: {job.warnings}")
        print(f"peak memory of the process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
