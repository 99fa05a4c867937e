"""Fill a clearly labelled demo case with invented incidents that look like a real log.

Why: to show the app to someone without touching a real case, and to measure the pages that
grow with a log (the timeline, the PDF dossier) on data of a realistic size and shape: contact
that grows more frequent, mostly in the evenings and at weekends, mostly calls and messages,
with a few replies (for the consistency step) and a few danger signs late on.

Everything is invented and looks it: 555-01xx numbers, example.com addresses, a DEMO plate.
The same --seed gives the same incidents on the same day (dates count back from today).

Steps: plan the days and kinds (`plan_slots`), write each incident (`build_incident`), save
them in batches (`save_incidents`, which returns them with their keys). Anything attached to
saved incidents later (generated screenshots, say) goes after `save_incidents` in
`Command.handle`, with its own `random.Random(seed)` so a seed keeps giving the same incidents.
"""

import random
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from incidents.demo import demo_remove, has_real_records
from incidents.demo_words import (
    CALL_DETAILS,
    CALLERS,
    CAR_PLACES,
    CHANNELS,
    DEMO_CASE,
    EFFECT_NOTES,
    FIRST_NAMES,
    FLAG_SENTENCES,
    HOME_PLACES,
    HOUR_WEIGHTS,
    IN_PERSON,
    IN_PERSON_DETAILS,
    KIND_WEIGHTS,
    LAST_NAMES,
    MESSAGE_DETAILS,
    OTHER_DETAILS,
    OUT_PLACES,
    PEOPLE,
    PLEADING,
    REMOTE,
    RESPONSE_NOTES,
    ROLES,
    SERIOUS,
    SUBJECTS,
    TEMPLATES,
    THREAT_LINES,
    WATCHING_LINES,
    WORK_HOURS,
    WORK_PLACES,
)
from incidents.models import (
    Case,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    User,
)
from incidents.screenshots import chat_screenshot
from incidents.services import evidence_add, record_save

DEFAULT_SEED = 1
BATCH_SIZE = 500
# Below this many incidents, a rare kind missing is realistic; above it, every kind shows up.
EVERY_KIND_FROM = 40
# How far into the log (0 = first incident, 1 = today) a protection order was served.
ORDER_SERVED_AT = 0.9
WEEKDAY_KEEP = 0.55  # the chance a weekday pick is kept: weekends are about twice as busy

Kind = Incident.Kind
Response = Incident.Response

# Screenshots are of messages; these kinds are the ones that come as messages.
SCREENSHOT_KINDS = {Kind.TEXTS, Kind.SOCIAL_MEDIA, Kind.EMAIL, Kind.THREATS, Kind.CALLS}
NOTICE_WORDS = (
    "I don't want any relationship or contact with you. Do not call, message or visit me, "
    "or contact me through anyone else."
)
TIME_PREFIX = re.compile(r"^\d{1,2}:\d{2}\s+")


@dataclass(frozen=True)
class Slot:
    """Where one incident goes: its day, how far into the log it is, and its kind."""

    day: date
    phase: float  # 0 at the start of the log, 1 today
    kind: str
    weapon: bool = False


def pick_day(rng: random.Random, today: date, span_days: int) -> tuple[date, float]:
    """A past day, more likely recent (escalation) and at a weekend."""
    while True:
        # A quarter spread evenly, the rest weighted towards today (density grows linearly).
        phase = rng.random() if rng.random() < 0.25 else rng.random() ** 0.5
        day = today - timedelta(days=1 + round((1 - phase) * (span_days - 1)))
        if day.weekday() >= 5 or rng.random() < WEEKDAY_KEEP:
            return day, phase


def pick_kind(rng: random.Random, phase: float) -> str:
    kinds = list(KIND_WEIGHTS)
    weights = [early + (late - early) * phase for early, late in KIND_WEIGHTS.values()]
    return rng.choices(kinds, weights)[0]


