"""The custody log as an evidence package carries it (custody.json), for verify.py to check
without the server.

The log is one chain over every case on the server, so a package cannot carry all of it: the
other cases' entries are none of the recipient's business (their times, actions and file
fingerprints would tell whether another person holds a given file). It carries every entry from
the first to the head, in order: this case's entries whole (fingerprints only, the same fields
the entry's hash is taken over, see custody.canonical), and every other entry as its number, the
hash it names as the one before it, and its own hash. An entry that logs a batch of imported
texts or calls (custody.log_batch) also carries what its fingerprint was taken over: the kind of
its records and each one's uuid and fingerprint, in order.

verify.py hashes each of this case's entries again (and takes each batch's fingerprint again),
checks that every entry names the hash of the entry before it, and that the last one is the head
printed on the dossier's cover. That
proves that this case's entries are exactly as they were hashed, at these places in a chain
that ends at that head: an entry changed after the package was made shows, unless whoever
changed it also rewrote the links of the other cases' entries after it, which the package
cannot recompute. The head itself is what ties the package to the server's log: a trusted
timestamp over it, a head printed in an earlier dossier or a copy the owner keeps, checked
against the whole chain with `manage.py verify_chain` on the server, which recomputes every
entry of every case.
"""

import json
from uuid import UUID

from . import custody
from .custody import Head
from .models import Call, Case, CustodyEntry, Message

FORMAT = "StalkerLog custody proof"
FORMAT_VERSION = 1
FILE_NAME = "custody.json"


def case_objects(case: Case) -> set[UUID]:
    """Every uuid whose entries belong to this case: the case, its records (trashed ones too,
    imported messages and calls among them), its exports, share links and imports."""
    uuids = {case.uuid}
    for related in (
        case.incidents,
        case.evidence,
        case.notices,
        case.police_contacts,
        case.orders,
        case.life_changes,
        case.exports,
        case.shares,
        case.message_imports,
        case.messages,
        case.calls,
    ):
        uuids.update(related.values_list("uuid", flat=True))
    return uuids


def batch_items(entry: CustodyEntry) -> dict:
    """What a batch entry fingerprints (custody.batch_sha256), for verify.py to take its
    fingerprint again: the kind of its records and each one's uuid and logged fingerprint."""
    for model in (Message, Call):
        rows = model.objects.filter(custody_batch=entry.sequence).order_by("element")
        items = [[str(uuid), sha] for uuid, sha in rows.values_list("uuid", "logged_sha256")]
        if items:
            return {"kind": model._meta.model_name, "items": items}
    return {"kind": "", "items": []}


def proof_json(case: Case, head: Head) -> bytes:
    """custody.json: the chain from its first entry to `head`, this case's entries whole."""
    mine = case_objects(case)
    entries = CustodyEntry.objects.filter(sequence__lte=head.sequence).order_by("sequence")
    lines = []
    for entry in entries.iterator(chunk_size=2000):
        if entry.object_uuid in mine:
            fields = json.loads(custody.canonical(entry))
            item = {**fields, "entry_hash": entry.entry_hash}
            if entry.action == custody.Action.BATCH:
                item.update(batch_items(entry))
        else:
            item = {
                "sequence": entry.sequence,
                "previous_hash": entry.previous_hash,
                "entry_hash": entry.entry_hash,
            }
        lines.append(json.dumps(item, sort_keys=True, separators=(",", ":")))
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "case": str(case.uuid),
        "head": str(head),
        "genesis": custody.GENESIS,
    }
    # One entry per line: a reader (or diff) can follow it, and it stays valid JSON.
    body = ",\n".join(lines)
    text = json.dumps(header, indent=1)[:-2] + ',\n "entries": [\n' + body + "\n]}\n"
    return text.encode()
