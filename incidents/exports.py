"""Dossiers and evidence packages, made in the background and kept for their owner to download.

`export_start` records the job and queues `run_export` once the transaction commits, so a worker
(`manage.py db_worker`, started by `make run`) never sees a job that is not in the database yet.
The worker writes the file under EXPORTS_DIR and keeps the Export row up to date for the progress
page. Whatever goes wrong ends in a calm message for the user; the details go to the server log,
without the exception's message, which could quote what the user wrote.
"""

import fcntl
import hashlib
import logging
import os
import secrets
import time
import traceback
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from . import custody
from .dossier import DossierOptions
from .job_language import in_owner_language
from .models import Case, Export, User
from .models.exports import STALE_AFTER
from .render_limits import RenderLimitReached
from .responses import private_file_response

logger = logging.getLogger(__name__)

EXTENSIONS = {Export.Kind.DOSSIER: "pdf", Export.Kind.PACKAGE: "zip"}
CONTENT_TYPES = {Export.Kind.DOSSIER: "application/pdf", Export.Kind.PACKAGE: "application/zip"}
DELETED = {
    Export.Kind.DOSSIER: _("Deleted the dossier."),
    Export.Kind.PACKAGE: _("Deleted the evidence package."),
}
NOUNS = {Export.Kind.DOSSIER: _("dossier"), Export.Kind.PACKAGE: _("evidence package")}
# Plain names: a downloads folder is one more place where the word "stalking" would stand out.
DOWNLOAD_NAMES = {Export.Kind.DOSSIER: "dossier", Export.Kind.PACKAGE: "evidence-package"}
FAILED = {
    Export.Kind.DOSSIER: _(
        "The dossier could not be made. Try again; if it fails again, tell the "
        "person who runs this server."
    ),
    Export.Kind.PACKAGE: _(
        "The evidence package could not be made. Try again; if it fails again, "
        "tell the person who runs this server."
    ),
}
INTERRUPTED = _(
    "This was interrupted twice while it was being made (the server stopped). Try again; if it "
    "happens again, tell the person who runs this server."
)
# How many times a job a stopped worker left behind is started again (counted in its options).
RETRIES = "retries"
MAX_RETRIES = 1
# Each progress report is a database write that the pages wait behind (SQLite has one writer).
PROGRESS_INTERVAL = 1.0
# A job that has not started after this long is worth a word to the user: no worker may be running.
SLOW_START = timedelta(seconds=30)


class ExportCancelled(Exception):
    """The export was deleted while it was being made."""


class ExportRefused(Exception):
    """The export cannot be made as it stands; the message is written for the user."""


# --- starting, retrying, deleting ------------------------------------------------------------


def default_dossier_case(user: User) -> Case | None:
    """The case a dossier is about when none is chosen: the first real one, else the first."""
    cases = Case.objects.owned_by(user)
    return cases.filter(is_demo=False).first() or cases.first()


@transaction.atomic
def export_start(*, user: User, case: Case, kind: str, options: DossierOptions) -> Export:
    """Record a job for one of the user's cases and queue it once the transaction commits.
    The "Prepared by" name is kept on the account, to be offered next time."""
    if case.owner_id != user.pk:
        raise ValueError("A dossier can only be made of the user's own case.")
    options = replace(options, case=str(case.uuid))
    export = Export.objects.create(owner=user, case=case, kind=kind, options=options.as_json())
    if user.dossier_prepared_by != options.prepared_by:
        user.dossier_prepared_by = options.prepared_by
        user.save(update_fields=["dossier_prepared_by"])
    transaction.on_commit(lambda: run_export.enqueue(export.pk))
    return export


@transaction.atomic
def export_retry(*, export: Export) -> Export:
    """Make a failed export (or one whose file is gone) again, with the same choices; the old
    one is removed."""
    again = export_start(
        user=export.owner, case=export.case, kind=export.kind, options=export_options(export)
    )
    export_delete(export=export)
    return again


@transaction.atomic
def export_delete(*, export: Export) -> None:
    """Remove the export and its file, revoking its share links. A job still being made stops
    at its next report."""
    from .shares import shares_revoke_for_export  # shares sit above exports

    path = export_path(export)
    shares_revoke_for_export(export=export)
    export.delete()
    if path is not None:
        path.unlink(missing_ok=True)


def export_options(export: Export) -> DossierOptions:
    """What the user chose, without the bookkeeping kept beside it."""
    return DossierOptions.from_json({k: v for k, v in export.options.items() if k != RETRIES})


