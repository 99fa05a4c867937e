"""Dates and counts as the reader's language writes them: "7 de diciembre de 2026" and "2 600"
for a Spanish user, "7 December 2026" and "2,600" (as before) for an English one, on the pages,
the import preview and in the dossier."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import TemplateSyntaxError, engines
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from incidents.local_formats import grouped, when
from incidents.models import Case, Export, Incident, PoliceContact
from incidents.services import record_save
from tests.conftest import form_data, make_incident, page_text

LONDON = ZoneInfo("Europe/London")
# A Monday; in London, in December, local time is UTC.
MOMENT = datetime(2026, 12, 7, 14, 5, 9, tzinfo=LONDON)
SAM = "+44 7700 900123"


@pytest.fixture(params=["en", "es"])
def reader(request, alice):
    """Alice, reading in English or in Spanish, with one incident and one police report at
    MOMENT."""
    alice.language = request.param
    alice.time_zone = "Europe/London"
    alice.save()
    case = Case.objects.owned_by(alice).get()
    case.phone_numbers = "07700 900123"
    record_save(record=case)
    make_incident(alice, occurred_at=MOMENT, kind=Incident.Kind.CALLS, count=3)
    PoliceContact.objects.create(
        case=case, contacted_at=MOMENT, method=PoliceContact.Method.IN_PERSON, reference="24-1"
    )
    return alice


# What each language shows; the English is what the app printed before it had format modules.
EXPECTED = {
    "en": {
        "day": "Monday 7 December 2026",
        "moment": "Monday 7 December 2026, 14:05",
        "short": "7 Dec 2026, 14:05",
        "count": "2,600 messages, 0 calls.",
        "month": "December 2026",
    },
    "es": {
        "day": "Lunes 7 de diciembre de 2026",
        "moment": "Lunes 7 de diciembre de 2026, 14:05",
        "short": "7 dic 2026, 14:05",
        "count": "2\xa0600 mensajes, 0 llamadas.",
        "month": "Diciembre de 2026",
    },
}


@pytest.mark.parametrize(
    ("language", "name", "options", "shown"),
    [
        ("en", "DATE_FORMAT", {}, "7 December 2026"),
        ("en", "DATETIME_FORMAT", {}, "7 December 2026, 14:05"),
        ("en", "SHORT_DATE_FORMAT", {}, "7 Dec 2026"),
        ("en", "SHORT_DATETIME_FORMAT", {"weekday": True}, "Mon 7 Dec 2026, 14:05"),
        ("en", "DATE_FORMAT", {"weekday": True}, "Monday 7 December 2026"),
        ("en", "DATETIME_FORMAT", {"seconds": True}, "7 December 2026, 14:05:09"),
        ("en", "MONTH_DAY_FORMAT", {}, "7 December"),
        ("en", "YEAR_MONTH_FORMAT", {}, "December 2026"),
        ("en", "SHORT_YEAR_MONTH_FORMAT", {}, "Dec 2026"),
        ("en", "MONTH_FORMAT", {}, "Dec"),
        ("es", "DATE_FORMAT", {}, "7 de diciembre de 2026"),
        ("es", "DATETIME_FORMAT", {}, "7 de diciembre de 2026, 14:05"),
        ("es", "SHORT_DATE_FORMAT", {}, "7 dic 2026"),
        ("es", "SHORT_DATETIME_FORMAT", {"weekday": True}, "lun 7 dic 2026, 14:05"),
        ("es", "DATE_FORMAT", {"weekday": True}, "lunes 7 de diciembre de 2026"),
        ("es", "DATETIME_FORMAT", {"seconds": True}, "7 de diciembre de 2026, 14:05:09"),
        ("es", "MONTH_DAY_FORMAT", {}, "7 de diciembre"),
        ("es", "YEAR_MONTH_FORMAT", {}, "diciembre de 2026"),
        ("es", "SHORT_YEAR_MONTH_FORMAT", {}, "dic 2026"),
        ("es", "MONTH_FORMAT", {}, "dic"),
    ],
)
def test_each_named_format_reads_as_the_language_writes_it(language, name, options, shown):
    with translation.override(language):
        assert when(MOMENT, name, **options) == shown


def test_counts_are_grouped_as_each_language_groups_them():
    with translation.override("en"):
        assert (grouped(2600), grouped(999)) == ("2,600", "999")
    with translation.override("es"):
        assert (grouped(2600), grouped(1234567)) == ("2\xa0600", "1\xa0234\xa0567")


def test_the_when_filter_adds_the_weekday_seconds_and_zone_and_refuses_a_typo():
    django = engines["django"]
    page = django.from_string('{{ at|when:"SHORT_DATETIME_FORMAT weekday seconds T" }}')
    with translation.override("es"):
        assert page.render({"at": MOMENT}) == "lun 7 dic 2026, 14:05:09 UTC"
    with pytest.raises(TemplateSyntaxError):
        django.from_string('{{ at|when:"DATE_FORMAT weekdays" }}').render({"at": MOMENT})


def test_the_when_filter_refuses_a_misspelt_format_name_and_shows_nothing_for_a_non_date():
    django = engines["django"]
    with pytest.raises(TemplateSyntaxError, match="SHORT_DATETIME_FROMAT"):
        django.from_string('{{ at|when:"SHORT_DATETIME_FROMAT" }}').render({"at": MOMENT})
    assert django.from_string('{{ at|when:"DATE_FORMAT" }}').render({"at": "soon"}) == ""


def test_django_own_date_filter_reads_the_format_modules():
    with translation.override("es"):
        assert date_format(MOMENT.date()) == "7 de diciembre de 2026"


def test_the_timeline_heads_each_day_in_the_readers_language(reader, client):
    client.force_login(reader)
    text = page_text(client.get(reverse("timeline")))
    assert EXPECTED[reader.language]["day"] in text


def test_an_incident_page_gives_its_moment_in_the_readers_language(reader, client):
    client.force_login(reader)
    incident = Incident.objects.owned_by(reader).get()
    text = page_text(client.get(incident.get_absolute_url()))
    assert EXPECTED[reader.language]["moment"] in text


def _backup(messages: int) -> bytes:
    """An SMS Backup & Restore file with `messages` texts from Sam, a minute apart."""
    start = 1_746_300_000_000
    rows = "".join(
        f'<sms protocol="0" address="{SAM}" date="{start + i * 60_000}" type="1" '
        f'subject="null" body="Message {i}" read="1" status="-1" locked="0" date_sent="0" '
        f'contact_name="Sam" />\n'
        for i in range(messages)
    )
    head = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
    return f'{head}<smses count="{messages}" type="full">\n{rows}</smses>\n'.encode()


def test_the_import_preview_counts_in_the_readers_language(reader, client):
    client.force_login(reader)
    upload = SimpleUploadedFile("sms-20250510.xml", _backup(2600), "text/xml")
    job_url = client.post(reverse("message_import_new"), {"file": upload}).url
    preview = client.post(job_url, {"numbers": ["447700900123"]})
    count = EXPECTED[reader.language]["count"]
    assert count in preview.content.decode()  # with its non-breaking space in Spanish
    assert " ".join(count.split()) in page_text(preview)


def test_the_dossier_dates_read_in_the_readers_language(
    reader, client, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    form = client.get(reverse("dossier")).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossier"), form_data(form, kind="dossier"))
    export = Export.objects.get()
    assert export.status == Export.Status.DONE, export.error
    content = (settings.EXPORTS_DIR / export.file_name).read_bytes()
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )
    expected = EXPECTED[reader.language]
    assert expected["moment"] in text  # the police report's heading
    assert expected["short"] in text  # the incident's line in the log
    assert expected["month"] in text  # the log's month heading
    if reader.language == "es":
        assert "December" not in text and " Dec " not in text
    else:
        assert "diciembre" not in text
