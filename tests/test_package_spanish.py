"""The evidence package in the dossier's language: its verify.py prints its checks and verdict
in Spanish for a Spanish package (and in English for an English one), and its tables name their
columns and words in Spanish, dates left in ISO form for a spreadsheet."""

import ast
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from incidents import timestamps
from incidents.dossier import DossierOptions
from incidents.job_language import in_owner_language
from incidents.models import Case, Incident
from incidents.package import build_package
from incidents.services import account_create, evidence_add
from incidents.verifier import bundle
from tests.conftest import PASSWORD, made_once, make_incident, making_in
from tests.imported import call, export_file, import_job, keep, text
from tests.test_spanish import _english_left

# Every test reads the packages made once, inside the module's transaction (see made_once).
pytestmark = pytest.mark.django_db

LABEL = re.compile(r"^  (CORRECTO|PROBLEMA|NOTA) +(?=\S)")


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1  # no process pool inside the test runner


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "tomato").save(buffer, "PNG")
    return buffer.getvalue()


def _records(user) -> Case:
    """A Spanish speaker's case: an approximate incident with a photo, a text and a missed
    call from a withheld number imported from a phone's export."""
    user.language = "es"
    user.time_zone = "Europe/Madrid"
    user.save()
    case = Case.objects.owned_by(user).get()
    incident = make_incident(
        user,
        occurred_at=datetime(2024, 5, 1, 20, tzinfo=UTC),
        kind=Incident.Kind.CALLS,
        is_approximate=True,
        description="Me esperaba a la salida del trabajo.",
    )
    upload = SimpleUploadedFile("foto.png", _png(), "image/png")
    evidence_add(case=case, upload=upload, attached_to=incident, caption="El coche.")
    job = import_job(case, export_file(case, b"<?xml version='1.0'?><smses count='2'/>"))
    keep(
        [
            text(job, 1, datetime(2024, 5, 2, 20, 2, tzinfo=UTC), "Sé dónde vives."),
            call(job, 2, datetime(2024, 5, 2, 20, 30, tzinfo=UTC), withheld=True),
        ]
    )
    return case


def _build(user, case, folder: Path, language: str = "") -> Path:
    """The package as the background job makes it: in the owner's zone and language (or the
    one asked for), unpacked."""
    out = folder / "package.zip"
    options = DossierOptions(case=str(case.uuid), language=language)
    with timezone.override(user.time_zone), in_owner_language(user, language):
        build_package(user, options, out)
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder / "unpacked")
    return folder / "unpacked"


@pytest.fixture(scope="module")
def packages(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Path]:
    """The same case packed in its owner's Spanish and, asked for, in English: made once for
    the module, its rows rolled back at once."""
    folder = tmp_path_factory.mktemp("spanish")
    with made_once(django_db_blocker, folder), making_in(folder):
        alice = account_create(username="alice", password=PASSWORD, is_owner=True)
        case = _records(alice)
        return {
            "es": _build(alice, case, folder / "es"),
            "en": _build(alice, case, folder / "en", language="en"),
        }


@pytest.fixture
def spanish(packages, tmp_path) -> Path:
    """This test's own copy of the Spanish package, to tamper with."""
    return shutil.copytree(packages["es"], tmp_path / "unpacked")