def export_path(export: Export) -> Path | None:
    return settings.EXPORTS_DIR / export.file_name if export.file_name else None


def is_slow_to_start(export: Export) -> bool:
    """Still waiting, long after it was asked for: the worker may be busy, or not running."""
    if export.status == Export.Status.QUEUED:
        return export.heartbeat_at < timezone.now() - SLOW_START
    return export.status == Export.Status.RUNNING and export.heartbeat_at < (
        timezone.now() - STALE_AFTER
    )


# --- the job ------------------------------------------------------------------------------


@task()
def run_export(export_id: int) -> None:
    """Make an export's file. Ends in done (with the file in place) or failed (with no file)."""
    with _making(export_id):
        _run(export_id)


def _run(export_id: int) -> None:
    # Taking the job is one conditional update: a job queued twice (after a recovery) runs once.
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, progress=0, stage="Starting", heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    export = Export.objects.select_related("owner").get(pk=export_id)
    name = f"{export.owner_id}/{secrets.token_hex(16)}.{EXTENSIONS[export.kind]}"
    final = settings.EXPORTS_DIR / name
    partial = final.with_name(final.name + ".part")
    try:
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        language = export.options.get("language", "")
        zone = user_time_zone(export.owner)
        with timezone.override(zone), in_owner_language(export.owner, language):
            result = _make(export, partial, _ProgressSaver(export_id))
        os.replace(partial, final)
    except ExportCancelled:
        partial.unlink(missing_ok=True)
        return
    except Exception as error:
        _remove(partial, final)
        logger.error("Export %s (%s) failed:\n%s", export.uuid, export.kind, _frames(error))
        message = str(error) if isinstance(error, ExportRefused) else FAILED[export.kind]
        _finish(export_id, status=Export.Status.FAILED, error=message[:500])
        return
    except BaseException:
        # The worker is being stopped (Ctrl+C, a service restart): queue the job again for the
        # next start. This is not the job's fault, so it does not count as a retry.
        _remove(partial, final)
        _requeue(export_id, export.options, stage=_("Waiting for the server to start again"))
        raise
    with open(final, "rb") as made:
        sha256 = hashlib.file_digest(made, "sha256").hexdigest()
    with transaction.atomic():
        done = _finish(
            export_id,
            status=Export.Status.DONE,
            progress=100,
            file_name=name,
            size=result.size,
            sha256=sha256,
            pages=getattr(result, "pages", None),
        )
        if done:
            custody.log(custody.Action.EXPORTED, export, file_sha256=sha256)
    if not done:  # deleted while it was being made
        final.unlink(missing_ok=True)


def _make(export: Export, out: Path, progress: Callable[[int, str], None]):
    # Imported here, so that only the worker loads WeasyPrint: web processes start faster,
    # smaller, and keep Pillow's default strictness (WeasyPrint relaxes it for the process).
    from . import package, pdf, timestamps

    options = export_options(export)
    timestamps.stamp_if_configured()
    try:
        if export.kind == Export.Kind.PACKAGE:
            return package.build_package(export.owner, options, out, progress)
        return pdf.render_dossier(export.owner, options, out, progress)
    # A missing or changed original, say, or a dossier over the time or memory allowed.
    except (package.PackageError, RenderLimitReached) as error:
        raise ExportRefused(str(error)) from error