def plan_slots(rng: random.Random, n: int, today: date) -> list[Slot]:
    """N slots, oldest first, over the last six to nine months (yesterday at the latest)."""
    span_days = rng.randint(183, 270)
    slots = []
    for _ in range(n):
        day, phase = pick_day(rng, today, span_days)
        slots.append(Slot(day=day, phase=phase, kind=pick_kind(rng, phase)))
    slots.sort(key=lambda slot: slot.phase)
    if n >= EVERY_KIND_FROM:
        ensure_every_kind(rng, slots)
    late_and_close = [
        i
        for i, slot in enumerate(slots)
        if slot.phase > 0.6 and slot.kind in {Kind.THREATS, Kind.SHOWED_UP_HOME, Kind.VIOLENCE}
    ]
    if late_and_close:  # one weapon in the whole log, late on
        i = rng.choice(late_and_close)
        slots[i] = replace(slots[i], weapon=True)
    return slots


def ensure_every_kind(rng: random.Random, slots: list[Slot]) -> None:
    """Turn some late calls or texts into the kinds the dice left out."""
    missing = [kind for kind in KIND_WEIGHTS if kind not in {slot.kind for slot in slots}]
    common = [
        i
        for i, slot in enumerate(slots)
        if slot.phase > 0.5 and slot.kind in {Kind.CALLS, Kind.TEXTS}
    ]
    for kind, i in zip(missing, rng.sample(common, min(len(missing), len(common))), strict=False):
        slots[i] = replace(slots[i], kind=kind)


def pick_count(rng: random.Random, kind: str, phase: float) -> int:
    """How many calls or messages one entry stands for; more as it escalates."""
    single, most = {
        Kind.CALLS: (0.45, 25),
        Kind.TEXTS: (0.5, 40),
        Kind.SOCIAL_MEDIA: (0.75, 8),
        Kind.EMAIL: (0.85, 4),
    }.get(kind, (1, 1))
    if rng.random() < single:
        return 1
    return rng.randint(2, max(2, round(most * (0.4 + 0.6 * phase))))


def pick_times(
    rng: random.Random, slot: Slot, count: int, tz: ZoneInfo, now: datetime
) -> tuple[datetime, datetime | None]:
    """Start (local evening or night, work hours at work) and, for some kinds, the end."""
    at_work = slot.kind == Kind.SHOWED_UP_WORK
    hour = rng.choice(WORK_HOURS) if at_work else rng.choices(range(24), HOUR_WEIGHTS)[0]
    start = datetime.combine(slot.day, time(hour, rng.randrange(60)), tzinfo=tz)
    end = None
    if count > 1:
        end = start + timedelta(minutes=rng.randint(15, 180))
    elif slot.kind in {Kind.WATCHING, Kind.FOLLOWING} or (
        slot.kind == Kind.SHOWED_UP_HOME and rng.random() < 0.5
    ):
        end = start + timedelta(minutes=rng.randint(5, 90))
    # The last day is yesterday, but a late evening can run past midnight into the future.
    return start, end if end and end < now else None


def pick_place(rng: random.Random, kind: str, channel: str) -> str:
    """Where it happened, as a phrase ("the gym on Station Road"), or "" for calls and the like."""
    if kind == Kind.SHOWED_UP_HOME:
        return rng.choice(HOME_PLACES)
    if kind == Kind.PROPERTY_DAMAGE:
        return rng.choice(CAR_PLACES)
    if kind == Kind.SHOWED_UP_WORK:
        return rng.choice(WORK_PLACES)
    if kind == Kind.WATCHING:
        return rng.choice(OUT_PLACES + HOME_PLACES)
    if kind in IN_PERSON or channel == "In person":
        return rng.choice(OUT_PLACES)
    return ""


@dataclass(frozen=True)
class Facts:
    """What one incident's texts must agree on."""

    kind: str
    count: int
    start: datetime
    end: datetime | None
    channel: str
    place: str
    words: str = ""


def gather_facts(
    rng: random.Random, slot: Slot, count: int, start: datetime, end: datetime | None
) -> Facts:
    channel = rng.choice(CHANNELS.get(slot.kind, ["In person" if slot.kind in IN_PERSON else ""]))
    place = pick_place(rng, slot.kind, channel)
    facts = Facts(slot.kind, count, start, end, channel, place)
    return replace(facts, words=exact_words(rng, facts))


