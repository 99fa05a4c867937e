"""Dates and counts as the reader's language writes them. The patterns live in
stalkerlog/formats/<language>/formats.py; this module adds what Django's named formats lack:
the day of the week in front, seconds on the clock, and short month names."""

from django.utils import formats

# Django's |date filter and date_format() know these names and no others.
DJANGO_NAMES = frozenset(formats.FORMAT_SETTINGS)
# Time-zone letters a pattern may end with: "T" or "e" (with zoneinfo, both give the zone's
# abbreviation: GMT, CET).
ZONE_LETTERS = frozenset({"T", "e"})


def pattern(name: str, *, weekday: bool = False, seconds: bool = False, zone: str = "") -> str:
    """The active language's pattern for a named format: Django's (DATE_FORMAT, ...) or our own
    (SHORT_YEAR_MONTH_FORMAT, MONTH_FORMAT). With `weekday`, the day's name goes in front ("Mon"
    for the SHORT_ formats, "Monday" for the others), where English and Spanish both put it; with
    `seconds`, the clock shows them; `zone` adds a time-zone letter at the end."""
    if name in DJANGO_NAMES:
        text = formats.get_format(name)
    else:
        text = next(
            (getattr(m, name) for m in formats.get_format_modules() if hasattr(m, name)), None
        )
        if text is None:
            raise ValueError(f"No date format is named {name!r}.")
    if seconds:
        text = text.replace("H:i", "H:i:s")
    if weekday:
        text = ("D " if name.startswith("SHORT_") else "l ") + text
    if zone:
        if zone not in ZONE_LETTERS:
            raise ValueError(f"{zone!r} is not a time-zone letter.")
        text = f"{text} {zone}"
    return text


def when(value, name: str = "DATE_FORMAT", **options) -> str:
    """A date or time (already in local time) in a named format; options as for pattern()."""
    return formats.date_format(value, pattern(name, **options))


def grouped(n: int) -> str:
    """A count with the reader's thousands separator: "2,600" in English, "2 600" in Spanish."""
    return formats.number_format(n, force_grouping=True)