def user_time_zone(user: User) -> zoneinfo.ZoneInfo | None:
    """The zone the user reads times in (None: the server's), for work done outside a request."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None  # the server's time zone


class _ProgressSaver:
    """Saves progress at most once per PROGRESS_INTERVAL; stops the job if it was deleted."""

    def __init__(self, export_id: int):
        self.export_id = export_id
        self.last = float("-inf")

    def __call__(self, percent: int, stage: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        saved = Export.objects.filter(pk=self.export_id, status=Export.Status.RUNNING).update(
            progress=max(0, min(int(percent), 99)),
            stage=stage[:200],
            heartbeat_at=timezone.now(),
        )
        if not saved:
            raise ExportCancelled


def _finish(export_id: int, **fields) -> int:
    now = timezone.now()
    return Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
        stage="", heartbeat_at=now, finished_at=now, **fields
    )


def _requeue(export_id: int, options: dict, *, stage: str) -> bool:
    """Put a job back in the queue (its file is made from the start again)."""
    with transaction.atomic():
        requeued = Export.objects.filter(
            pk=export_id, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
        ).update(
            status=Export.Status.QUEUED,
            options=options,
            progress=0,
            stage=stage,
            heartbeat_at=timezone.now(),
        )
        if requeued:
            transaction.on_commit(lambda: run_export.enqueue(export_id))
    return bool(requeued)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _frames(error: BaseException) -> str:
    """The traceback with the exceptions' types but not their messages, which can quote the
    user's records (a template error, a value that did not parse). An OSError's reason is kept:
    "No space left on device" is what the person running the server needs to know."""
    chain = []
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    lines = []
    for exc in reversed(chain):
        lines.extend(traceback.format_tb(exc.__traceback__))
        kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
        if isinstance(exc, OSError) and exc.strerror:
            kind += f": [Errno {exc.errno}] {exc.strerror}"
        lines.append(kind + "\n")
    return "".join(lines)


# --- after a worker stopped -------------------------------------------------------------------


def _lock_file(export_id: int) -> Path:
    return settings.DATA_DIR / "locks" / f"export-{export_id}"


@contextmanager
def _making(export_id: int) -> Iterator[None]:
    """Hold the job's lock while it is being made (waiting while another process holds it).

    The kernel lets go of it when the process ends, however it ends (SIGKILL, the out-of-memory
    killer), so a running job whose lock is free was abandoned, however recent its last
    progress report. A POSIX lock: the drawing processes a job forks do not inherit it.
    """
    path = _lock_file(export_id)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _is_being_made(export_id: int) -> bool:
    """Whether a live process holds the job's lock. Never call it in the process making it:
    closing any descriptor of the file lets go of that process's POSIX lock."""
    try:
        fd = os.open(_lock_file(export_id), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def recover_stale() -> tuple[int, int]:
    """Start again the jobs a stopped worker left behind, once; fail those already restarted.

    A job that never started is simply queued again; one no live process is making is
    recovered at once, whenever its last report was. Files left half-written are removed.
    Returns (started again, failed).
    """
    restarted = failed = 0
    running = Export.objects.filter(status=Export.Status.RUNNING)
    dead = [pk for pk in running.values_list("pk", flat=True) if not _is_being_made(pk)]
    waiting = Export.objects.stale().filter(status=Export.Status.QUEUED)
    for export in waiting | running.filter(pk__in=dead):
        retries = export.options.get(RETRIES, 0)
        if export.status == Export.Status.QUEUED:
            restarted += _requeue(export.pk, export.options, stage="")
        elif retries < MAX_RETRIES:
            options = {**export.options, RETRIES: retries + 1}
            restarted += _requeue(
                export.pk, options, stage=_("Starting again after an interruption")
            )
        else:
            failed += _finish(export.pk, status=Export.Status.FAILED, error=INTERRUPTED)
    _remove_leftovers()
    return restarted, failed


def _remove_leftovers() -> None:
    """Files no export refers to (half-written ones, or one whose job died as it finished)."""
    if not settings.EXPORTS_DIR.exists():
        return
    known = set(Export.objects.exclude(file_name="").values_list("file_name", flat=True))
    cutoff = time.time() - STALE_AFTER.total_seconds()
    for path in settings.EXPORTS_DIR.glob("*/*"):
        name = path.relative_to(settings.EXPORTS_DIR).as_posix()
        if name not in known and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    # The locks of finished or deleted jobs: none of them will be made again.
    unfinished = Export.objects.filter(status__in=[Export.Status.QUEUED, Export.Status.RUNNING])
    keep = {_lock_file(pk) for pk in unfinished.values_list("pk", flat=True)}
    for path in (settings.DATA_DIR / "locks").glob("export-*"):
        if path not in keep:
            path.unlink(missing_ok=True)


def describe(export: Export) -> str:
    """'Dossier asked for on 3 March 2026': how the activity log names an export."""
    made_on = date_format(timezone.localdate(export.created_at), "DATE_FORMAT")
    return gettext("%(what)s asked for on %(day)s") % {
        "what": NOUNS[export.kind].capitalize(),
        "day": made_on,
    }


def download_name(export: Export) -> str:
    """'dossier-2026-03-03.pdf': plain, with the day it was made."""
    made_on = timezone.localdate(export.finished_at or export.created_at)
    return f"{DOWNLOAD_NAMES[export.kind]}-{made_on:%Y-%m-%d}.{EXTENSIONS[export.kind]}"


def download_response(request, export: Export, **options):
    """The finished file as a download, to its owner or through a share link (already checked
    and about to be logged by the caller); `options` go on to private_file_response."""
    return private_file_response(
        request,
        export_path(export),
        content_type=CONTENT_TYPES[export.kind],
        filename=download_name(export),
        inline=False,
        etag=export.sha256,
        **options,
    )
