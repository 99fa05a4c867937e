"""What the phone's export shows after the person was first told to stop: the messages and calls
received from them (the notice step), and the user's own messages and calls to them (the
consistency step), stated as facts, with the days they fell on."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Min, Q, Value
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .contacts import (
    CALL_WORDS,
    calls,
    imported,
    in_days,
    listed,
    texts,
)
from .local_days import as_day, local_day
from .local_formats import grouped
from .models import Case, NoContactNotice, User
from .models.kinds import CALL, MESSAGE, RecordKind
from .models.messages import Direction

DAYS_NAMED = 5  # more days than this are given as a count and a span


@dataclass
class AfterNotice:
    """Imported messages and calls after each person's first notice."""

    texts_in: int = 0
    calls_in: dict[str, int] = field(default_factory=dict)
    texts_out: int = 0
    calls_made: int = 0
    calls_answered: int = 0
    own_days: list[date] = field(default_factory=list)  # days with the user's own contact

    @property
    def received(self) -> int:
        return self.texts_in + sum(self.calls_in.values())

    @property
    def own(self) -> int:
        return self.texts_out + self.calls_made + self.calls_answered

    @property
    def received_words(self) -> str:
        """'140 texts and 12 missed calls'."""
        parts = [texts(self.texts_in)] if self.texts_in else []
        parts += [
            words(n) % {"n": grouped(n)}
            for outcome, words in CALL_WORDS.items()
            if (n := self.calls_in.get(outcome))
        ]
        return listed(parts)

    @property
    def own_words(self) -> str:
        """'2 texts sent, 1 call made and 1 call answered, on 3 and 4 May'."""
        parts = []
        if self.texts_out:
            parts.append(_("%(texts)s sent") % {"texts": texts(self.texts_out)})
        if self.calls_made:
            parts.append(_("%(calls)s made") % {"calls": calls(self.calls_made)})
        if self.calls_answered:
            parts.append(_("%(calls)s answered") % {"calls": calls(self.calls_answered)})
        return _("%(what)s, %(when)s") % {"what": listed(parts), "when": days_words(self.own_days)}


def days_words(days: list[date]) -> str:
    """'on 3 and 4 May', or 'on 9 days from 3 May to 2 June'."""
    if len(days) > DAYS_NAMED:
        return _("on %(n)s days from %(first)s to %(last)s") % {
            "n": len(days),
            "first": date_format(days[0], "DATE_FORMAT"),
            "last": date_format(days[-1], "DATE_FORMAT"),
        }
    return _("on %(days)s") % {"days": listed([date_format(day, "DATE_FORMAT") for day in days])}


def first_notices(user: User, case: Case | None = None) -> dict[int, datetime]:
    """Each person's first live notice: {case id: when}."""
    notices = NoContactNotice.objects.owned_by(user).live().for_person(case)
    return dict(
        notices.values("case_id").annotate(first=Min("given_at")).values_list("case_id", "first")
    )


def _after(kind: RecordKind, user: User, case, start, end, notices: dict):
    """Items after their own person's first notice: a time range per person, on the index."""
    after = Q(pk__in=[])
    for case_id, given_at in notices.items():
        after |= Q(case_id=case_id, **{f"{kind.when}__gt": given_at})
    return in_days(kind, imported(kind, user, case), start, end).filter(after)


def after_first_notice(
    user: User,
    case: Case | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    notices: dict[int, datetime] | None = None,
) -> AfterNotice:
    """Each person's imported messages and calls after their own first notice (from day `start`
    to day `end`, if given): two queries, and one more unless `notices` gives each person's
    first notice (see first_notices)."""
    found = AfterNotice()
    notices = first_notices(user, case) if notices is None else notices
    if not notices:
        return found
    counted = [
        _after(kind, user, case, start, end, notices)
        .annotate(what=F("outcome") if kind is CALL else Value(""))
        .values("direction", "what")
        .annotate(n=Count("id"))
        .order_by()
        for kind in (MESSAGE, CALL)
    ]
    for row in counted[0].union(counted[1], all=True):
        _count(found, row)
    found.own_days = _own_days(user, case, start, end, notices)
    return found


def _count(found: AfterNotice, row: dict) -> None:
    n, what = row["n"], row["what"]
    if row["direction"] == Direction.OUT:
        if what:
            found.calls_made += n
        else:
            found.texts_out += n
    elif not what:
        found.texts_in += n
    else:
        found.calls_in[what] = found.calls_in.get(what, 0) + n
        if what == "answered":
            found.calls_answered += n


def _own_days(user: User, case, start, end, notices: dict) -> list[date]:
    """The days (in the user's zone) with a text or call from the user, or a call they took."""
    own = Q(direction=Direction.OUT)
    days = []
    for kind in (MESSAGE, CALL):
        items = _after(kind, user, case, start, end, notices)
        items = items.filter(own | Q(outcome="answered") if kind is CALL else own)
        day = local_day(kind.when, items.db, start, end)
        days.append(items.annotate(day=day).values("day").order_by())
    return sorted({as_day(row["day"]) for row in days[0].union(days[1])})
