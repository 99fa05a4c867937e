"""Each kind of record the user keeps, described once. URLs, the timeline, the charts, the
activity log, custody, backups, exhibits and the record pages read these descriptions, so a new
kind is one entry here plus its model, form and templates (tests/test_kinds.py checks the rest)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .base import Record
from .incidents import Incident
from .life_changes import LifeChange
from .messages import Call, Message
from .steps import NoContactNotice, PoliceContact, ProtectiveOrder


@dataclass(frozen=True)
class RecordKind:
    slug: str  # in URL names ("notice_detail") and in the timeline's items
    model: type[Record]
    singular: Promise  # as in "Record a ..."
    plural: Promise  # page titles of lists
    url_prefix: str  # the URL's folder: "notices/"
    when: str  # the field that says when it happened (a time, or a day for `day_fields`)
    searched: tuple[str, ...]  # what the timeline's search looks in
    # The Evidence field that attaches a file to it; None when it takes no files.
    evidence_field: str | None
    counted_as: str  # its line in a backup's manifest (kept in English: manifests are compared)
    # (label, field) for a kind that carries days rather than times: each shown on the timeline.
    day_fields: tuple[tuple[str, str], ...] = ()
    custody_logged: bool = True  # every write fingerprinted in the custody log
    in_timeline: bool = True
    charted: bool = False  # marked on the weekly chart beside the incidents
    # Read from a phone's export file, never typed or edited (models/messages.py): it has its
    # own pages, not the shared record pages, and no form.
    imported: bool = False

    @property
    def takes_files(self) -> bool:
        return self.evidence_field is not None

    @property
    def has_time(self) -> bool:
        """Whether `when` is a moment (a time of day) rather than a day."""
        return not self.day_fields


INCIDENT = RecordKind(
    slug="incident",
    model=Incident,
    singular=_("incident"),
    plural=_("Incidents"),
    url_prefix="incidents",
    when="occurred_at",
    searched=("description", "exact_words", "location", "channel", "witnesses"),
    evidence_field="incident",
    counted_as="incidents",
)
NOTICE = RecordKind(
    slug="notice",
    model=NoContactNotice,
    singular=_("no-contact notice"),
    plural=_("No-contact notices"),
    url_prefix="notices",
    when="given_at",
    searched=("words", "witnesses", "notes"),
    evidence_field="notice",
    counted_as="no-contact notices",
    charted=True,
)
POLICE = RecordKind(
    slug="police",
    model=PoliceContact,
    singular=_("police contact"),
    plural=_("Police contacts"),
    url_prefix="police",
    when="contacted_at",
    searched=("agency", "officer_name", "badge_number", "reference", "reported", "advice"),
    evidence_field="police_contact",
    counted_as="police contacts",
    charted=True,
)
ORDER = RecordKind(
    slug="order",
    model=ProtectiveOrder,
    singular=_("court order"),
    plural=_("Court orders"),
    url_prefix="orders",
    when="issued_on",
    searched=("court", "case_number", "terms"),
    evidence_field="order",
    counted_as="court orders",
    # An order's end is shown once it has passed (timeline.py).
    day_fields=(("issued", "issued_on"), ("served", "served_on"), ("expired", "expires_on")),
)
CHANGE = RecordKind(
    slug="change",
    model=LifeChange,
    singular=_("change to daily life"),
    plural=_("Changes to daily life"),
    url_prefix="changes",
    when="changed_on",
    searched=("note",),
    evidence_field=None,
    counted_as="changes to daily life",
    day_fields=(("", "changed_on"),),
)
# Messages and calls read from a phone's export (incidents/message_import.py). Not yet on the
# timeline or the chart as items of their own: they are shown there counted by day.
MESSAGE = RecordKind(
    slug="message",
    model=Message,
    singular=_("text message"),
    plural=_("Text messages"),
    url_prefix="messages",
    when="sent_at",
    searched=("body", "subject", "address", "contact_name"),
    evidence_field="message",  # the pictures of a picture message (MMS)
    counted_as="messages",
    in_timeline=False,
    imported=True,
)
CALL = RecordKind(
    slug="call",
    model=Call,
    singular=_("call"),
    plural=_("Calls"),
    url_prefix="calls",
    when="started_at",
    searched=("address", "contact_name"),
    evidence_field=None,
    counted_as="calls",
    in_timeline=False,
    imported=True,
)

# Every kind, incidents first; the order lists and menus follow.
RECORD_KINDS: dict[str, RecordKind] = {
    k.slug: k for k in (INCIDENT, NOTICE, POLICE, ORDER, CHANGE, MESSAGE, CALL)
}
# The kinds that share the generic record pages (record_views.py); incidents have their own.
STEP_KINDS: dict[str, RecordKind] = {
    s: k for s, k in RECORD_KINDS.items() if k is not INCIDENT and not k.imported
}
# The kinds read from export files, with pages of their own (message_views.py).
IMPORTED_KINDS: dict[str, RecordKind] = {s: k for s, k in RECORD_KINDS.items() if k.imported}


def kind_for(model: type[Record]) -> RecordKind:
    """The description of a model's kind of record."""
    return next(kind for kind in RECORD_KINDS.values() if kind.model is model)


def kind_of(record) -> RecordKind | None:
    """The description of a record's kind, or None for anything that is not a kept record."""
    for kind in RECORD_KINDS.values():
        if isinstance(record, kind.model):
            return kind
    return None
