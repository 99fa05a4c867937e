"""Fixes from the review of the import of messages and calls: going back from the preview keeps
every tick and answer, the pages read what they need once, a chat in a ZIP is found by what it
holds whatever its name, and a CSV table's Spanish words for received and sent are understood."""

import html
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import message_views
from incidents.message_forms import NumbersForm
from incidents.message_questions import answered, shown_name
from incidents.models import kinds
from incidents.sources import reader_for
from incidents.sources.csv_table import CsvReader
from incidents.sources.items import FileUnreadable, MessageItem
from incidents.sources.whatsapp import WhatsAppReader
from tests import imported
from tests.chat_reader import read_chats_first
from tests.conftest import page_text

FILES = Path(__file__).parent / "fixtures"
CHAT = (
    "TESTCHAT\n"
    "03/04/2025, 14:22 - Sam: Where are you?\n"
    "03/04/2025, 14:25 - Alex: Please stop.\n"
    "05/04/2025, 23:10 - Kim: Is everything all right?\n"
)
SAM, ALEX, KIM = "name:sam", "name:alex", "name:kim"


@pytest.fixture
def chat_reader(monkeypatch):
    read_chats_first(monkeypatch)


@pytest.fixture
def case(alice):
    return imported.person_named_sam(alice, "Europe/London")


def _posted_fields(page: str) -> list[tuple[str, str]]:
    """What a browser sends from the page's form: its hidden fields, as written."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return [(name, html.unescape(value)) for name, value in found if name != "csrfmiddlewaretoken"]


def _as_post(fields: list[tuple[str, str]]) -> dict:
    data: dict = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


# --- 1. "Choose again" keeps every tick and answer ---------------------------------------------


def test_choosing_again_from_the_preview_keeps_every_tick_and_answer(
    alice_client, case, chat_reader
):
    upload = SimpleUploadedFile("chat.txt", CHAT.encode(), "text/plain")
    job_url = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    first = alice_client.get(job_url).content.decode()
    assert not re.search(rf'value="{KIM}" id="number-\d" checked', first)
    # The user ticks Sam and Kim, says they are Alex, and answers the two questions.
    answers = {"time_zone": "Asia/Tokyo", "date_order": "mdy", "me": ALEX}
    preview = alice_client.post(job_url, {"numbers": [SAM, KIM], **answers})
    assert preview.status_code == 200 and "What will be added" in page_text(preview)
    assert 'name="back"' in preview.content.decode()  # a button of the form, not a link

    back = alice_client.post(
        job_url, {**_as_post(_posted_fields(preview.content.decode())), "back": "1"}
    )
    assert back.status_code == 200
    page = back.content.decode()
    assert "Which names in the chat are the person's?" in page_text(back)
    assert re.search(rf'value="{SAM}" id="number-\d" checked', page)
    assert re.search(rf'value="{KIM}" id="number-\d" checked', page)
    assert not re.search(rf'value="{ALEX}" id="number-\d" checked', page)
    assert '<option value="Asia/Tokyo" selected>' in page
    assert re.search(r'value="mdy"[^>]*checked', page)
    assert re.search(rf'<option value="{ALEX}" selected>', page)
    assert "Where are you?" not in page  # the choice page, not the preview again


# --- 2. the log's times are read once per page -------------------------------------------------


def _log_time_reads(queries: list[dict]) -> int:
    """How many queries read the notices' times for a chart (charts.log_times reads them)."""
    notice = kinds.NOTICE
    column = notice.model._meta.get_field(notice.when).column
    select = f'SELECT "{notice.model._meta.db_table}"."{column}" AS "{column}" FROM'
    return sum(q["sql"].startswith(select) for q in queries)


@pytest.mark.parametrize("page", ["dashboard", "patterns"])
def test_home_and_patterns_read_the_logs_times_once_for_both_charts(alice_client, alice, page):
    case = imported.person_named_sam(alice)
    job = imported.import_job(case)
    now = timezone.now()
    imported.keep([imported.text(job, n, now - timedelta(days=n), "Answer me.") for n in range(3)])
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(reverse(page))
    assert "messages and calls received" in page_text(response).lower()  # the contacts chart
    assert _log_time_reads(queries.captured_queries) == 1


