"""Pages: home, the timeline, the trash, the steps, help and patterns. Every view is signed-in
only (LoginRequiredMiddleware) unless marked otherwise, and every object is fetched through an
access helper that answers 404 to anyone but its owner."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import (
    backup_schedule,
    charts,
    contact_charts,
    contacts,
    custody,
    integrity,
    security,
)
from .checklist import SAFETY_STEP_HINTS, checklist_status, help_info, reminders, safety_steps
from .contacts_notice import after_first_notice
from .forms import (
    SafetyStepForm,
    TimelineFilterForm,
    valid_filters,
)
from .models import (
    Evidence,
    Incident,
    LifeChange,
    ProtectiveOrder,
    SafetyStep,
)
from .models.kinds import STEP_KINDS
from .orders import orders_in_force
from .person_view import person_view
from .timeline import count_line, timeline_page

# How many of the latest changes to daily life the steps page lists.
CHANGES_SHOWN = 5


# --- dashboard and timeline ---------------------------------------------------------------


def dashboard(request):
    people = person_view(request)
    incidents = Incident.objects.owned_by(request.user).live().for_person(people.chosen)
    steps = checklist_status(request.user, people.chosen)
    tz, today = timezone.get_current_timezone(), timezone.localdate()
    logged = charts.dashboard_times(request.user, tz, today, people.chosen)
    context = {
        "people": people,
        "summary": incidents.summary(),
        "received": contacts.received_counts(request.user, people.chosen),
        "contacts_chart": contact_charts.contact_dashboard_chart(
            request.user, tz, today, people.chosen, marks=logged
        ),
        "recent": incidents.select_related("case")[:5],
        "steps": steps,
        "reminders": reminders(request.user, steps.police, people.chosen),
        "orders_in_force": orders_in_force(request.user, timezone.localdate()).for_person(
            people.chosen
        ),
        "weekly_chart": charts.dashboard_chart(logged, tz, today),
        "failed_sign_ins": security.failures_unseen(request.user),
        "integrity_alerts": integrity.open_alerts(request.user),
        "show_advice": security.safety_state(request.user).advice_dismissed_at is None,
        "backup": backup_schedule.host_notice(request.user),
        "custody_head": custody.chain_head(),
    }
    return render(request, "incidents/dashboard.html", context)


def timeline(request):
    filter_form = TimelineFilterForm(request.GET or None)
    people = person_view(request)
    filters = {**valid_filters(filter_form), "case": people.chosen}
    page, days = timeline_page(request.user, filters, request.GET.get("page"))
    is_filtered = any(v for k, v in filters.items() if k not in ("order", "case"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "people": people,
        "filter_form": filter_form,
        "page": page,
        "days": days,
        "query": query.urlencode(),
        # The order is a way of reading, not a filter.
        "is_filtered": is_filtered,
        "count_line": count_line(page, days, is_filtered),
        "beyond_url": _beyond_url(request, page.contacts_beyond),
    }
    return render(request, "incidents/timeline.html", context)


def _beyond_url(request, beyond) -> str:
    """The timeline from the day of the messages and calls this page leaves out, filters kept."""
    if beyond is None:
        return ""
    query = request.GET.copy()
    query.pop("page", None)
    query["date_from" if beyond.oldest_first else "date_to"] = beyond.day.isoformat()
    return f"?{query.urlencode()}"


def trash(request):
    incidents = Incident.objects.owned_by(request.user).in_trash().order_by("-deleted_at")
    files = Evidence.objects.owned_by(request.user).in_trash().order_by("-deleted_at")
    records = [
        (kind, record)
        for kind, described in STEP_KINDS.items()
        for record in described.model.objects.owned_by(request.user).in_trash()
    ]
    context = {"incidents": incidents, "files": files, "records": records}
    return render(request, "incidents/trash.html", context)


# --- the four steps and getting help --------------------------------------------------------


def checklist(request):
    return _render_checklist(request)


def _render_checklist(request, *, bound_form=None, status=200):
    """The page, with `bound_form` (a safety step that did not save) showing its errors."""
    ticked = safety_steps(request.user)
    safety = []
    for value, label in SafetyStep.Step.choices:
        done = ticked.get(value)
        form = bound_form if bound_form and bound_form.prefix == value else None
        safety.append(
            {
                "value": value,
                "label": label,
                "hint": SAFETY_STEP_HINTS[value],
                "done": done,
                # Each step's fields are prefixed with its name, so their ids stay apart.
                "form": form or SafetyStepForm(instance=done, prefix=value),
            }
        )
    # A person has a handful of each: one query apiece, counted and sliced here.
    people = person_view(request)
    orders = ProtectiveOrder.objects.owned_by(request.user).live().for_person(people.chosen)
    orders = list(orders.order_by("issued_on"))
    changes = LifeChange.objects.owned_by(request.user).live().for_person(people.chosen)
    changes = list(changes.order_by("-changed_on", "-id"))
    steps = checklist_status(request.user, people.chosen)
    context = {
        "people": people,
        "steps": steps,
        "contacts_after": _contacts_after(request.user, people.chosen, steps),
        "safety": safety,
        "help": help_info(),
        "orders_in_force": [order for order in orders if order.is_in_force()],
        "orders_count": len(orders),
        "life_changes": changes[:CHANGES_SHOWN],
        "life_changes_count": len(changes),
    }
    return render(request, "incidents/checklist.html", context, status=status)


def _contacts_after(user, case, steps):
    """Imported messages and calls after each person's first notice (the notices are read)."""
    first = {}
    for notice in steps.be_clear.notices:  # oldest first
        first.setdefault(notice.case_id, notice.given_at)
    return after_first_notice(user, case, notices=first) if first else None


