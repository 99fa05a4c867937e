"""The guide's four steps, with a status derived from what the user has recorded, the user's own
further safety steps, and the help contacts the host configured.

Query helpers take the user and start from `owned_by(user)`; the checklist page, the dashboard
and the PDF dossier read the same figures. `checklist_status` makes the same small number of
queries however long the log is.
"""

import enum
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import ClassVar

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import jurisdictions, local_formats
from .contacts import ImportedTotals, imported_files
from .models import (
    ANSWER_MISSING,
    Case,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    SafetyStep,
    User,
)

logger = logging.getLogger(__name__)

# Answers to "what you did" that are not a reply.
NO_REPLY = (Incident.Response.NONE, Incident.Response.BLOCKED, Incident.Response.POLICE)

# How many entries lacking both exact words and evidence the checklist names.
NEEDS_DETAILS_SHOWN = 5

# One line under each further safety step: why it helps.
SAFETY_STEP_HINTS = {
    SafetyStep.Step.VOICEMAILS: _(
        "Even the ones that hurt to keep. Save copies before a phone is changed, reset or repaired."
    ),
    SafetyStep.Step.TOLD_SOMEONE: _(
        "Someone who knows can notice things, be a witness, and help "
        "if you need it. Reception or security can stop them at the door."
    ),
    SafetyStep.Step.DEVICES: _(
        "Look for shared accounts, location sharing, unknown apps and "
        "tracking tags. Change passwords from a device they have never had in their hands."
    ),
    SafetyStep.Step.ROUTES: _("Small changes help: other times, other routes, another shop."),
    SafetyStep.Step.COPY: _(
        "If this device is lost, broken or taken, the record survives. "
        "A printed or saved copy, kept somewhere safe, is enough."
    ),
}


class Status(enum.StrEnum):
    DONE = "done"
    UNDER_WAY = "under_way"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {"done": _("Done"), "under_way": _("Under way"), "not_yet": _("Not yet")}[self.value]


# --- query helpers --------------------------------------------------------------------------


def _first_notice_of_case() -> Subquery:
    """When the incident's own person was first told to stop (None if never): per case, so a
    notice to one person does not count against incidents about another."""
    notices = NoContactNotice.objects.live().filter(case=OuterRef("case")).order_by("given_at")
    return Subquery(notices.values("given_at")[:1])


def _has_evidence() -> Exists:
    return Exists(Evidence.objects.live().filter(incident=OuterRef("pk")))


def incidents_after_first_notice(user: User) -> QuerySet[Incident]:
    """The user's live incidents that happened after their person's first live notice."""
    return (
        Incident.objects.owned_by(user)
        .live()
        .annotate(first_notice_at=_first_notice_of_case())
        .filter(occurred_at__gt=F("first_notice_at"))
    )


def incidents_needing_details(user: User, case=None) -> QuerySet[Incident]:
    """Live incidents with neither exact words nor a live evidence file, newest first."""
    return (
        Incident.objects.owned_by(user)
        .live()
        .for_person(case)
        .filter(exact_words="")
        .exclude(_has_evidence())
        .order_by("-occurred_at", "-id")
    )


@dataclass(frozen=True)
class IncidentFigures:
    total: int
    with_evidence: int
    needing_details: int
    latest: datetime | None
    after_notice: int
    after_notice_times: int  # the sum of their counts: "14 calls" counts 14
    # After the notice, by the user's own answer to "what you did" (never by a default).
    replies_after_notice: int
    no_reply_after_notice: int  # did not respond, or blocked, or called the police
    other_after_notice: int  # "something else"
    unrecorded_after_notice: int  # not answered, or a pre-filled answer never confirmed
    unrecorded: int  # the same, over all the incidents
    last_reply: datetime | None

    @property
    def days_since_latest(self) -> int | None:
        return _days_since(self.latest)

    @property
    def days_since_reply(self) -> int | None:
        return _days_since(self.last_reply)


