"""Benchmark: many people at once on the real server (gunicorn), adding incidents and pictures.

    .venv/bin/python benchmarks/soak.py [--workers 4] [--threads 1] [--clients 24] [--seconds 60]

Each visitor signs in through the sign-in form, then in turn: opens "Log what happened", saves an
incident, opens it, uploads a small JPEG or PNG to it, and (every other time) opens the timeline.
The site is the one tests/test_soak.py drives (tests/live_server.py): a fresh temporary data
directory and SQLite, or a throwaway PostgreSQL database when DATABASE_URL names one. At the end,
the database is checked against what the visitors were told was saved. Figures go in
docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from common import ROOT

sys.path.insert(0, str(ROOT))  # for the tests package, which holds the live site

from tests.live_client import SIGN_IN, soak, soak_problems
from tests.live_server import is_postgres, live_site

LABELS = ["new incident page", "save incident", "incident page", "upload", "timeline"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--clients", type=int, default=24, help="visitors at once")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--accounts", type=int, default=4, help="the visitors share these")
    args = parser.parse_args()
    usernames = [f"person{i}" for i in range(args.accounts)]
    with (
        tempfile.TemporaryDirectory(prefix="stalkerlog-bench-") as directory,
        live_site(Path(directory), usernames) as site,
    ):
        server = site.start_server(workers=args.workers, threads=args.threads)
        result = soak(server.url, usernames, clients=args.clients, seconds=args.seconds)
        locked = server.log().count("database is locked")
        problems = soak_problems(site, result)
        database = "PostgreSQL" if is_postgres(site.database_url) else "SQLite"
    kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
    print(
        f"{database}, gunicorn {args.workers} workers ({kind}), {args.clients} visitors on "
        f"{args.accounts} accounts, {result.seconds:.0f} s, {os.cpu_count()} cores"
    )
    report(result)
    print(
        f"errors: {len(result.errors)}, 'database is locked' in the server log: {locked}, "
        f"kept exactly once: {'yes' if not problems else 'NO'}"
    )
    for line in (result.errors + problems)[:20]:
        print(f"  {line}")
    if result.errors or problems or locked:
        sys.exit(1)


def report(result) -> None:
    """Throughput, and answer times per kind of request."""
    seconds = result.seconds or 1
    print(
        f"requests: {result.requests} ({result.requests / seconds:.1f}/s), "
        f"incidents: {len(result.incidents)} ({len(result.incidents) / seconds:.1f}/s), "
        f"pictures: {len(result.uploads)} ({len(result.uploads) / seconds:.1f}/s)"
    )
    print(f"{'answer':<18} {'count':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for label in [*LABELS, None, SIGN_IN]:
        count = len(result.timings.get(label, [])) if label else result.requests
        p50, p95 = (result.percentile(share, label) * 1000 for share in (0.5, 0.95))
        name = {None: "all of the above", SIGN_IN: "sign in (before)"}.get(label, label)
        print(f"{name:<18} {count:>6} {p50:>7.0f} {p95:>7.0f}")


if __name__ == "__main__":
    main()
