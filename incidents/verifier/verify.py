#!/usr/bin/env python3
"""Check a StalkerLog evidence package without the server that made it.

Run it from the unpacked package:   python3 verify.py      (Windows: py verify.py)
or name the folder:                 python3 verify.py path/to/unpacked-package

It checks, with the Python 3 standard library only and without any network:
1. every file against manifest.sha256 (its SHA-256 fingerprint, byte for byte);
2. the custody log this case's records carry (custody.json): each of this case's entries is
   hashed again exactly as the server hashed it (an entry for a batch of imported texts or
   calls also takes its fingerprint again over the items listed with it), every entry must
   name the hash of the entry before it, and the chain must end at the head printed on the
   dossier's cover and in case.json. Other cases' entries are carried as their links (the
   hash before, their own hash) only: what they record is not in the package, so they are not
   recomputed here; the server's `manage.py verify_chain` checks them, and a timestamp or an
   earlier dossier's head ties this chain to the server's;
3. every trusted timestamp in timestamps/: the time-stamping authority's signature over the
   chain head (RSA signatures are checked here; see timestamp_problems), its certificate chain
   to the authority certificate shipped beside it, and that the head it signed is in the chain.

It prints what it checked and a verdict, and exits with 0 when everything is in order, 1 when
anything is not (and 2 when it cannot read the package at all).

It speaks the language the package was made in: the server fills in WORDS below with the
translations of the texts marked _("...") when it packs this file (incidents/verifier/bundle.py).
"""

import base64
import hashlib
import json
import re
import sys
import textwrap
from pathlib import Path

# The translation of each text marked _("..."), in the package's language; empty for English.
# The server replaces the next line, and only it, when it packs this file.
WORDS = {}


def _(text):
    """`text` in the package's language (as written here when there is no translation)."""
    return WORDS.get(text, text)


MANIFEST = "manifest.sha256"
PROOF = "custody.json"
GENESIS = "0" * 64
CANONICAL_FIELDS = {
    "v",
    "sequence",
    "recorded_at",
    "user",
    "action",
    "object_type",
    "object",
    "content_sha256",
    "file_sha256",
    "previous_hash",
}
BATCH = "imported_batch"  # an entry fingerprinting a batch of imported texts or calls
# The dossier's metadata (its Keywords) repeat the head on its cover, in letters and digits.
HEAD_IN_PDF = re.compile(rb"custody head (\d+) ([0-9a-f]{64})")
# Files a desktop leaves in a folder by itself: not part of the package, not a problem.
DESKTOP_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


# The label before each result. What follows a result lines up after the longest label, in
# whichever language they are printed.
OK, PROBLEM, NOTE = _("OK"), _("PROBLEM"), _("NOTE")
LABEL_WIDTH = max(len(OK), len(PROBLEM), len(NOTE)) + 2
INDENT = " " * (2 + LABEL_WIDTH)
WIDTH = 90  # of an explanation's lines


def explain(text, indent=INDENT):
    """Print `text` wrapped, each line indented by `indent`."""
    print(textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent))


class Report:
    def __init__(self):
        self.problems = []
        self.notes = []

    def _line(self, label, text):
        print("  " + label.ljust(LABEL_WIDTH) + text)

    def ok(self, text):
        self._line(OK, text)

    def problem(self, text):
        self.problems.append(text)
        self._line(PROBLEM, text)

    def note(self, text):
        self.notes.append(text)
        self._line(NOTE, text)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- 1. the manifest -------------------------------------------------------------------------


def check_manifest(root, report):
    print(_("1. Files against manifest.sha256"))
    listed = {}
    for number, line in enumerate((root / MANIFEST).read_text("utf-8").splitlines(), 1):
        match = re.fullmatch(r"([0-9a-f]{64})  (.+)", line)
        if not match:
            report.problem(
                _("manifest.sha256 line {number} cannot be read: it was changed.").format(
                    number=number
                )
            )
            continue
        listed[match.group(2)] = match.group(1)
    bad = 0
    for name, expected in sorted(listed.items()):
        path = root / name
        if ".." in Path(name).parts or not path.is_file():
            report.problem(
                _("{name} is listed in the manifest but is not in the package.").format(name=name)
            )
            bad += 1
        elif sha256_of(path) != expected:
            report.problem(
                _("{name} does not match its fingerprint: it was changed.").format(name=name)
            )
            bad += 1
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name != MANIFEST and name not in listed and path.name not in DESKTOP_FILES:
            report.note(
                _("{name} is not in the manifest: it was not part of the package.").format(
                    name=name
                )
            )
    if not bad:
        report.ok(
            _("all {count} files listed in the manifest match their fingerprints.").format(
                count=len(listed)
            )
        )
    return listed


