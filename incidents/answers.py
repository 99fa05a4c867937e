"""The user's own answer to "what you did": which entries lack one, and confirming an answer
the app once filled in for them. Each confirmation is an amendment, with its history and its
custody-log entry."""

from django.db import transaction
from django.db.models import QuerySet

from . import services
from .models import Incident, User

# How many entries the gaps page lists at once (the counts cover them all).
GAPS_SHOWN = 200


def answers_missing(user: User) -> QuerySet[Incident]:
    """The user's live entries whose answer is not recorded or not confirmed, newest first."""
    return (
        Incident.objects.owned_by(user)
        .live()
        .answer_missing()
        .select_related("case")
        .order_by("-occurred_at", "-id")
    )


def answer_changes(record: Incident, changes: dict) -> dict:
    """The changes an amendment makes, with the answer counted as confirmed once the user
    picks one themselves. Left as it was, a pre-filled answer stays unconfirmed."""
    if "response" in changes and changes["response"] != record.response:
        return {**changes, "response_confirmed": True}
    return changes


@transaction.atomic
def answer_confirm(*, incident: Incident) -> bool:
    """Confirm the answer an entry holds, as an amendment. False if it was already confirmed."""
    if incident.response_confirmed:
        return False
    return services.record_amend(record=incident, changes={"response_confirmed": True})


@transaction.atomic
def answers_confirm(*, incidents: list[Incident]) -> int:
    """Confirm several entries' answers at once, each as its own amendment. Returns how many."""
    return sum(answer_confirm(incident=incident) for incident in incidents)
