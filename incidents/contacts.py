"""Imported messages and calls, counted: a day's contacts with one person as one line of the
timeline, totals for home, plain times for the charts and the steps. The counting happens in the
database, grouped by day and person, so a page asks the same number of questions whether the
phone held ten messages or two hundred thousand."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case as If
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .local_days import as_day, local_day, local_hour
from .local_formats import grouped
from .models import Call, Case, Message, MessageImport, User
from .models.kinds import CALL, MESSAGE, RecordKind
from .models.messages import Direction

# How a received call's outcome is counted in words ("4 missed calls"); sent calls are "calls".
CALL_WORDS = {
    Call.Outcome.MISSED: lambda n: ngettext("%(n)s missed call", "%(n)s missed calls", n),
    Call.Outcome.REJECTED: lambda n: ngettext("%(n)s rejected call", "%(n)s rejected calls", n),
    Call.Outcome.BLOCKED: lambda n: ngettext("%(n)s blocked call", "%(n)s blocked calls", n),
    Call.Outcome.VOICEMAIL: lambda n: ngettext(
        "%(n)s call to voicemail", "%(n)s calls to voicemail", n
    ),
    Call.Outcome.ANSWERED: lambda n: ngettext("%(n)s answered call", "%(n)s answered calls", n),
    Call.Outcome.UNANSWERED: lambda n: ngettext("%(n)s unanswered call", "%(n)s calls", n),
}


def texts(n: int, chats: bool = False) -> str:
    """'3 texts' (SMS), or '3 messages' when some came through a chat app or e-mail."""
    if chats:
        return ngettext("%(n)s message", "%(n)s messages", n) % {"n": grouped(n)}
    return ngettext("%(n)s text", "%(n)s texts", n) % {"n": grouped(n)}


def calls(n: int) -> str:
    return ngettext("%(n)s call", "%(n)s calls", n) % {"n": grouped(n)}


def listed(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) < 2:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


SMS = (Message.Channel.SMS, Message.Channel.MMS)
CHAT = "chat"  # a message's grouping mark when it is not SMS (calls group by their outcome)


def person_name(name: str) -> str:
    return name or _("the person")


@dataclass
class ContactDay:
    """One person's imported messages and calls on one day (in the user's time zone)."""

    case_uuid: str
    person: str  # as the user named them; empty when unknown
    is_demo: bool
    day: date
    first: datetime
    last: datetime
    texts_in: int = 0
    texts_out: int = 0
    calls_in: dict[str, int] = field(default_factory=dict)  # received calls by outcome
    calls_out: int = 0
    hidden: int = 0  # left out of the dossier
    chats: bool = False  # some messages are not SMS: they are called messages, not texts

    @property
    def total(self) -> int:
        return self.received + self.sent

    @property
    def received(self) -> int:
        return self.texts_in + sum(self.calls_in.values())

    @property
    def sent(self) -> int:
        return self.texts_out + self.calls_out

    def received_words(self) -> str:
        parts = [texts(self.texts_in, self.chats)] if self.texts_in else []
        for outcome, words in CALL_WORDS.items():
            if n := self.calls_in.get(outcome):
                parts.append(words(n) % {"n": grouped(n)})
        return listed(parts)

    def sent_words(self) -> str:
        parts = [texts(self.texts_out, self.chats)] if self.texts_out else []
        if self.calls_out:
            parts.append(calls(self.calls_out))
        return listed(parts)

    @property
    def what(self) -> str:
        """'23 texts and 4 missed calls from Sam' (and what was sent to them, if anything)."""
        names = {"person": person_name(self.person)}
        received, sent = self.received_words(), self.sent_words()
        if received and sent:
            return _("%(received)s from %(person)s; %(sent)s to %(person)s") % {
                **names,
                "received": received,
                "sent": sent,
            }
        if received:
            return _("%(contacts)s from %(person)s") % {**names, "contacts": received}
        return _("%(contacts)s to %(person)s") % {**names, "contacts": sent}

    @property
    def when(self) -> str:
        """'21:02 to 23:40', or 'at 21:02' for one moment."""
        start = date_format(timezone.localtime(self.first), "TIME_FORMAT")
        end = date_format(timezone.localtime(self.last), "TIME_FORMAT")
        if start == end:
            return _("at %(time)s") % {"time": start}
        return _("%(start)s to %(end)s") % {"start": start, "end": end}

    @property
    def summary(self) -> str:
        """The timeline's line: '23 texts and 4 missed calls from Sam, 21:02 to 23:40'."""
        return _("%(what)s, %(when)s") % {"what": self.what, "when": self.when}


# --- the queries ----------------------------------------------------------------------------