# --- 2. the custody log ----------------------------------------------------------------------


def canonical(fields):
    """The bytes the server hashed for an entry (incidents/custody.py, canonical)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def batch_matches(item):
    """Whether a batch entry's listed items give the fingerprint it logged: the SHA-256 of the
    import, the kind, the count and each item's uuid and fingerprint, in order, as the server
    takes it (incidents/custody.py, batch_sha256)."""
    items = item.get("items")
    if not isinstance(items, list) or not item.get("kind"):
        return False
    fields = {
        "v": 1,
        "import": item["object"],
        "kind": item["kind"],
        "count": len(items),
        "items": items,
    }
    return hashlib.sha256(canonical(fields)).hexdigest() == item["content_sha256"]


def check_chain(proof, report):
    """Walk the chain from the first entry to the last; return (head, hashes by number)."""
    previous_hash, expected, mine, batches, hashes = GENESIS, 1, 0, 0, {}
    for item in proof["entries"]:
        sequence = item.get("sequence")
        if sequence != expected:
            report.problem(
                _("Custody entry {number} is missing from custody.json.").format(number=expected)
            )
            return None, hashes
        if item["previous_hash"] != previous_hash:
            report.problem(
                _(
                    "Custody entry {number} does not follow entry {before}: entries were "
                    "changed, removed or put in another order."
                ).format(number=sequence, before=sequence - 1)
            )
            return None, hashes
        if "action" in item:  # one of this case's entries, whole
            fields = {key: item[key] for key in CANONICAL_FIELDS if key in item}
            if set(fields) != CANONICAL_FIELDS:
                report.problem(
                    _("Custody entry {number} lacks some of its fields.").format(number=sequence)
                )
                return None, hashes
            found = hashlib.sha256(canonical(fields)).hexdigest()
            if found != item["entry_hash"]:
                report.problem(
                    _(
                        "Custody entry {number} ({what}) does not match its hash: it was "
                        "changed after it was written."
                    ).format(number=sequence, what=f"{item['action']} {item['object_type']}")
                )
                return None, hashes
            if item["action"] == BATCH and not batch_matches(item):
                report.problem(
                    _(
                        "Custody entry {number} logs a batch of imported texts or calls, but the "
                        "items listed with it do not give its fingerprint: the list was changed."
                    ).format(number=sequence)
                )
                return None, hashes
            mine += 1
            batches += item["action"] == BATCH
        previous_hash = item["entry_hash"]
        hashes[sequence] = previous_hash
        expected += 1
    head = f"{expected - 1}:{previous_hash}"
    if batches:
        text = _(
            "the custody log's {count} entries link up to the head {head}...; {mine} of them "
            "are this case's and were each hashed again here, the {batches} batches of "
            "imported items among them with their items."
        )
    else:
        text = _(
            "the custody log's {count} entries link up to the head {head}...; {mine} of them "
            "are this case's and were each hashed again here."
        )
    report.ok(text.format(count=expected - 1, head=head[:20], mine=mine, batches=batches))
    return head, hashes


def check_heads(root, proof, head, report):
    """The chain must end at the head in custody.json, in case.json and on the dossier."""
    try:
        case = json.loads((root / "case.json").read_text("utf-8"))
    except (OSError, ValueError):
        case = {}
    pdf = root / "dossier.pdf"
    cover = HEAD_IN_PDF.search(pdf.read_bytes()) if pdf.is_file() else None
    places = {
        "custody.json": proof.get("head"),
        "case.json": case.get("custody_head"),
        _("the dossier's cover"): f"{int(cover[1])}:{cover[2].decode()}" if cover else None,
    }
    for place, value in places.items():
        if value is None:
            report.problem(_("The chain head could not be found in {place}.").format(place=place))
        elif value != head:
            report.problem(
                _(
                    "The chain ends at {head}..., but {place} gives {other}...: they must be "
                    "the same."
                ).format(head=head[:20], place=place, other=value[:20])
            )
        else:
            report.ok(_("the chain head equals the one in {place}.").format(place=place))
    print(INDENT + _("Chain head: {head}").format(head=head))
    explain(
        _(
            "Compare it with the head printed on the cover of any dossier you were given "
            "earlier, or with a copy its owner keeps: an earlier head must be no larger in "
            "number, and is checked on the server with verify_chain."
        )
    )


def check_custody(root, report):
    print(_("2. The custody log"))
    path = root / PROOF
    if not path.is_file():
        report.problem(_("custody.json is not in the package: the custody log cannot be checked."))
        return None, {}
    try:
        proof = json.loads(path.read_text("utf-8"))
        entries = proof["entries"]
        if not isinstance(entries, list) or not all(isinstance(i, dict) for i in entries):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        report.problem(_("custody.json cannot be read: it was changed."))
        return None, {}
    try:
        head, hashes = check_chain(proof, report)
    except (KeyError, TypeError, AttributeError):
        report.problem(_("custody.json holds an entry that cannot be read: it was changed."))
        return None, {}
    if head is not None:
        check_heads(root, proof, head, report)
    return head, hashes


# --- 3. timestamps: a minimal DER reader and RSA, in plain Python ----------------------------


class DerError(ValueError):
    pass


class Der:
    """One DER element: its tag byte, its content and its whole encoding."""

    def __init__(self, data, start=0):
        if start + 2 > len(data):
            raise DerError("truncated")
        self.tag = data[start]
        length, offset = data[start + 1], start + 2
        if length & 0x80:
            count = length & 0x7F
            if not 1 <= count <= 4 or offset + count > len(data):
                raise DerError("bad length")
            length = int.from_bytes(data[offset : offset + count], "big")
            offset += count
        if offset + length > len(data):
            raise DerError("truncated")
        self.content = data[offset : offset + length]
        self.encoded = data[start : offset + length]
        self.end = offset + length

    def children(self):
        items, position = [], 0
        while position < len(self.content):
            item = Der(self.content, position)
            items.append(item)
            position = item.end
        return items

    def integer(self):
        return int.from_bytes(self.content, "big", signed=True)

    def oid(self):
        first, parts, value = self.content[0], [], 0
        parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
        for byte in self.content[1:]:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                parts.append(value)
                value = 0
        return ".".join(map(str, parts))


SHA256 = "2.16.840.1.101.3.4.2.1"
SHA384 = "2.16.840.1.101.3.4.2.2"
SHA512 = "2.16.840.1.101.3.4.2.3"
HASHES = {SHA256: hashlib.sha256, SHA384: hashlib.sha384, SHA512: hashlib.sha512}
RSA_SIGNATURES = {
    "1.2.840.113549.1.1.1": None,  # rsaEncryption: the hash is the SignerInfo's digest algorithm
    "1.2.840.113549.1.1.11": SHA256,
    "1.2.840.113549.1.1.12": SHA384,
    "1.2.840.113549.1.1.13": SHA512,
}
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
EXTENDED_KEY_USAGE = "2.5.29.37"


class Certificate:
    def __init__(self, der):
        self.der = der
        cert = Der(der)
        self.tbs, algorithm, signature = cert.children()
        self.signature_oid = algorithm.children()[0].oid()
        self.signature = signature.content[1:]  # a BIT STRING: skip its unused-bits byte
        fields = self.tbs.children()
        if fields[0].tag == 0xA0:  # the version, when present
            fields = fields[1:]
        self.serial = fields[0].integer()
        self.issuer, self.subject = fields[2].encoded, fields[4].encoded
        key_info = fields[5].children()
        self.key_oid = key_info[0].children()[0].oid()
        self.key = None
        if self.key_oid == "1.2.840.113549.1.1.1":
            modulus, exponent = Der(key_info[1].content[1:]).children()
            self.key = (modulus.integer(), exponent.integer())
        self.usages = set()
        for extensions in (f for f in fields[6:] if f.tag == 0xA3):
            for extension in extensions.children()[0].children():
                parts = extension.children()
                if parts[0].oid() == EXTENDED_KEY_USAGE:
                    self.usages = {oid.oid() for oid in Der(parts[-1].content).children()}


def rsa_verifies(key, signature, message, hash_oid):
    """PKCS #1 v1.5: the signature raised to the public exponent must be the padded digest."""
    if key is None or hash_oid not in HASHES:
        return False
    modulus, exponent = key
    size = (modulus.bit_length() + 7) // 8
    block = pow(int.from_bytes(signature, "big"), exponent, modulus).to_bytes(size, "big")
    if not block.startswith(b"\x00\x01") or b"\x00" not in block[2:]:
        return False
    padding, _zero, digest_info = block[2:].partition(b"\x00")
    if len(padding) < 8 or set(padding) != {0xFF}:
        return False
    algorithm, digest = Der(digest_info).children()
    expected = HASHES[hash_oid](message).digest()
    return algorithm.children()[0].oid() == hash_oid and digest.content == expected


