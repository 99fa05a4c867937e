"""Benchmark: queries and time for the timeline and dashboard at growing log sizes.

    .venv/bin/python benchmarks/timeline.py [--sizes 10 1000 5000]

Uses seed_demo in a temporary data directory; figures go in docs/benchmarks.md.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 20


class QueryCounter:
    def __init__(self, seen: list):
        self.seen = seen

    def __call__(self, execute, sql, *args):
        self.seen.append(sql)
        return execute(sql, *args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as data_dir:
        os.environ["DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stalkerlog.settings")
        os.environ["ALLOWED_HOSTS"] = "testserver"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from incidents.models import Incident
        from incidents.services import account_create

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        user = account_create(username="bench", password="bench-password-123")
        client = Client()
        client.force_login(user)
        print(f"{'incidents':>9} {'page':<10} {'queries':>7} {'ms/request':>10}")
        for size in args.sizes:
            missing = size - Incident.objects.owned_by(user).count()
            call_command(
                "seed_demo", user="bench", incidents=missing, seed=size, stdout=io.StringIO()
            )
            for name, url in [
                ("timeline", "/timeline/"),
                ("search", "/timeline/?q=door"),
                ("dashboard", "/"),
            ]:
                queries = []
                with connection.execute_wrapper(QueryCounter(queries)):
                    assert client.get(url).status_code == 200
                start = time.perf_counter()
                for _ in range(REPEAT):
                    client.get(url)
                ms = (time.perf_counter() - start) / REPEAT * 1000
                print(f"{size:>9} {name:<10} {len(queries):>7} {ms:>10.1f}")


if __name__ == "__main__":
    main()