def _days_since(moment: datetime | None) -> int | None:
    """Whole calendar days in the user's time zone (0 = today)."""
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localdate(moment)).days


def incident_figures(incidents: QuerySet[Incident]) -> IncidentFigures:
    """Everything the checklist (and the dossier) counts about these incidents, in one query."""
    after = Q(occurred_at__gt=F("first_notice_at"))
    answered = ~ANSWER_MISSING
    replied = answered & Q(response=Incident.Response.REPLIED)
    no_reply = answered & Q(response__in=NO_REPLY)
    other = answered & Q(response=Incident.Response.OTHER)
    figures = incidents.annotate(
        first_notice_at=_first_notice_of_case(), has_evidence=_has_evidence()
    ).aggregate(
        total=Count("id"),
        with_evidence=Count("id", filter=Q(has_evidence=True)),
        needing_details=Count("id", filter=Q(has_evidence=False, exact_words="")),
        latest=Max("occurred_at"),
        after_notice=Count("id", filter=after),
        after_notice_times=Sum("count", filter=after, default=0),
        replies_after_notice=Count("id", filter=after & replied),
        no_reply_after_notice=Count("id", filter=after & no_reply),
        other_after_notice=Count("id", filter=after & other),
        unrecorded_after_notice=Count("id", filter=after & ANSWER_MISSING),
        unrecorded=Count("id", filter=ANSWER_MISSING),
        last_reply=Max("occurred_at", filter=replied),
    )
    return IncidentFigures(**figures)


def safety_steps(user: User) -> dict[str, SafetyStep]:
    """The steps the user has ticked, by step."""
    return {step.step: step for step in SafetyStep.objects.owned_by(user)}


# --- the four steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class BeClear:
    title: ClassVar[str] = _("Be clear")
    status: Status
    notices: list[NoContactNotice]
    first_notice: NoContactNotice | None
    incidents_after: int
    times_after: int


@dataclass(frozen=True)
class Document:
    title: ClassVar[str] = _("Document everything")
    status: Status
    total: int
    with_evidence: int
    days_since_latest: int | None
    # Not run until read (the dashboard does not need it); once read, kept.
    needing_details: QuerySet[Incident]
    needing_details_count: int
    imported: ImportedTotals  # messages and calls imported from the phone, by file

    @property
    def needing_details_more(self) -> int:
        return self.needing_details_count - len(self.needing_details)


@dataclass(frozen=True)
class TalkToPolice:
    title: ClassVar[str] = _("Talk to the police")
    status: Status
    contacts: list[PoliceContact]
    references: list[str]
    next_follow_up: date | None
    overdue: list[PoliceContact]


@dataclass(frozen=True)
class Consistency:
    title: ClassVar[str] = _("Consistency")
    status: Status
    has_notice: bool
    incidents_after_notice: int
    replies_after_notice: int
    no_reply_after_notice: int
    other_after_notice: int
    unrecorded_after_notice: int
    unrecorded: int
    last_reply: datetime | None
    days_since_reply: int | None
    # With no reply ever: days since the first notice (None without a notice).
    days_since_notice: int | None


@dataclass(frozen=True)
class ChecklistStatus:
    be_clear: BeClear
    document: Document
    police: TalkToPolice
    consistency: Consistency

    @property
    def steps(self) -> list:
        return [self.be_clear, self.document, self.police, self.consistency]

    @property
    def done_count(self) -> int:
        return sum(step.status == Status.DONE for step in self.steps)

    @property
    def next_step(self):
        """The first of the three one-off steps not done yet, or None. (Consistency goes on
        for as long as the case does; it is never the "next" thing to do.)"""
        return next((step for step in self.steps[:3] if step.status != Status.DONE), None)