@require_POST
def safety_step_toggle(request):
    """Tick (or change the date and note of) one of the user's own safety steps, or untick it.

    The step is named in the form, not the URL: each user has their own ticks, so there is no
    one else's object to reach.
    """
    step = request.POST.get("step", "")
    if step not in SafetyStep.Step.values:
        raise Http404("No such step.")
    label = SafetyStep.Step(step).label
    done = SafetyStep.objects.owned_by(request.user).filter(step=step).first()
    if request.POST.get("action") == "untick":
        if done:
            done.delete()
            # Nothing silently lost: the message says what the tick held.
            on = date_format(done.done_on, "DATE_FORMAT")
            text = _("Unticked “%(label)s” (it was marked done on %(on)s).") % {
                "label": label,
                "on": on,
            }
            if done.note:
                text += " " + _("Your note was: “%(note)s”") % {"note": done.note}
            messages.info(request, text)
        return redirect("checklist")
    form = SafetyStepForm(request.POST, instance=done, prefix=step)
    if not form.is_valid():
        return _render_checklist(request, bound_form=form, status=400)
    # update_or_create: a double tap sends the form twice, and both must end in one tick.
    SafetyStep.objects.update_or_create(owner=request.user, step=step, defaults=form.cleaned_data)
    messages.success(request, _("Ticked “%(label)s”.") % {"label": label})
    # Back to the step, which now shows its date: the message at the top is out of sight there.
    return redirect(f"{reverse('checklist')}#safety-{step}")


def help_page(request):
    return render(request, "incidents/help.html", {"help": help_info()})


# --- patterns -------------------------------------------------------------------------------


def patterns(request):
    """The pattern pictures, counted in the user's own time zone."""
    people = person_view(request)
    tz, today = timezone.get_current_timezone(), timezone.localdate()
    logged = charts.log_times(request.user, case=people.chosen)  # read once, drawn by both
    context = {
        "people": people,
        "charts": charts.pattern_charts(logged, tz, today),
        "contact_charts": contact_charts.contact_pattern_charts(
            request.user, tz, today, people.chosen, marks=logged
        ),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "incidents/patterns.html", context)
