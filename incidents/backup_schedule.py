"""Backups that run themselves: with BACKUP_DIR set, the background worker takes an encrypted
backup every BACKUP_INTERVAL_HOURS, keeps the newest of each of the last BACKUP_KEEP_DAILY days
and BACKUP_KEEP_WEEKLY weeks, and records each run, so that /health/ and the host's home page
can say when the last good one was taken, and whether the last one failed.

The worker (django-tasks' db_worker) has no timer: each run queues the next one for later, and
`manage.py backup_schedule` (run before the worker starts) queues the first one if none waits.
"""

import logging
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_tasks import default_task_backend, task
from django_tasks_db.models import DBTaskResult

from .backup.archive import BACKUP_PREFIX, PASSPHRASE_VARIABLE, BackupError, backup_create
from .models import BackupRun

logger = logging.getLogger(__name__)

MIN_PASSPHRASE_LENGTH = 12
# The folders backup_create publishes: backup-2026-11-25-031500Z (and -2, -3 on a clash).
FOLDER_NAME = re.compile(
    rf"^{re.escape(BACKUP_PREFIX)}(\d{{4}}-\d{{2}}-\d{{2}}-\d{{6}})Z(?:-\d+)?$"
)


def schedule_on() -> bool:
    return bool(settings.BACKUP_DIR)


def interval() -> timedelta:
    return timedelta(hours=settings.BACKUP_INTERVAL_HOURS)


# --- one run ----------------------------------------------------------------------------------


def backup_run() -> BackupRun:
    """Take one scheduled backup now, record the outcome, and prune old ones after a success.
    Never raises for a failed backup: the failure is what the record is for."""
    run = BackupRun.objects.create(started_at=timezone.now())
    try:
        result = backup_create(out=Path(settings.BACKUP_DIR), passphrase=_passphrase())
    except BackupError as error:
        return _finish(run, error=str(error))
    except Exception as error:  # a full disk, a lost database: shown to the host, not lost
        logger.exception("The scheduled backup failed")
        return _finish(run, error=f"The backup stopped with an unexpected error: {error}")
    _finish(run, folder=result.path.name)
    removed = prune(Path(settings.BACKUP_DIR))
    if removed:
        logger.info("Removed %d old backups: %s", len(removed), ", ".join(removed))
    return run


def _passphrase() -> str:
    passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
    if not passphrase:
        raise BackupError(
            f"{PASSPHRASE_VARIABLE} is not set, so no backup was made: scheduled backups are "
            "always encrypted. Set it for the worker (see docs/backups.md)."
        )
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(
            f"{PASSPHRASE_VARIABLE} is shorter than {MIN_PASSPHRASE_LENGTH} characters, so no "
            "backup was made. Choose a longer passphrase."
        )
    return passphrase


def _finish(run: BackupRun, *, folder: str = "", error: str = "") -> BackupRun:
    run.finished_at = timezone.now()
    run.succeeded = not error
    run.folder = folder
    run.error = error
    run.save(update_fields=["finished_at", "succeeded", "folder", "error"])
    if error:
        logger.error("Scheduled backup failed: %s", error)
    return run


# --- keeping 7 daily and 4 weekly -------------------------------------------------------------


def _taken_at(name: str) -> datetime | None:
    match = FOLDER_NAME.match(name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y-%m-%d-%H%M%S").replace(tzinfo=UTC)


def to_keep(names: list[str], *, daily: int, weekly: int) -> set[str]:
    """The newest backup of each of the `daily` latest days that have one, and of each of the
    `weekly` latest weeks (ISO weeks, UTC) that have one."""
    dated = sorted(
        ((when, name) for name in names if (when := _taken_at(name)) is not None), reverse=True
    )
    keep: set[str] = set()
    for limit, period in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2])):
        seen: list = []
        for when, name in dated:
            key = period(when)
            if key in seen:
                continue
            if len(seen) == limit:
                break
            seen.append(key)
            keep.add(name)
    return keep


def prune(folder: Path) -> list[str]:
    """Remove the scheduled backups in `folder` that the rule does not keep. Only folders named
    like a backup are touched; anything else in it is left alone. Returns the names removed."""
    names = [p.name for p in folder.iterdir() if p.is_dir() and FOLDER_NAME.match(p.name)]
    keep = to_keep(names, daily=settings.BACKUP_KEEP_DAILY, weekly=settings.BACKUP_KEEP_WEEKLY)
    removed = sorted(set(names) - keep)
    for name in removed:
        shutil.rmtree(folder / name, ignore_errors=True)
    return removed


# --- the schedule -------------------------------------------------------------------------------


@task()
def scheduled_backup() -> None:
    """The worker's job: one backup, then the next one queued."""
    backup_run()
    schedule_ensure()


TASK_PATH = f"{__name__}.scheduled_backup"


def next_due() -> datetime:
    """When the next backup is due: one interval after the last one started, or now."""
    last = BackupRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    return max(timezone.now(), last + interval()) if last else timezone.now()


def schedule_ensure() -> datetime | None:
    """Queue the next scheduled backup unless one is already waiting. Returns when it will run,
    or None when backups are not scheduled (no BACKUP_DIR, or a backend without a queue)."""
    if not schedule_on() or not default_task_backend.supports_defer:
        return None
    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").first()
    if waiting is not None:
        return waiting.run_after
    due = next_due()
    scheduled_backup.using(run_after=due).enqueue()
    return due


# --- what is shown ------------------------------------------------------------------------------


def backup_state() -> dict | None:
    """The last good backup and whether the latest run failed, or None when not scheduled:
    {"last_good": datetime | None, "failed": BackupRun | None, "late": bool}."""
    if not schedule_on():
        return None
    runs = BackupRun.objects.filter(finished_at__isnull=False)
    last_good = runs.filter(succeeded=True).values_list("finished_at", flat=True).first()
    latest = runs.first()
    failed = latest if latest is not None and not latest.succeeded else None
    # Late: nothing good for two intervals (the worker is not running, say). Counted from the
    # first run when none has succeeded yet.
    first = BackupRun.objects.order_by("started_at").values_list("started_at", flat=True).first()
    reference = last_good or first
    late = reference is not None and reference < timezone.now() - 2 * interval()
    return {"last_good": last_good, "failed": failed, "late": late}


def age_words(when: datetime) -> str:
    """'2 days ago', '5 hours ago', 'just now': the age of a backup in the largest unit."""
    seconds = max(0, (timezone.now() - when).total_seconds())
    days, hours, minutes = int(seconds // 86400), int(seconds // 3600), int(seconds // 60)
    if days:
        return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}
    if hours:
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    if minutes:
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    return gettext("just now")


def host_notice(user) -> dict | None:
    """What the home page tells the host's account (the one that set up the server) about the
    scheduled backups; nothing for anyone else."""
    if not user.is_staff:
        return None
    state = backup_state()
    if state is None:
        return {"off": True}
    last_good = state["last_good"]
    return {**state, "age": age_words(last_good) if last_good else None}
