"""What goes into a dossier: one case's records for a period, with the figures an officer needs
first (how many, how often, since when, after which warning, how dangerous).

Reads the same helpers as the pages (`incident_figures`, the chart functions), scoped to the
case and the period chosen. Pure data: the PDF is drawn by pdf.py.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from itertools import groupby

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from .charts import Chart, LogTimes, weekly_chart
from .checklist import IncidentFigures, incident_figures
from .custody import Head, chain_head
from .dossier_messages import Communications, communications
from .history import change_summary
from .models import (
    Call,
    Case,
    ChainTimestamp,
    Evidence,
    ExhibitLink,
    Incident,
    LifeChange,
    Message,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    TrashEvent,
    User,
)
from .models.kinds import kind_for

PAPER_SIZES = {"A4": "A4", "Letter": "Letter"}
# The imported messages and calls each incident cites, with their source exhibits (the log cites
# them, and history reads them).
_CITED = [
    Prefetch(name, queryset=model.objects.select_related("source__source"))
    for name, model in (("messages", Message), ("calls", Call))
]
# Read with each record, for the changes appendix.
HISTORY = ("revisions", "trash_events")


@dataclass(frozen=True)
class DossierOptions:
    """What the user chose on the dossier form; stored with the job as JSON."""

    case: str  # the case's uuid
    date_from: date | None = None
    date_to: date | None = None
    include_effects: bool = True
    include_images: bool = True
    paper: str = "A4"
    short: bool = False
    prepared_by: str = ""
    # The dossier's language ("": the owner's), so it can be made in English for an officer.
    language: str = ""
    # "Shared with <recipient> on <date>", at the foot of every page of a copy made for a share.
    shared_with: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        for name in ("date_from", "date_to"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "DossierOptions":
        data = dict(data)
        for name in ("date_from", "date_to"):
            data[name] = date.fromisoformat(data[name]) if data.get(name) else None
        return cls(**data)


@dataclass
class Month:
    start: date
    incidents: list[Incident]

    @property
    def title(self) -> str:
        return capfirst(date_format(self.start, "YEAR_MONTH_FORMAT"))


@dataclass(frozen=True)
class EffectFigures:
    """How the incidents affected the person, from their own answers only."""

    levels: list[tuple[str, int]]  # (the answer as offered on the form, incidents), worst first
    answered: int
    not_recorded: int
    most_severe: str  # the worst answer given, or "" when none was
    most_severe_first: datetime | None  # the first incident with that answer

    @property
    def total(self) -> int:
        return self.answered + self.not_recorded


def effect_figures(incidents: list[Incident]) -> EffectFigures:
    """Counts per effect level over the incidents that have one; the rest are "not recorded"."""
    answered = [i for i in incidents if i.effect_level is not None]
    labels = dict(Incident.Effect.choices)
    levels = sorted({i.effect_level for i in answered}, reverse=True)
    counts = [(labels[level], sum(i.effect_level == level for i in answered)) for level in levels]
    worst = levels[0] if levels else None
    first = next((i.occurred_at for i in answered if i.effect_level == worst), None)
    return EffectFigures(
        levels=counts,
        answered=len(answered),
        not_recorded=len(incidents) - len(answered),
        most_severe=labels[worst] if worst is not None else "",
        most_severe_first=first,
    )


@dataclass
class DossierData:
    case: Case
    options: DossierOptions
    prepared_by: str
    generated_at: datetime
    time_zone: str
    incidents: list[Incident]
    notices: list[NoContactNotice]
    police_contacts: list[PoliceContact]
    orders: list[ProtectiveOrder]
    exhibits: list[Evidence]
    figures: IncidentFigures
    contacts: int  # the sum of the incidents' counts
    danger: list[tuple[str, int]]
    life_changes: list[LifeChange]
    effect: EffectFigures
    per_month: list[tuple[date, int]]
    weekly_chart: Chart
    months: list[Month] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # see history.change_summary
    trashed: list[dict] = field(default_factory=list)  # see _trashed
    custody_head: Head | None = None  # the custody log's head once everything above was read
    # The newest trusted timestamp over that head or an earlier one (None: none was made), and
    # whether this server asks for them at all (TIMESTAMP_URL).
    timestamp: ChainTimestamp | None = None
    timestamps_on: bool = False
    # Imported messages and calls: the summary's counts, the communications section, the transcript.
    communications: Communications = field(default_factory=Communications)

    @property
    def first(self) -> datetime | None:
        return self.incidents[0].occurred_at if self.incidents else None

    @property
    def last(self) -> datetime | None:
        return self.incidents[-1].occurred_at if self.incidents else None

    @property
    def weeks_covered(self) -> float:
        if not self.incidents:
            return 0
        return max((self.last - self.first).days + 1, 7) / 7

    @property
    def per_week(self) -> float:
        return len(self.incidents) / self.weeks_covered if self.incidents else 0

    @property
    def first_notice(self) -> NoContactNotice | None:
        return self.notices[0] if self.notices else None

    @property
    def breaches(self) -> list[Incident]:
        """The incidents the person marked as breaking a court order."""
        return [incident for incident in self.incidents if incident.violates_order]

    # The summary lists this many breaches and changes to daily life; the rest are counted and
    # given in full in the background section, so that the summary stays on its first page.
    SUMMARY_LIST = 10

    @property
    def breaches_listed(self) -> list[Incident]:
        return self.breaches[: self.SUMMARY_LIST]

    @property
    def breaches_more(self) -> int:
        return max(len(self.breaches) - self.SUMMARY_LIST, 0)

    @property
    def life_changes_listed(self) -> list[LifeChange]:
        return self.life_changes[: self.SUMMARY_LIST]

    @property
    def life_changes_more(self) -> int:
        return max(len(self.life_changes) - self.SUMMARY_LIST, 0)

    @property
    def reports(self) -> list[PoliceContact]:
        return [contact for contact in self.police_contacts if contact.reference.strip()]


def _in_period(records: QuerySet, options: DossierOptions) -> QuerySet:
    """Records of the dossier's period, by the day each happened (see models/kinds.py)."""
    when = kind_for(records.model).when
    return records.in_period(when, options.date_from, options.date_to)


