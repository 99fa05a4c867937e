"""The app's own settings for a site started by tests/live_server.py: all of stalkerlog/settings.py,
with the collected static files in a directory of the site's own. (STATIC_ROOT is otherwise fixed
beside manage.py and shared with `make run`, and a fresh clone has no collected files at all.)"""

from pathlib import Path

from stalkerlog.settings import *  # noqa: F403
from stalkerlog.settings import env

STATIC_ROOT = Path(env.str("STATIC_ROOT"))