def imported(kind: RecordKind, user: User, case: Case | None = None) -> QuerySet:
    """The user's live imported items of one kind, for one person or everyone."""
    return kind.model.objects.owned_by(user).live().for_person(case)


def searched(kind: RecordKind, items: QuerySet, query: str) -> QuerySet:
    if not query:
        return items
    matches = Q()
    for name in kind.searched:
        matches |= Q(**{f"{name}__icontains": query})
    return items.filter(matches)


def day_start(day: date) -> datetime:
    """Midnight at the start of a day in the active (the user's) time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def in_days(kind: RecordKind, items: QuerySet, start: date | None, end: date | None):
    """Items from the start of day `start` to the end of day `end` (None: open), by a range on
    the indexed time rather than a function of it."""
    if start:
        items = items.filter(**{f"{kind.when}__gte": day_start(start)})
    if end:
        items = items.filter(**{f"{kind.when}__lt": day_start(end + timedelta(days=1))})
    return items


def _grouped(kind: RecordKind, items: QuerySet, start, end) -> QuerySet:
    """One row per person, local day, direction and call outcome ("" for texts): how many,
    the first and last times, and how many are hidden."""
    outcome = (
        F("outcome")
        if kind is CALL
        else If(When(channel__in=SMS, then=Value("")), default=Value(CHAT))
    )
    day = local_day(kind.when, items.db, start, end)
    return (
        items.annotate(day=day, what=outcome)
        .values("case__uuid", "case__name", "case__is_demo", "day", "direction", "what")
        .annotate(
            n=Count("id"),
            first=Min(kind.when),
            last=Max(kind.when),
            hidden=Count("id", filter=Q(hidden_at__isnull=False)),
        )
        .order_by()
    )


def contact_days(
    user: User,
    *,
    case: Case | None = None,
    query: str = "",
    start: date | None = None,
    end: date | None = None,
) -> list[ContactDay]:
    """Each day's imported contacts with each person, from day `start` to day `end`, in time
    order: one query (messages and calls grouped, then joined), whatever the number of items."""
    texts_, calls_ = (
        _grouped(
            kind,
            in_days(kind, searched(kind, imported(kind, user, case), query), start, end),
            start,
            end,
        )
        for kind in (MESSAGE, CALL)
    )
    days: dict[tuple, ContactDay] = {}
    for row in texts_.union(calls_, all=True):
        _add_row(days, row)
    return sorted(days.values(), key=lambda day: (day.last, day.case_uuid))


def edge_time(
    user: User,
    *,
    case: Case | None = None,
    query: str = "",
    after: datetime | None = None,
    before: datetime | None = None,
    newest: bool = True,
) -> datetime | None:
    """The time of the newest (or oldest) imported text or call in (after, before] matching
    the search. Each person's items of each kind are read in time order on the (person, time)
    index and the reading stops at the first match, so a page finds where its messages and calls
    are without counting them all: one query."""
    probes = {}
    for kind in (MESSAGE, CALL):
        items = kind.model.objects.live().filter(case=OuterRef("pk"))
        items = searched(kind, items, query)
        if after is not None:
            items = items.filter(**{f"{kind.when}__gt": after})
        if before is not None:
            items = items.filter(**{f"{kind.when}__lte": before})
        order = f"-{kind.when}" if newest else kind.when
        probes[kind.slug] = Subquery(items.order_by(order).values(kind.when)[:1])
    people = Case.objects.owned_by(user)
    if case is not None:
        people = people.filter(pk=case.pk)
    found = [
        at
        for row in people.annotate(**probes).values_list(*probes).order_by()
        for at in row
        if at is not None
    ]
    if not found:
        return None
    return max(found) if newest else min(found)


def _add_row(days: dict, row: dict) -> None:
    day = as_day(row["day"])
    key = (row["case__uuid"], day)
    found = days.get(key)
    if found is None:
        found = days[key] = ContactDay(
            case_uuid=str(row["case__uuid"]),
            person=row["case__name"],
            is_demo=row["case__is_demo"],
            day=day,
            first=row["first"],
            last=row["last"],
        )
    found.first, found.last = min(found.first, row["first"]), max(found.last, row["last"])
    found.hidden += row["hidden"]
    received = row["direction"] == Direction.IN
    outcome = row["what"]
    found.chats |= outcome == CHAT
    if outcome in ("", CHAT):  # a message
        if received:
            found.texts_in += row["n"]
        else:
            found.texts_out += row["n"]
    elif received:
        found.calls_in[outcome] = found.calls_in.get(outcome, 0) + row["n"]
    else:
        found.calls_out += row["n"]


def day_items(user: User, case: Case, day: date) -> list:
    """One person's imported messages and calls of one day, in time order."""
    items = []
    for kind in (MESSAGE, CALL):
        items += in_days(kind, imported(kind, user, case), day, day)
    return sorted(items, key=lambda item: (item_time(item), item.pk))


