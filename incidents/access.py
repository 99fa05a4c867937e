"""Access helpers for the pages: each fetches one of the signed-in user's objects, and answers
404 to anyone else, as if it did not exist."""

from django.shortcuts import get_object_or_404

from .models import Case, Export, Incident


def get_case(request, case_id) -> Case:
    return get_object_or_404(Case.objects.owned_by(request.user), uuid=case_id)


def get_incident(request, incident_id, *, in_trash=False) -> Incident:
    incidents = Incident.objects.owned_by(request.user).select_related("case")
    incidents = incidents.in_trash() if in_trash else incidents.live()
    return get_object_or_404(incidents, uuid=incident_id)


def get_export(request, export_id) -> Export:
    return get_object_or_404(
        Export.objects.owned_by(request.user).select_related("case"), uuid=export_id
    )