def _cite_breaches(orders: list[ProtectiveOrder], incidents: list[Incident]) -> list:
    """Give each order the marked breaches that happened while it was in force (`breaches`), so
    that its section can cite them; a breach outside every order's dates stays in the summary."""
    marked = [incident for incident in incidents if incident.violates_order]
    for order in orders:
        order.breaches = [
            incident
            for incident in marked
            if order.is_in_force(timezone.localdate(incident.occurred_at))
        ]
    return orders


def _life_changes(case: Case, options: DossierOptions) -> list[LifeChange]:
    changes = _in_period(case.life_changes.live(), options)
    return list(changes.order_by("changed_on", "id").prefetch_related(*HISTORY))


def dossier_data(user: User, options: DossierOptions) -> DossierData:
    """Gather one case's dossier. Call with the user's time zone active."""
    case = Case.objects.owned_by(user).get(uuid=options.case)
    live_evidence = Evidence.objects.live().order_by("received_at", "id")
    incidents_qs = _in_period(case.incidents.live(), options)
    incidents = list(
        incidents_qs.order_by("occurred_at", "id").prefetch_related(
            Prefetch("evidence", queryset=live_evidence, to_attr="exhibits"),
            *_CITED,
            *HISTORY,
        )
    )
    notices = list(
        _in_period(case.notices.live(), options).order_by("given_at").prefetch_related(*HISTORY)
    )
    police = list(
        _in_period(case.police_contacts.live(), options)
        .order_by("contacted_at")
        .prefetch_related(Prefetch("incidents", queryset=Incident.objects.live()), *HISTORY)
    )
    orders = _cite_breaches(
        list(case.orders.live().order_by("issued_on").prefetch_related(*HISTORY)), incidents
    )
    exhibits = _exhibits(case, incidents, notices, police, orders)
    months = _months(incidents)
    life_changes = _life_changes(case, options)
    comms = communications(user, case, options, notices, police)
    data = DossierData(
        case=case,
        options=options,
        prepared_by=options.prepared_by or user.get_full_name() or user.username,
        generated_at=timezone.localtime(),
        time_zone=str(timezone.get_current_timezone()),
        incidents=incidents,
        notices=notices,
        police_contacts=police,
        orders=orders,
        exhibits=exhibits,
        figures=incident_figures(incidents_qs),
        contacts=incidents_qs.aggregate(n=Sum("count", default=0))["n"],
        danger=_danger_counts(incidents_qs),
        life_changes=life_changes,
        effect=effect_figures(incidents),
        per_month=[(m.start, len(m.incidents)) for m in months],
        weekly_chart=_weekly_chart(incidents, notices, police, options),
        months=months,
        changes=[
            *_changes(incidents, [*notices, *police, *orders, *life_changes], exhibits),
            *comms.changes,
        ],
        trashed=_trashed(case, options),
        communications=comms,
        custody_head=chain_head(),  # last, so that it covers every record read above
    )
    data.timestamp = ChainTimestamp.objects.filter(
        sequence__lte=data.custody_head.sequence
    ).first()  # the newest first (see incidents.timestamps)
    data.timestamps_on = bool(settings.TIMESTAMP_URL)
    return data


