"""Benchmark: the dossier's "Changes to the record" appendix on a long log with many amendments.

    .venv/bin/python benchmarks/changes.py [--incidents 1000] [--amended 100] [--trashed 30]

Seeds a demo case (no images) in a fresh temporary data directory, amends some incidents (two
fields each) and moves others to the trash with a reason, then measures gathering the dossier's
data (time and queries: the history is prefetched, so they do not grow with the log) and drawing
the whole appendix as one WeasyPrint part. Figures go in docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time
from io import BytesIO

from common import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--amended", type=int, default=100)
    parser.add_argument("--trashed", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        django_setup(data_dir)
        user, case = _seed(args)
        _measure(user, case)


def _seed(args):
    from django.core.management import call_command

    from incidents.models import Case, Incident
    from incidents.services import account_create, record_amend, record_trash

    call_command("migrate", verbosity=0)
    user = account_create(username="bench", password="bench-password-123")
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", user="bench", incidents=args.incidents, images=0, stdout=quiet)
    case = Case.objects.get(owner=user, is_demo=True)
    incidents = list(Incident.objects.filter(case=case).order_by("id"))
    for incident in incidents[: args.amended]:
        changes = {"description": incident.description + " (corrected)", "location": "Elsewhere"}
        record_amend(record=incident, changes=changes)
    for incident in incidents[len(incidents) - args.trashed :]:
        record_trash(record=incident, reason="Entered twice")
    return user, case


def _measure(user, case) -> None:
    import zoneinfo

    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from pypdf import PdfReader

    from incidents.dossier import DossierOptions, dossier_data
    from incidents.pdf import draw_part

    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        data = dossier_data(user, DossierOptions(case=str(case.uuid)))
    gathered = time.perf_counter() - start
    context = {"data": data, "paper": "A4", "items": data.changes}
    html = render_to_string("pdf/changes.html", {**context, "first_chunk": 1, "last_chunk": 1})
    start = time.perf_counter()
    pdf = draw_part(html, {})
    drawn = time.perf_counter() - start
    print(
        f"records changed {len(data.changes)}, in the trash {len(data.trashed)} | "
        f"dossier data {gathered:.2f} s, {len(queries.captured_queries)} queries | "
        f"appendix as one part {drawn:.2f} s, {len(PdfReader(BytesIO(pdf)).pages)} pages"
    )


if __name__ == "__main__":
    sys.exit(main())
