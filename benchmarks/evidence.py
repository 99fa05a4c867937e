"""Benchmark: ingest N phone screenshots (1-2 MB each) as evidence, verify them, and re-hash
them as the check before each hand-out does.

    .venv/bin/python benchmarks/evidence.py [--files 50]

Each phase runs in a fresh process so that its peak memory (RSS) is its own. Everything goes
to a temporary data directory that is removed afterwards. Figures go in docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import django_setup, peak_rss_mb


def phase_prepare(data_dir: str, files: int) -> dict:
    django_setup(data_dir)
    from django.core.management import call_command

    from incidents.screenshots import chat_screenshot
    from incidents.services import account_create

    call_command("migrate", verbosity=0)
    account_create(username="bench", password="bench-password-123")
    rng = random.Random(7)
    sizes = []
    for i in range(files):
        png = chat_screenshot(
            contact="Sam Doe",
            messages=[f"Message {i}: why don't you answer me?", "I know where you are."],
            sent_at=datetime(2026, 3, 1, 21, i % 60),
            rng=rng,
            with_photo=True,
        )
        (Path(data_dir) / f"shot-{i:03}.png").write_bytes(png)
        sizes.append(len(png))
    return {
        "files": files,
        "mean_mb": sum(sizes) / len(sizes) / 2**20,
        "total_mb": sum(sizes) / 2**20,
    }


def phase_ingest(data_dir: str) -> dict:
    django_setup(data_dir)
    from django.core.files.uploadedfile import UploadedFile

    from incidents.models import Case
    from incidents.services import evidence_add

    case = Case.objects.get(owner__username="bench")
    baseline = peak_rss_mb()
    shots = sorted(Path(data_dir).glob("shot-*.png"))
    start = time.perf_counter()
    for path in shots:
        with open(path, "rb") as f:
            upload = UploadedFile(f, path.name, "image/png", path.stat().st_size)
            evidence_add(case=case, upload=upload)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "per_file_ms": seconds / len(shots) * 1000,
        "peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline,
    }


def phase_verify(data_dir: str) -> dict:
    django_setup(data_dir)
    from incidents.evidence import check_integrity
    from incidents.models import Evidence

    baseline = peak_rss_mb()
    start = time.perf_counter()
    report = check_integrity(Evidence.objects.all(), look_for_strays=True)
    seconds = time.perf_counter() - start
    assert report.ok and report.checked, report
    return {
        "seconds": seconds,
        "files": report.checked,
        "peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline,
    }


def phase_rehash(data_dir: str) -> dict:
    """What the check before a hand-out costs: re-hashing originals as a download does."""
    django_setup(data_dir)
    from incidents.evidence import original_problem
    from incidents.models import Evidence

    items = list(Evidence.objects.all())
    total_mb = sum(item.size for item in items) / 2**20
    rounds = []
    for _ in range(3):  # the first round may read from disk, later ones from the page cache
        start = time.perf_counter()
        assert not any(original_problem(item) for item in items)
        rounds.append(time.perf_counter() - start)
    return {
        "total_mb": total_mb,
        "first_ms_per_mb": rounds[0] * 1000 / total_mb,
        "ms_per_mb": min(rounds) * 1000 / total_mb,
    }


def phase_serve(data_dir: str) -> dict:
    """Files through the app's own views: a first request (checked and logged), then a player's
    follow-up range requests within the window (neither checked nor logged again)."""
    os.environ["ALLOWED_HOSTS"] = "testserver"
    django_setup(data_dir)
    from django.test import Client
    from django.urls import reverse

    from incidents.models import CustodyEntry, Evidence, User

    client = Client()
    client.force_login(User.objects.get(username="bench"))
    items = list(Evidence.objects.all())

    def each(name: str, headers: dict) -> float:
        start = time.perf_counter()
        for item in items:
            response = client.get(reverse(name, args=[item.uuid]), headers=headers)
            assert response.status_code in (200, 206), response.status_code
            b"".join(response.streaming_content)
        return (time.perf_counter() - start) * 1000 / len(items)

    each("evidence_thumbnail", {})  # made once, as on the first view of the gallery
    logged = CustodyEntry.objects.count()
    return {
        "original_first_ms": each("evidence_original", {}),
        "original_again_ms": each("evidence_original", {"Range": "bytes=1000-"}),
        "entries": CustodyEntry.objects.count() - logged,
        "thumbnail_ms": each("evidence_thumbnail", {}),
    }


def run_phase(name: str, data_dir: str, files: int) -> dict:
    command = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--data-dir",
        data_dir,
        "--files",
        str(files),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--phase", choices=["prepare", "ingest", "verify", "rehash", "serve"])
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.phase:
        phases = {
            "prepare": lambda: phase_prepare(args.data_dir, args.files),
            "ingest": lambda: phase_ingest(args.data_dir),
            "verify": lambda: phase_verify(args.data_dir),
            "rehash": lambda: phase_rehash(args.data_dir),
            "serve": lambda: phase_serve(args.data_dir),
        }
        print(json.dumps(phases[args.phase]()))
        return
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        prepared = run_phase("prepare", data_dir, args.files)
        ingest = run_phase("ingest", data_dir, args.files)
        verify = run_phase("verify", data_dir, args.files)
        rehash = run_phase("rehash", data_dir, args.files)
        serve = run_phase("serve", data_dir, args.files)
    print(
        f"{prepared['files']} screenshots, {prepared['mean_mb']:.2f} MB each on average, "
        f"{prepared['total_mb']:.0f} MB in all ({os.cpu_count()} cores)"
    )
    print(
        f"ingest:          {ingest['seconds']:.2f} s ({ingest['per_file_ms']:.0f} ms per file), "
        f"peak RSS {ingest['peak_rss_mb']:.0f} MB "
        f"(Django loaded: {ingest['baseline_rss_mb']:.0f} MB)"
    )
    print(
        f"verify_evidence: {verify['seconds']:.2f} s for {verify['files']} files, "
        f"peak RSS {verify['peak_rss_mb']:.0f} MB "
        f"(Django loaded: {verify['baseline_rss_mb']:.0f} MB)"
    )
    print(
        f"check before a hand-out: {rehash['ms_per_mb']:.2f} ms per MB hashed "
        f"({rehash['first_ms_per_mb']:.2f} ms per MB on the first pass, "
        f"{rehash['total_mb']:.0f} MB)"
    )
    print(
        f"download of an original: {serve['original_first_ms']:.1f} ms (checked and logged), "
        f"a player's later range request {serve['original_again_ms']:.1f} ms "
        f"({serve['entries']} custody entries for {args.files} files); "
        f"a thumbnail {serve['thumbnail_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
