"""The app in Spanish: the main pages and the dossier read in Spanish, with no English left but
the user's own words; and the English of the catalogue is what is looked for."""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from incidents import exports, security
from incidents.models import (
    Case,
    Export,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
)
from tests import imported
from tests.conftest import form_data, page_text

SPANISH = Path(settings.BASE_DIR, "locale", "es", "LC_MESSAGES", "django.po")
PLACEHOLDER = re.compile(r"%\(\w+\)\d*[sd]|\{\w*\}|<[^>]+>")


def _english_phrases() -> set[str]:
    """Runs of three or more English words from the catalogue's msgids that the Spanish does
    not share: any of them on a Spanish page is English left behind."""
    text = SPANISH.read_text()
    phrases = set()
    for entry in text.split("\n\n"):
        if "msgid " not in entry or 'msgid ""\nmsgstr ""\n"Project' in entry:
            continue
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', entry.split("msgstr")[0], re.M)
        )
        msgstr = "".join(
            re.findall(r'^(?:msgstr(?:\[\d\])?)?\s*"(.*)"$', entry.split("msgstr", 1)[1], re.M)
        )
        for piece in PLACEHOLDER.split(msgid.replace("\\n", " ").replace('\\"', '"')):
            piece = " ".join(piece.split()).strip(" .,:;()")
            if len(piece.split()) >= 3 and piece not in msgstr:
                phrases.add(piece)
    return phrases


ENGLISH = _english_phrases()


def _english_left(text: str) -> list[str]:
    return sorted(phrase for phrase in ENGLISH if phrase in text)


@pytest.fixture
def spanish_alice(alice, incident):
    alice.language = "es"
    alice.jurisdiction = "us"
    alice.save()
    case = Case.objects.owned_by(alice).get()
    case.name = "Sam Example"
    case.save()
    now = timezone.now()
    NoContactNotice.objects.create(
        case=case, given_at=now - timedelta(days=20), words="Deja de escribirme."
    )
    PoliceContact.objects.create(
        case=case,
        contacted_at=now - timedelta(days=10),
        method=PoliceContact.Method.IN_PERSON,
        reference="24-001234",
    )
    ProtectiveOrder.objects.create(
        case=case,
        order_type=ProtectiveOrder.Type.PROTECTIVE,
        issued_on=timezone.localdate() - timedelta(days=5),
        terms="No contact of any kind.",
    )
    return alice


def test_the_catalogue_gives_english_phrases_to_look_for():
    assert "Save" not in ENGLISH  # one word: too short to be sure it is English
    assert "Keep me signed in on this device" in ENGLISH
    assert len(ENGLISH) > 500


MAIN_PAGES = [
    "dashboard",
    "incident_new",
    "timeline",
    "checklist",
    "dossier",
    "account_settings",
    "help",
    "patterns",
    "notice_list",
    "police_list",
    "order_list",
    "notice_new",
    "police_new",
    "order_new",
    "answers",
    "trash",
    "account_sessions",
    "two_factor",
]


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_a_main_page_is_all_spanish(spanish_alice, client, name):
    client.force_login(spanish_alice)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()
    assert _english_left(page_text(response)) == []


def test_an_incident_page_is_spanish_and_keeps_the_users_words(spanish_alice, incident, client):
    client.force_login(spanish_alice)

    text = page_text(client.get(incident.get_absolute_url()))

    assert _english_left(text) == []
    assert "Qué pasó" in text
    assert "Fourteen missed calls between 21:00 and 23:00." in text  # as the user wrote it


@pytest.mark.parametrize(
    ("model", "heading"),
    [
        (NoContactNotice, "Aviso de no contacto, "),
        (PoliceContact, "Policía, "),
        (ProtectiveOrder, ", con fecha "),
    ],
)
def test_a_records_own_page_is_headed_in_spanish(spanish_alice, client, model, heading):
    client.force_login(spanish_alice)
    record = model.objects.owned_by(spanish_alice).get()

    response = client.get(record.get_absolute_url())

    title = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1)
    assert heading in title


def test_records_are_named_in_the_readers_language_and_local_time(alice):
    case = Case.objects.owned_by(alice).get()
    job = imported.import_job(case)
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 00:30 on 8 December in Madrid
    incident = Incident(case=case, kind=Incident.Kind.TEXTS, occurred_at=late)
    export = Export(kind=Export.Kind.DOSSIER, created_at=late)

    with translation.override("es"), timezone.override("Europe/Madrid"):
        assert str(incident) == "Mensajes de texto, 8 dic 2026"
        assert str(imported.text(job, 1, late)).endswith(", 8 dic 2026, 00:30")
        assert str(imported.call(job, 2, late)).startswith("Perdida ")
        assert security.describe(incident) == "Incidente del 8 de diciembre de 2026"
        assert exports.describe(export) == "Expediente pedido el 8 de diciembre de 2026"


def test_single_words_on_the_timeline_are_spanish_too(spanish_alice, client):
    # One-word labels slip past the phrase check above: a court order's day is one of them.
    client.force_login(spanish_alice)

    text = page_text(client.get(reverse("timeline")))

    assert "dictada" in text
    assert "issued" not in text


def test_the_sign_in_page_is_spanish_for_a_spanish_browser(alice, client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")

    text = page_text(response)
    assert "Iniciar sesión" in text and "Contraseña" in text
    assert _english_left(text) == []


def test_the_home_page_speaks_of_acecho_and_uses_usted(spanish_alice, client):
    client.force_login(spanish_alice)

    text = page_text(client.get(reverse("checklist")))

    assert "acecho" in text
    assert " tú " not in f" {text.lower()} "


def test_a_saved_message_is_spanish(spanish_alice, client):
    client.force_login(spanish_alice)
    form = client.get(reverse("account_settings")).context["form"]

    response = client.post(reverse("account_settings"), form_data(form), follow=True)

    assert "Ajustes guardados." in page_text(response)


def test_a_form_error_is_spanish_and_keeps_the_input(spanish_alice, client):
    client.force_login(spanish_alice)
    form = client.get(reverse("dossier")).context["form"]
    data = form_data(form, date_from="2024-05-10", date_to="2024-05-01", prepared_by="Ana")

    text = page_text(client.post(reverse("dossier"), data))

    assert "La fecha de fin es anterior a la de inicio." in text
    assert _english_left(text) == []


@pytest.mark.slow
def test_the_dossier_is_spanish(spanish_alice, client, django_capture_on_commit_callbacks):
    client.force_login(spanish_alice)
    form = client.get(reverse("dossier")).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossier"), form_data(form, kind="dossier"))
    export = Export.objects.get()
    assert export.status == Export.Status.DONE, export.error
    content = (settings.EXPORTS_DIR / export.file_name).read_bytes()
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]
    text = " ".join(pages)

    assert "Resumen" in text and "Patrón de conducta" in text
    assert "Orden de protección o de alejamiento" in text  # the order, in US words
    assert "Página 1 de" in text
    assert "Confidencial" in pages[0] and "Confidential" not in text  # the running head
    assert "Fourteen missed calls" in text  # the user's own words stay as written
    # Hyphenation (lang="es") can split a word across lines; English would not be split.
    assert _english_left(text) == []


@pytest.mark.slow
def test_the_progress_page_of_a_spanish_dossier_is_spanish(
    spanish_alice, client, django_capture_on_commit_callbacks
):
    client.force_login(spanish_alice)
    form = client.get(reverse("dossier")).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossier"), form_data(form, kind="dossier", short="on"))

    text = page_text(client.get(response.url))

    assert "Listo" in text
    assert _english_left(text) == []
