"""Drafts of the new-entry form, kept on the server while the user types (static/js/draft.js).

A draft holds only the form's own text fields, as typed; it is never part of the log, so it
has no history or custody entry: it is replaced as the user types and removed when the entry is
saved or the user discards it.
"""

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from .models import Draft, User

# All the fields of one draft together; longer than any entry the form itself accepts.
DRAFT_CHAR_LIMIT = 100_000
# Each showing of the form has a token, sent with its drafts and with the entry. Once the entry
# is saved or the draft discarded, a draft send still on its way from that page is ignored.
PAGE_FIELD = "draft_page"
ENDED_KEY = "drafts_ended"
ENDED_KEPT = 20


class DraftTooLong(ValueError):
    """The fields sent add up to more than DRAFT_CHAR_LIMIT characters."""


def draft_fields(data: QueryDict, allowed: Iterable[str]) -> dict:
    """The form's own fields from a POST, one value each (a list where there are several)."""
    fields = {}
    for name in allowed:
        # A NUL character means nothing in a form, and PostgreSQL's JSON refuses it.
        values = [value.replace("\x00", "") for value in data.getlist(name)]
        if values:
            fields[name] = values[0] if len(values) == 1 else values
    if sum(len(str(value)) for value in fields.values()) > DRAFT_CHAR_LIMIT:
        raise DraftTooLong
    return fields


def draft_get(user: User, form: str = Draft.Form.INCIDENT) -> Draft | None:
    """The user's draft of this form, if one is kept."""
    return Draft.objects.owned_by(user).filter(form=form).first()


@transaction.atomic
def draft_save(*, user: User, fields: dict, form: str = Draft.Form.INCIDENT) -> Draft:
    """Keep (or replace) the user's draft of this form."""
    draft, _ = Draft.objects.update_or_create(
        owner=user, form=form, defaults={"fields": fields, "saved_at": timezone.now()}
    )
    return draft


@transaction.atomic
def draft_discard(*, user: User, form: str = Draft.Form.INCIDENT) -> bool:
    """Remove the user's draft of this form; True if there was one."""
    deleted, _ = Draft.objects.owned_by(user).filter(form=form).delete()
    return bool(deleted)


def page_token(request: HttpRequest) -> str:
    """The token of this showing of the form: the one it was sent with, or a new one."""
    return request.POST.get(PAGE_FIELD) or secrets.token_urlsafe(12)


def page_end(request: HttpRequest) -> None:
    """The form this request came from is done with: its drafts are no longer kept."""
    if token := request.POST.get(PAGE_FIELD):
        ended = request.session.get(ENDED_KEY, [])[-(ENDED_KEPT - 1) :]
        request.session[ENDED_KEY] = [*ended, token]


def page_ended(request: HttpRequest) -> bool:
    token = request.POST.get(PAGE_FIELD)
    return bool(token) and token in request.session.get(ENDED_KEY, [])
