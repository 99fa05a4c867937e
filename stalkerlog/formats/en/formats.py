"""English dates and numbers, British style: day before month, 24-hour clock ("7 December 2026",
"7 Dec 2026, 14:05", "2,600"). Patterns use the syntax of Django's `date` filter."""

# Django's standard names: templates use them with |date:"DATE_FORMAT", Python with
# django.utils.formats.date_format(value, "DATE_FORMAT").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

# Our own names, for the months on charts and in the dossier's summary ("Dec 2026", "Dec"); read
# through incidents.local_formats and |when, as Django's |date knows only its own names.
SHORT_YEAR_MONTH_FORMAT = "M Y"
MONTH_FORMAT = "M"

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