class Token:
    """A TimeStampResp as the authority sent it, read as far as checking it needs."""

    def __init__(self, data):
        response = Der(data).children()
        status = response[0].children()[0].integer()
        if status not in (0, 1) or len(response) < 2:
            raise DerError("not granted")
        signed = Der(response[1].children()[1].content).children()
        content = signed[2].children()
        self.tst_info = Der(Der(content[1].content).content)  # [0] { OCTET STRING { TSTInfo } }
        self.certificates = []
        rest = signed[3:]
        if rest and rest[0].tag == 0xA0:
            self.certificates = [Certificate(c.encoded) for c in rest[0].children()]
        signer = rest[-1].children()[0].children()
        self.signer_issuer, self.signer_serial = (
            signer[1].children()[0].encoded,
            signer[1].children()[1].integer(),
        )
        self.digest_oid = signer[2].children()[0].oid()
        attributes = signer[3]
        if attributes.tag != 0xA0:
            raise DerError("no signed attributes")
        self.signed_attributes = b"\x31" + attributes.encoded[1:]  # signed as a SET
        self.message_digest = None
        for attribute in attributes.children():
            oid, values = attribute.children()
            if oid.oid() == MESSAGE_DIGEST:
                self.message_digest = values.children()[0].content
        self.signature_oid = signer[4].children()[0].oid()
        self.signature = signer[5].content
        info = self.tst_info.children()
        imprint = info[2].children()
        self.imprint_oid = imprint[0].children()[0].oid()
        self.imprint = imprint[1].content
        self.serial = info[3].integer()
        self.time = info[4].content.decode("ascii")


