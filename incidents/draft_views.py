"""Saving and discarding the new-entry draft (incidents/drafts.py, static/js/draft.js)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import drafts
from .forms import IncidentForm


@require_POST
def draft_save(request):
    """Keep what the new-entry form holds now; an empty form leaves no draft."""
    allowed = IncidentForm(user=request.user).fields.keys()
    try:
        fields = drafts.draft_fields(request.POST, allowed)
    except drafts.DraftTooLong:
        message = _("This text is too long to keep as a draft. It is still on this page.")
        return JsonResponse({"saved": False, "message": message}, status=400)
    if not any(str(value).strip() for key, value in fields.items() if key != "occurred_at"):
        drafts.draft_discard(user=request.user)
        return JsonResponse({"saved": False, "message": ""})
    draft = drafts.draft_save(user=request.user, fields=fields)
    at = time_format(timezone.localtime(draft.saved_at), "H:i")
    message = _("Draft kept on the server at %(time)s. It is not part of your log.") % {"time": at}
    return JsonResponse({"saved": True, "message": message})


@require_POST
def draft_discard(request):
    """Throw the draft away and start the form afresh."""
    if drafts.draft_discard(user=request.user):
        messages.success(request, _("The draft was discarded."))
    return redirect("incident_new")
