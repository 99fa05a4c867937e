"""A Spanish-speaking newcomer: a browser set to Spanish gets the setup page in Spanish, the
account starts in Spanish, and logging an incident and making the dossier happen in Spanish."""

import io
import re
import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from incidents.models import Export, User
from incidents.services import setup_code_get_or_create

pytestmark = pytest.mark.browser

PASSWORD = "ciruela tetera faro 42"
DOSSIER_TIME = 120_000
WHAT = "Me esperó a la salida del trabajo y me siguió hasta la parada del autobús."


def test_a_spanish_browser_sets_up_logs_an_incident_and_makes_a_spanish_dossier(
    browser, live_server, network, a11y
):
    code = setup_code_get_or_create()
    context = browser.new_context(
        base_url=live_server.url, locale="es-ES", timezone_id="Europe/Madrid"
    )
    context.set_default_timeout(10_000)
    context.route("**/*", network.handle)
    page = context.new_page()
    a11y.watch(page)
    try:
        page.goto("/setup/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_role("heading", name="Bienvenida")).to_be_visible()
        expect(page.get_by_label("Idioma")).to_have_value("es")  # from the browser
        a11y(page)
        page.get_by_label("Código de configuración").fill(code)
        page.locator("#id_username").fill("ana")
        page.get_by_label("Sistema jurídico").select_option("us")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        page.get_by_role("button", name="Crear mi cuenta").click()
        expect(page.get_by_role("status")).to_contain_text("Su cuenta está lista")
        user = User.objects.get()
        assert (user.language, user.jurisdiction) == ("es", "us")

        page.goto("/")
        page.get_by_role("link", name="Anotar lo que pasó").click()
        when = (timezone.now() - timedelta(hours=2)).astimezone(zoneinfo.ZoneInfo("Europe/Madrid"))
        page.get_by_label("Cuándo pasó").fill(when.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Qué pasó").fill(WHAT)
        page.get_by_role("button", name="Guardar").click()
        expect(page.get_by_role("status")).to_contain_text("Guardado")
        a11y(page)

        page.goto("/dossier/")
        expect(page.get_by_role("heading", name="Expediente", level=1)).to_be_visible()
        expect(page.get_by_label("Idioma del expediente")).to_have_value("es")
        a11y(page)
        # Tests make the dossier inline (conftest), within the request: give it time.
        page.get_by_role("button", name="Hacer el expediente PDF").click(timeout=DOSSIER_TIME)
        heading = page.get_by_role("heading", name="Expediente PDF, versión completa")
        expect(heading).to_be_visible(timeout=DOSSIER_TIME)
        expect(page.get_by_text(re.compile(r"^Listo: \d+ páginas"))).to_be_visible()
        a11y(page)
    finally:
        context.close()
    assert not network.offsite

    export = Export.objects.get()
    content = (settings.EXPORTS_DIR / export.file_name).read_bytes()
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    assert "Resumen" in text and "Patrón de conducta" in text
    assert "Página 1 de" in text
    assert "Me esperó a la salida del trabajo" in text
