"""What the benchmark scripts share: Django set up on a data directory of their own, a migrated
database with one account, and the peak memory and processor time of a process."""

import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(data_dir: str) -> None:
    os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stalkerlog.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_case():
    """After django_setup: migrate, make the account "bench" and return its person's case."""
    from django.core.management import call_command

    from incidents.models import Case
    from incidents.services import account_create

    call_command("migrate", verbosity=0)
    user = account_create(username="bench", password="bench-password-123")
    return Case.objects.owned_by(user).get()


def peak_rss_mb(*, children: bool = False) -> float:
    """The largest resident memory this process (or, with children, any child) has used."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if children:
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return peak / 1024


def cpu_seconds() -> float:
    """Processor time used so far by this process and its finished children (user + system).
    Unlike the elapsed time, it hardly changes when other programs share the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
