"""Work done outside a request (the dossier, the evidence package, an import) speaks the owner's
language and legal words, as the pages do."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from . import jurisdictions
from .models import User


def job_language(user: User, language: str = "") -> str:
    """The language asked for, if the app has it; else the owner's own."""
    known = dict(settings.LANGUAGES)
    if language in known:
        return language
    return user.language if user.language in known else settings.LANGUAGE_CODE


@contextmanager
def in_owner_language(user: User, language: str = "") -> Iterator[None]:
    """Render inside the block in `language` (or the owner's), with the owner's legal words."""
    with (
        translation.override(job_language(user, language)),
        jurisdictions.override(user.jurisdiction),
    ):
        yield