def chain_to_trusted(leaf, pool, trusted):
    """Whether `leaf` is, or is signed through `pool` by, a trusted certificate."""
    current, seen = leaf, set()
    while current.der not in trusted:
        if current.der in seen:
            return False
        seen.add(current.der)
        issuer = next((c for c in pool if c.subject == current.issuer), None)
        hash_oid = RSA_SIGNATURES.get(current.signature_oid)
        if issuer is None or not rsa_verifies(
            issuer.key, current.signature, current.tbs.encoded, hash_oid
        ):
            return False
        current = issuer
    return True


def pem_certificates(text):
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", text, re.S)
    return [Certificate(base64.b64decode("".join(b.split()))) for b in blocks]


UNCHECKED = "unchecked"  # token_problem: a signature of a kind this program cannot check


def token_problem(token, head, trusted_pem):
    """Why the token does not prove that `head` existed at its time ("" when it does), or
    UNCHECKED when its signature cannot be checked here at all."""
    if HASHES.get(token.imprint_oid, hashlib.sha256)(head.encode()).digest() != token.imprint:
        return _("it was not given for this chain head")
    digest = HASHES.get(token.digest_oid)
    if digest is None or token.message_digest != digest(token.tst_info.encoded).digest():
        return _("its content does not match what the authority signed")
    trusted = pem_certificates(trusted_pem)
    pool = token.certificates + trusted
    signer = next(
        (c for c in pool if c.issuer == token.signer_issuer and c.serial == token.signer_serial),
        None,
    )
    if signer is None:
        return _("the authority's certificate is not in the package")
    if signer.key is None or token.signature_oid not in RSA_SIGNATURES:
        return UNCHECKED
    if not rsa_verifies(signer.key, token.signature, token.signed_attributes, token.digest_oid):
        return _("the authority's signature does not match it")
    if TIME_STAMPING not in signer.usages:
        return _("the certificate that signed it is not one for time-stamping")
    if not chain_to_trusted(signer, pool, {c.der for c in trusted}):
        return _("the certificate that signed it does not lead to the authority's certificate")
    return ""


