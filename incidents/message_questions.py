"""What the import asks about a file that does not say it itself (Reader.questions): the time
zone the phone was in, the order of day and month, and which sender is the user. The reader
names the questions still open after its scan (job.options["ask"]); the user's answers go to
job.options before the import, where the reader and the flow read them."""

import re
import zoneinfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import MessageImport
from .sources import archives
from .sources.items import NeedsAnswers

DATE_ORDERS = {
    "dmy": gettext_lazy("the day comes first: 03/04/2025 means 3 April 2025"),
    "mdy": gettext_lazy("the month comes first: 03/04/2025 means 4 March 2025"),
}
OTHER_SENDER = "other"  # the answer "me: the sender I did not tick", in a chat of two
EXAMPLE_MAX_LINES = 100_000  # how far into a file the example date is looked for
EXAMPLE_MAX_BYTES = 16 * 1024 * 1024  # of a ZIP member read to find it
# The date and time at the start of a line, and no more (the rest is someone's message).
LEADING_DATE = re.compile(r"^[\[\s]*\d[\d/.\-,: \u202f\u00a0apmAPM]*\]?")


def date_example(stream, first_item) -> str:
    """The date and time that starts the file's first item's line (`first_item`: [line, ZIP
    member or None]), to show what 03/04 looks like in this file; "" when not found."""
    line_number, member = first_item or (0, None)
    if member:
        archive = archives.open_zip(stream)
        info = next((m for m in archive.infolist() if m.filename == member), None)
        if info is None:
            return ""
        lines = archives.read_member(archive, info, EXAMPLE_MAX_BYTES).splitlines()
    else:
        lines = stream
    for number, raw in enumerate(lines, start=1):
        if number > EXAMPLE_MAX_LINES:
            break
        if number == line_number:
            text = raw.decode("utf-8", "replace").lstrip("\ufeff")
            found = LEADING_DATE.match(text)
            return found.group(0).strip()[:40] if found else ""
    return ""


def first_written(found: dict) -> str:
    """A number found in a file (job.numbers_found) as the file first writes it, or ""."""
    return (found.get("written") or [""])[0]


def found_label(found: dict) -> str:
    """A number found in a file as the choice and preview pages list it: every way the file
    writes it, and the contact's name when the file gives another ("07700 900123 (Sam)")."""
    if found["key"] == "withheld":
        return _("Withheld or unknown number")
    written = found.get("written") or []
    name = found.get("name", "")
    label = ", ".join(written)
    return f"{label} ({name})" if name and name not in written else label or name


def shown_name(found: dict) -> str:
    """A number found in a file as the pages and the dossier name it: as the file first writes
    it, else the contact's name the file gives."""
    return first_written(found) or found.get("name", "")


def answered(job: MessageImport, chosen: list[str], answers: dict) -> dict:
    """The job's options with the user's answers to its open questions (the rest ignored),
    without the example line. `me` "other" (offered in a chat of two) is the sender not chosen
    as the person; "" or no answer means the user did not say."""
    options = {k: v for k, v in job.options.items() if k not in ("example", "me", "me_written")}
    ask = options.get("ask", [])
    zone = answers.get("time_zone")
    if zone and zone in zoneinfo.available_timezones():
        options["time_zone"] = zone
    if "date_order" in ask and answers.get("date_order") in DATE_ORDERS:
        options["date_order"] = answers["date_order"]
    if "me" in ask or answers.get("me"):
        listed = {n["key"]: n for n in job.numbers_found}
        me = answers.get("me", "")
        if me == OTHER_SENDER:
            me = default_me(listed, chosen)
        if me and me not in chosen:
            found = listed.get(me, {})
            options["me"] = me
            options["me_written"] = answers.get("me_written") or shown_name(found)
    return options


def default_me(listed: dict, chosen: list[str]) -> str:
    """In a chat between two, the sender not chosen as the person; otherwise nobody."""
    others = [key for key in listed if key not in chosen]
    return others[0] if len(listed) == 2 and len(others) == 1 else ""


def check_answered(job: MessageImport, answers: dict) -> None:
    """NeedsAnswers naming the questions that must be answered and were not: the order of day
    and month when the file cannot decide it (the time zone has a default; `me` is optional)."""
    missing = [q for q in job.options.get("ask", []) if q == "date_order" and not answers.get(q)]
    if missing:
        raise NeedsAnswers(missing)


def missing_words(question: str) -> str:
    """What to give the import_messages command for a question it cannot decide."""
    words = {
        "date_order": _(
            "The file's dates could be day first or month first (03/04 is 3 April or 4 "
            "March), and nothing in it decides. Say which with --date-order dmy or "
            "--date-order mdy."
        ),
        "columns": _(
            "This CSV table's columns are not described yet. Import it once in the browser and "
            "say which column is what: the next file with the same columns is read the same way."
        ),
    }
    return words.get(question, question)
