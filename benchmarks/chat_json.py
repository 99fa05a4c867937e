"""Benchmark: reading a large Telegram or Messenger JSON export, against a bare json.load.

    .venv/bin/python benchmarks/chat_json.py [--messages 500000]

Writes a generated Telegram result.json (one chat; one message in three with text entities) and
a Messenger message_1.json (every text garbled as Meta writes it, so each is repaired) of
`--messages` messages each, then reads each file, each time in a fresh process so that its
peak memory is its own:
- bare: `json.load` of the whole file (what a reader that does not stream would need);
- reader: the app's reader (incidents/sources/telegram.py, meta.py) handing on every item.
Figures go in docs/benchmarks.md.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, peak_rss_mb

START = 1_700_000_000
TEXT = (
    "I saw you leave the car park after work again tonight, and I waited by the gate because "
    "you never answer me when I call. Réponds-moi 😡"
)


def _telegram(path: Path, count: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('{\n "name": "Sam",\n "type": "personal_chat",\n "id": 123,\n "messages": [\n')
        for n in range(count):
            text = [{"type": "bold", "text": "Answer me."}, " " + TEXT] if n % 3 == 0 else TEXT
            sender = ("Sam", "user123") if n % 2 else ("Alice", "user777")
            message = {
                "id": n,
                "type": "message",
                "date": "2023-11-14T22:13:20",
                "date_unixtime": str(START + n * 47),
                "from": sender[0],
                "from_id": sender[1],
                "text": text,
                "text_entities": [{"type": "plain", "text": TEXT}],
            }
            body = json.dumps(message, indent=1, ensure_ascii=False).replace("\n", "\n  ")
            out.write("  " + body + (",\n" if n < count - 1 else "\n"))
        out.write(" ]\n}\n")


def _garbled(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _messenger(path: Path, count: int) -> None:
    with open(path, "w", encoding="ascii") as out:
        people = [{"name": _garbled("Sam Doé")}, {"name": "Alice Example"}]
        out.write('{\n  "participants": ' + json.dumps(people) + ',\n  "messages": [\n')
        for n in range(count):
            message = {
                "sender_name": _garbled("Sam Doé") if n % 2 else "Alice Example",
                "timestamp_ms": (START + (count - n) * 47) * 1000,
                "content": _garbled(TEXT),
                "is_geoblocked_for_viewer": False,
            }
            body = json.dumps(message, indent=2).replace("\n", "\n    ")
            out.write("    " + body + (",\n" if n < count - 1 else "\n"))
        out.write('  ],\n  "title": "Sam",\n  "thread_path": "inbox/samdoe_1"\n}\n')


def _child(mode: str, kind: str, path: str) -> None:
    """One measurement, in this process: prints items, seconds and peak MB as JSON."""
    if mode == "bare":
        began = time.perf_counter()
        with open(path, encoding="utf-8") as stream:
            items = len(json.load(stream)["messages"])
    else:
        django_setup(tempfile.mkdtemp(prefix="bench-chat-"))
        from incidents.sources.meta import MetaReader
        from incidents.sources.telegram import TelegramReader

        reader = TelegramReader if kind == "telegram" else MetaReader
        began = time.perf_counter()  # Django's start is not the reader's
        with open(path, "rb") as stream:
            items = sum(1 for _item in reader(stream).items())
    seconds = time.perf_counter() - began
    print(json.dumps({"items": items, "seconds": seconds, "peak_mb": peak_rss_mb()}))


def _measure(mode: str, kind: str, path: Path) -> dict:
    command = [sys.executable, __file__, "--child", mode, kind, str(path)]
    return json.loads(subprocess.run(command, check=True, capture_output=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as folder:
        for kind, write in (("telegram", _telegram), ("messenger", _messenger)):
            path = Path(folder) / f"{kind}.json"
            write(path, args.messages)
            size = path.stat().st_size / 1024 / 1024
            bare, read = _measure("bare", kind, path), _measure("reader", kind, path)
            print(
                f"{kind}: {args.messages:,} messages, {size:.0f} MB; "
                f"bare json.load {bare['seconds']:.1f} s, {bare['peak_mb']:.0f} MB; "
                f"reader {read['seconds']:.1f} s = {read['seconds'] / bare['seconds']:.1f} x, "
                f"{read['peak_mb']:.0f} MB (items {read['items']:,})"
            )
            path.unlink()


if __name__ == "__main__":
    main()
