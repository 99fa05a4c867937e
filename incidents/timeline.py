"""The timeline: the user's incidents, filtered, in pages, grouped by day."""

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Incident, User

PAGE_SIZE = 25
SEARCHED_FIELDS = ["description", "exact_words", "location", "channel", "witnesses"]


@dataclass(frozen=True)
class TimelineDay:
    day: date
    incidents: list[Incident]


def filtered_incidents(user: User, filters: dict) -> QuerySet[Incident]:
    """The user's live incidents matching cleaned TimelineFilterForm data."""
    incidents = Incident.objects.owned_by(user).live().select_related("case")
    if query := filters.get("q"):
        matches = Q()
        for field in SEARCHED_FIELDS:
            matches |= Q(**{f"{field}__icontains": query})
        incidents = incidents.filter(matches)
    if kind := filters.get("kind"):
        incidents = incidents.filter(kind=kind)
    # __date compares in the active (the user's) time zone.
    if date_from := filters.get("date_from"):
        incidents = incidents.filter(occurred_at__date__gte=date_from)
    if date_to := filters.get("date_to"):
        incidents = incidents.filter(occurred_at__date__lte=date_to)
    if filters.get("danger"):
        danger = Q()
        for flag in Incident.DANGER_FLAGS:
            danger |= Q(**{flag: True})
        incidents = incidents.filter(danger)
    if filters.get("order") == "oldest":
        return incidents.order_by("occurred_at", "id")
    return incidents.order_by("-occurred_at", "-id")


def timeline_page(incidents: QuerySet[Incident], number) -> tuple[Page, list[TimelineDay]]:
    page = Paginator(incidents, PAGE_SIZE).get_page(number)
    days = [
        TimelineDay(day=day, incidents=list(group))
        for day, group in groupby(page, key=lambda i: timezone.localdate(i.occurred_at))
    ]
    return page, days
