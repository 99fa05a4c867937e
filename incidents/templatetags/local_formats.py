"""The |when filter: a named date format with the weekday, seconds or time zone, e.g.
{{ at|when:"SHORT_DATETIME_FORMAT weekday seconds" }} or {{ at|when:"DATETIME_FORMAT e" }}.
Loaded in every template (settings TEMPLATES "builtins"); plain named formats use |date."""

from django import template
from django.utils import formats

from incidents.local_formats import ZONE_LETTERS, pattern

register = template.Library()
FLAGS = frozenset({"weekday", "seconds"})


@register.filter(expects_localtime=True)
def when(value, arg: str) -> str:
    """The value in the named format and options that `arg` lists, or "" for no value."""
    if value in (None, ""):
        return ""
    name, *words = arg.split()
    unknown = set(words) - FLAGS - ZONE_LETTERS
    if unknown:
        raise template.TemplateSyntaxError(f"|when does not know {', '.join(sorted(unknown))}.")
    zone = next((w for w in words if w in ZONE_LETTERS), "")
    try:  # a misspelt name is the template's mistake: say so, rather than show nothing
        shape = pattern(name, weekday="weekday" in words, seconds="seconds" in words, zone=zone)
    except ValueError as error:
        raise template.TemplateSyntaxError(f"|when: {error}") from None
    try:
        return formats.date_format(value, shape)
    except (TypeError, ValueError, AttributeError):
        return ""  # as |date does for a value that is not a date
