"""Drawing a dossier in child processes that cannot take the server down with them.

Each child may use at most DOSSIER_MEMORY_LIMIT_MB of address space (RLIMIT_AS), and a render
may take at most DOSSIER_TIME_LIMIT seconds: past that its children are killed. Either way the
render ends in RenderLimitReached, whose message is written for the user.
"""

import ctypes
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>

_deadline: ContextVar[float | None] = ContextVar("dossier_deadline", default=None)


class RenderLimitReached(Exception):
    """A render needed more time or memory than the server allows; the message says which."""


def _too_slow() -> RenderLimitReached:
    minutes = max(round(settings.DOSSIER_TIME_LIMIT / 60), 1)
    return RenderLimitReached(
        ngettext(
            "This dossier took longer to draw than the %(minutes)s minute the server allows for "
            "one, so it was not made. Try a shorter period, or leave out the pictures. The person "
            "who runs this server can allow more time (DOSSIER_TIME_LIMIT).",
            "This dossier took longer to draw than the %(minutes)s minutes the server allows for "
            "one, so it was not made. Try a shorter period, or leave out the pictures. The person "
            "who runs this server can allow more time (DOSSIER_TIME_LIMIT).",
            minutes,
        )
        % {"minutes": minutes}
    )


def _too_big() -> RenderLimitReached:
    return RenderLimitReached(
        _(
            "This dossier needed more memory than the %(mb)s MB the server allows for drawing "
            "one, so it was not made. Try a shorter period, or leave out the pictures. The person "
            "who runs this server can allow more (DOSSIER_MEMORY_LIMIT_MB)."
        )
        % {"mb": settings.DOSSIER_MEMORY_LIMIT_MB}
    )


@contextmanager
def time_limit() -> Iterator[None]:
    """Everything drawn inside shares one deadline, DOSSIER_TIME_LIMIT from now."""
    token = _deadline.set(time.monotonic() + settings.DOSSIER_TIME_LIMIT)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (None outside `time_limit`); past it, the render ends."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise _too_slow()
    return left


def in_limited_processes(function, calls: list[tuple]) -> Iterator:
    """Yield function(*args) for each call, in order, on up to DOSSIER_WORKERS child processes,
    each under the memory limit, all within the deadline."""
    if not calls:
        return
    workers = max(1, min(settings.DOSSIER_WORKERS, len(calls)))
    memory = settings.DOSSIER_MEMORY_LIMIT_MB * 1024 * 1024
    # fork: the children inherit Django, loaded and configured, and start at once.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_child_start,
        initargs=(os.getpid(), memory),
    )
    finished = False
    try:
        futures = [pool.submit(function, *args) for args in calls]
        for future in futures:
            yield future.result(timeout=remaining())
        finished = True
    except TimeoutError:
        raise _too_slow() from None
    # Under the cap, C code (Pango, a decoder) that cannot allocate may fail with SystemError
    # instead of MemoryError: in a drawing process held to a memory limit, both mean the same.
    except (MemoryError, SystemError, BrokenProcessPool):
        raise _too_big() from None
    finally:
        if not finished:
            _kill(pool)
        # On an error, or when the job is stopped, drop the work not yet started.
        pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    # The executor has no public way to stop work already running (before Python 3.14).
    for process in list((pool._processes or {}).values()):
        with suppress(OSError, ValueError):
            process.kill()


def _child_start(parent: int, memory: int) -> None:
    """Drawing processes keep to the memory limit, stop when told to, whatever handlers the
    parent had set, and die with the parent: killed outright (SIGKILL, the out-of-memory
    killer), it cannot stop them, and they would wait for more work for ever."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with suppress(OSError, AttributeError):  # prctl is Linux's; elsewhere this is skipped
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
