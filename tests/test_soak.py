"""Many people at once, on the real server: gunicorn with several workers, a real database, each
visitor signed in through the sign-in form, adding incidents through the quick-entry form and
pictures through the upload form. Nothing may fail, wait for a locked database, be lost or be
kept twice.

The site runs in processes of its own (tests/live_server.py) on a fresh database: SQLite, or a
throwaway PostgreSQL database when DATABASE_URL names one. benchmarks/soak.py runs the same soak
for longer and prints the figures.
"""

import pytest

from tests.live_client import soak, soak_problems
from tests.live_server import live_site

pytestmark = pytest.mark.slow  # run by `make test` and .ci/run, not by `pytest -m "not slow"`

ACCOUNTS = ["alice", "bob", "carol", "dave"]
CLIENTS = 16
ROUNDS = 4  # each: an incident and a picture


@pytest.fixture
def site(tmp_path):
    with live_site(tmp_path, ACCOUNTS) as site:
        yield site


def test_it_keeps_every_incident_and_picture_sent_by_many_people_at_once(site):
    server = site.start_server(workers=4, threads=2)

    result = soak(server.url, ACCOUNTS, clients=CLIENTS, rounds=ROUNDS)

    assert result.errors == []
    assert len(result.incidents) == len(result.uploads) == CLIENTS * ROUNDS
    log = server.log()
    assert "database is locked" not in log
    assert "Internal Server Error" not in log and "Traceback" not in log

    # Each exactly once, byte for byte, in the custody log; verify_evidence and verify_chain pass.
    assert soak_problems(site, result) == []
