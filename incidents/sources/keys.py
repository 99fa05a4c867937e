"""Addresses as keys for matching: the same person written different ways gets one key. The
address is always shown as written; the key is only for finding the same person in a file."""

import hashlib
import unicodedata

from ..numbers import number_key
from .items import ACCOUNT, EMAIL, NAME, NUMBER

KEY_LENGTH = 64  # ImportedRecord.address_key
PREFIXES = {NAME: "name:", EMAIL: "email:", ACCOUNT: "id:"}


def address_key(kind: str, written: str, region: str = "") -> str:
    """The matching key of an address of the given kind (items.NUMBER, NAME, EMAIL, ACCOUNT).
    Phone numbers keep their E.164 key (numbers.py), so keys made before other kinds existed
    stay the same; the other kinds are prefixed, so a name never matches a number."""
    if kind == NUMBER:
        return number_key(written, region)
    text = unicodedata.normalize("NFC", " ".join(written.split()))
    key = PREFIXES[kind] + (text if kind == ACCOUNT else text.casefold())
    if len(key) > KEY_LENGTH:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = PREFIXES[kind] + digest[: KEY_LENGTH - len(PREFIXES[kind])]
    return key
