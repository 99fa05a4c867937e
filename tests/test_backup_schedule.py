"""Backups that run themselves: the worker takes an encrypted backup on a schedule, keeps the
newest of the last 7 days and 4 weeks, and /health/ and the host's home page say how old the
last good one is, or that the last one failed."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from incidents import backup_schedule
from incidents.backup.archive import backup_check
from incidents.models import BackupRun, User
from incidents.services import account_create
from tests.conftest import page_text
from tests.test_backup import (  # the throwaway databases a real backup is taken from
    PASSPHRASE,
    _fast_key_derivation,  # noqa: F401  (autouse: a cheaper key derivation)
    databases,  # noqa: F401
    live,  # noqa: F401
    migrated_template,  # noqa: F401
)

HEALTH = reverse("health")


@pytest.fixture
def scheduled(settings, tmp_path, monkeypatch):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    return tmp_path / "backups"


@pytest.fixture
def database_queue(settings):
    """Jobs go to the database queue and a real worker takes them, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _signed_in(username: str, *, host: bool = False) -> Client:
    """A browser signed in to `username` (made if missing; host: as the server's owner, who
    has is_staff; the live installation's own owner has two-factor on)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_create(username=username, password="host password 12345", is_owner=host)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("live")
def test_the_worker_takes_an_encrypted_backup_and_queues_the_next_one_a_day_later(
    scheduled, database_queue, client
):
    assert json.loads(client.get(HEALTH).content)["backup"] == "pending"
    first = backup_schedule.schedule_ensure()
    assert first <= timezone.now()
    assert backup_schedule.schedule_ensure() == first  # never queued twice

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    run = BackupRun.objects.get()
    assert run.succeeded, run.error
    folder = scheduled / run.folder
    header = json.loads((folder / "backup.json").read_text())
    assert header["encryption"] is not None  # sealed with BACKUP_PASSPHRASE
    assert backup_check(source=folder, passphrase=lambda: PASSPHRASE, expect_encrypted=True)
    waiting = DBTaskResult.objects.get(task_path=backup_schedule.TASK_PATH, status="READY")
    assert waiting.run_after - run.started_at == timedelta(hours=24)
    health = client.get(HEALTH)
    assert health.status_code == 200
    body = json.loads(health.content)
    assert (body["status"], body["backup"], body["worker"]) == ("ok", "ok", "idle")
    assert body["backup_age_hours"] == 0.0
    assert "Last backup: just now." in page_text(
        _signed_in("host", host=True).get(reverse("dashboard"))
    )


def test_the_next_backup_waiting_for_its_time_is_not_a_stalled_worker(
    db, scheduled, database_queue, client
):
    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now() - timedelta(hours=1),
        succeeded=True,
        folder="backup-x",
    )
    due = backup_schedule.schedule_ensure()
    assert due > timezone.now() + timedelta(hours=22)
    # Queued a day ago for today: it waits from its run time, not from when it was queued.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(days=1))

    assert json.loads(client.get(HEALTH).content)["worker"] == "idle"


def test_old_backups_are_pruned_to_the_newest_of_7_days_and_4_weeks(settings, tmp_path):
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY = 7, 4
    folder = tmp_path / "backups"
    day = datetime(2026, 10, 20, 3, 15, tzinfo=UTC)
    while day.date() <= date(2026, 12, 6):
        (folder / f"backup-{day:%Y-%m-%d-%H%M%S}Z").mkdir(parents=True)
        day += timedelta(days=1)
    (folder / "backup-2026-12-06-010000Z").mkdir()  # an earlier one the same day
    (folder / "photos").mkdir()  # not ours: left alone
    (folder / ".incomplete-abc").mkdir()
    (folder / "notes.txt").write_text("mine")

    removed = backup_schedule.prune(folder)

    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [
        ".incomplete-abc",
        # Weekly, ISO weeks 46, 47, 48 (Sundays); week 49 is in the daily ones.
        "backup-2026-11-15-031500Z",
        "backup-2026-11-22-031500Z",
        "backup-2026-11-29-031500Z",
        # Daily: the last 7 days, the newest of each.
        "backup-2026-11-30-031500Z",
        "backup-2026-12-01-031500Z",
        "backup-2026-12-02-031500Z",
        "backup-2026-12-03-031500Z",
        "backup-2026-12-04-031500Z",
        "backup-2026-12-05-031500Z",
        "backup-2026-12-06-031500Z",
        "notes.txt",
        "photos",
    ]
    assert "backup-2026-12-06-010000Z" in removed
    assert len(removed) == 49 - 10


@pytest.mark.usefixtures("live")
def test_a_successful_run_prunes_what_the_rule_does_not_keep(scheduled, settings):
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY = 1, 0
    old = scheduled / "backup-2026-01-01-031500Z"
    old.mkdir(parents=True)

    run = backup_schedule.backup_run()

    assert run.succeeded, run.error
    assert not old.exists()
    assert [p.name for p in scheduled.iterdir()] == [run.folder]


@pytest.mark.usefixtures("live")
@pytest.mark.parametrize("cause", ["no passphrase", "folder cannot be made"])
def test_a_failed_backup_is_shown_to_the_host_and_reported_by_health(
    scheduled, monkeypatch, client, cause, settings, tmp_path
):
    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(days=2),
        finished_at=timezone.now() - timedelta(days=2),
        succeeded=True,
        folder="backup-earlier",
    )
    if cause == "no passphrase":
        monkeypatch.delenv("BACKUP_PASSPHRASE")
        expected = "BACKUP_PASSPHRASE is not set"
    else:
        (tmp_path / "a-file").write_text("")
        settings.BACKUP_DIR = str(tmp_path / "a-file" / "backups")
        expected = "cannot be created or used"

    run = backup_schedule.backup_run()

    assert not run.succeeded
    health = client.get(HEALTH)
    assert health.status_code == 503
    body = json.loads(health.content)
    assert (body["status"], body["backup"]) == ("degraded", "failed")
    assert 47.9 < body["backup_age_hours"] < 48.1
    assert str(tmp_path) not in health.content.decode()  # no paths to the world
    host_home = page_text(_signed_in("host", host=True).get(reverse("dashboard")))
    assert "Last backup: 2 days ago." in host_home
    assert "failed" in host_home and expected in host_home
    other_home = page_text(_signed_in("bob").get(reverse("dashboard")))
    assert "backup" not in other_home.lower()


def test_the_host_sees_how_old_the_last_backup_is_and_others_do_not(
    alice, mallory, scheduled, client
):
    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(days=2, hours=3),
        finished_at=timezone.now() - timedelta(days=2, hours=3),
        succeeded=True,
        folder="backup-earlier",
    )
    alice_client = Client()
    alice_client.force_login(alice)
    assert "Last backup: 2 days ago." in page_text(alice_client.get(reverse("dashboard")))
    mallory_client = Client()
    mallory_client.force_login(mallory)
    assert "Last backup" not in page_text(mallory_client.get(reverse("dashboard")))
    # Nothing good for two days at a daily schedule: late, and /health/ says so.
    body = json.loads(client.get(HEALTH).content)
    assert body["backup"] == "late"


def test_without_backup_dir_nothing_is_scheduled(alice, settings, database_queue):
    settings.BACKUP_DIR = ""
    assert backup_schedule.schedule_ensure() is None
    assert not DBTaskResult.objects.exists()
    home = Client()
    home.force_login(alice)
    assert "Backups are not scheduled on this server" in page_text(home.get(reverse("dashboard")))


@pytest.mark.usefixtures("live")
def test_the_command_takes_one_now_and_says_where(scheduled, capsys):
    call_command("backup_schedule", "--now")
    out = capsys.readouterr().out
    assert "Backup taken:" in out
    assert BackupRun.objects.get().succeeded