def _exhibits(case, incidents, notices, police, orders) -> list[Evidence]:
    """The files of the records in the dossier (uploaded to them or attached to them as well),
    and documents filed on the case, by number."""
    records = Q(incident__in=incidents) | Q(notice__in=notices) | Q(police_contact__in=police)
    records |= Q(order__in=orders)
    links = list(ExhibitLink.objects.filter(records, evidence__case=case))
    included = records | Q(incident=None, notice=None, police_contact=None, order=None)
    included |= Q(pk__in=[link.evidence_id for link in links])
    every_link = ExhibitLink.objects.select_related(*Evidence.ATTACHMENT_FIELDS)
    items = list(
        case.evidence.live()
        .filter(included)
        .select_related("incident")
        .prefetch_related(Prefetch("links", queryset=every_link), *HISTORY)
    )
    # The log shows each incident's files with their numbers too, those attached as well.
    by_id = {item.id: item for item in items}
    also = defaultdict(list)
    for link in links:
        if link.incident_id and link.evidence_id in by_id:
            also[link.incident_id].append(by_id[link.evidence_id])
    for incident in incidents:
        own = [by_id[e.id] for e in incident.exhibits if e.id in by_id]
        incident.exhibits = sorted(own + also[incident.id], key=lambda item: item.exhibit_number)
    return sorted(items, key=lambda item: item.exhibit_number)


def _changes(incidents, records, exhibits) -> list[dict]:
    """Every record in the dossier that was amended, or trashed and restored, with what was
    first entered and each change: from the prefetched history, no query per record."""
    found = []
    for ref, incident in enumerate(incidents, start=1):
        when = date_format(timezone.localtime(incident.occurred_at), "SHORT_DATETIME_FORMAT")
        found.append((_("Incident %(ref)d (%(when)s)") % {"ref": ref, "when": when}, incident))
    found += [(str(record), record) for record in records]
    found += [(_("Exhibit %(n)d") % {"n": item.exhibit_number}, item) for item in exhibits]
    changes = []
    for title, record in found:
        summary = change_summary(record)
        if summary is not None:
            changes.append({**summary, "title": title})
    return changes


def _trashed(case: Case, options: DossierOptions) -> list[dict]:
    """The case's records in the trash (those of the period, for dated records), when each was
    moved there and the reason given. Not part of the record the dossier states."""
    groups = [
        (_("Incident"), _in_period(case.incidents.in_trash(), options)),
        (_("No-contact notice"), _in_period(case.notices.in_trash(), options)),
        (_("Police contact"), _in_period(case.police_contacts.in_trash(), options)),
        (_("Court order"), case.orders.in_trash()),
        (_("Change to daily life"), case.life_changes.in_trash()),
        (_("Exhibit"), case.evidence.in_trash()),
    ]
    trashed = []
    for kind, records in groups:
        for record in records.prefetch_related("trash_events"):
            moved = [e for e in record.trash_events.all() if e.action == TrashEvent.Action.TRASHED]
            trashed.append(
                {
                    "kind": kind,
                    "label": _trashed_label(record),
                    "at": record.deleted_at,
                    "reason": moved[-1].reason if moved else "",
                }
            )
    return sorted(trashed, key=lambda item: item["at"])


def _trashed_label(record) -> str:
    if isinstance(record, Evidence):
        return _("Exhibit %(n)d, %(name)s") % {
            "n": record.exhibit_number,
            "name": record.caption or record.original_name,
        }
    if isinstance(record, Incident):
        when = date_format(timezone.localtime(record.occurred_at), "SHORT_DATETIME_FORMAT")
        return _("%(when)s: “%(what)s”") % {
            "when": when,
            "what": Truncator(record.description).chars(120),
        }
    return str(record)


def _danger_counts(incidents: QuerySet[Incident]) -> list[tuple[str, int]]:
    counts = incidents.aggregate(
        **{flag: Count("id", filter=Q(**{flag: True})) for flag in Incident.DANGER_FLAGS}
    )
    return [(label, counts[flag]) for flag, label in Incident.DANGER_FLAGS.items() if counts[flag]]


def _months(incidents: list[Incident]) -> list[Month]:
    def month_of(incident: Incident) -> date:
        return timezone.localdate(incident.occurred_at).replace(day=1)

    return [Month(start, list(group)) for start, group in groupby(incidents, key=month_of)]


def _weekly_chart(incidents, notices, police, options: DossierOptions) -> Chart:
    times = LogTimes(
        incidents=[(i.occurred_at, i.count) for i in incidents],
        notices=[n.given_at for n in notices],
        police=[p.contacted_at for p in police],
    )
    today = min(options.date_to or timezone.localdate(), timezone.localdate())
    return weekly_chart(times, timezone.get_current_timezone(), today)
