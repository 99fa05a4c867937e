"""The evidence package: one ZIP holding the PDF dossier, every exhibit byte for byte, the
records as JSON and as a spreadsheet, a README, and a list of SHA-256 fingerprints in the form
`sha256sum -c` reads.

The ZIP is streamed to disk: each original is copied from the evidence storage in chunks and
hashed on the way, so a package of several gigabytes needs no more memory than a small one. An
original whose bytes no longer match the fingerprint taken when it was received stops the
package: a changed file must never go out looking like the one the user kept.

Exhibit file names are made by the server (number, part of the uuid, extension from the type
detected on upload); the name the file had on the user's device is kept in case.json only.
"""

import hashlib
import json
import os
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from . import local_formats
from .custody import Head
from .dossier import DossierData, DossierOptions, dossier_data
from .evidence import CHUNK_SIZE, EXTENSIONS, FileProblem, evidence_storage, original_problem
from .incidents_csv import incidents_csv
from .integrity import exhibit_label, report_problem
from .models import Evidence, Incident, PoliceContact, User
from .pdf import render_dossier
from .transcript_csv import transcript_csv
from .verifier.bundle import add_verification

FORMAT_VERSION = 1
MANIFEST = "manifest.sha256"

Progress = Callable[[int, str], None]


class PackageError(Exception):
    """Why a package could not be made; the message is written for the user."""


@dataclass(frozen=True)
class PackageResult:
    size: int  # bytes of the ZIP
    files: int  # files in the ZIP, the manifest included
    exhibits: int
    pages: int  # of the dossier


