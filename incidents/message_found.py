"""The import's words about a file: what was found in it, in one sentence; what its addresses
are; what the user confirmed (for the pages, and for the dossier beside the transcript); and a
first look at the items the import will keep, read with the user's answers."""

import zoneinfo
from datetime import UTC, datetime
from itertools import islice

from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import evidence
from .local_formats import grouped
from .message_import import item_keys, resolve_direction
from .message_questions import DATE_ORDERS, first_written, shown_name
from .models import Call, MessageImport
from .sources import reader_of
from .sources.items import ACCOUNT, EMAIL, NAME, SKIP_REASONS, CallItem, SkippedItem

PREVIEW_SHOWN = 5
PREVIEW_MAX_ITEMS = 50_000  # items read, at most, to find the first ones to show


def address_words(kind: str) -> str:
    """What a file's addresses are, as a heading: 'names in the chat', 'e-mail addresses'."""
    return {
        NAME: _("names in the chat"),
        EMAIL: _("e-mail addresses"),
        ACCOUNT: _("accounts"),
    }.get(kind, _("numbers"))


def choose_heading(kind: str) -> str:
    """The question of the choose page, in the words of the file's addresses."""
    return {
        NAME: _("Which names in the chat are the person's?"),
        EMAIL: _("Which e-mail addresses are the person's?"),
        ACCOUNT: _("Which accounts are the person's?"),
    }.get(kind, _("Which numbers are the person's?"))


def _people(kind: str, n: int) -> str:
    words = {
        NAME: ngettext("%(n)s person", "%(n)s people", n),
        EMAIL: ngettext("%(n)s e-mail address", "%(n)s e-mail addresses", n),
        ACCOUNT: ngettext("%(n)s account", "%(n)s accounts", n),
    }.get(kind, ngettext("%(n)s number", "%(n)s numbers", n))
    return words % {"n": grouped(n)}


def _span(first_ms: int, last_ms: int, zone) -> str:
    first = datetime.fromtimestamp(first_ms / 1000, UTC).astimezone(zone)
    last = datetime.fromtimestamp(last_ms / 1000, UTC).astimezone(zone)
    if first.date() == last.date():
        return _("on %(day)s") % {"day": date_format(first, "DATE_FORMAT")}
    same_year = first.year == last.year
    first_words = date_format(first, "MONTH_DAY_FORMAT" if same_year else "DATE_FORMAT")
    return _("between %(first)s and %(last)s") % {
        "first": first_words,
        "last": date_format(last, "DATE_FORMAT"),
    }


def found_sentence(job: MessageImport) -> str:
    """'A WhatsApp chat from an Android phone, 2,314 messages between 3 March and 2 December
    2025, 2 people.' Dates in the owner's time zone."""
    found = job.options.get("found") or {}
    parts = [capfirst(job.description or job.get_format_display())]
    counts = []
    if found.get("messages"):
        n = found["messages"]
        counts.append(ngettext("%(n)s message", "%(n)s messages", n) % {"n": grouped(n)})
    if found.get("calls"):
        n = found["calls"]
        counts.append(ngettext("%(n)s call", "%(n)s calls", n) % {"n": grouped(n)})
    if not counts:
        return _("%(what)s, with no message or call that can be read.") % {"what": parts[0]}
    zone = zoneinfo.ZoneInfo(job.case.owner.time_zone)
    span = _span(found["first_ms"], found["last_ms"], zone)
    parts.append(_(" and ").join(counts) + " " + span)
    parts.append(_people(found.get("kind", ""), found.get("people", 0)))
    return ", ".join(parts) + "."


def confirmations(job: MessageImport, *, dossier: bool = False) -> list[str]:
    """What the user confirmed about the file, one sentence each: to the user on the pages,
    as their statement in the dossier. Only what was asked is said."""
    options, ask = job.options, job.options.get("ask", [])
    said = []
    if "time_zone" in ask and options.get("time_zone"):
        words = (
            _(
                "The file gives no time zone: its times are the phone's clock. The person "
                "keeping this log said the phone was set to %(zone)s; the times are read so."
            )
            if dossier
            else _("Times are read as the phone's clock in %(zone)s (the file gives no zone).")
        )
        said.append(words % {"zone": options["time_zone"].replace("_", " ")})
    if "date_order" in ask and options.get("date_order") in DATE_ORDERS:
        order = DATE_ORDERS[options["date_order"]]
        words = (
            _(
                "The file's dates do not say whether the day or the month comes first; the "
                "person keeping this log said %(order)s."
            )
            if dossier
            else _("You said %(order)s.")
        )
        said.append(words % {"order": order})
    if "me" in ask:
        said += _senders(job, dossier)
    return said


def _senders(job: MessageImport, dossier: bool) -> list[str]:
    said = []
    for found in job.numbers_found:
        name = shown_name(found)
        if dossier:
            words = _(
                "The person keeping this log said “%(name)s” in this file is the person of concern."
            )
        else:
            words = _("You said “%(name)s” in this file is the person of concern.")
        said.append(words % {"name": name})
    me = job.options.get("me_written")
    if me:
        words = (
            _("The person keeping this log said “%(name)s” in this file is themselves.")
            if dossier
            else _("You said “%(name)s” in this file is you.")
        )
        said.append(words % {"name": me})
    elif not dossier:
        said.append(_("You did not say which sender is you: only the person's messages are kept."))
    return said


def preview_items(job: MessageImport, keys: list[str], options: dict) -> list:
    """The first items the import would keep, read from the file with the user's answers
    (`options`: the job's, answered by message_questions.answered; times in the confirmed
    zone): a few, from at most PREVIEW_MAX_ITEMS items."""
    listed = {n["key"]: first_written(n) for n in job.numbers_found if n["key"] in keys}
    shown = []
    storage = evidence.evidence_storage()
    with storage.open(job.source.stored_name, "rb") as stream:
        reader = reader_of(job.format)(stream, options=options)
        for item in islice(reader.readable_items(), PREVIEW_MAX_ITEMS):
            if isinstance(item, SkippedItem):
                continue
            found = item_keys(item, job.region)
            if getattr(item, "direction", None) == "":
                found = resolve_direction(item, found, listed, options.get("me", ""), job.region)
            if any(key in listed for key in found):
                shown.append(_preview_row(item))
                if len(shown) == PREVIEW_SHOWN:
                    break
    return shown


def _preview_row(item) -> dict:
    call = isinstance(item, CallItem)
    return {
        "at": datetime.fromtimestamp(item.date_ms / 1000, UTC),
        "received": item.direction == "in",
        "address": item.address,
        "sender": getattr(item, "details", {}).get("sender", ""),
        "text": "" if call else item.body[:300],
        "call": call,
    }


def rows_read(job: MessageImport, columns: dict, time_zone: str) -> list[dict]:
    """The table's first rows as the import would read them with these columns: what each
    gives, or why it would be skipped."""
    options = {**job.options, "columns": columns, "time_zone": time_zone}
    shown = []
    with evidence.evidence_storage().open(job.source.stored_name, "rb") as stream:
        reader = reader_of(job.format)(stream, options=options)
        for item in islice(reader.readable_items(), PREVIEW_SHOWN):
            if isinstance(item, SkippedItem):
                shown.append({"line": item.line, "skipped": SKIP_REASONS[item.reason]})
                continue
            row = _preview_row(item)
            if row["call"]:
                row["text"] = str(Call.Outcome(item.outcome).label)
                row["duration"] = item.duration
            shown.append({**row, "line": item.line, "direction": item.direction})
    return shown