def checklist_status(user: User, case=None) -> ChecklistStatus:
    """The four steps as the user's records show them (one person's, with `case`): four
    queries, and a fifth when the entries lacking details are read, whatever the log's size."""
    notices = NoContactNotice.objects.owned_by(user).live().for_person(case)
    contacts = PoliceContact.objects.owned_by(user).live().for_person(case)
    notices = list(notices.order_by("given_at", "id"))
    contacts = list(contacts.order_by("contacted_at", "id"))
    figures = incident_figures(Incident.objects.owned_by(user).live().for_person(case))
    first = notices[0] if notices else None
    imported = ImportedTotals(imported_files(user, case))
    return ChecklistStatus(
        be_clear=BeClear(
            status=Status.DONE if first else Status.NOT_YET,
            notices=notices,
            first_notice=first,
            incidents_after=figures.after_notice,
            times_after=figures.after_notice_times,
        ),
        document=Document(
            status=Status.DONE if figures.total or imported.files else Status.NOT_YET,
            total=figures.total,
            with_evidence=figures.with_evidence,
            days_since_latest=figures.days_since_latest,
            needing_details=incidents_needing_details(user, case)[:NEEDS_DETAILS_SHOWN],
            needing_details_count=figures.needing_details,
            imported=imported,
        ),
        police=_police_step(contacts),
        consistency=_consistency_step(figures, first),
    )


def _police_step(contacts: list[PoliceContact]) -> TalkToPolice:
    today = timezone.localdate()
    references = [c.reference.strip() for c in contacts if c.reference.strip()]
    pending = [c for c in contacts if c.follow_up_on and not c.follow_up_done]
    upcoming = [c.follow_up_on for c in pending if c.follow_up_on >= today]
    # Spoken to them but no report number: under way, as nobody can find the case again.
    status = Status.DONE if references else Status.UNDER_WAY if contacts else Status.NOT_YET
    return TalkToPolice(
        status=status,
        contacts=contacts,
        references=list(dict.fromkeys(references)),
        next_follow_up=min(upcoming, default=None),
        overdue=sorted(
            (c for c in pending if c.follow_up_on < today), key=lambda c: c.follow_up_on
        ),
    )


# How far ahead the dashboard looks for police follow-ups and orders running out.
FOLLOW_UP_NOTICE_DAYS = 14
ORDER_EXPIRY_NOTICE_DAYS = 30


@dataclass(frozen=True)
class Reminder:
    text: str
    url: str
    urgent: bool


def reminders(user: User, police: TalkToPolice, case: Case | None = None) -> list[Reminder]:
    """Police follow-ups due soon or overdue (those in `police`), and court orders about to run
    out (one person's, with `case`)."""
    today = timezone.localdate()
    found = [
        Reminder(
            _("Follow-up with the police was due on %(date)s.")
            % {"date": date_format(c.follow_up_on, "SHORT_DATE_FORMAT")},
            c.get_absolute_url(),
            urgent=True,
        )
        for c in police.overdue
    ]
    soon = today + timedelta(days=FOLLOW_UP_NOTICE_DAYS)
    for contact in police.contacts:
        due = contact.follow_up_on
        if due and not contact.follow_up_done and today <= due <= soon:
            when = local_formats.when(due, "SHORT_DATE_FORMAT", weekday=True)
            if contact.reference:
                text = _("Follow up with the police on %(date)s (report %(reference)s).") % {
                    "date": when,
                    "reference": contact.reference,
                }
            else:
                text = _("Follow up with the police on %(date)s.") % {"date": when}
            found.append(Reminder(text, contact.get_absolute_url(), False))
    expiring = (
        ProtectiveOrder.objects.owned_by(user)
        .live()
        .for_person(case)
        .filter(
            expires_on__gte=today, expires_on__lte=today + timedelta(days=ORDER_EXPIRY_NOTICE_DAYS)
        )
    )
    for order in expiring:
        found.append(_order_reminder(order, (order.expires_on - today).days))
    return found


