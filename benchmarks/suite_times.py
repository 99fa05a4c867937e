"""Benchmark: which tests belong in the everyday run. Runs the everyday tests (`-m "not slow"`)
in one process and measures each test's processor time, its forked drawing processes included,
then lists the slowest and every one over the limit that is not marked slow.

    .venv/bin/python benchmarks/suite_times.py [--limit 0.5] [--show 20] [pytest arguments]

The rule (docs/benchmarks.md, "The test suite"): a test that takes half a second or more of
processor time on its own is marked `@pytest.mark.slow`, unless it is one of the few kept in the
everyday run on purpose (a stranger's walk of every page, one dossier, one package). Processor
time, not elapsed time: it moves much less when other programs share the machine. The first
test of a run also pays for creating the test database; it is named as such.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import pytest
from common import cpu_seconds

ROOT = Path(__file__).resolve().parent.parent


class SuiteTimes:
    """A pytest plugin that keeps (processor seconds, node id) for each test."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        start = cpu_seconds()
        yield
        self.times.append((cpu_seconds() - start, item.nodeid))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=float, default=0.5, help="seconds of processor time")
    parser.add_argument("--show", type=int, default=20, help="how many of the slowest to list")
    args, pytest_args = parser.parse_known_args()
    os.chdir(ROOT)
    plugin = SuiteTimes()
    started, cpu_started = time.monotonic(), cpu_seconds()
    everyday = ["-q", "-p", "no:randomly", "-m", "not slow", *pytest_args]
    code = pytest.main(everyday, plugins=[plugin])
    elapsed, cpu = time.monotonic() - started, cpu_seconds() - cpu_started
    ranked = sorted(plugin.times, reverse=True)
    first = plugin.times[0][1] if plugin.times else None
    print(f"\n{len(ranked)} tests: {elapsed:.1f} s elapsed, {cpu:.1f} s of processor time")
    print(f"the {args.show} slowest (processor seconds):")
    for seconds, node in ranked[: args.show]:
        note = "  (first: creates the test database)" if node == first else ""
        print(f"  {seconds:6.2f}  {node}{note}")
    over = [(s, n) for s, n in ranked if s >= args.limit and n != first]
    print(f"{len(over)} over {args.limit} s, not marked slow (some are kept on purpose):")
    for seconds, node in over:
        print(f"  {seconds:6.2f}  {node}")
    return code


if __name__ == "__main__":
    sys.exit(main())
