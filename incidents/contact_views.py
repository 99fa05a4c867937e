"""A day's imported texts and calls with one person, read one by one: the page the timeline's
line for that day opens."""

from datetime import date

from django.http import Http404
from django.shortcuts import render

from .access import get_case
from .contacts import contact_days, day_items, item_time


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404("No such day.") from None


def contact_day(request, case_id, day):
    """Each text and call of the day, with its time, direction, words and whether it is hidden."""
    case = get_case(request, case_id)
    on = _day(day)
    summary = next(iter(contact_days(request.user, case=case, start=on, end=on)), None)
    if summary is None:
        raise Http404("No texts or calls with this person that day.")
    items = [(item_time(item), item) for item in day_items(request.user, case, on)]
    context = {"case": case, "day": on, "summary": summary, "items": items}
    return render(request, "incidents/contact_day.html", context)