def exact_words(rng: random.Random, facts: Facts) -> str:
    """Invented words for kinds where they are often quoted; timed lines for a burst of texts."""
    chance = {Kind.TEXTS: 0.85, Kind.EMAIL: 0.8, Kind.SOCIAL_MEDIA: 0.7, Kind.THREATS: 0.95}
    chance |= dict.fromkeys(IN_PERSON | {Kind.CALLS, Kind.GIFTS}, 0.35)
    if rng.random() >= chance.get(facts.kind, 0):
        return ""
    pool = THREAT_LINES if facts.kind == Kind.THREATS else PLEADING + WATCHING_LINES
    if facts.kind == Kind.TEXTS and facts.end:
        minutes = round((facts.end - facts.start).total_seconds() / 60)
        later = rng.sample(range(1, minutes + 1), rng.randint(1, min(3, facts.count - 1)))
        return "\n".join(
            f"{facts.start + timedelta(minutes=m):%H:%M} {rng.choice(pool)}"
            for m in [0, *sorted(later)]
        )
    return " ".join(rng.sample(pool, rng.randint(1, 3)))


def describe(rng: random.Random, facts: Facts) -> str:
    """The 'what happened' text: a main sentence for the kind, often a detail after it."""
    many = f"{facts.kind}_many"
    key = many if facts.count > 1 and many in TEMPLATES else str(facts.kind)
    text = rng.choice(TEMPLATES[key]).format(
        count=facts.count,
        time=f"{facts.start:%H:%M}",
        until=f"{facts.end:%H:%M}" if facts.end else "",
        minutes=round((facts.end - facts.start).total_seconds() / 60) if facts.end else 20,
        channel=facts.channel,
        place=facts.place,
        caller=rng.choice(CALLERS),
        subject=rng.choice(SUBJECTS),
        person=rng.choice(PEOPLE),
    )
    if text.split(" ", 1)[0].islower():  # "iMessage" keeps its own spelling
        text = text[0].upper() + text[1:]
    if facts.kind == Kind.CALLS and facts.words:
        text += " They left a voicemail."
    elif rng.random() < 0.5:
        if facts.kind in REMOTE:
            details = CALL_DETAILS if facts.kind == Kind.CALLS else MESSAGE_DETAILS
        else:
            details = IN_PERSON_DETAILS if facts.kind in IN_PERSON else OTHER_DETAILS
        text += " " + rng.choice(details)
    return text


def pick_effect(rng: random.Random, kind: str) -> tuple[int | None, str]:
    if rng.random() < 0.1:
        return None, ""  # left empty, as people often do
    if kind in SERIOUS:
        level = rng.choices([2, 3], [3, 7])[0]
    elif kind in REMOTE | {Kind.GIFTS, Kind.THIRD_PARTIES, Kind.OTHER}:
        level = rng.choices([0, 1, 2], [3, 5, 2])[0]
    else:
        level = rng.choices([1, 2, 3], [2, 5, 2])[0]
    notes = rng.choice(EFFECT_NOTES) if level >= 2 and rng.random() < 0.4 else ""
    return level, notes


def pick_response(rng: random.Random, kind: str) -> tuple[str, str]:
    """Mostly no response; a few replies, which the consistency step should point out."""
    roll = rng.random()
    if roll < 0.04 and kind in REMOTE | {Kind.SHOWED_UP_HOME, Kind.SHOWED_UP_WORK}:
        response = Response.REPLIED
    elif roll < 0.5 and kind in SERIOUS:
        response = Response.POLICE
    elif roll < 0.15 and kind in REMOTE:
        response = Response.BLOCKED
    elif roll > 0.98:
        response = Response.OTHER
    else:
        return Response.NONE, ""
    notes = RESPONSE_NOTES[response]
    return response, rng.choice(notes.get(kind) or notes[""])


def pick_witnesses(rng: random.Random, kind: str) -> tuple[str, str]:
    if kind not in IN_PERSON or rng.random() > 0.3:
        return "", ""
    people = [
        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} ({rng.choice(ROLES)}), "
        f"555-01{rng.randrange(100):02d}"
        for _ in range(rng.choice([1, 1, 2]))
    ]
    others = "Other people were around; I don't know them." if rng.random() < 0.3 else ""
    return "\n".join(people), others


