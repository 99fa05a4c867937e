"""/health/ for a monitor: does the app reach its database and its evidence storage, and is the
background worker taking jobs?

Open to anyone, so it says nothing else: no records, no counts, no paths, no versions (the age
of the last scheduled backup, in hours, is the one figure). Each
check is a few cheap operations (one trivial query, a tiny file written, read and removed, one
look at the oldest waiting job).
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.db.models import Case, F, When
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

from . import backup_schedule
from .evidence import evidence_storage
from .models import Export
from .models.exports import STALE_AFTER

logger = logging.getLogger(__name__)

# Kept apart from originals/, so verify_evidence never takes a probe for a stray exhibit.
PROBE_DIRECTORY = "health"
PROBE = b"StalkerLog health check\n"


@login_not_required
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 with status "ok" when all is well; 503 with "degraded" (the worker is stalled, or the
    scheduled backup failed or is late) or "error" (the database or the evidence storage
    failed)."""
    checks = {"database": database_state(), "storage": storage_state()}
    # Without the database there is no queue to look at.
    checks["worker"] = worker_state() if checks["database"] == "ok" else "unknown"
    backup = backup_report() if checks["database"] == "ok" else {"backup": "unknown"}
    if "error" in (checks["database"], checks["storage"]):
        status = "error"
    elif checks["worker"] == "stalled" or backup["backup"] in ("failed", "late"):
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status, **checks, **backup}
    response = JsonResponse(body, status=200 if status == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database did not answer", exc_info=True)
        return "error"
    return "ok"


def storage_state() -> str:
    """Write a small file to the evidence storage, read it back and remove it."""
    storage = evidence_storage()
    name = None
    try:
        name = storage.save(f"{PROBE_DIRECTORY}/probe-{secrets.token_hex(8)}", ContentFile(PROBE))
        with storage.open(name, "rb") as f:
            same = f.read() == PROBE
        storage.delete(name)
    # Each storage fails in its own way (OSError on disk, botocore's errors for a bucket).
    except Exception:
        logger.warning("Health check: the evidence storage failed", exc_info=True)
        if name is not None:
            _remove_quietly(storage, name)
        return "error"
    return "ok" if same else "error"


def _remove_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # already reported; the probe is tiny and outside originals/
        logger.debug("Health check: could not remove the probe", exc_info=True)


def backup_report() -> dict:
    """The scheduled backups: "off" (no BACKUP_DIR), "ok", "failed" (the latest run), "late"
    (no good one for two intervals) or "pending" (none yet), with the age of the last good one
    in hours."""
    state = backup_schedule.backup_state()
    if state is None:
        return {"backup": "off"}
    report = {}
    if state["last_good"] is not None:
        age = timezone.now() - state["last_good"]
        report["backup_age_hours"] = round(age.total_seconds() / 3600, 1)
    if state["failed"] is not None:
        report["backup"] = "failed"
    elif state["late"]:
        report["backup"] = "late"
    else:
        report["backup"] = "ok" if state["last_good"] is not None else "pending"
    return report


def worker_state() -> str:
    """The worker's state: "idle" (no job waiting), "ok" (the oldest waiting job is recent, or a
    job is running and reporting progress), or "stalled" (a job has waited too long and nothing
    is running).

    The worker (`manage.py db_worker`) leaves no trace while it waits, so it is judged by the
    queue it should be emptying.
    """
    # A job queued for later (the next scheduled backup) waits from its run_after, not from
    # when it was queued.
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
    )
    oldest = (
        DBTaskResult.objects.ready()
        .annotate(waiting_since=waiting_since)
        .order_by("waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    if oldest is None:
        return "idle"
    now = timezone.now()
    if oldest > now - timedelta(minutes=settings.HEALTH_WORKER_STALLED_MINUTES):
        return "ok"
    # One worker makes one export at a time: a long package keeps the next job waiting while
    # its progress reports show the worker alive. Only whether one exists, whoever owns it.
    busy = Export.objects.filter(
        status=Export.Status.RUNNING, heartbeat_at__gte=now - STALE_AFTER
    ).exists()
    return "ok" if busy else "stalled"
