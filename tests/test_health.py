"""/health/ tells a monitor whether the database, the evidence storage and the background worker
work, without signing in, and tells it nothing else."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from incidents.exports import run_export
from incidents.models import Case, Export

from .conftest import make_incident

URL = reverse("health")


@pytest.fixture
def database_queue(settings, db):
    """Jobs go to the database queue, as in production, where no worker takes them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queue_a_job(waited: timedelta) -> None:
    run_export.enqueue(123)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - waited)


def test_it_reports_ok_without_signing_in(client, db, settings):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "worker": "idle",
        "backup": "off",
    }
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    # The probe file is written, read back and removed.
    probes = settings.EVIDENCE_DIR / "health"
    assert not probes.exists() or list(probes.iterdir()) == []


def test_it_keeps_the_security_headers_of_every_page(client, db):
    response = client.get(URL)

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_reveals_nothing_about_accounts_records_or_the_server(alice_client, alice, settings):
    make_incident(alice, description="Waited by the red car near the bakery.")

    response = alice_client.get(URL)

    body = response.content.decode()
    assert set(json.loads(body)) == {"status", "database", "storage", "worker", "backup"}
    for secret in ("alice", "red car", "bakery", str(settings.DATA_DIR), "evidence", "5.2"):
        assert secret not in body


def test_it_answers_on_plain_http_when_https_redirects_are_on(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(URL).status_code == 200
    assert client.get(reverse("login")).status_code == 301  # the rest still redirects


def test_it_only_answers_reading_requests(client, db):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_it_answers_503_when_the_evidence_storage_cannot_be_written(client, db, settings, tmp_path):
    # A file where the storage's directory should be: even root cannot write under it.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("in the way")
    evidence = settings.STORAGES["evidence"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": blocker / "x"}},
    }

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "storage": "error",
        "worker": "idle",
        "backup": "off",
    }
    assert str(tmp_path) not in response.content.decode()


def test_a_job_waiting_a_little_is_ok(client, database_queue):
    _queue_a_job(waited=timedelta(minutes=1))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["worker"] == "ok"


def test_a_job_waiting_too_long_shows_a_stalled_worker(client, database_queue, settings):
    settings.HEALTH_WORKER_STALLED_MINUTES = 10
    _queue_a_job(waited=timedelta(minutes=11))

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "storage": "ok",
        "worker": "stalled",
        "backup": "off",
    }


@pytest.mark.parametrize(
    ("last_report", "worker"), [(timedelta(seconds=5), "ok"), (timedelta(hours=1), "stalled")]
)
def test_a_long_job_still_reporting_progress_shows_a_busy_worker_not_a_stalled_one(
    client, alice, database_queue, last_report, worker
):
    Export.objects.create(
        owner=alice,
        case=Case.objects.owned_by(alice).get(),
        kind=Export.Kind.PACKAGE,
        status=Export.Status.RUNNING,
        heartbeat_at=timezone.now() - last_report,
    )
    _queue_a_job(waited=timedelta(hours=1))

    assert client.get(URL).json()["worker"] == worker


def test_a_finished_or_scheduled_job_is_not_waiting(client, database_queue):
    _queue_a_job(waited=timedelta(hours=2))
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=timezone.now())
    run_export.using(run_after=timezone.now() + timedelta(days=1)).enqueue(124)
    DBTaskResult.objects.filter(status="READY").update(
        enqueued_at=timezone.now() - timedelta(hours=2)
    )

    assert client.get(URL).json()["worker"] == "idle"
