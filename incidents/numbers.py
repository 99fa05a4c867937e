"""Phone numbers as keys for matching: one number written "+44 7700 900123", "07700 900123" and
"0044-7700-900123" gets one key. The number is always shown as written; the key is only for
finding the same person in a file."""

import functools
from pathlib import Path

import phonenumbers

# The key of calls whose number the caller withheld (or the network did not pass on).
WITHHELD = "withheld"
# Numbers this short are service or short codes: they have no country.
SHORT_CODE_DIGITS = 6
ZONE_TABLE = Path("/usr/share/zoneinfo/zone.tab")


@functools.lru_cache(maxsize=4096)
def number_key(written: str, region: str = "") -> str:
    """The matching key of a number as written: E.164 digits when the number can be read as a
    phone number (national forms read in `region`, a two-letter country), else the characters
    that are left once spaces and punctuation are gone (a sender name like "BANK")."""
    text = written.strip()
    digits = "".join(c for c in text if c.isdigit())
    if not digits:
        return "".join(c for c in text.lower() if c.isalnum())[:64] or WITHHELD
    if len(digits) <= SHORT_CODE_DIGITS and not text.startswith("+"):
        return digits
    if text.startswith("00") and not text.startswith("+"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        return digits.lstrip("0")[:64] or digits
    return f"{parsed.country_code}{parsed.national_number}"


def region_of(written: str) -> str:
    """The country of a number written in international form ("+44 ..."), or ""."""
    text = written.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        return ""
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return ""
    # The main country of the calling code: enough to read national forms (+44 is GB).
    region = phonenumbers.region_code_for_country_code(parsed.country_code)
    return "" if region == phonenumbers.UNKNOWN_REGION else region


@functools.lru_cache(maxsize=64)
def region_of_zone(time_zone: str) -> str:
    """The country of a time zone ("Europe/London" is GB), from the system's zone table, or ""
    when the table or the zone is not there."""
    try:
        lines = ZONE_TABLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#") and fields[2] == time_zone:
            return fields[0]
    return ""


def home_region(profile_numbers: list[str], time_zone: str) -> str:
    """Where national forms in a file are read: the country of the person's own numbers when
    one is written in international form, else the country of the owner's time zone."""
    for written in profile_numbers:
        if region := region_of(written):
            return region
    return region_of_zone(time_zone)


def profile_numbers(text: str) -> list[str]:
    """The numbers on a person's profile: one a line, with any note after the number dropped
    ("555-0178 (work)" is 555-0178)."""
    numbers = []
    for line in text.splitlines():
        number = line.split("(")[0].strip()
        if any(c.isdigit() for c in number):
            numbers.append(number)
    return numbers