def build_package(
    user: User, options: DossierOptions, out: Path, progress: Progress = lambda p, s: None
) -> PackageResult:
    """Write the package to `out`, atomically: all of it or nothing, and nothing left behind
    on error. Call with the user's time zone active."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix="package-", suffix=".tmp")
    tmp = Path(name)
    dossier = tmp.with_name(f"{tmp.stem}-dossier.pdf.tmp")
    try:
        with os.fdopen(fd, "w+b") as f:
            files, exhibits, pages = _write_package(user, options, f, dossier, progress)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        dossier.unlink(missing_ok=True)
    return PackageResult(size=out.stat().st_size, files=files, exhibits=exhibits, pages=pages)


def _write_package(user, options, f, dossier: Path, progress: Progress) -> tuple[int, int, int]:
    progress(1, gettext("Gathering the records"))
    data = dossier_data(user, options)
    names = exhibit_names(data.exhibits)
    _check_before_drawing(data.exhibits)
    rendered = render_dossier(
        user, options, dossier, _scaled(progress, 2, 45, gettext("Making the dossier"))
    )
    progress(46, gettext("Writing the records"))
    # The head on the dossier's cover, read after the records it drew: case.json says the same.
    data = replace(data, custody_head=Head.parse(rendered.custody_head))
    manifest: list[tuple[str, str]] = []  # (sha256, path in the ZIP)
    when = data.generated_at.timetuple()[:6]
    with zipfile.ZipFile(f, "w", allowZip64=True) as zf:
        _add_bytes(zf, manifest, "README.txt", readme(data, names), when)
        _add_file(zf, manifest, "dossier.pdf", dossier, when)
        _add_bytes(zf, manifest, "case.json", case_json(data, names), when)
        _add_bytes(zf, manifest, "incidents.csv", incidents_csv(data), when)
        if data.communications.transcript:
            _add_bytes(zf, manifest, "transcript.csv", transcript_csv(data), when)
        add_verification(
            lambda name, content: _add_bytes(zf, manifest, name, content, when),
            data.case,
            data.custody_head,
        )
        _copy_exhibits(zf, manifest, data.exhibits, names, when, progress)
        progress(96, gettext("Checking"))
        text = "".join(f"{digest}  {path}\n" for digest, path in manifest)
        _add_bytes(zf, None, MANIFEST, text.encode(), when)
    _check_contents(f, manifest)
    return len(manifest) + 1, len(data.exhibits), rendered.pages


def _scaled(progress: Progress, start: int, end: int, label: str) -> Progress:
    """Map a step's own 0-100 onto part of the whole, under one label."""

    def report(percent: int, stage: str) -> None:
        progress(start + (end - start) * min(max(percent, 0), 100) // 100, f"{label}: {stage}")

    return report


# --- exhibits ----------------------------------------------------------------------------------


def exhibit_names(exhibits: list[Evidence]) -> dict[int, str]:
    """Each exhibit's path in the ZIP, chosen by the server: nothing the user typed goes in it."""
    return {
        item.id: (
            f"exhibits/exhibit-{item.exhibit_number:03d}-{item.uuid.hex[:8]}."
            f"{EXTENSIONS.get(item.content_type, 'bin')}"
        )
        for item in exhibits
    }


def _label(item: Evidence) -> str:
    name = item.original_name if len(item.original_name) <= 60 else item.original_name[:57] + "…"
    return f"Exhibit {item.exhibit_number} ({name})"


def _missing(item: Evidence) -> PackageError:
    return PackageError(
        f"{_label(item)} is missing from the evidence store, so the package was not made. "
        "The server's administrator can run `manage.py verify_evidence` to list what is missing."
    )


def _changed(item: Evidence) -> PackageError:
    return PackageError(
        f"{_label(item)} has changed since it was received: its bytes no longer match the "
        "SHA-256 fingerprint taken then. The package was not made, so that a changed file does "
        "not go out as the original. The server's administrator can run "
        "`manage.py verify_evidence` to list every affected file."
    )


def _check_before_drawing(exhibits: list[Evidence]) -> None:
    """Fail early, and clearly, on what would otherwise fail deep inside the dossier.

    Every original must exist; images are also re-hashed, because the dossier draws its
    pictures from them. Other files (the large ones) are checked while they are copied.
    """
    storage = evidence_storage()
    for item in exhibits:
        if not storage.exists(item.stored_name):
            raise _reported(item, FileProblem(FileProblem.MISSING))
        if item.is_image and (problem := original_problem(item)):
            raise _reported(item, problem)


def _reported(item: Evidence, problem: FileProblem) -> PackageError:
    """Log and show the owner a file found missing or changed; the error that stops the job."""
    report_problem(item, problem, label=exhibit_label(item))
    return _missing(item) if problem.problem == FileProblem.MISSING else _changed(item)


def _copy_exhibits(zf, manifest, exhibits, names, when, progress: Progress) -> None:
    total = sum(item.size for item in exhibits) or 1
    done = 0
    for i, item in enumerate(exhibits, start=1):
        progress(
            47 + 48 * done // total,
            gettext("Copying exhibit %(i)s of %(n)s") % {"i": i, "n": len(exhibits)},
        )
        copy_exhibit(zf, item, names[item.id], when)
        # The stored fingerprint, which the copy has just been proven to match.
        manifest.append((item.sha256, names[item.id]))
        done += item.size


def copy_exhibit(zf: zipfile.ZipFile, item: Evidence, name: str, when: tuple) -> None:
    """Stream one original into the ZIP in chunks, checking it against its fingerprint."""
    info = _entry(name, when, zipfile.ZIP_STORED)  # photos, video and audio are compressed
    info.file_size = item.size  # lets zipfile choose ZIP64 for files over 2 GB
    digest, size = hashlib.sha256(), 0
    try:
        source = evidence_storage().open(item.stored_name, "rb")
    except FileNotFoundError:
        raise _reported(item, FileProblem(FileProblem.MISSING)) from None
    with source, zf.open(info, "w") as dest:
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            size += len(chunk)
            if size > item.size:
                break  # grown since it was received; never write more than was announced
            digest.update(chunk)
            dest.write(chunk)
    if size != item.size or digest.hexdigest() != item.sha256:
        raise _reported(item, original_problem(item) or FileProblem(FileProblem.CHANGED))


# --- writing entries ---------------------------------------------------------------------------


def _entry(name: str, when: tuple, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16  # readable files when unpacked on Linux and macOS
    return info


def _add_bytes(zf, manifest, name: str, content: bytes, when: tuple) -> None:
    zf.writestr(_entry(name, when, zipfile.ZIP_DEFLATED), content)
    if manifest is not None:
        manifest.append((hashlib.sha256(content).hexdigest(), name))


def _add_file(zf, manifest, name: str, path: Path, when: tuple) -> None:
    info = _entry(name, when, zipfile.ZIP_STORED)  # its images and fonts are compressed
    info.file_size = path.stat().st_size
    digest = hashlib.sha256()
    with open(path, "rb") as source, zf.open(info, "w") as dest:
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            digest.update(chunk)
            dest.write(chunk)
    manifest.append((digest.hexdigest(), name))


def _check_contents(f, manifest: list[tuple[str, str]]) -> None:
    """Read the finished ZIP's directory back: every listed file, and nothing else."""
    f.seek(0)
    with zipfile.ZipFile(f) as zf:
        names = zf.namelist()
    expected = [path for _, path in manifest] + [MANIFEST]
    if sorted(names) != sorted(expected):
        raise PackageError(gettext("The package came out incomplete. Please try again."))


# --- case.json ---------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _fields(record, names=None) -> dict:
    """A record's own fields as JSON values, with the readable label of each choice."""
    data = {"uuid": str(record.uuid)}
    for name in names if names is not None else record.HISTORY_FIELDS:
        if name == "case":
            continue
        value = getattr(record, name)
        data[name] = _json_value(value)
        if record._meta.get_field(name).choices and value is not None:
            data[f"{name}_label"] = getattr(record, f"get_{name}_display")()
    for name in ("created_at", "amended_at"):
        data[name] = _json_value(getattr(record, name))
    return data


def _exhibit_numbers(exhibits: list[Evidence]) -> dict[tuple[str, int], list[int]]:
    """Exhibit numbers by what they are attached to: ("incident", id) -> [3, 4]."""
    numbers = defaultdict(list)
    for item in exhibits:
        for attachment in (item, *item.links.all()):
            for field in Evidence.ATTACHMENT_FIELDS:
                if getattr(attachment, f"{field}_id"):
                    numbers[field, getattr(attachment, f"{field}_id")].append(item.exhibit_number)
    for exhibit_list in numbers.values():
        exhibit_list.sort()
    return numbers


def incident_refs(data: DossierData) -> dict[int, int]:
    """Incident numbers as the dossier prints them: 1, 2, 3… in the order of the log."""
    return {incident.id: ref for ref, incident in enumerate(data.incidents, start=1)}


def case_json(data: DossierData, names: dict[int, str]) -> bytes:
    """The case and its records for the period, for programs (and people) that read JSON."""
    refs = incident_refs(data)
    numbers = _exhibit_numbers(data.exhibits)
    records = _records(data)
    effects = data.options.include_effects
    document = {
        "format": "StalkerLog evidence package",
        "format_version": FORMAT_VERSION,
        "generated_at": _json_value(data.generated_at),
        "time_zone": data.time_zone,
        "prepared_by": data.prepared_by,
        "custody_head": str(data.custody_head),
        "period": {
            "from": _json_value(data.options.date_from),
            "to": _json_value(data.options.date_to),
        },
        "effects_included": effects,
        "person_of_concern": _person(data.case),
        "incidents": [_incident(i, refs, numbers, effects) for i in data.incidents],
        "no_contact_notices": [_with_exhibits(n, "notice", numbers) for n in data.notices],
        "police_contacts": [_police(p, refs, numbers) for p in data.police_contacts],
        "protective_orders": [_order(o, refs, numbers) for o in data.orders],
        # Like the incidents' effects, left out when the person chose to leave effects out.
        "changes_to_daily_life": [_fields(c) for c in data.life_changes] if effects else [],
        "exhibits": [_exhibit(item, names, refs, records) for item in data.exhibits],
        "changes": [_change(item) for item in data.changes],
        "trash": [
            {**item, "at": _json_value(item["at"]), "kind": str(item["kind"])}
            for item in data.trashed
        ],
    }
    # DjangoJSONEncoder: labels are translated text, turned into the package's language here.
    return json.dumps(document, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode()


def _change(item: dict) -> dict:
    """One amended record as the dossier's "Changes to the record" gives it."""
    steps = []
    for step in item["steps"]:
        entry = {"action": step["kind"], "at": _json_value(step["at"])}
        if step["kind"] == "amended":
            entry["changes"] = [{"field": label, "to": value} for label, value in step["changes"]]
        elif step["kind"] == "trashed":
            entry["reason"] = step["reason"]
        steps.append(entry)
    record = item["record"]
    return {
        "record": item["title"],
        "type": record._meta.model_name,
        "uuid": str(record.uuid),
        "entered_at": _json_value(item["entered_at"]),
        "first_entered": [{"field": label, "value": value} for label, value in item["first"]],
        "history": steps,
    }


def _person(case) -> dict:
    return {
        "uuid": str(case.uuid),
        "name": case.name,
        "aliases": _lines(case.aliases),
        "relationship": case.relationship,
        "relationship_label": case.get_relationship_display(),
        "description": case.description,
        "phone_numbers": _lines(case.phone_numbers),
        "online_accounts": _lines(case.online_accounts),
        "vehicles": _lines(case.vehicles),
        "addresses": _lines(case.addresses),
        "sample_data": case.is_demo,
    }


def _incident(incident: Incident, refs, numbers, effects: bool) -> dict:
    left_out = set() if effects else {"effect_level", "effect_notes"}
    names = [name for name in Incident.HISTORY_FIELDS if name not in left_out]
    return {
        "ref": refs[incident.id],
        **_fields(incident, names),
        # "answered", "not_recorded", or "not_confirmed" (pre-filled by the app, never confirmed).
        "response_state": incident.response_state,
        **({} if incident.response_state == "answered" else {"response_label": ""}),
        "slii_group": incident.slii_group,
        "danger_signs": incident.danger_labels,
        "exhibits": numbers.get(("incident", incident.id), []),
    }


def _with_exhibits(record, field: str, numbers) -> dict:
    return {**_fields(record), "exhibits": numbers.get((field, record.id), [])}


def _order(order, refs, numbers) -> dict:
    """An order, with the incidents marked as breaking it while it was in force."""
    breaches = [{"ref": refs[i.id], "uuid": str(i.uuid)} for i in order.breaches]
    return {**_with_exhibits(order, "order", numbers), "breaches": breaches}


def _police(contact: PoliceContact, refs, numbers) -> dict:
    linked = [
        # ref is null for an incident outside the period of this package.
        {"ref": refs.get(incident.id), "uuid": str(incident.uuid)}
        for incident in sorted(contact.incidents.all(), key=lambda i: (i.occurred_at, i.id))
    ]
    return {**_with_exhibits(contact, "police_contact", numbers), "incidents": linked}


def _exhibit(item: Evidence, names, refs, records) -> dict:
    return {
        "number": item.exhibit_number,
        "file": names[item.id],
        "sha256": item.sha256,
        "size": item.size,
        "original_name": item.original_name,
        "content_type": item.content_type,
        "kind": item.kind,
        "caption": item.caption,
        "captured_at": _json_value(item.captured_at),
        "camera": item.camera,
        "width": item.width,
        "height": item.height,
        "received_at": _json_value(item.received_at),
        "uuid": str(item.uuid),
        "attached_to": _attachment(item, refs, records),
        "also_attached_to": [_attachment(link, refs, records) for link in item.links.all()],
        "duration_seconds": item.duration,
    }


def _records(data: DossierData) -> dict[str, dict[int, object]]:
    """The package's records by id, for each thing a file can be attached to."""
    lists = {
        "incident": data.incidents,
        "notice": data.notices,
        "police_contact": data.police_contacts,
        "order": data.orders,
    }
    return {field: {record.id: record for record in items} for field, items in lists.items()}


def _attachment(item, refs, records) -> dict:
    """What a file (or one of its further attachments) is attached to."""
    for field, by_id in records.items():
        record_id = getattr(item, f"{field}_id")
        if record_id:
            found = {"uuid": str(by_id[record_id].uuid)} if record_id in by_id else {}
            if field == "incident":
                found["ref"] = refs.get(record_id)
            return {"type": field, **found}
    return {"type": "case"}


# --- README.txt --------------------------------------------------------------------------------

# One text, so that a translator sees it whole; its {names} are filled in by readme().
README = gettext_lazy("""\
EVIDENCE PACKAGE

Person of concern: {case}
Period: {period}
Made on {generated} ({time_zone}) by {prepared_by}, with StalkerLog.

WHAT IS IN IT

dossier.pdf      The dossier: summary, chronological log and exhibit list, ready to print.
exhibits/        Every exhibit the dossier refers to ({exhibits} files), exactly as received.
                 The number in each file name is its exhibit number in the dossier, so
                 exhibit-014-....jpg is "Exhibit 14". The name each file had on the device it
                 came from is listed in case.json.
incidents.csv    The incidents as a table, one row each, for a spreadsheet.
transcript.csv   If messages and calls were imported from a phone's export: each one the
                 dossier's transcript prints, one row each, with its exhibit (the export
                 file, in exhibits/) and its item number and line in that file.
case.json        All the records of the package, with exhibit numbers and fingerprints,
                 for reading by a program; "changes" gives what was first entered in each
                 amended record and each change with its date, "trash" what was moved to the
                 trash, when, and the reason given.
custody.json     The custody log of this case up to the head printed on the dossier's cover:
                 this case's entries (fingerprints only), other cases' as their hashes only.
timestamps/      Trusted timestamps of the custody log's head, if the server asks for them,
                 with the time-stamping authority's certificate (tsa-ca.pem).
verify.py        A program that checks all of the above (see below).
manifest.sha256  The SHA-256 fingerprint of every other file in the package.
README.txt       This file.

CHECK EVERYTHING AT ONCE WITH verify.py

verify.py needs Python 3 (nothing else, no network). It checks every file against the
manifest, recomputes this case's custody log entries from the first to the head, checks that
the head is the one on the dossier's cover and in case.json, and checks every timestamp. It
ends with "VERDICT: VERIFIED" or "VERDICT: NOT VERIFIED" and the problems it found.

  Windows:  install Python 3 from python.org (or the Microsoft Store) if it is not there.
            Open the unpacked folder, type cmd in the address bar, press Enter, then:
            py verify.py
  macOS:    open Terminal, type cd and a space, drag the unpacked folder onto the window,
            press Enter, then:  python3 verify.py
  Linux:    in a terminal in the unpacked folder:  python3 verify.py

HOW TO CHECK THE FILES BY HAND

Each exhibit was fingerprinted (SHA-256) when it was received, and the manifest lists those
same fingerprints, which the dossier also prints. If a single byte of a file changes, its
fingerprint no longer matches. Unpack the ZIP, open a terminal in the unpacked folder, then:

  Linux:    sha256sum -c manifest.sha256
  macOS:    shasum -a 256 -c manifest.sha256

Every line should end in "OK".

  Windows (PowerShell), for one file:
            Get-FileHash -Algorithm SHA256 .\\dossier.pdf
            and compare the result with that file's line in manifest.sha256.

  Windows (PowerShell), for every file at once:
            Get-Content manifest.sha256 | ForEach-Object {{
              $hash, $file = $_ -split '  ', 2
              if ((Get-FileHash -Algorithm SHA256 -LiteralPath $file).Hash -eq $hash) {{
                "OK      $file" }} else {{ "CHANGED $file" }} }}
""")


def readme(data: DossierData, names: dict[int, str]) -> bytes:
    options = data.options
    if options.date_from or options.date_to:
        start = (
            local_formats.when(options.date_from)
            if options.date_from
            else gettext("the first record")
        )
        end = (
            local_formats.when(options.date_to) if options.date_to else gettext("the latest record")
        )
        period = gettext("%(start)s to %(end)s") % {"start": start, "end": end}
    else:
        period = gettext("everything recorded")
    text = README.format(
        case=data.case,
        period=period,
        generated=date_format(timezone.localtime(data.generated_at), "DATETIME_FORMAT"),
        time_zone=data.time_zone,
        prepared_by=data.prepared_by,
        exhibits=len(names),
    )
    # Windows line ends: older Notepad shows the whole file on one line otherwise.
    return text.replace("\n", "\r\n").encode()
