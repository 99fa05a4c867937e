"""Spanish dates and numbers ("7 de diciembre de 2026", "7 dic 2026, 14:05", "2 600"). Month and
day names come from Django's own Spanish catalogue; patterns use the syntax of its `date` filter
(\\d\\e is the word "de", escaped letter by letter)."""

# Django's standard names (see stalkerlog/formats/en/formats.py).
DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
# "b": the short month name in lower case ("dic"), as Spanish writes it ("M" would give "Dic").
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"

# Our own names, read through incidents.local_formats and |when ("dic 2026", "dic").
SHORT_YEAR_MONTH_FORMAT = "b Y"
MONTH_FORMAT = "b"

# As Django's own Spanish: a comma before decimals, a non-breaking space between thousands.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
