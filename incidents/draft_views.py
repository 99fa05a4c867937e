"""Saving and discarding the new-entry draft (incidents/drafts.py, static/js/draft.js)."""

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import drafts, held_files
from .forms import IncidentForm


@require_POST
def draft_save(request):
    """Keep what the new-entry form holds now; a form holding nothing the user wrote or chose
    (only its time, the person and the answers it starts with) leaves no draft."""
    if drafts.page_ended(request):  # saved or discarded since: this send came too late
        return JsonResponse({"saved": False, "message": ""})
    blank = IncidentForm(user=request.user)
    try:
        fields = drafts.draft_fields(request.POST, blank.fields.keys())
    except drafts.DraftTooLong:
        message = _("This text is too long to keep as a draft. It is still on this page.")
        return JsonResponse({"saved": False, "message": message}, status=400)
    starts_with = {name: str(blank[name].value() or "") for name in blank.fields}
    written = [
        value
        for name, value in fields.items()
        if name not in ("occurred_at", "case") and str(value).strip() != starts_with[name]
    ]
    if not written:
        drafts.draft_discard(user=request.user)
        return JsonResponse({"saved": False, "message": ""})
    draft = drafts.draft_save(user=request.user, fields=fields)
    at = time_format(timezone.localtime(draft.saved_at), "TIME_FORMAT")
    message = _("Draft kept on the server at %(time)s. It is not part of your log.") % {"time": at}
    return JsonResponse({"saved": True, "message": message})


@require_POST
def draft_discard(request):
    """Throw the draft away and start the form afresh."""
    drafts.page_end(request)
    with transaction.atomic():
        had_files = held_files.held_for(request.user)
        held_files.release(request.user)
        if drafts.draft_discard(user=request.user) or had_files:
            messages.success(request, _("The draft was discarded."))
    return redirect("incident_new")