def danger_flags(rng: random.Random, slot: Slot) -> dict[str, bool]:
    """Rare on purpose: threats mostly, the one weapon, and contact in person after the order."""
    return {
        "threat_to_harm": slot.kind == Kind.THREATS and rng.random() < 0.7,
        "weapon": slot.weapon,
        "violence": slot.kind == Kind.VIOLENCE,
        "break_in": slot.kind == Kind.PROPERTY_DAMAGE and rng.random() < 0.15,
        "threat_of_suicide": slot.kind == Kind.TEXTS and slot.phase > 0.5 and rng.random() < 0.01,
        "violates_order": slot.phase >= ORDER_SERVED_AT and slot.kind in IN_PERSON | SERIOUS,
    }


def build_incident(
    rng: random.Random, case: Case, slot: Slot, tz: ZoneInfo, now: datetime
) -> Incident:
    count = pick_count(rng, slot.kind, slot.phase)
    start, end = pick_times(rng, slot, count, tz, now)
    facts = gather_facts(rng, slot, count, start, end)
    flags = danger_flags(rng, slot)
    description = " ".join(
        [describe(rng, facts)] + [text for flag, text in FLAG_SENTENCES.items() if flags[flag]]
    )
    effect_level, effect_notes = pick_effect(rng, slot.kind)
    response, response_notes = pick_response(rng, slot.kind)
    witnesses, others_present = pick_witnesses(rng, slot.kind)
    found_later = slot.kind in {Kind.GIFTS, Kind.PROPERTY_DAMAGE, Kind.TRACKING}
    return Incident(
        case=case,
        occurred_at=start,
        ended_at=end,
        is_approximate=rng.random() < (0.5 if found_later else 0.08),
        kind=slot.kind,
        channel=facts.channel,
        location=facts.place[:1].upper() + facts.place[1:],
        description=description,
        exact_words=facts.words,
        witnesses=witnesses,
        others_present=others_present,
        count=count,
        effect_level=effect_level,
        effect_notes=effect_notes,
        response=response,
        response_notes=response_notes,
        **flags,
    )


def demo_case_for(user: User) -> Case:
    """The user's demo case, created on first use."""
    case = Case.objects.owned_by(user).filter(is_demo=True).first()
    if case is None:
        case = Case(owner=user, is_demo=True, **DEMO_CASE)
        record_save(record=case)
    return case


def save_incidents(incidents: list[Incident]) -> list[Incident]:
    """Save in batches. Invented incidents are not logged one by one in the custody log (its
    head moves one entry at a time: thousands of queries); the demo case's own entry stands
    for them, and removing them logs each one."""
    return Incident.objects.bulk_create(incidents, batch_size=BATCH_SIZE)


def create_logged(model, links: dict | None = None, **fields):
    record = model(**fields)
    record_save(record=record, links=links)
    return record


def add_steps(case: Case, incidents: list[Incident]) -> None:
    """A notice early on, two police reports, and the court order served late, as real cases
    go; only on the first run, so running again does not repeat them."""
    if len(incidents) < 10 or case.notices.exists():
        return
    ordered = sorted(incidents, key=lambda i: i.occurred_at)

    def after(share: float, hours: int):
        return ordered[int(share * (len(ordered) - 1))].occurred_at + timedelta(hours=hours)

    create_logged(
        NoContactNotice,
        case=case,
        given_at=after(0.15, 1),
        method=NoContactNotice.Method.TEXT,
        words=NOTICE_WORDS,
        acknowledged=NoContactNotice.Acknowledged.NO,
    )
    reported_from = 0
    for number, share in enumerate((0.4, 0.75), start=1):
        upto = int(share * (len(ordered) - 1))
        create_logged(
            PoliceContact,
            links={"incidents": ordered[reported_from + 1 : upto + 1][-10:]},
            case=case,
            contacted_at=after(share, 20),
            method=PoliceContact.Method.IN_PERSON,
            agency="Demo Police, Central Station",
            officer_name="Officer A. Example",
            badge_number=f"DEMO-{1000 + number}",
            reference="DEMO/2026/0417",
            reported=f"Contact since the no-contact notice, {upto - reported_from} incidents.",
            advice="Keep logging everything, do not reply, call the emergency number if in danger.",
        )
        reported_from = upto
    # Served the day before the first incident that breaks it.
    first_breach = next((i.occurred_at for i in ordered if i.violates_order), None)
    issued = (first_breach - timedelta(days=1)) if first_breach else after(ORDER_SERVED_AT, 0)
    create_logged(
        ProtectiveOrder,
        case=case,
        issued_on=issued.date(),
        served_on=issued.date(),
        expires_on=issued.date() + timedelta(days=365),
        court="Demo County Court",
        case_number="DEMO-CC-1234",
        terms="No contact of any kind, directly or through others.",
        distance="100 metres",
    )


