"""What the benchmark scripts share: Django set up on a data directory of their own, and the
peak memory of a process."""

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


def peak_rss_mb(*, children: bool = False) -> float:
    """The largest resident memory this process (or, with children, any child) has used."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if children:
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return peak / 1024