def check_timestamps(root, head, hashes, report):
    print(_("3. Trusted timestamps of the chain head"))
    folder = root / "timestamps"
    tokens = sorted(folder.glob("*.tsr"), key=lambda p: int(p.stem)) if folder.is_dir() else []
    if not tokens:
        report.note(_("the package holds no trusted timestamp (the server did not ask for one)."))
        return
    if head is None:
        report.note(
            _(
                "{count} timestamp(s) not checked: the custody log they are about is not whole "
                "(see above)."
            ).format(count=len(tokens))
        )
        return
    ca_file = folder / "tsa-ca.pem"
    trusted_pem = ca_file.read_text("ascii") if ca_file.is_file() else ""
    for path in tokens:
        sequence = int(path.stem)
        name = path.relative_to(root).as_posix()
        if sequence not in hashes:
            report.problem(
                _("{name} is for custody entry {number}, which is not in the chain.").format(
                    name=name, number=sequence
                )
            )
            continue
        head = f"{sequence}:{hashes[sequence]}"
        token = None
        try:
            token = Token(path.read_bytes())
            problem = token_problem(token, head, trusted_pem)
        except (DerError, IndexError, ValueError, UnicodeDecodeError):
            problem = _("it cannot be read")
        report_token(report, name, sequence, token, problem)
        digest = hashlib.sha256(head.encode()).hexdigest()
        print(INDENT + _("To check it with OpenSSL as well:"))
        print(INDENT + f"openssl ts -verify -in {name} -digest {digest} \\")
        print(INDENT + "  -CAfile timestamps/tsa-ca.pem")


def report_token(report, name, sequence, token, problem):
    """Report one timestamp by what token_problem found."""
    if problem == UNCHECKED:
        report.note(
            _(
                "{name}: the head matches, but its signature is of a kind this program cannot "
                "check with Python alone; check it with OpenSSL (command below)."
            ).format(name=name)
        )
    elif problem:
        report.problem(_("{name} does not verify: {problem}.").format(name=name, problem=problem))
    else:
        report.ok(
            _(
                "{name}: the authority signed chain head {number} on {when}; signature and "
                "certificate chain checked."
            ).format(name=name, number=sequence, when=_when(token.time))
        )


def _when(text):
    """A GeneralizedTime (20261207062544Z, perhaps with fractions) in words."""
    return _("{date} at {time} UTC").format(
        date=f"{text[0:4]}-{text[4:6]}-{text[6:8]}",
        time=f"{text[8:10]}:{text[10:12]}:{text[12:14]}",
    )


# --- the verdict -------------------------------------------------------------------------------


def main(argv):
    # A console that cannot show a letter of the package's language shows "?" in its place
    # rather than stopping the check.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    print(_("Checking the evidence package in {folder}").format(folder=root))
    if not (root / MANIFEST).is_file():
        print(
            _("{name} is not there: this is not an unpacked evidence package.").format(
                name=MANIFEST
            )
        )
        return 2
    report = Report()
    check_manifest(root, report)
    head, hashes = check_custody(root, report)
    check_timestamps(root, head, hashes, report)
    print()
    if report.problems:
        print(
            _("VERDICT: NOT VERIFIED. {count} problem(s) found:").format(count=len(report.problems))
        )
        for problem in report.problems:
            print(f"  - {problem}")
        explain(
            _(
                "Something in this package is not as it was made. Ask for a fresh copy, and "
                "keep this one as it is: what changed may matter."
            ),
            indent="",
        )
        return 1
    explain(
        _(
            "VERDICT: VERIFIED. Every file matches the manifest, the custody log of this case "
            "is whole up to the head printed on the dossier's cover, and the timestamps noted "
            "above were checked."
        ),
        indent="",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
