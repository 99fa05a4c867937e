"""Benchmark: the package's custody.json and verify.py on a long custody log.

    .venv/bin/python benchmarks/verify_package.py [--entries 100000] [--share 10]

Builds a chain of ENTRIES entries the way incidents/custody.py hashes them (SHA-256 over the
canonical JSON, each naming the hash before it), of which SHARE percent belong to the packaged
case, writes custody.json as incidents/custody_proof.py lays it out, and times verify.py's
chain check (the standard library only). Prints the file's size, raw and deflated as in the ZIP.
Figures go in docs/benchmarks.md.
"""

import argparse
import hashlib
import json
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "incidents" / "verifier"))
import verify  # the shipped file itself


def _chain(entries: int, share: int) -> tuple[list[str], str]:
    previous, lines = verify.GENESIS, []
    for sequence in range(1, entries + 1):
        fields = {
            "v": 1,
            "sequence": sequence,
            "recorded_at": "2026-12-07T06:00:00.000000+00:00",
            "user": 1 if sequence % 100 < share else 2,
            "action": "created",
            "object_type": "incident",
            "object": str(uuid.uuid4()),
            "content_sha256": hashlib.sha256(str(sequence).encode()).hexdigest(),
            "file_sha256": "",
            "previous_hash": previous,
        }
        entry_hash = hashlib.sha256(verify.canonical(fields)).hexdigest()
        if fields["user"] == 1:
            item = {**fields, "entry_hash": entry_hash}
        else:
            item = {"sequence": sequence, "previous_hash": previous, "entry_hash": entry_hash}
        lines.append(json.dumps(item, sort_keys=True, separators=(",", ":")))
        previous = entry_hash
    return lines, f"{entries}:{previous}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--share", type=int, default=10, help="percent of entries in the case")
    args = parser.parse_args()
    lines, head = _chain(args.entries, args.share)
    body = ",\n".join(lines)
    text = f'{{"head": "{head}", "entries": [\n{body}\n]}}\n'
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "custody.json"
        path.write_text(text)
        started = time.perf_counter()
        proof = json.loads(path.read_text())
        found, _hashes = verify.check_chain(proof, verify.Report())
        took = time.perf_counter() - started
    assert found == head, (found, head)
    raw = len(text.encode())
    packed = len(zlib.compress(text.encode(), 6))
    print(
        f"{args.entries} entries ({args.share}% this case's): custody.json {raw / 1e6:.1f} MB, "
        f"{packed / 1e6:.1f} MB deflated; verify.py read and checked it in {took:.2f} s"
    )


if __name__ == "__main__":
    main()
