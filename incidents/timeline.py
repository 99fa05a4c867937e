"""The timeline: incidents, no-contact notices, police contacts, court orders and changes to
daily life in one chronological story, filtered, in pages of incidents, grouped by day."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from .contacts import calls, contact_days, day_start, edge_time, listed, texts
from .local_formats import grouped
from .models import Incident, User
from .models.kinds import INCIDENT, STEP_KINDS

PAGE_SIZE = 25
# The most days of imported messages and calls one page shows: a page reads the items of at most
# this many days, so its time does not grow with the phone's history. The rest of the page's
# stretch is one link away (ContactsBeyond).
CONTACT_WINDOW = 31


@dataclass(frozen=True)
class TimelineItem:
    # A RecordKind's slug: "incident", "notice", "police", "order" or "change"; or "contacts"
    # for a day's imported messages and calls with one person (a contacts.ContactDay).
    kind: str
    when: datetime
    record: object
    label: str = ""  # for court orders: "issued", "served" or "expired"

    @property
    def label_words(self) -> str:
        """The label in the user's language (a court order's day on the timeline)."""
        return ORDER_DAY_WORDS.get(self.label, self.label)


# What each of a court order's days is called on the timeline, by its label.
ORDER_DAY_WORDS = {
    "issued": pgettext_lazy("court order", "issued"),
    "served": pgettext_lazy("court order", "served"),
    "expired": pgettext_lazy("court order", "expired"),
}


@dataclass(frozen=True)
class TimelineDay:
    day: date
    items: list[TimelineItem]


def _matching(query: str, fields) -> Q:
    matches = Q()
    for field in fields:
        matches |= Q(**{f"{field}__icontains": query})
    return matches


def filtered_incidents(user: User, filters: dict) -> QuerySet[Incident]:
    """The user's live incidents matching cleaned TimelineFilterForm data."""
    incidents = Incident.objects.owned_by(user).live().for_person(filters.get("case"))
    incidents = incidents.select_related("case")
    if query := filters.get("q"):
        incidents = incidents.filter(_matching(query, INCIDENT.searched))
    if kind := filters.get("kind"):
        incidents = incidents.filter(kind=kind)
    incidents = incidents.in_period(INCIDENT.when, filters.get("date_from"), filters.get("date_to"))
    if filters.get("danger"):
        incidents = incidents.filter(_any_flag())
    if filters.get("order") == "oldest":
        return incidents.order_by("occurred_at", "id")
    return incidents.order_by("-occurred_at", "-id")


def _any_flag() -> Q:
    danger = Q()
    for flag in Incident.DANGER_FLAGS:
        danger |= Q(**{flag: True})
    return danger


def timeline_page(user: User, filters: dict, number) -> tuple[Page, list[TimelineDay]]:
    """One page of incidents, with the other records that fall among them, grouped by day;
    `page.contacts_beyond` says where messages and calls the page leaves out continue."""
    incidents = filtered_incidents(user, filters)
    page = Paginator(incidents, PAGE_SIZE).get_page(number)
    page.contacts_beyond = None
    oldest_first = filters.get("order") == "oldest"
    items = [TimelineItem("incident", i.occurred_at, i) for i in page]
    if not (filters.get("kind") or filters.get("danger")):
        low, high = _page_span(page, incidents, oldest_first)
        items += _events(user, filters, low, high)
        contacts, page.contacts_beyond = _contact_days(user, filters, low, high, oldest_first)
        items += contacts
    items.sort(key=lambda item: item.when, reverse=not oldest_first)
    days = [
        TimelineDay(day=day, items=list(group))
        for day, group in groupby(items, key=lambda item: timezone.localdate(item.when))
    ]
    return page, days


def _page_span(page: Page, incidents, oldest_first: bool):
    """The stretch of time this page covers: up to where the page before it stopped."""
    first = page.number == 1
    last = not page.has_next()
    if not page.object_list:
        return None, None
    own_end = page.object_list[-1].occurred_at
    before = None if first else incidents[page.start_index() - 2].occurred_at
    if oldest_first:
        return before, (None if last else own_end)
    return (None if last else own_end), before


def _events(user: User, filters: dict, low, high) -> list[TimelineItem]:
    """Notices, police contacts and order dates in (low, high]; None means open-ended."""

    def within(when) -> bool:
        return (low is None or when > low) and (high is None or when <= high)

    def in_dates(day: date) -> bool:
        start, end = filters.get("date_from"), filters.get("date_to")
        return (start is None or day >= start) and (end is None or day <= end)

    items = []
    query = filters.get("q")
    for kind in STEP_KINDS.values():
        if not kind.in_timeline or not kind.has_time:
            continue
        records = kind.model.objects.owned_by(user).live().for_person(filters.get("case"))
        records = records.select_related("case")  # for the demo badge
        if query:
            records = records.filter(_matching(query, kind.searched))
        for record in records:
            when = getattr(record, kind.when)
            if within(when) and in_dates(timezone.localdate(when)):
                items.append(TimelineItem(kind.slug, when, record))
    for slug, record, day, label in _dated_events(user, query, filters.get("case")):
        when = timezone.make_aware(datetime.combine(day, time(12)))  # a day, shown at midday
        if within(when) and in_dates(day):
            items.append(TimelineItem(slug, when, record, label))
    return items


@dataclass(frozen=True)
class ContactsBeyond:
    """Messages and calls inside a page's stretch but beyond its window of CONTACT_WINDOW days:
    where the page stops showing them, and the day the next ones are on."""

    stop: date  # the first (oldest first: last) day shown on this page
    day: date  # the day of the nearest text or call not shown
    oldest_first: bool


