"""Encryption of backups with a passphrase, one file at a time, in a stream.

Why this shape: evidence can be large videos, so nothing is held whole in memory. Each file is
cut into 1 MiB chunks, and each chunk is sealed with AES-256-GCM under a key derived from the
passphrase with scrypt. A chunk's associated data names its file, its position and whether it
is the last one, so a chunk moved to another file or place, a file cut short at a chunk
boundary, or two files swapped all fail to open, exactly as a changed byte does.

File layout: MAGIC, then for each chunk a random 12-byte nonce and the sealed chunk (its text
plus a 16-byte tag). Every chunk but the last holds exactly the chunk size (in the backup's
header) of text; the last holds the rest (possibly nothing), so even an empty file has one.
"""

import base64
import os
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"SLBKENC1"
CHUNK_SIZE = 1024 * 1024
NONCE_SIZE = 12
TAG_SIZE = 16

SALT_SIZE = 16

# scrypt cost: 2**17 takes 128 MiB (128 * r * n bytes) and about half a second, once per
# backup or restore.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
# Limits on what a backup's header may ask for: anyone holding a backup can edit its header,
# and must not make a restore take gigabytes of memory or minutes of work. Room for n = 2**18.
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
MAX_SCRYPT_R = 8
MAX_SCRYPT_P = 2
MIN_CHUNK_SIZE, MAX_CHUNK_SIZE = 1024, 64 * 1024 * 1024

KEY_CHECK_TEXT = b"stalkerlog backup key check"
KEY_CHECK_CONTEXT = b"stalkerlog-backup/1\x00key-check"
KEY_CHECK_SIZE = NONCE_SIZE + len(KEY_CHECK_TEXT) + TAG_SIZE
# Said of backup.json, the only place these settings come from.
DAMAGED = "its encryption settings are damaged or were edited."


class WrongPassphrase(Exception):
    """The passphrase does not open this backup."""


class Undecryptable(Exception):
    """A file that does not decrypt: changed, damaged, cut short or put in another place."""


class Cipher:
    """A key derived from a passphrase, and the header fields that let it be derived again."""

    def __init__(self, key: bytes, params: dict):
        self._aead = AESGCM(key)
        self.params = params
        self.chunk_size = params["chunk_size"]

    @classmethod
    def create(cls, passphrase: str) -> "Cipher":
        """A new key with a new random salt, for writing a backup."""
        params = {
            "cipher": "AES-256-GCM",
            "chunk_size": CHUNK_SIZE,
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": _b64(os.urandom(SALT_SIZE)),
        }
        cipher = cls(_derive(passphrase, params), params)
        nonce = os.urandom(NONCE_SIZE)
        sealed = cipher._aead.encrypt(nonce, KEY_CHECK_TEXT, KEY_CHECK_CONTEXT)
        params["key_check"] = _b64(nonce + sealed)
        return cipher

    @classmethod
    def open(cls, passphrase: str, params: dict) -> "Cipher":
        """The key of an existing backup; WrongPassphrase if the passphrase is not its own."""
        check_params(params)
        cipher = cls(_derive(passphrase, params), params)
        check = _b64decode(params["key_check"])
        try:
            cipher._aead.decrypt(check[:NONCE_SIZE], check[NONCE_SIZE:], KEY_CHECK_CONTEXT)
        except InvalidTag:
            raise WrongPassphrase from None
        return cipher

    def writer(self, target: BinaryIO, name: str) -> "EncryptingWriter":
        return EncryptingWriter(self._aead, target, name, self.chunk_size)

    def chunks(self, source: BinaryIO, name: str) -> Iterator[bytes]:
        """The plain text of one file, chunk by chunk, each checked before it is given out."""
        if source.read(len(MAGIC)) != MAGIC:
            raise Undecryptable(f"{name} is not an encrypted backup file.")
        index, record_size = 0, NONCE_SIZE + self.chunk_size + TAG_SIZE
        record = source.read(record_size)
        while True:
            following = source.read(record_size) if len(record) == record_size else b""
            final = not following
            if len(record) < NONCE_SIZE + TAG_SIZE:
                raise Undecryptable(f"{name} is cut short.")
            nonce, sealed = record[:NONCE_SIZE], record[NONCE_SIZE:]
            try:
                yield self._aead.decrypt(nonce, sealed, _context(name, index, final))
            except InvalidTag:
                raise Undecryptable(
                    f"{name} does not decrypt: it was changed or damaged."
                ) from None
            if final:
                return
            record, index = following, index + 1


class EncryptingWriter:
    """A file-like sink: text written in goes out sealed, chunk by chunk. Call close() once."""

    def __init__(self, aead: AESGCM, target: BinaryIO, name: str, chunk_size: int):
        self._aead, self._target, self._name = aead, target, name
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._index = 0
        target.write(MAGIC)

    def write(self, data: bytes) -> None:
        self._buffer += data
        # A full chunk is sealed only once more text follows: until then it may be the last.
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), final=False)
            del self._buffer[: self._chunk_size]

    def close(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _seal(self, text: bytes, *, final: bool) -> None:
        nonce = os.urandom(NONCE_SIZE)
        context = _context(self._name, self._index, final)
        self._target.write(nonce + self._aead.encrypt(nonce, text, context))
        self._index += 1


def _context(name: str, index: int, final: bool) -> bytes:
    return b"stalkerlog-backup/1\x00%s\x00%d\x00%d" % (name.encode(), index, final)


def _derive(passphrase: str, params: dict) -> bytes:
    """NFC first: the same passphrase typed on another keyboard or system may arrive with its
    accented letters composed differently, and must still give the same key."""
    salt = _b64decode(params["salt"])
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode())


def check_params(params: object) -> None:
    """Refuse encryption settings this version would not have written, before a passphrase
    is asked for or a key derived: they come from backup.json, which is not sealed."""
    if not isinstance(params, dict):
        raise Undecryptable(DAMAGED)
    if params.get("cipher") != "AES-256-GCM" or params.get("kdf") != "scrypt":
        raise Undecryptable("it names an encryption this version of the app does not know.")
    numbers = [params.get(name) for name in ("chunk_size", "n", "r", "p")]
    if not all(type(number) is int for number in numbers):
        raise Undecryptable(DAMAGED)
    chunk_size, n, r, p = numbers
    if not (MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE and _affordable_scrypt(n, r, p)):
        raise Undecryptable(
            "its encryption settings are out of range (they would take too much memory or time)."
        )
    for name, size in (("salt", SALT_SIZE), ("key_check", KEY_CHECK_SIZE)):
        if len(_b64decode(params.get(name))) != size:
            raise Undecryptable(DAMAGED)


def _affordable_scrypt(n: int, r: int, p: int) -> bool:
    power_of_two = n > 1 and n & (n - 1) == 0
    return (
        power_of_two
        and 0 < r <= MAX_SCRYPT_R
        and 0 < p <= MAX_SCRYPT_P
        and 128 * r * n <= MAX_SCRYPT_MEMORY
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64decode(text: object) -> bytes:
    if not isinstance(text, str):
        raise Undecryptable(DAMAGED)
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error, or a character that is not ASCII
        raise Undecryptable(DAMAGED) from None
