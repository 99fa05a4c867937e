"""Pages for filling the gaps in the user's answers: the entries whose "what you did" is not
recorded or not confirmed, and confirming a pre-filled answer one by one or all at once."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .answers import GAPS_SHOWN, answer_confirm, answers_confirm, answers_missing
from .confirm_forms import AnswerConfirmForm
from .models import Incident


def answers(request):
    """The entries lacking an answer; POST confirms the ticked (or all) pre-filled answers."""
    missing = list(answers_missing(request.user))
    unconfirmed = [incident for incident in missing if incident.response_state == "not_confirmed"]
    data = request.POST if request.method == "POST" else None
    form = AnswerConfirmForm(data, incidents=unconfirmed)
    if request.method == "POST" and form.is_valid():
        count = answers_confirm(incidents=form.chosen())
        messages.success(
            request,
            ngettext(
                "Confirmed the answer of %(count)d entry. Its history shows the confirmation.",
                "Confirmed the answers of %(count)d entries. Their history shows each one.",
                count,
            )
            % {"count": count},
        )
        return redirect("answers")
    not_recorded = [incident for incident in missing if incident.response_state == "not_recorded"]
    context = {
        "form": form,
        "unconfirmed": unconfirmed[:GAPS_SHOWN],
        "unconfirmed_count": len(unconfirmed),
        "not_recorded": not_recorded[:GAPS_SHOWN],
        "not_recorded_count": len(not_recorded),
        "ticked": set(form["entries"].value() or []),
    }
    return render(request, "incidents/answers.html", context, status=400 if form.errors else 200)


@require_POST
def incident_answer_confirm(request, incident_id):
    """Confirm one entry's pre-filled answer, from the entry's own page."""
    incidents = Incident.objects.owned_by(request.user).live()
    incident = get_object_or_404(incidents, uuid=incident_id)
    if answer_confirm(incident=incident):
        messages.success(request, _("Answer confirmed. The history below shows when."))
    return redirect(incident)
