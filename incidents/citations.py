"""Incidents that cite imported messages and calls ("these 14 texts"), and an incident made in one
step from a day's messages and calls. The links are set through record_save and record_amend, so
history keeps the version they replace and the custody log fingerprints them."""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .contacts import ContactDay, item_time
from .models import Call, Case, Incident, Message
from .models.messages import Direction
from .services import record_amend, record_save


def _split(items: list) -> dict[str, list]:
    return {
        "messages": [item for item in items if isinstance(item, Message)],
        "calls": [item for item in items if isinstance(item, Call)],
    }


def _same_case(incident: Incident, items: list) -> None:
    if any(item.case_id != incident.case_id for item in items):
        raise ValueError("An incident cites only messages and calls of its own person.")


@transaction.atomic
def incident_cite(*, incident: Incident, items: list) -> bool:
    """Make the incident cite exactly these imported messages and calls (of its own person);
    False when it already did."""
    _same_case(incident, items)
    return record_amend(record=incident, changes={}, links=_split(items))


def received_on_day(items: list) -> list:
    """The messages and calls received from the person among a day's items, not left out."""
    return [item for item in items if item.direction == Direction.IN and not item.is_hidden]


def contacts_description(case: Case, items: list) -> str:
    """'14 texts and 2 missed calls from Sam between 21:02 and 23:40': facts from the file."""
    first, last = item_time(items[0]), item_time(items[-1])
    day = ContactDay(str(case.uuid), case.name, case.is_demo, first.date(), first, last)
    for item in items:
        if isinstance(item, Message):
            day.texts_in += 1
        else:
            day.calls_in[item.outcome] = day.calls_in.get(item.outcome, 0) + 1
    start = date_format(timezone.localtime(first), "TIME_FORMAT")
    end = date_format(timezone.localtime(last), "TIME_FORMAT")
    words = {"what": day.what, "start": start, "end": end}
    if start == end:
        return _("%(what)s at %(start)s, as the exported file shows.") % words
    return _("%(what)s between %(start)s and %(end)s, as the exported file shows.") % words


@transaction.atomic
def incident_from_contacts(*, case: Case, items: list) -> Incident:
    """A new incident of the received messages and calls given (in time order), citing them. It is
    filled in with their time, a plain count and their number as "how many times": what
    happened beyond that, and anything about the user's own answer or how it affected them, is
    left for the user to write."""
    items = received_on_day(items)
    if not items:
        raise ValueError("Nothing received to make an incident from.")
    # One at a time per person, so that a double tap makes one incident, not two.
    Case.objects.select_for_update(no_key=True).filter(pk=case.pk).get()
    if (made := incident_citing_all(case, items)) is not None:
        return made
    incident = Incident(
        case=case,
        occurred_at=item_time(items[0]),
        ended_at=item_time(items[-1]) if len(items) > 1 else None,
        description=contacts_description(case, items),
        count=len(items),  # "how many times": each text and call received is one contact
    )
    _same_case(incident, items)
    record_save(record=incident, links=_split(items))
    return incident


def incident_citing_all(case: Case, items: list) -> Incident | None:
    """A live incident of the person that already cites every one of these items (the one made
    from them earlier), or None."""
    split = _split(items)
    first = items[0]
    field = "messages" if isinstance(first, Message) else "calls"
    candidates = Incident.objects.filter(case=case).live().filter(**{field: first})
    for incident in candidates.prefetch_related("messages", "calls"):
        if all(
            {item.pk for item in split[name]} <= {item.pk for item in getattr(incident, name).all()}
            for name in ("messages", "calls")
        ):
            return incident
    return None


def cited(incident: Incident) -> list[tuple]:
    """(time, item) for each text and call the incident cites, in time order: two queries."""
    items = [
        *incident.messages.live().select_related("source__source"),
        *incident.calls.live().select_related("source__source"),
    ]
    return sorted(((item_time(item), item) for item in items), key=lambda pair: pair[0])
