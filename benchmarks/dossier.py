"""Benchmark: the PDF dossier at growing sizes, against one plain WeasyPrint pass.

    .venv/bin/python benchmarks/dossier.py [--sizes 50:20 500:100 1000:300 2000:300]
    .venv/bin/python benchmarks/dossier.py --checks 300

For each (incidents, screenshots) it seeds a demo case with seed_demo in a fresh temporary data
directory, then measures, each in a fresh process so that peak memory is its own:
  plain    one WeasyPrint pass over the whole dossier as a single HTML document
  dossier  the app's renderer with an empty cache (parts drawn in parallel, then joined)
  again    the app's renderer after adding one incident (only changed parts redrawn)
With --checks N it times instead the checks made before drawing (originals re-hashed, display
copies checked against their fingerprints) on a case of 1000 incidents and N screenshots.
Figures go in docs/benchmarks.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import django_setup, peak_rss_mb


def _user_and_options():
    import zoneinfo

    from django.utils import timezone

    from incidents.dossier import DossierOptions
    from incidents.models import Case, User

    user = User.objects.get(username="bench")
    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    case = Case.objects.get(owner=user, is_demo=True)
    return user, DossierOptions(case=str(case.uuid))


def phase_seed(data_dir: str, incidents: int, images: int) -> dict:
    django_setup(data_dir)
    from django.core.management import call_command

    from incidents.services import account_create

    call_command("migrate", verbosity=0)
    account_create(username="bench", password="bench-password-123")
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", user="bench", incidents=incidents, images=images, stdout=quiet)
    return {"seconds": time.perf_counter() - start}


def phase_plain(data_dir: str) -> dict:
    """The same dossier as one HTML document, drawn by one WeasyPrint pass."""
    django_setup(data_dir)
    import re

    from weasyprint import HTML

    from incidents.dossier import dossier_data
    from incidents.pdf import AllowListFetcher, _prepare_images, dossier_parts

    user, options = _user_and_options()
    data = dossier_data(user, options)
    allowed = _prepare_images(data)
    parts = dossier_parts(data)
    bodies = [re.search(r"<body>(.*)</body>", p.html, re.S).group(1) for p in parts]
    head = parts[0].html.split("<body>")[0]
    html = head + "<body>" + "".join(bodies) + "</body></html>"
    start = time.perf_counter()
    out = Path(data_dir) / "plain.pdf"
    document = HTML(string=html, url_fetcher=AllowListFetcher(allowed)).render()
    document.write_pdf(out)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_rss_mb(children=True),
        "pages": len(document.pages),
        "size_mb": out.stat().st_size / 2**20,
    }


def phase_dossier(data_dir: str, add_one: bool) -> dict:
    django_setup(data_dir)
    from incidents.models import Case, Incident
    from incidents.pdf import render_dossier

    user, options = _user_and_options()
    if add_one:
        from django.utils import timezone

        case = Case.objects.get(uuid=options.case)
        Incident.objects.create(case=case, occurred_at=timezone.now(), description="One more")
    start = time.perf_counter()
    result = render_dossier(user, options, Path(data_dir) / "dossier.pdf")
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_rss_mb(children=True),
        "pages": result.pages,
        "size_mb": result.size / 2**20,
    }


def phase_checks(data_dir: str) -> dict:
    """The checks a dossier makes before drawing: every original re-hashed, every display copy
    checked against its fingerprint (made again when there is none yet)."""
    django_setup(data_dir)
    from incidents.dossier import dossier_data
    from incidents.integrity import check_exhibits
    from incidents.pdf import PRINT_VARIANTS, _in_parallel

    user, options = _user_and_options()
    exhibits = dossier_data(user, options).exhibits
    seconds = []
    for _ in range(2):  # without fingerprints (copies made), then with them (the usual case)
        start = time.perf_counter()
        check_exhibits(exhibits, variants=PRINT_VARIANTS, run=_in_parallel)
        seconds.append(time.perf_counter() - start)
    assert not any(item.file_problem for item in exhibits)
    return {
        "exhibits": len(exhibits),
        "originals_mb": sum(item.size for item in exhibits) / 2**20,
        "first_seconds": seconds[0],
        "seconds": seconds[1],
    }


def checks(images: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        run("seed", data_dir, "--incidents", "1000", "--images", str(images))
        result = run("checks", data_dir)
        dossier = run("dossier", data_dir)
    print(
        f"{result['exhibits']} screenshots ({result['originals_mb']:.0f} MB of originals): "
        f"checks {result['seconds']:.2f} s with fingerprints, {result['first_seconds']:.2f} s "
        f"without (display copies made); whole dossier {dossier['seconds']:.1f} s"
    )


def run(phase: str, data_dir: str, *extra: str) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--data-dir", data_dir, *extra]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["50:20", "500:100", "1000:300", "2000:300"])
    parser.add_argument("--phase", choices=["seed", "plain", "dossier", "again", "checks"])
    parser.add_argument("--checks", type=int, help="time the checks on this many screenshots")
    parser.add_argument("--data-dir")
    parser.add_argument("--incidents", type=int)
    parser.add_argument("--images", type=int)
    args = parser.parse_args()
    if args.phase:
        result = {
            "seed": lambda: phase_seed(args.data_dir, args.incidents, args.images),
            "plain": lambda: phase_plain(args.data_dir),
            "dossier": lambda: phase_dossier(args.data_dir, add_one=False),
            "again": lambda: phase_dossier(args.data_dir, add_one=True),
            "checks": lambda: phase_checks(args.data_dir),
        }[args.phase]()
        print(json.dumps(result))
        return
    if args.checks:
        checks(args.checks)
        return
    print(f"{os.cpu_count()} cores. Times in seconds, peak RSS in MB (largest process).")
    print(
        "incidents screenshots | plain s  MB    | dossier s  MB   pages  PDF MB | again s"
        " | speed-up"
    )
    for size in args.sizes:
        incidents, images = (int(n) for n in size.split(":"))
        with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
            run("seed", data_dir, "--incidents", str(incidents), "--images", str(images))
            plain = run("plain", data_dir)
            cold = run("dossier", data_dir)
            again = run("again", data_dir)
        print(
            f"{incidents:>9} {images:>11} | {plain['seconds']:>7.1f} {plain['peak_mb']:>5.0f} | "
            f"{cold['seconds']:>9.1f} {cold['peak_mb']:>4.0f} {cold['pages']:>6} "
            f"{cold['size_mb']:>6.1f} | {again['seconds']:>7.1f} | "
            f"{plain['seconds'] / cold['seconds']:>5.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
