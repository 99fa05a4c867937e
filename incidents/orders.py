"""Court orders beside the incidents: which orders are in force, and whether an incident's kind
or place plainly matches an order's terms.

A match is only ever a suggestion shown to the user ("this may break the order"); whether an
incident broke an order is the user's answer alone (`Incident.violates_order`). The page's
script (static/js/order-hint.js) repeats the same test as the user types, from the kinds and
words this module puts on the page, so the two cannot disagree.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Incident, ProtectiveOrder, User

Kind = Incident.Kind
# Words in an order's terms that bar contact, and the incident kinds that are contact.
CONTACT_TERMS = re.compile(
    r"\b(contact\w*|communicat\w*|telephon\w*|phon\w*|call\w*|messag\w*|text\w*|e-?mail\w*|"
    r"social media|writ\w*|letter\w*|approach\w*)",
    re.IGNORECASE,
)
CONTACT_KINDS = (
    Kind.CALLS,
    Kind.TEXTS,
    Kind.SOCIAL_MEDIA,
    Kind.EMAIL,
    Kind.GIFTS,
    Kind.SHOWED_UP_HOME,
    Kind.SHOWED_UP_WORK,
)
# Contact through other people counts where the order says so.
INDIRECT_TERMS = re.compile(r"\b(indirect\w*|third part\w*|through (any|another|other))", re.I)
# Places an order commonly names, and the kinds of incident that happen there.
PLACE_TERMS = {
    Kind.SHOWED_UP_HOME: re.compile(r"\b(home|house|address|residence|flat|apartment)\b", re.I),
    Kind.SHOWED_UP_WORK: re.compile(
        r"\b(work\w*|office|employ\w*|school|college|university|campus)\b", re.I
    ),
}
# Words of a place that say nothing about which place it is. Numbers are left out too: "100"
# in "100 Mill Lane" is not the "100 metres" of an order.
PLACE_NOISE = frozenset(
    [
        "the",
        "and",
        "for",
        "off",
        "out",
        "our",
        "his",
        "her",
        "its",
        "way",
        "not",
        "any",
        "all",
        "near",
        "outside",
        "front",
        "behind",
        "opposite",
        "next",
        "street",
        "road",
        "avenue",
        "lane",
        "drive",
        "close",
        "place",
        "area",
        "around",
        "corner",
        "side",
        "from",
        "with",
        "into",
        "onto",
        "over",
        "their",
        "mine",
        "your",
        "again",
        "just",
        "park",
    ]
)
WORD = re.compile(r"\w+")
SHORTEST_PLACE_WORD = 3


@dataclass(frozen=True)
class OrderTerms:
    """What an order's terms plainly forbid, as the form and its script test it."""

    kinds: tuple[str, ...]  # incident kinds the terms bar
    words: tuple[str, ...]  # the terms' own words, lower case, to find a named place in


@dataclass(frozen=True)
class BreachHint:
    order: ProtectiveOrder
    terms: OrderTerms
    kind: bool  # the incident's kind is one the terms bar
    place: str  # a word of the incident's place that the terms name, or ""

    @property
    def shown(self) -> bool:
        return self.kind or bool(self.place)


def in_force_on(day: date) -> Q:
    """Orders in force on a day: issued by then and not yet expired."""
    return Q(issued_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def breaking(order: ProtectiveOrder) -> Q:
    """Incidents marked as breaking an order, on a day it was in force."""
    during = Q(occurred_at__date__gte=order.issued_on)
    if order.expires_on:
        during &= Q(occurred_at__date__lte=order.expires_on)
    return Q(violates_order=True) & during


def orders_in_force(user: User, day: date) -> QuerySet[ProtectiveOrder]:
    """The user's live orders in force on that day, oldest first."""
    orders = ProtectiveOrder.objects.owned_by(user).live().filter(in_force_on(day))
    return orders.select_related("case").order_by("issued_on", "id")


def order_terms(order: ProtectiveOrder) -> OrderTerms:
    text = f"{order.terms} {order.distance}"
    kinds = set()
    if CONTACT_TERMS.search(text):
        kinds.update(CONTACT_KINDS)
        if INDIRECT_TERMS.search(text):
            kinds.add(Kind.THIRD_PARTIES)
    kinds.update(kind for kind, pattern in PLACE_TERMS.items() if pattern.search(text))
    words = {w.lower() for w in WORD.findall(order.terms)}
    return OrderTerms(kinds=tuple(sorted(kinds)), words=tuple(sorted(words)))


def place_words(location: str) -> list[str]:
    """The words of a place that could name it in an order ("Elm", "gym"; not "street")."""
    words = (w.lower() for w in WORD.findall(location))
    return [
        w
        for w in words
        if len(w) >= SHORTEST_PLACE_WORD and w not in PLACE_NOISE and not w.isdigit()
    ]


def breach_hint(order: ProtectiveOrder, kind: str, location: str) -> BreachHint:
    """Whether an incident of this kind, at this place, plainly matches the order's terms."""
    terms = order_terms(order)
    named = next((w for w in place_words(location) if w in terms.words), "")
    return BreachHint(order=order, terms=terms, kind=kind in terms.kinds, place=named)


class OrderQuestion:
    """For the incident form: the orders in force on the incident's day, whose question
    (`violates_order`) is asked beside their terms, and the hints for each."""

    # What the page's script needs to find a named place as the server does.
    place_noise = " ".join(sorted(PLACE_NOISE))
    shortest_place_word = SHORTEST_PLACE_WORD

    def _ask_about_orders(self, user: User) -> None:
        """Orders in force on the incident's day (today for a new one) are shown with it."""
        instance = self.instance
        day = timezone.localdate(instance.occurred_at) if instance.pk else timezone.localdate()
        self.orders = list(orders_in_force(user, day))
        if self.orders:
            self.fields["violates_order"].label = _("This incident broke the order")

    def breach_hints(self) -> list[BreachHint]:
        """For each order shown, whether the kind or place given plainly matches its terms."""
        if self.is_bound:
            kind, location = self.data.get("kind", ""), self.data.get("location", "")
        else:
            kind, location = self.instance.kind, self.instance.location
        if not (self.is_bound or self.instance.pk):
            kind = ""  # the model's default kind is not something the user said
        return [breach_hint(order, kind, location) for order in self.orders]