def item_time(item) -> datetime:
    return item.sent_at if isinstance(item, Message) else item.started_at


def received_times(
    user: User, case: Case | None = None, *, start=None, end=None, per: str = "hour"
) -> list:
    """(time, how many) for the received messages and calls (hidden ones too: the charts count
    what the phone shows), oldest first: for the charts, which count them by week, day and
    hour. Counted in the database by local hour (or, with per="day", by local day, for charts
    by week): the start of each hour or day with how many fell in it."""
    times = []
    for kind in (MESSAGE, CALL):
        items = in_days(kind, imported(kind, user, case), start, end)
        items = items.filter(direction=Direction.IN).order_by()
        local = local_day if per == "day" else local_hour
        rows = (
            items.annotate(bucket=local(kind.when, items.db, start, end))
            .values("bucket")
            .annotate(n=Count("id"))
            .values_list("bucket", "n")
        )
        times += [(_bucket_start(key), n) for key, n in rows]
    return sorted(times)


def _bucket_start(key) -> datetime:
    """The moment a local hour or day starts, from what the database gives: an aware time, a
    date, or SQLite's 'YYYY-MM-DD' or 'YYYY-MM-DD HH'."""
    if isinstance(key, datetime):
        return key
    if isinstance(key, str) and len(key) > 10:
        return timezone.make_aware(datetime.strptime(key, "%Y-%m-%d %H"))
    return day_start(as_day(key))


def received_counts(user: User, case: Case | None = None) -> dict:
    """Received messages and calls in all, in the last 7 and the last 30 days: for home."""
    now = timezone.now()
    totals = {"total": 0, "last_7_days": 0, "last_30_days": 0}
    for kind in (MESSAGE, CALL):
        recent = {
            name: Count("id", filter=Q(**{f"{kind.when}__gte": now - timedelta(days=days)}))
            for name, days in (("last_7_days", 7), ("last_30_days", 30))
        }
        counted = imported(kind, user, case).filter(direction=Direction.IN)
        row = counted.aggregate(total=Count("id"), **recent)
        for name in totals:
            totals[name] += row[name]
    return totals


def _items_of_job(kind: RecordKind) -> Coalesce:
    """How many live items of one kind cite the import job (0 for none): by its source index."""
    items = kind.model.objects.live().filter(source=OuterRef("pk")).order_by()
    counted = items.values("source").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def imported_files(user: User, case: Case | None = None) -> list[MessageImport]:
    """The imports whose messages and calls are in the record (one person's, with `case`), oldest
    first, each with `texts` and `calls` counted and its exhibit: one query."""
    jobs = (
        MessageImport.objects.owned_by(user)
        .select_related("source")
        .annotate(texts=_items_of_job(MESSAGE), calls=_items_of_job(CALL))
        .order_by("created_at", "id")
    )
    if case is not None:
        jobs = jobs.filter(case=case)
    # Filtered here, not in SQL, where the counts would be made twice.
    return [job for job in jobs if job.texts or job.calls]


@dataclass(frozen=True)
class ImportedTotals:
    """What the "Document everything" step says of the imports: how many messages and calls, from
    how many files, with each file's import page."""

    files: list[MessageImport]

    @property
    def texts(self) -> int:
        return sum(job.texts for job in self.files)

    @property
    def calls(self) -> int:
        return sum(job.calls for job in self.files)

    @property
    def chats(self) -> bool:
        return any(job.texts and not job.holds_texts for job in self.files)

    @property
    def by_file(self) -> list[tuple[MessageImport, str]]:
        """Each import with what it added to the record: '4 texts and 1 call'."""
        return [
            (job, texts_and_calls(job.texts, job.calls, not job.holds_texts)) for job in self.files
        ]

    @property
    def words(self) -> str:
        """'1,234 texts and 56 calls imported from 2 files'."""
        n = len({job.source_id for job in self.files})
        return ngettext(
            "%(items)s imported from %(n)s file", "%(items)s imported from %(n)s files", n
        ) % {"items": texts_and_calls(self.texts, self.calls, self.chats), "n": grouped(n)}


def texts_and_calls(text_count: int, call_count: int, chats: bool = False) -> str:
    """'4 texts and 1 call' ('4 messages' with `chats`, as texts() says)."""
    parts = [texts(text_count, chats)] if text_count else []
    if call_count:
        parts.append(calls(call_count))
    return listed(parts)