def _verify(folder: Path) -> subprocess.CompletedProcess:
    # -I -S: no site-packages and no environment: the standard library alone, as on a laptop.
    return subprocess.run(
        [sys.executable, "-I", "-S", "verify.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _table(folder: Path, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((folder / name).read_text("utf-8-sig"))))


@pytest.mark.slow
def test_a_spanish_package_is_checked_and_verified_in_spanish(spanish):
    result = _verify(spanish)

    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "Comprobando el paquete de pruebas en" in out
    assert "1. Los archivos comparados con manifest.sha256" in out
    assert "la cabeza de la cadena es igual a la de la portada del expediente" in out
    assert "VEREDICTO: VERIFICADO." in out
    assert "VERDICT" not in out and _english_left(out) == []
    # The results line up after the longest Spanish label, as the English ones do.
    starts = {LABEL.match(line).end() for line in out.splitlines() if LABEL.match(line)}
    assert starts == {len("  PROBLEMA  ")}
    assert "\n" + " " * len("  PROBLEMA  ") + "Cabeza de la cadena: " in out


def test_the_manifest_covers_the_spanish_verify_py_as_written(spanish):
    written = (spanish / "verify.py").read_bytes()
    manifest = (spanish / "manifest.sha256").read_text()

    assert f"{hashlib.sha256(written).hexdigest()}  verify.py" in manifest.splitlines()
    assert "VEREDICTO: VERIFICADO" in written.decode()
    assert written != bundle.VERIFIER.read_bytes()


def test_a_changed_file_in_a_spanish_package_is_not_verified_in_spanish(spanish):
    exhibit = next((spanish / "exhibits").glob("*.png"))
    content = bytearray(exhibit.read_bytes())
    content[-5] ^= 0xFF
    exhibit.write_bytes(bytes(content))

    result = _verify(spanish)

    assert result.returncode == 1
    out = result.stdout
    assert f"  PROBLEMA  exhibits/{exhibit.name} no coincide con su huella: fue modificado." in out
    assert "VEREDICTO: NO VERIFICADO. Se encontraron 1 problema(s):" in out
    assert "Pida una copia nueva y guarde esta" in out
    assert "VERIFIED" not in out


@pytest.mark.slow
def test_a_timestamp_in_a_spanish_package_is_checked_in_spanish(packages, authority, tmp_path):
    user = account_create(username="beatriz", password=PASSWORD)
    case = _records(user)
    row = timestamps.stamp_if_configured()
    folder = _build(user, case, tmp_path)
    name = f"timestamps/{row.sequence}.tsr"

    result = _verify(folder)

    assert result.returncode == 0, result.stdout
    signed = re.search(
        rf"  CORRECTO  {re.escape(name)}: la autoridad firmó la cabeza de la cadena "
        rf"{row.sequence} el \d{{4}}-\d\d-\d\d a las \d\d:\d\d:\d\d UTC; firma y cadena "
        r"de certificados comprobadas\.",
        result.stdout,
    )
    assert signed, result.stdout
    assert "Para comprobarlo también con OpenSSL:" in result.stdout
    assert f"openssl ts -verify -in {name} -digest " in result.stdout

    token = bytearray((folder / name).read_bytes())
    token[-10] ^= 0x01
    (folder / name).write_bytes(bytes(token))
    result = _verify(folder)
    assert result.returncode == 1
    assert f"  PROBLEMA  {name} no se verifica: " in result.stdout


def test_an_english_package_checks_and_verifies_in_english(packages):
    result = _verify(packages["en"])

    assert result.returncode == 0, result.stdout
    assert "  OK       all " in result.stdout
    assert "VERDICT: VERIFIED." in result.stdout
    assert "VEREDICTO" not in result.stdout
    # The program as written: no translations to carry.
    assert (packages["en"] / "verify.py").read_bytes() == bundle.VERIFIER.read_bytes()


def test_the_spanish_tables_name_their_columns_and_words_in_spanish(packages):
    folder = packages["es"]

    header, row = _table(folder, "incidents.csv")
    assert header[:6] == ["número", "fecha", "hora", "aproximada", "fin", "tipo"]
    assert header[-5:] == [
        "respuesta",
        "señales de peligro",
        "anexos",
        "anotado el",
        "modificado el",
    ]
    incident = dict(zip(header, row, strict=True))
    assert (incident["fecha"], incident["hora"]) == ("2024-05-01", "22:00")  # ISO, in Madrid
    assert incident["aproximada"] == "sí"
    assert (incident["tipo"], incident["grupo SLII"]) == (
        "Llamadas telefónicas",
        "Invasión de la vida cotidiana",
    )
    assert incident["respuesta"] == "no anotado"
    assert incident["qué pasó"] == "Me esperaba a la salida del trabajo."

    header, *rows = _table(folder, "transcript.csv")
    assert header[:6] == ["fecha", "hora", "UTC", "dirección", "tipo", "número tal como figura"]
    first, second = (dict(zip(header, row, strict=True)) for row in rows)
    assert (first["fecha"], first["UTC"]) == ("2024-05-02", "2024-05-02T20:02:00Z")
    assert (first["dirección"], first["texto"]) == ("Recibido", "Sé dónde vives.")
    assert (second["tipo"], second["número tal como figura"]) == ("llamada: perdida", "oculto")


def test_case_json_keeps_its_keys_in_english_for_programs(packages):
    data = json.loads((packages["es"] / "case.json").read_text("utf-8"))
    assert {"incidents", "custody_head"} <= set(data)
    assert "description" in data["incidents"][0]


def test_an_english_package_keeps_its_tables_in_english(packages):
    header, row = _table(packages["en"], "incidents.csv")
    assert header[:4] == ["number", "date", "time", "approximate"]
    assert dict(zip(header, row, strict=True))["approximate"] == "yes"
    header, *rows = _table(packages["en"], "transcript.csv")
    assert dict(zip(header, rows[1], strict=True))["kind"] == "call: missed"


def test_a_translation_that_breaks_a_placeholder_is_left_out(monkeypatch):
    broken = "{name} is listed in the manifest but is not in the package."
    padded = "{name} does not match its fingerprint: it was changed."  # a width stops the program
    fine = "the dossier's cover"
    words = {
        broken: "{nombre} figura en el manifiesto.",
        padded: "{name:>99999999999} no coincide con su huella.",
        fine: "la portada del expediente",
    }
    monkeypatch.setattr(bundle, "gettext", lambda msgid: words.get(msgid, msgid))

    source = bundle.verifier_source().decode()

    namespace: dict = {}
    exec(compile(source, "verify.py", "exec"), namespace)  # noqa: S102
    assert namespace["WORDS"] == {fine: "la portada del expediente"}


PRINTERS = {"print", "explain", "ok", "problem", "note"}  # what verify.py prints with


def _words_outside_marks(node: ast.AST) -> list[str]:
    """The pieces of text under `node` that are not inside a _("...") call."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Subscript):  # item["action"]: a key, not words
        return _words_outside_marks(node.value)
    return [text for child in ast.iter_child_nodes(node) for text in _words_outside_marks(child)]


def test_every_text_verify_py_prints_is_marked_for_translation():
    tree = ast.parse(bundle.VERIFIER.read_text("utf-8"))
    unmarked = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in PRINTERS:
            arguments = node.args + [keyword.value for keyword in node.keywords]
            unmarked += [
                t for a in arguments for t in _words_outside_marks(a) if re.search("[a-z]{3}", t)
            ]
    # Only the OpenSSL command, which is the same in every language.
    assert unmarked == ["openssl ts -verify -in ", " -digest ", "  -CAfile timestamps/tsa-ca.pem"]
