"""Imports of messages and calls as background jobs: queued once the user has chosen the numbers,
run by the worker (`manage.py db_worker`), and queued again if a stopped worker left one
unfinished. Running a job again is safe: what the first run kept is recognised and not added
twice (message_import.py)."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .job_language import in_owner_language
from .message_import import message_import_choose, message_import_run
from .models import MessageImport
from .models.exports import STALE_AFTER

logger = logging.getLogger(__name__)
Status = MessageImport.Status


@transaction.atomic
def message_import_start(
    *, job: MessageImport, keys: list[str], answers: dict | None = None
) -> MessageImport:
    """Keep the user's choice of numbers (and answers) and queue the import for the worker."""
    job = message_import_choose(job=job, keys=keys, answers=answers)
    transaction.on_commit(lambda: run_message_import.enqueue(job.pk))
    return job


@transaction.atomic
def message_import_retry(*, job: MessageImport) -> MessageImport:
    """Queue a failed import again with the same numbers."""
    job.status, job.error, job.progress = Status.QUEUED, "", 0
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "error", "progress", "heartbeat_at"])
    transaction.on_commit(lambda: run_message_import.enqueue(job.pk))
    return job


@task()
def run_message_import(job_id: int) -> None:
    """Run one queued import; it ends in done or failed (with the reason for the user)."""
    job = MessageImport.objects.select_related("case", "source").filter(pk=job_id).first()
    if job is None or job.status not in (Status.QUEUED, Status.RUNNING):
        return
    try:
        with in_owner_language(job.case.owner):
            message_import_run(job=job)
    except Exception:
        # The details go to the server log only: an exception can quote the user's messages.
        logger.error("Import %s failed", job_id, exc_info=False)
        MessageImport.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            error=_(
                "The import could not be finished. Try again: what was kept already is not "
                "added twice."
            ),
            finished_at=timezone.now(),
        )
        raise


def recover_stale_imports() -> int:
    """Queue again the imports a stopped worker left queued or running; returns how many."""
    stale = MessageImport.objects.filter(
        status__in=[Status.QUEUED, Status.RUNNING],
        heartbeat_at__lt=timezone.now() - STALE_AFTER,
    )
    count = 0
    for job in stale:
        message_import_retry(job=job)
        count += 1
    return count


def is_slow_to_start(job: MessageImport) -> bool:
    """Still waiting long after it was asked for: the worker may not be running."""
    waited = timezone.now() - job.heartbeat_at
    if job.status == Status.QUEUED:
        return waited.total_seconds() > 30
    return job.status == Status.RUNNING and waited > STALE_AFTER
