"""Benchmark: the PDF dossier at growing sizes, against one plain WeasyPrint pass.

    .venv/bin/python benchmarks/dossier.py [--sizes 50:20 500:100 1000:300 2000:300] [--pdfs 5]
    .venv/bin/python benchmarks/dossier.py --checks 300

For each (incidents, screenshots) it seeds a demo case with seed_demo in a fresh temporary data
directory, adds a few PDF documents (letters of three pages) to incidents, then measures, each
in a fresh process so that peak memory is its own:
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

from common import cpu_seconds, django_setup, peak_rss_mb


def _user_and_options():
    import zoneinfo

    from django.utils import timezone

    from incidents.dossier import DossierOptions
    from incidents.models import Case, User

    user = User.objects.get(username="bench")
    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    case = Case.objects.get(owner=user, is_demo=True)
    return user, DossierOptions(case=str(case.uuid))


def phase_seed(data_dir: str, incidents: int, images: int, pdfs: int) -> dict:
    django_setup(data_dir)
    from django.core.management import call_command

    from incidents.services import account_create

    call_command("migrate", verbosity=0)
    account_create(username="bench", password="bench-password-123")
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", user="bench", incidents=incidents, images=images, stdout=quiet)
    _add_documents(pdfs)
    return {"seconds": time.perf_counter() - start}


def _add_documents(count: int) -> None:
    """Attach `count` three-page PDF letters to incidents spread over the log."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from weasyprint import HTML

    from incidents.models import Case, User
    from incidents.services import evidence_add

    case = Case.objects.get(owner=User.objects.get(username="bench"), is_demo=True)
    incidents = list(case.incidents.order_by("occurred_at"))
    for n in range(count):
        pages = "".join(
            f"<h1 style='page-break-before: always'>Letter {n + 1}, sheet {k}</h1>"
            + "<p>Reference 2026/0412. We have received your report.</p>" * 30
            for k in range(1, 4)
        )
        pdf = HTML(string=f"<html><body>{pages}</body></html>").write_pdf()
        upload = SimpleUploadedFile(f"letter-{n + 1}.pdf", pdf, "application/pdf")
        incident = incidents[(n * len(incidents)) // max(count, 1)]
        evidence_add(case=case, attached_to=incident, upload=upload, caption="Letter")


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
    start, cpu = time.perf_counter(), cpu_seconds()
    out = Path(data_dir) / "plain.pdf"
    document = HTML(string=html, url_fetcher=AllowListFetcher(allowed)).render()
    document.write_pdf(out)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu,
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
    start, cpu = time.perf_counter(), cpu_seconds()
    result = render_dossier(user, options, Path(data_dir) / "dossier.pdf")
    return {
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu,
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
    parser.add_argument("--pdfs", type=int, default=5, help="PDF documents added to the log")
    args = parser.parse_args()
    if args.phase:
        result = {
            "seed": lambda: phase_seed(args.data_dir, args.incidents, args.images, args.pdfs),
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
    print(
        f"{os.cpu_count()} cores. Times in seconds (elapsed, and processor time of all the"
        " processes), peak RSS in MB (largest process). Ratio: dossier / plain."
    )
    print(
        "incidents screenshots | plain s  cpu s  MB  | dossier s  cpu s  MB  pages PDF MB"
        " | again s | ratio cpu ratio"
    )
    for size in args.sizes:
        incidents, images = (int(n) for n in size.split(":"))
        with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
            seed = [
                "--incidents",
                str(incidents),
                "--images",
                str(images),
                "--pdfs",
                str(args.pdfs),
            ]
            run("seed", data_dir, *seed)
            plain = run("plain", data_dir)
            cold = run("dossier", data_dir)
            again = run("again", data_dir)
        print(
            f"{incidents:>9} {images:>11} | {plain['seconds']:>7.1f} {plain['cpu']:>6.1f} "
            f"{plain['peak_mb']:>4.0f} | {cold['seconds']:>9.1f} {cold['cpu']:>6.1f} "
            f"{cold['peak_mb']:>4.0f} {cold['pages']:>5} {cold['size_mb']:>6.1f} | "
            f"{again['seconds']:>7.1f} | {cold['seconds'] / plain['seconds']:>5.2f} "
            f"{cold['cpu'] / plain['cpu']:>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