def _order_reminder(order: ProtectiveOrder, days: int) -> Reminder:
    values = {
        "order": order.get_order_type_display(),
        "date": date_format(order.expires_on, "SHORT_DATE_FORMAT"),
    }
    if days == 0:
        text = _(
            "%(order)s: it runs out today (%(date)s). Ask the court or a lawyer about extending it."
        )
    else:
        text = ngettext(
            "%(order)s: it runs out in %(days)d day (%(date)s). Ask the court or a lawyer about "
            "extending it.",
            "%(order)s: it runs out in %(days)d days (%(date)s). Ask the court or a lawyer about "
            "extending it.",
            days,
        )
    return Reminder(text % {**values, "days": days}, order.get_absolute_url(), days <= 7)


def _consistency_status(figures: IncidentFigures, first: NoContactNotice | None) -> Status:
    """Done only from the user's own answers: after a notice, with at least one incident since,
    every one of them answered, and none a reply."""
    if not figures.total:
        return Status.NOT_YET  # nothing logged, nothing to show
    if not first:
        # Consistency is counted from the notice; a reply before it is still worth seeing.
        return Status.UNDER_WAY if figures.last_reply else Status.NOT_YET
    held = figures.after_notice and not figures.unrecorded_after_notice
    return Status.DONE if held and not figures.replies_after_notice else Status.UNDER_WAY


def _consistency_step(figures: IncidentFigures, first: NoContactNotice | None) -> Consistency:
    return Consistency(
        status=_consistency_status(figures, first),
        has_notice=first is not None,
        incidents_after_notice=figures.after_notice,
        replies_after_notice=figures.replies_after_notice,
        no_reply_after_notice=figures.no_reply_after_notice,
        other_after_notice=figures.other_after_notice,
        unrecorded_after_notice=figures.unrecorded_after_notice,
        unrecorded=figures.unrecorded,
        last_reply=figures.last_reply,
        days_since_reply=figures.days_since_reply,
        days_since_notice=_days_since(first.given_at) if first else None,
    )


# --- help contacts --------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpContact:
    name: str
    contact: str
    note: str = ""

    @property
    def href(self) -> str:
        """A link the phone can follow: web pages, phone numbers and e-mail addresses."""
        if self.contact.lower().startswith(("https://", "http://")):
            return self.contact
        digits = self.contact.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
        if digits.lstrip("+").isdigit():
            return f"tel:{digits}"
        if "@" in self.contact and " " not in self.contact:
            return f"mailto:{self.contact}"
        return ""  # "Text SHOUT to 85258" and the like are shown as they are


@dataclass(frozen=True)
class HelpInfo:
    emergency_number: str
    contacts: list[HelpContact]

    @property
    def emergency_href(self) -> str:
        return HelpContact("", self.emergency_number).href


@cache
def parse_help_contacts(raw: str) -> tuple[HelpContact, ...]:
    """Entries "Name|phone or link|short note" separated by ";". The note may be left out.

    A malformed entry is skipped with a warning in the server's log (once per value, thanks
    to the cache), so one typo does not hide the other numbers.
    """
    contacts = []
    for entry in raw.split(";"):
        if not entry.strip():
            continue
        parts = [part.strip() for part in entry.split("|")]
        if len(parts) == 2:
            parts.append("")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            logger.warning(
                "HELP_CONTACTS: skipped %r; write each entry as Name|phone or link|short note",
                entry.strip(),
            )
            continue
        contacts.append(HelpContact(*parts))
    return tuple(contacts)


def help_info() -> HelpInfo:
    """The emergency number and support services the host configured for their country, or,
    where they configured none, the national ones of the user's legal system."""
    legal = jurisdictions.current()
    contacts = list(parse_help_contacts(settings.HELP_CONTACTS)) or [
        HelpContact(contact.name, contact.contact) for contact in legal.help_contacts
    ]
    return HelpInfo(
        emergency_number=settings.HELP_EMERGENCY_NUMBER.strip() or legal.emergency_number,
        contacts=contacts,
    )
