"""The dossier's imported messages and calls: the figures for the summary, the communications
section (contacts per week and per day, the notice and police reports marked) and the
transcript appendix, which cites for every item its source exhibit and its place in the file.
Pure data, like dossier.py; the PDF is drawn by pdf.py."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .chart_counts import week_start
from .charts import Chart, LogTimes, weekly_chart
from .contact_charts import counted
from .contact_charts import received as received_words
from .contacts import SMS, ContactDay, item_time, texts_and_calls
from .contacts_notice import AfterNotice
from .history import change_summary
from .local_formats import grouped
from .message_found import confirmations
from .models import Call, Case, Evidence, ExhibitLink, Message
from .models.kinds import CALL, MESSAGE
from .models.messages import Direction

HISTORY = ("revisions", "trash_events")
# A message's pictures kept as exhibits: its own, and ones already held that it was linked to.
PICTURES = (
    Prefetch("evidence", Evidence.objects.live().only("exhibit_number", "message_id"), "pictures"),
    Prefetch(
        "exhibit_links",
        ExhibitLink.objects.filter(evidence__deleted_at__isnull=True).select_related("evidence"),
        "picture_links",
    ),
)
TRANSCRIPT_PER_PART = 400  # items per separately drawn (and cached) part of the transcript


@dataclass
class Source:
    """One export file the transcript cites: its exhibit, and how many items it gave."""

    exhibit_number: int
    name: str
    sha256: str
    size: int
    items: int
    texts: int = 0
    calls: int = 0
    chats: bool = False  # its messages came through a chat app or e-mail: not called texts
    first: datetime | None = None
    last: datetime | None = None
    # What the person keeping the log confirmed when importing it (the phone's time zone, the
    # order of day and month, who is who in a chat), as their statements; the file's warnings.
    said: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def holds(self) -> str:
        """'4 texts and 1 call', as this transcript prints them."""
        return texts_and_calls(self.texts, self.calls, self.chats)

    @property
    def stretch(self) -> str:
        """'1 May 2024 to 3 May 2024', or '5 May 2024' for one day (in the user's zone)."""
        first, last = (
            date_format(timezone.localdate(at), "SHORT_DATE_FORMAT")
            for at in (self.first, self.last)
        )
        if first == last:
            return first
        return _("%(first)s to %(last)s") % {"first": first, "last": last}


@dataclass
class Communications:
    """Everything the dossier says about imported messages and calls."""

    received: int = 0
    sent: int = 0
    first: datetime | None = None
    last: datetime | None = None
    received_words: str = ""
    after_notice: AfterNotice | None = None
    days: list[ContactDay] = field(default_factory=list)
    weekly_chart: Chart | None = None
    transcript: list = field(default_factory=list)  # every item not hidden, in time order
    hidden: int = 0
    sources: list[Source] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # for the changes appendix

    @property
    def any(self) -> bool:
        return bool(self.days)


def _in_period(kind, items: QuerySet, options) -> QuerySet:
    return items.in_period(kind.when, options.date_from, options.date_to)


def _items(case: Case, options) -> list:
    """Every live imported item of the case in the period, in time order, with its source."""
    items = []
    for kind in (MESSAGE, CALL):
        rows = _in_period(kind, kind.model.objects.filter(case=case).live(), options)
        rows = rows.select_related("source__source").prefetch_related(*HISTORY)
        if kind is MESSAGE:
            rows = rows.prefetch_related(*PICTURES)
        items += rows
    return sorted(items, key=lambda item: (item_time(item), item.pk))


def communications(user, case: Case, options, notices, police) -> Communications:
    """The dossier's communications for one case and period (user: its owner)."""
    items = _items(case, options)
    if not items:
        return Communications()
    shown = [item for item in items if not item.is_hidden]
    received = [item_time(i) for i in shown if i.direction == Direction.IN]
    comms = Communications(
        received=len(received),
        sent=len(shown) - len(received),
        first=item_time(shown[0]) if shown else None,
        last=item_time(shown[-1]) if shown else None,
        days=_days(case, shown),
        transcript=shown,
        hidden=len(items) - len(shown),
        sources=_sources(shown),
        changes=_changes(items),
    )
    comms.received_words = listed_received(comms.days)
    if notices:
        comms.after_notice = _after_notice(shown, notices[0].given_at)
    comms.weekly_chart = _chart(received, notices, police, options)
    return comms


def _days(case: Case, shown: list) -> list[ContactDay]:
    """Each day's messages and calls in the dossier (those not hidden), counted as the timeline
    counts them."""
    days: dict[date, ContactDay] = {}
    for item in shown:
        at = item_time(item)
        on = timezone.localdate(at)
        day = days.get(on)
        if day is None:
            day = days[on] = ContactDay(str(case.uuid), case.name, case.is_demo, on, at, at)
        day.last = at
        received = item.direction == Direction.IN
        if isinstance(item, Message):
            day.texts_in += received
            day.texts_out += not received
            day.chats |= item.channel not in SMS
        elif received:
            day.calls_in[item.outcome] = day.calls_in.get(item.outcome, 0) + 1
        else:
            day.calls_out += 1
    return list(days.values())


def listed_received(days: list[ContactDay]) -> str:
    """'140 texts and 12 missed calls' over all the days."""
    total = ContactDay("", "", False, date.min, None, None)
    for day in days:
        total.texts_in += day.texts_in
        total.chats |= day.chats
        for outcome, n in day.calls_in.items():
            total.calls_in[outcome] = total.calls_in.get(outcome, 0) + n
    return total.received_words()


def _after_notice(shown: list, notice_at: datetime) -> AfterNotice:
    """What the dossier's items show after the notice, as the steps page counts it."""
    found = AfterNotice()
    own_days = set()
    for item in shown:
        at = item_time(item)
        if at <= notice_at:
            continue
        received = item.direction == Direction.IN
        if isinstance(item, Message):
            found.texts_in += received
            found.texts_out += not received
        elif received:
            found.calls_in[item.outcome] = found.calls_in.get(item.outcome, 0) + 1
            found.calls_answered += item.outcome == Call.Outcome.ANSWERED
        else:
            found.calls_made += 1
        if not received or getattr(item, "outcome", "") == Call.Outcome.ANSWERED:
            own_days.add(timezone.localdate(at))
    found.own_days = sorted(own_days)
    return found


def _sources(shown: list) -> list[Source]:
    """Each export file the shown items come from (items in time order): how many of each
    kind it gave, over which stretch of time, and what the user confirmed about it."""
    found: dict[int, Source] = {}
    for item in shown:
        job = item.source
        source = found.get(item.source_id)
        if source is None:
            exhibit = job.source
            source = found[item.source_id] = Source(
                exhibit.exhibit_number,
                exhibit.original_name,
                exhibit.sha256,
                exhibit.size,
                0,
                chats=not job.holds_texts,
                first=item_time(item),
                said=tuple(confirmations(job, dossier=True)),
                warnings=tuple(job.warnings),
            )
        source.items += 1
        source.texts += isinstance(item, Message)
        source.calls += isinstance(item, Call)
        source.last = item_time(item)
    return sorted(found.values(), key=lambda source: source.exhibit_number)


def _changes(items: list) -> list[dict]:
    """Imported items with a note or hidden from the dossier, for the changes appendix."""
    changes = []
    for item in items:
        summary = change_summary(item)
        if summary is not None:
            changes.append({**summary, "title": item_title(item)})
    return changes


def item_title(item) -> str:
    """'Text received 2 May 2024, 21:02 (exhibit 3, item 12)'."""
    when = date_format(timezone.localtime(item_time(item)), "SHORT_DATETIME_FORMAT")
    words = {
        "when": when,
        "exhibit": item.source.source.exhibit_number,
        "element": item.element,
    }
    if isinstance(item, Call):
        return _("Call %(when)s (exhibit %(exhibit)s, item %(element)s)") % words
    if item.channel not in (Message.Channel.SMS, Message.Channel.MMS):
        words["what"] = item.get_channel_display()
        if item.direction == Direction.IN:
            return _("%(what)s received %(when)s (exhibit %(exhibit)s, item %(element)s)") % words
        return _("%(what)s sent %(when)s (exhibit %(exhibit)s, item %(element)s)") % words
    if item.direction == Direction.IN:
        return _("Text received %(when)s (exhibit %(exhibit)s, item %(element)s)") % words
    return _("Text sent %(when)s (exhibit %(exhibit)s, item %(element)s)") % words


def _chart(received: list[datetime], notices, police, options) -> Chart | None:
    """Contacts received per week, from the first to the last that the dossier holds (or its
    last notice or police report, if later), the notice and police reports marked."""
    if not received:
        return None
    times = LogTimes(
        incidents=[(at, 1) for at in received],
        notices=[n.given_at for n in notices],
        police=[p.contacted_at for p in police],
    )
    latest = max([*received, *times.notices, *times.police])
    today = timezone.localdate()
    end = min(options.date_to or today, timezone.localdate(latest), today)
    return weekly_chart(
        times,
        timezone.get_current_timezone(),
        end,
        counted=counted(),
        title=_("Messages and calls received per week"),
        summary=_weekly_words(received),
        ongoing=end == today,
    )


def _weekly_words(received: list[datetime]) -> str:
    """'4 messages and calls received from 1 May 2024 to 3 May 2024; the most in one week: 4,
    in the week of 29 April 2024.'"""
    weeks = Counter(week_start(timezone.localdate(at)) for at in received)
    top_week, top = max(weeks.items(), key=lambda item: (item[1], item[0]))
    return _(
        "%(total)s from %(first)s to %(last)s; the most in one week: %(top)s, in the week of "
        "%(week)s."
    ) % {
        "total": received_words(len(received)),
        "first": date_format(timezone.localtime(received[0]), "DATE_FORMAT"),
        "last": date_format(timezone.localtime(received[-1]), "DATE_FORMAT"),
        "top": grouped(top),
        "week": date_format(top_week, "DATE_FORMAT"),
    }


@dataclass(frozen=True)
class TranscriptRow:
    """One line of the transcript: when (in the user's zone), what, and where in which file."""

    at: datetime
    item: object  # a Message or a Call
    exhibit: int
    pictures: tuple[int, ...] = ()  # the exhibit numbers of a message's pictures

    @property
    def is_call(self) -> bool:
        return isinstance(self.item, Call)


def transcript_chunks(comms: Communications) -> list[list[TranscriptRow]]:
    """The transcript in parts of TRANSCRIPT_PER_PART items, each drawn on its own."""
    rows = [
        TranscriptRow(
            timezone.localtime(item_time(item)),
            item,
            item.source.source.exhibit_number,
            _picture_numbers(item),
        )
        for item in comms.transcript
    ]
    return [rows[i : i + TRANSCRIPT_PER_PART] for i in range(0, len(rows), TRANSCRIPT_PER_PART)]


def _picture_numbers(item) -> tuple[int, ...]:
    own = {picture.exhibit_number for picture in getattr(item, "pictures", ())}
    linked = {link.evidence.exhibit_number for link in getattr(item, "picture_links", ())}
    return tuple(sorted(own | linked))
