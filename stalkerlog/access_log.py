"""gunicorn's access log without the secrets some paths carry: a password-reset link's token is
part of its path (the e-mailed link must work in any mail app), and whoever reads the log must
not be able to use it. The path is logged with the token replaced by "…"."""

import re

from gunicorn.glogging import Logger

# Paths whose last part is a secret: (pattern, what is logged instead).
SECRET_PATHS = [(re.compile(r"^/sign-in/reset/[^/]+/"), "/sign-in/reset/…/")]


def redacted(path: str) -> str:
    for pattern, replacement in SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redacted(atoms["U"] or "")
        return atoms