# --- 3. the preview applies the answers once ---------------------------------------------------


def test_the_preview_applies_the_answers_once_and_shows_them(
    alice_client, case, chat_reader, monkeypatch
):
    upload = SimpleUploadedFile("chat.txt", CHAT.encode(), "text/plain")
    job_url = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return answered(*args, **kwargs)

    monkeypatch.setattr(message_views, "answered", counted)
    answers = {"time_zone": "Asia/Tokyo", "date_order": "mdy", "me": ALEX}
    preview = page_text(alice_client.post(job_url, {"numbers": [SAM], **answers}))
    assert len(calls) == 1
    assert "Times are read as the phone's clock in Asia/Tokyo" in preview
    # 14:22 in Tokyo on 4 March is 05:22 in London, month first, as the answers say.
    assert "4 Mar 2025, 05:22 · from Sam: Where are you?" in preview


# --- 4. a number found is named the same way everywhere --------------------------------------


def test_a_number_found_is_named_as_the_file_writes_it_else_by_its_contact_name():
    written = {"key": "447700900123", "written": ["07700 900123"], "name": "Sam"}
    named = {"key": "name:sam", "written": [], "name": "Sam"}
    withheld = {"key": "withheld", "written": [], "name": ""}
    assert [shown_name(n) for n in (written, named, withheld)] == ["07700 900123", "Sam", ""]
    # The 'which sender is you' list says the same, and the key when nothing else names it.
    labels = dict(NumbersForm(found=[written, named, withheld], ask=["me"]).fields["me"].choices)
    assert [labels[n["key"]] for n in (written, named, withheld)] == [
        "07700 900123",
        "Sam",
        "withheld",
    ]


# --- 5. why items were left out is said once, after the import ---------------------------------


def test_the_finished_import_says_why_items_were_left_out(
    alice_client, case, django_capture_on_commit_callbacks
):
    chat = (FILES / "whatsapp" / "android-day-first.txt").read_bytes()
    upload = SimpleUploadedFile("WhatsApp Chat with Sam.txt", chat, "text/plain")
    job_url = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    answers = {"time_zone": "Europe/London", "me": "other"}
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(job_url, {"numbers": ["name:sam"], "confirm": "1", **answers})
    page = page_text(alice_client.get(job_url))
    assert "2 notes WhatsApp writes into a chat (not messages)" in page


def test_a_chat_name_is_given_once_in_the_preview(alice_client, case):
    chat = (FILES / "whatsapp" / "android-day-first.txt").read_bytes()
    upload = SimpleUploadedFile("WhatsApp Chat with Sam.txt", chat, "text/plain")
    job_url = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    answers = {"time_zone": "Europe/London", "me": "other"}

    preview = alice_client.post(job_url, {"numbers": ["name:sam"], **answers})

    chosen = re.search(r"<h1>.*?</h1>\s*<ul>(.*?)</ul>", preview.content.decode(), re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", chosen)).strip() == "Sam"  # not "Sam (Sam)"


# --- 6. a chat in a ZIP is found by what it holds, whatever its name ---------------------------

SPANISH_CHAT = (
    "23/06/2018, 13:50 - Los mensajes y las llamadas están cifrados de extremo a extremo.\n"
    "23/06/2018, 13:55 - Sam: ¿Dónde estás?\n"
    "23/06/2018, 14:02 - Sam: Contesta.\n"
).encode()


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    "chat_name", ["Chat de WhatsApp con Sam.txt", "Conversa do WhatsApp com Sam.txt", "Sam.txt"]
)
def test_a_chat_named_in_any_language_is_found_beside_other_text_files(chat_name):
    stream = _zip(
        {
            "Apuntes de la reunión.txt": b"Lista: pan, leche\n",  # a document sent in the chat
            chat_name: SPANISH_CHAT,
            "IMG-20180623-WA0001.jpg": b"\xff\xd8\xff",
            "zz notas.txt": b"nada\n",
        }
    )
    reader = reader_for(stream)
    assert reader is WhatsAppReader
    items = [i for i in reader(stream, options={"time_zone": "UTC"}).items()]
    texts = [item.body for item in items if isinstance(item, MessageItem)]
    assert texts == ["¿Dónde estás?", "Contesta."]
    assert {item.details["member"] for item in items if isinstance(item, MessageItem)} == {
        chat_name
    }


