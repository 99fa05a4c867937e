"""Benchmark: reading imported texts and calls. The timeline's queries and time with 10 and
with 200,000 messages, and a dossier whose transcript holds 20,000 messages against one plain
WeasyPrint pass of the same HTML.

    .venv/bin/python benchmarks/message_views.py timeline [--messages 200000] [--incidents 200]
    .venv/bin/python benchmarks/message_views.py dossier [--transcript 20000]

Each run makes its own temporary data directory. The messages are written in bulk straight into
the database (the reading pages are measured here, not the import, which has its own script);
they are spread over the last 365 days, one person, a quarter of them sent by the user, with a
call for every ten texts. The dossier's phases each run in a fresh process, so that peak memory
(largest process, children included) is their own. Figures go in docs/benchmarks.md.
"""

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import bench_case, cpu_seconds, django_setup, peak_rss_mb

REPEAT = 10
WORDS = "where are you why won't you answer me I saw you at the station call me".split()  # noqa: SIM905


def _setup(data_dir: str):
    django_setup(data_dir)
    case = bench_case()
    user = case.owner
    user.time_zone = "Europe/London"  # a zone with summer time, as most users have
    user.save()
    case.name = "Sam"
    case.save()
    return user, case


def _job(case):
    """An import job citing an export file kept as an exhibit (a stand-in of a few bytes)."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from incidents import custody
    from incidents.evidence import evidence_storage
    from incidents.models import Evidence, MessageImport

    content = b"<smses count='0'/>"
    stored = evidence_storage().save(f"originals/bench-{time.time_ns()}", ContentFile(content))
    with transaction.atomic():
        exhibit = Evidence.objects.create(
            case=case,
            original_name="sms-bench.xml",
            stored_name=stored,
            kind=Evidence.Kind.MESSAGES,
            content_type="application/xml",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            exhibit_number=Evidence.objects.next_exhibit_number(case),
        )
        custody.log(custody.Action.UPLOADED, exhibit, file_sha256=exhibit.sha256)
    return MessageImport.objects.create(
        case=case, source=exhibit, format="sbr_sms", parser_version="bench", status="done"
    )


def add_messages(case, count: int, *, days: int = 365, start_element: int = 1) -> None:
    """`count` texts (and a call per ten) spread over the last `days` days, in bulk."""
    from django.utils import timezone

    from incidents.models import Call, Message

    job, now, rng = _job(case), timezone.now(), random.Random(start_element)
    texts, calls = [], []
    for n in range(start_element, start_element + count):
        at = now - timedelta(seconds=rng.randrange(days * 86400))
        common = {
            "case": case,
            "source": job,
            "element": n,
            "line": n + 1,
            "dedupe_key": hashlib.sha256(f"{job.pk}-{n}".encode()).hexdigest(),
            "direction": "out" if n % 4 == 0 else "in",
            "address": "+44 7700 900123",
            "address_key": "447700900123",
        }
        if n % 11 == 0:
            calls.append(Call(outcome="missed", call_type=3, started_at=at, **common))
        else:
            body = " ".join(rng.choices(WORDS, k=rng.randrange(4, 20)))
            texts.append(Message(channel="sms", box=1, sent_at=at, body=body, **common))
    Message.objects.bulk_create(texts, batch_size=2000)
    Call.objects.bulk_create(calls, batch_size=2000)


def _measure(client, url: str) -> tuple[int, float, float]:
    from django.db import connection

    seen = []

    def counter(execute, sql, *args):
        seen.append(sql)
        return execute(sql, *args)

    client.get(url)  # warm
    with connection.execute_wrapper(counter):
        assert client.get(url).status_code == 200
    start, cpu = time.perf_counter(), cpu_seconds()
    for _ in range(REPEAT):
        client.get(url)
    elapsed = (time.perf_counter() - start) / REPEAT * 1000
    return len(seen), elapsed, (cpu_seconds() - cpu) / REPEAT * 1000


def timeline(messages: int, incidents: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        os.environ["ALLOWED_HOSTS"] = "testserver"
        user, case = _setup(data_dir)
        from django.core.management import call_command
        from django.test import Client

        from incidents.models import Call, Message

        if incidents:
            with open(os.devnull, "w") as quiet:
                call_command("seed_demo", user="bench", incidents=incidents, stdout=quiet)
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        client.force_login(user)
        pages = [
            ("timeline", "/timeline/"),
            ("search", "/timeline/?q=station"),
            ("oldest first", "/timeline/?order=oldest"),
            ("last page", "/timeline/?page=8"),  # with 200 incidents
            ("dashboard", "/"),
            ("steps", "/steps/"),
            ("patterns", "/patterns/"),
        ]
        print(f"{'texts+calls':>11} {'page':<13} {'queries':>7} {'ms/request':>10} {'cpu ms':>7}")
        added = 0
        for size in (10, messages):
            add_messages(case, size - added, start_element=added + 1)
            added = size
            total = Message.objects.count() + Call.objects.count()
            for name, url in pages:
                queries, ms, cpu = _measure(client, url)
                print(f"{total:>11,} {name:<13} {queries:>7} {ms:>10.1f} {cpu:>7.1f}", flush=True)


def _user_and_options():
    import zoneinfo

    from django.utils import timezone

    from incidents.dossier import DossierOptions
    from incidents.models import Case, User

    user = User.objects.get(username="bench")
    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    return user, DossierOptions(case=str(Case.objects.get(owner=user).uuid))


def phase_seed(data_dir: str, transcript: int) -> dict:
    _user, case = _setup(data_dir)
    from django.utils import timezone

    from incidents.models import NoContactNotice

    NoContactNotice.objects.create(
        case=case, given_at=timezone.now() - timedelta(days=45), words="Stop."
    )
    start = time.perf_counter()
    add_messages(case, transcript, days=90)
    return {"seconds": time.perf_counter() - start}


def phase_plain(data_dir: str) -> dict:
    """The same dossier as one HTML document, drawn by one WeasyPrint pass."""
    django_setup(data_dir)
    import re

    from weasyprint import HTML

    from incidents.dossier import dossier_data
    from incidents.pdf import dossier_parts

    user, options = _user_and_options()
    parts = dossier_parts(dossier_data(user, options))
    bodies = [re.search(r"<body>(.*)</body>", p.html, re.S).group(1) for p in parts]
    html = parts[0].html.split("<body>")[0] + "<body>" + "".join(bodies) + "</body></html>"
    start, cpu = time.perf_counter(), cpu_seconds()
    out = Path(data_dir) / "plain.pdf"
    document = HTML(string=html).render()
    document.write_pdf(out)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu,
        "peak_mb": peak_rss_mb(children=True),
        "pages": len(document.pages),
    }


def phase_dossier(data_dir: str) -> dict:
    django_setup(data_dir)
    from incidents.pdf import render_dossier

    user, options = _user_and_options()
    start, cpu = time.perf_counter(), cpu_seconds()
    result = render_dossier(user, options, Path(data_dir) / "dossier.pdf")
    return {
        "seconds": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu,
        "peak_mb": peak_rss_mb(children=True),
        "pages": result.pages,
        "size_mb": result.size / 2**20,
    }


def run(phase: str, data_dir: str, *extra: str) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--data-dir", data_dir, *extra]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def dossier(transcript: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        run("seed", data_dir, "--transcript", str(transcript))
        cold = run("dossier", data_dir)
        plain = run("plain", data_dir)
    print(f"{os.cpu_count()} cores; {transcript:,} items in the transcript.")
    for name, r in (("dossier", cold), ("plain", plain)):
        print(
            f"{name:<8} {r['seconds']:>7.1f} s elapsed {r['cpu']:>7.1f} s cpu "
            f"{r['peak_mb']:>6.0f} MB peak {r['pages']:>6} pages"
        )
    print(
        f"ratio dossier / plain: {cold['seconds'] / plain['seconds']:.2f} elapsed, "
        f"{cold['cpu'] / plain['cpu']:.2f} cpu; PDF {cold['size_mb']:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=["timeline", "dossier"])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--transcript", type=int, default=20_000)
    parser.add_argument("--phase", choices=["seed", "plain", "dossier"])
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.phase:
        result = {
            "seed": lambda: phase_seed(args.data_dir, args.transcript),
            "plain": lambda: phase_plain(args.data_dir),
            "dossier": lambda: phase_dossier(args.data_dir),
        }[args.phase]()
        print(json.dumps(result))
    elif args.what == "timeline":
        timeline(args.messages, args.incidents)
    elif args.what == "dossier":
        dossier(args.transcript)
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
