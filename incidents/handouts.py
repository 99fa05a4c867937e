"""Handing a stored file to a browser: check it first, then log it once.

A video or audio player asks for a recording in many parts (Range requests) as it plays and
seeks. Each of them is a hand-out of the same file to the same browser, so within
HAND_OUT_WINDOW_SECONDS of each other they are one: the file is re-hashed once per browser
session and file for that long (sooner if the file's size or time on disk changed), and one
custody entry covers the run of requests. A file that fails its check is not sent at all.
"""

import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import custody, exports, integrity, security
from .evidence import FileProblem, sha256_and_size
from .models import Evidence, Export, HandOut

logger = logging.getLogger(__name__)

# A hand-out row nobody asked about for this long is of no further use.
FORGET_AFTER = timedelta(days=1)


def _window() -> timedelta:
    return timedelta(seconds=settings.HAND_OUT_WINDOW_SECONDS)


def _key(request, obj, file_sha256: str, user=None) -> dict:
    """`user` is the file's owner when the browser is not signed in (a share link's recipient)."""
    ref = security.session_ref(request.session.session_key)
    return {
        "user": user or request.user,
        "session_ref": ref,
        "object_uuid": obj.uuid,
        "file_sha256": file_sha256,
    }


class Unreachable(Exception):
    """The file could not be read to be checked, so it is not handed out now."""


def local_stat(path: Path | None) -> str:
    """The file's size and change times, which any replacement of it moves."""
    if path is None:
        return ""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def verify(
    request,
    obj: Evidence | Export,
    *,
    size: int,
    file_sha256: str,
    open_file: Callable,
    path: Path | None,
    label: str,
    user=None,
) -> None:
    """Re-hash a file about to be handed out, unless this browser had it verified within the
    window and it has not been touched since. Raises FileProblem (already reported) when it no
    longer matches or is gone, Unreachable when it could not be read."""
    key, stat, now = _key(request, obj, file_sha256, user), local_stat(path), timezone.now()
    recent = HandOut.objects.filter(**key, verified_at__gte=now - _window(), verified_stat=stat)
    if recent.exists():
        return
    try:
        with open_file() as f:
            found, found_size = sha256_and_size(f)
    except FileNotFoundError:
        problem = FileProblem(FileProblem.MISSING)
    except _store_errors() as error:  # a bucket out of reach, a disk that fails to read
        logger.error("Could not read %s to check it: %r", obj.uuid, error)
        raise Unreachable from None
    else:
        ok = (found, found_size) == (file_sha256, size)
        problem = None if ok else FileProblem(FileProblem.CHANGED, found)
    if problem is not None:
        integrity.report_problem(obj, problem, label=label, request=request)
        raise problem
    HandOut.objects.update_or_create(**key, defaults={"verified_at": now, "verified_stat": stat})
    integrity.clear_alerts(obj)


def verify_export(request, export: Export, *, user=None) -> None:
    """verify() for a finished dossier or package, by its owner or through a share link."""
    path = exports.export_path(export)
    verify(
        request,
        export,
        size=export.size,
        file_sha256=export.sha256,
        open_file=lambda: open(path, "rb"),  # noqa: SIM115 (verify closes it)
        path=path,
        label=exports.describe(export),
        user=user,
    )


def _store_errors() -> tuple[type[BaseException], ...]:
    try:  # installed only with requirements-s3.txt
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def log(
    request, obj, *, file_sha256: str, action: str, audit: tuple[str, str] | None, user=None
) -> bool:
    """Log bytes handed out, once for a run of requests by one browser for one file. `audit` is
    the activity-log entry (action, description) to write with it. True if it was logged."""
    key, now = _key(request, obj, file_sha256, user), timezone.now()
    rows = HandOut.objects.filter(**key)
    with transaction.atomic():
        # Still within a run of requests: it is the same hand-out, seen again.
        if rows.filter(seen_at__gte=now - _window()).update(seen_at=now):
            return False
        claimed = rows.filter(Q(seen_at__lt=now - _window()) | Q(seen_at__isnull=True))
        if not claimed.update(seen_at=now, logged_at=now) and not _created(key, now):
            return False  # a parallel request of the same run logged it
        custody.log(action, obj, file_sha256=file_sha256)
        if audit is not None:
            security.audit(request, *audit)
    return True


def _created(key: dict, now) -> bool:
    try:
        with transaction.atomic():
            HandOut.objects.create(**key, seen_at=now, logged_at=now)
    except IntegrityError:
        return False
    forgotten = Q(seen_at__lt=now - FORGET_AFTER) | Q(
        seen_at__isnull=True, verified_at__lt=now - FORGET_AFTER
    )
    HandOut.objects.filter(forgotten).delete()
    return True


def refused(request, obj: Evidence | Export, error: FileProblem | Unreachable, *, label: str):
    """The page shown instead of a file that failed its check (409), or could not be read to
    be checked (503, worth trying again)."""
    if isinstance(obj, Export):
        back = obj.get_absolute_url()
    else:
        back = reverse("evidence_detail", kwargs={"evidence_id": obj.uuid})
    context = {
        "label": label,
        "problem": error.problem if isinstance(error, FileProblem) else "unreachable",
        "back": back,
        "is_export": isinstance(obj, Export),
    }
    status = 409 if isinstance(error, FileProblem) else 503
    return render(request, "incidents/file_refused.html", context, status=status)
