"""A day's imported messages and calls with one person, read one by one: the page the timeline's
line for that day opens."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .access import get_case
from .citations import incident_citing_all, incident_from_contacts, received_on_day
from .contacts import contact_days, day_items, item_time


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Http404("No such day.") from None
    if not date.min < day < date.max:  # its start and end must be dates Python can hold
        raise Http404("No such day.")
    return day


def contact_day(request, case_id, day):
    """Each text and call of the day, with its time, direction, words and whether it is hidden."""
    case = get_case(request, case_id)
    on = _day(day)
    summary = next(iter(contact_days(request.user, case=case, start=on, end=on)), None)
    if summary is None:
        raise Http404("No texts or calls with this person that day.")
    items = day_items(request.user, case, on)
    context = {
        "case": case,
        "day": on,
        "summary": summary,
        "items": [(item_time(item), item) for item in items],
        "received": len(received_on_day(items)),
    }
    return render(request, "incidents/contact_day.html", context)


@require_POST
def contact_day_incident(request, case_id, day):
    """Make an incident, in one step, of the day's messages and calls received from the person."""
    case = get_case(request, case_id)
    items = received_on_day(day_items(request.user, case, _day(day)))
    if not items:
        messages.error(request, _("There is nothing received that day to make an incident of."))
        return redirect("contact_day", case_id=case.uuid, day=day)
    if (made := incident_citing_all(case, items)) is not None:
        messages.info(
            request, _("An incident of these messages and calls was made already: here it is.")
        )
        return redirect("incident_detail", incident_id=made.uuid)
    incident = incident_from_contacts(case=case, items=items)
    messages.success(
        request,
        _(
            "Incident made from the day's messages and calls, citing them. Add what else you know: "
            "where you were, what you did, how it affected you."
        ),
    )
    return redirect("incident_edit", incident_id=incident.uuid)