def _contact_days(user: User, filters: dict, low, high, oldest_first: bool):
    """Each day's imported messages and calls with one person, as one item at the day's last
    contact, on the page whose stretch of time holds that moment: at most CONTACT_WINDOW days
    of them, from the newest (oldest first: the oldest) one in the stretch, so a page reads a
    bounded number of items however many the phone held. Returns the items and, when the
    stretch holds more, a ContactsBeyond."""
    case, query = filters.get("case"), filters.get("q") or ""
    start, end = filters.get("date_from"), filters.get("date_to")
    after, before = _after(low, start), _before(high, end)
    anchor = edge_time(
        user, case=case, query=query, after=after, before=before, newest=not oldest_first
    )
    if anchor is None:
        return [], None
    anchor_day = timezone.localdate(anchor)
    if oldest_first:
        start, end = anchor_day, anchor_day + timedelta(days=CONTACT_WINDOW - 1)
        end = min(end, timezone.localdate(before)) if before is not None else end
    else:
        start, end = anchor_day - timedelta(days=CONTACT_WINDOW - 1), anchor_day
        start = max(start, timezone.localdate(after)) if after is not None else start
    days = contact_days(user, case=case, query=query, start=start, end=end)
    items = [
        TimelineItem("contacts", day.last, day)
        for day in days
        if (low is None or day.last > low) and (high is None or day.last <= high)
    ]
    return items, _beyond(user, filters, (after, before), (start, end), oldest_first)


def _after(low, start: date | None):
    """The earlier end of the stretch, (low, ...], narrowed to the start of the day `start`."""
    if start is None:
        return low
    first = day_start(start) - timedelta(microseconds=1)
    return first if low is None else max(low, first)


def _before(high, end: date | None):
    """The later end of the stretch, (..., high], narrowed to the end of the day `end`."""
    if end is None:
        return high
    last = day_start(end + timedelta(days=1)) - timedelta(microseconds=1)
    return last if high is None else min(high, last)


def _beyond(user, filters, stretch, window, oldest_first: bool) -> ContactsBeyond | None:
    """The nearest text or call of the stretch outside the window shown, if any."""
    after, before = stretch
    start, end = window
    case, query = filters.get("case"), filters.get("q") or ""
    if oldest_first:
        edge = day_start(end + timedelta(days=1)) - timedelta(microseconds=1)
        found = edge_time(user, case=case, query=query, after=edge, before=before, newest=False)
        stop = end
    else:
        edge = day_start(start) - timedelta(microseconds=1)
        found = edge_time(user, case=case, query=query, after=after, before=edge, newest=True)
        stop = start
    if found is None:
        return None
    return ContactsBeyond(stop=stop, day=timezone.localdate(found), oldest_first=oldest_first)


def _dated_events(user: User, query: str, case=None):
    """(kind, record, day, label) for records that carry days rather than a time: an order's
    issue, service and end (once passed), and each change to daily life."""
    today = timezone.localdate()
    for kind in STEP_KINDS.values():
        if not kind.in_timeline or kind.has_time:
            continue
        records = kind.model.objects.owned_by(user).live().for_person(case)
        records = records.select_related("case")
        if query:
            records = records.filter(_matching(query, kind.searched))
        for record in records:
            for label, field in kind.day_fields:
                day = getattr(record, field)
                if day is not None and not (label == "expired" and day >= today):
                    yield kind.slug, record, day, label


# How the count line names what a page holds besides its incidents, by item kind.
OTHER_WORDS = {
    "notice": lambda n: ngettext("%(n)s no-contact notice", "%(n)s no-contact notices", n),
    "police": lambda n: ngettext("%(n)s police contact", "%(n)s police contacts", n),
    "order": lambda n: ngettext("%(n)s court order date", "%(n)s court order dates", n),
    "change": lambda n: ngettext("%(n)s change to daily life", "%(n)s changes to daily life", n),
}


def page_holds(days: list[TimelineDay]) -> str:
    """What a page shows besides its incidents: '40 texts, 5 calls and 1 no-contact notice'."""
    text_count = call_count = 0
    others = dict.fromkeys(OTHER_WORDS, 0)
    for day in days:
        for item in day.items:
            if item.kind == "contacts":
                text_count += item.record.texts_in + item.record.texts_out
                call_count += sum(item.record.calls_in.values()) + item.record.calls_out
            elif item.kind in others:
                others[item.kind] += 1
    parts = [texts(text_count)] if text_count else []
    if call_count:
        parts.append(calls(call_count))
    parts += [OTHER_WORDS[k](n) % {"n": grouped(n)} for k, n in others.items() if n]
    return listed(parts)


def count_line(page: Page, days: list[TimelineDay], is_filtered: bool) -> str:
    """The line above the timeline: how many incidents (they are what is paged), and what
    else this page holds, so a page of messages and calls does not read as empty."""
    n = page.paginator.count
    values = {"n": grouped(n), "holds": page_holds(days)}
    if is_filtered:
        incidents = ngettext(
            "%(n)s incident matches your filters.", "%(n)s incidents match your filters.", n
        )
    else:
        incidents = ngettext("%(n)s incident.", "%(n)s incidents.", n)
    if not values["holds"]:
        return incidents % values
    if not n:
        if is_filtered:
            return _("This page holds %(holds)s matching your filters; no incidents.") % values
        return _("This page holds %(holds)s; no incidents.") % values
    return _("%(incidents)s This page also holds %(holds)s.") % {
        **values,
        "incidents": incidents % values,
    }
