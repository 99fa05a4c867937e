"""A view per person: when an account records more than one person (Case), home, the timeline,
the patterns and the steps can show one of them or everyone.

The choice travels in the query string (`?person=<uuid>` or `?person=all`) and is kept in the
session, so that moving from page to page keeps the same view until the user changes it.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from .models import Case

SESSION_KEY = "person_view"
ALL = "all"


@dataclass(frozen=True)
class PersonView:
    """The user's people and the one being shown (None: everyone)."""

    cases: list[Case]
    chosen: Case | None
    # The page's other query values (the timeline's filters), kept when the person changes.
    keep: list[tuple[str, str]]

    @property
    def offered(self) -> bool:
        return len(self.cases) > 1


def person_view(request: HttpRequest) -> PersonView:
    """The person chosen in the query string or earlier in this session, among the user's own."""
    cases = list(Case.objects.owned_by(request.user))
    wanted = request.GET.get("person")
    if wanted is None:
        wanted = request.session.get(SESSION_KEY, ALL)
    chosen = next((case for case in cases if str(case.uuid) == wanted), None)
    if len(cases) < 2:
        chosen = None
    remembered = str(chosen.uuid) if chosen else ALL
    if request.session.get(SESSION_KEY, ALL) != remembered:
        request.session[SESSION_KEY] = remembered
    keep = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("person", "page")
        for value in values
    ]
    return PersonView(cases=cases, chosen=chosen, keep=keep)