def attach_screenshots(
    rng: random.Random, case: Case, incidents: list[Incident], count: int, tz: ZoneInfo
) -> int:
    """Attach `count` chat screenshots, messages first, quoting each incident's exact words."""
    messages_first = sorted(
        incidents, key=lambda i: (i.kind not in SCREENSHOT_KINDS, not i.exact_words)
    )
    chosen = messages_first[:count]
    # More screenshots than incidents: some incidents get several, as real ones do.
    chosen += [rng.choice(messages_first) for _ in range(count - len(chosen))]
    for number, incident in enumerate(chosen, start=1):
        lines = [TIME_PREFIX.sub("", line) for line in incident.exact_words.splitlines()]
        png = chat_screenshot(
            contact=case.name,
            messages=[line for line in lines if line] or [incident.description[:120]],
            sent_at=incident.occurred_at.astimezone(tz),
            rng=rng,
            with_photo=rng.random() < 0.5,
        )
        upload = SimpleUploadedFile(f"Screenshot_{number:04}.png", png, "image/png")
        caption = (
            f"{incident.get_kind_display()}, {incident.occurred_at.astimezone(tz):%d %b %H:%M}"
        )
        evidence_add(case=case, attached_to=incident, upload=upload, caption=caption)
    return len(chosen)


class Command(BaseCommand):
    help = (
        "Add invented incidents to a clearly marked demo case of an existing account, "
        "or remove all of its demo data with --remove."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username of an existing account.")
        parser.add_argument("--incidents", type=int, help="How many to add.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Same seed, same incidents."
        )
        parser.add_argument(
            "--images",
            type=int,
            default=0,
            help="Attach this many generated chat screenshots to the new incidents.",
        )
        parser.add_argument(
            "--into-real-account",
            action="store_true",
            help="Add demo data even though the account has real records (kept apart in a "
            "demo case, and marked as such on every page and in every dossier).",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Remove all the account's demo data (real records are never touched).",
        )

    def handle(self, *args, user: str, incidents: int | None, remove: bool, **options) -> None:
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No account called {user!r}. Create it first, then seed it.")
        if remove:
            removed = demo_remove(user=account)
            self.stdout.write(f"Removed {removed} demo records from the account {user}.")
            return
        if incidents is None:
            raise CommandError("Say how many incidents to add (--incidents N), or use --remove.")
        if incidents < 1:
            raise CommandError("--incidents must be at least 1.")
        if options["images"] < 0:
            raise CommandError("--images cannot be negative.")
        if has_real_records(account) and not options["into_real_account"]:
            raise CommandError(
                f"The account {user!r} already holds real records, so no demo data was added. "
                "Use an account made for trying the app, or add --into-real-account to add it "
                "anyway (kept apart and marked; remove it later with --remove)."
            )
        self.seed(account, incidents, options["seed"], options["images"])

    def seed(self, account: User, incidents: int, seed: int, images: int) -> None:
        rng = random.Random(seed)
        tz = ZoneInfo(account.time_zone)
        now = timezone.now()
        with transaction.atomic():
            case = demo_case_for(account)
            slots = plan_slots(rng, incidents, timezone.localdate(now, tz))
            saved = save_incidents([build_incident(rng, case, slot, tz, now) for slot in slots])
            add_steps(case, saved)
        attached = attach_screenshots(random.Random(seed), case, saved, images, tz)
        pictures = f" and {attached} screenshots" if images else ""
        name = account.username
        self.stdout.write(f"Added {incidents} incidents{pictures} to the demo case for {name}.")