def test_a_zip_of_text_files_none_of_them_a_chat_is_still_refused_with_a_reason():
    stream = _zip({"a.txt": b"Lista: pan\n", "b.txt": b"nada\n", "IMG-1.jpg": b"\xff\xd8\xff"})
    with pytest.raises(FileUnreadable, match="holds no WhatsApp chat"):
        list(reader_for(stream)(stream).items())


# --- 7. a CSV table's Spanish words for received, sent and the call's outcome ------------------

SPANISH_TEXTS = (
    "Fecha,Tipo,Número,Contacto,Texto\n"
    "2025-05-02 21:02:00,Recibido,07700 900123,Sam,¿Dónde estás?\n"
    "2025-05-02 21:05:00,ENVIADO,07700 900123,Sam,Déjame en paz.\n"
    "2025-05-02 21:09:00,Entrante,07700 900123,Sam,Contesta.\n"
    "2025-05-02 21:10:00,Saliente,07700 900123,Sam,No.\n"
).encode()
SPANISH_CALLS = (
    "Fecha,Tipo,Número,Duración\n"
    "02/05/2025 23:40,Llamada perdida,07700 900123,0\n"
    "03/05/2025 10:00,Entrante,07700 900123,95\n"
    "03/05/2025 11:00,Saliente,07700 900123,0\n"
    "03/05/2025 12:00,Rechazada,Número oculto,0\n"
    "03/05/2025 13:00,Pérdida,07700 900123,0\n"
    "03/05/2025 14:00,Buzón de voz,07700 900123,20\n"
).encode()


def _csv_items(data: bytes, **columns) -> list:
    stream = io.BytesIO(data)
    reader = reader_for(stream)
    assert reader is CsvReader
    return list(reader(stream, options={"columns": columns, "time_zone": "UTC"}).items())


def test_a_spanish_message_tables_received_and_sent_are_read():
    columns = {"kind": "messages", "time": 0, "time_format": "iso", "direction": 1, "party": 2}
    items = _csv_items(SPANISH_TEXTS, **columns, name=3, text=4, party_kind="number")
    assert [(item.direction, item.box) for item in items] == [
        ("in", 1),
        ("out", 2),
        ("in", 1),
        ("out", 2),
    ]


def test_a_spanish_call_logs_types_and_outcomes_are_read():
    columns = {"kind": "calls", "time": 0, "time_format": "dmy", "direction": 1, "party": 2}
    calls = _csv_items(SPANISH_CALLS, **columns, duration=3, party_kind="number")
    assert [(c.direction, c.outcome, c.duration) for c in calls] == [
        ("in", "missed", 0),
        ("in", "answered", 95),
        ("out", "unanswered", 0),
        ("in", "rejected", 0),
        ("in", "missed", 0),  # written with an accent it does not need
        ("in", "voicemail", 20),
    ]
    assert [c.withheld for c in calls] == [False, False, False, True, False, False]


def test_the_columns_step_shows_a_spanish_tables_rows_as_received_and_sent(alice_client, case):
    upload = SimpleUploadedFile("mensajes.csv", SPANISH_TEXTS, "text/csv")
    job_url = alice_client.post(reverse("message_import_new"), {"file": upload}).url
    columns = {"kind": "messages", "time": "0", "time_format": "iso", "time_zone": "UTC"}
    columns |= {"party": "2", "party_kind": "number", "direction": "1", "text": "4"}
    look = page_text(alice_client.post(job_url, {**columns, "look": "1"}))
    assert "received from 07700 900123 · ¿Dónde estás?" in look
    assert "skipped" not in look
