"""What goes into a dossier: one case's records for a period, with the figures an officer needs
first (how many, how often, since when, after which warning, how dangerous).

Reads the same helpers as the pages (`incident_figures`, the chart functions), scoped to the
case and the period chosen. Pure data: the PDF is drawn by pdf.py.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from itertools import groupby

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from .charts import Chart, LogTimes, weekly_chart
from .checklist import IncidentFigures, incident_figures
from .custody import Head, chain_head
from .models import (
    Case,
    Evidence,
    ExhibitLink,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    User,
)

PAPER_SIZES = {"A4": "A4", "Letter": "Letter"}


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
        return f"{self.start:%B %Y}"


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
    violations: int
    per_month: list[tuple[date, int]]
    weekly_chart: Chart
    months: list[Month] = field(default_factory=list)
    custody_head: Head | None = None  # the custody log's head once everything above was read

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
    def reports(self) -> list[PoliceContact]:
        return [contact for contact in self.police_contacts if contact.reference.strip()]


def _in_period(records: QuerySet, field_name: str, options: DossierOptions) -> QuerySet:
    """Records of the period, compared by day in the user's (active) time zone."""
    if options.date_from:
        records = records.filter(**{f"{field_name}__date__gte": options.date_from})
    if options.date_to:
        records = records.filter(**{f"{field_name}__date__lte": options.date_to})
    return records


def dossier_data(user: User, options: DossierOptions) -> DossierData:
    """Gather one case's dossier. Call with the user's time zone active."""
    case = Case.objects.owned_by(user).get(uuid=options.case)
    live_evidence = Evidence.objects.live().order_by("received_at", "id")
    incidents_qs = _in_period(case.incidents.live(), "occurred_at", options)
    incidents = list(
        incidents_qs.order_by("occurred_at", "id").prefetch_related(
            Prefetch("evidence", queryset=live_evidence, to_attr="exhibits")
        )
    )
    notices = list(_in_period(case.notices.live(), "given_at", options).order_by("given_at"))
    police = list(
        _in_period(case.police_contacts.live(), "contacted_at", options)
        .order_by("contacted_at")
        .prefetch_related(Prefetch("incidents", queryset=Incident.objects.live()))
    )
    orders = list(case.orders.live().order_by("issued_on"))
    exhibits = _exhibits(case, incidents, notices, police, orders)
    months = _months(incidents)
    return DossierData(
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
        violations=incidents_qs.filter(violates_order=True).count(),
        per_month=[(m.start, len(m.incidents)) for m in months],
        weekly_chart=_weekly_chart(incidents, notices, police, options),
        months=months,
        custody_head=chain_head(),  # last, so that it covers every record read above
    )


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
        .prefetch_related(Prefetch("links", queryset=every_link))
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
