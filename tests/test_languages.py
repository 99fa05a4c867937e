"""The language of the pages: the browser's before sign-in, the user's own after, chosen on the
account page and at setup; dossiers made in the owner's language or the one asked for."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from incidents.models import Export, User
from incidents.services import setup_code_get_or_create
from tests.conftest import PASSWORD, form_data, page_text

SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9,en;q=0.5"}


def _html_lang(response) -> str:
    head = response.content.decode()[:400]
    return head.split('<html lang="', 1)[1].split('"', 1)[0]


def test_before_sign_in_the_page_is_in_the_browsers_language(alice, client):
    response = client.get(reverse("login"), **SPANISH_BROWSER)

    assert _html_lang(response) == "es"
    assert response["Content-Language"] == "es"


def test_an_english_browser_gets_english(alice, client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert _html_lang(response) == "en"
    assert "Sign in" in page_text(response)


def test_a_signed_in_user_reads_their_own_language_whatever_the_browser(alice, client):
    alice.language = "es"
    alice.save()
    client.force_login(alice)

    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-US")

    assert _html_lang(response) == "es"
    assert response["Content-Language"] == "es"
    # Kept in the browser, so the sign-in page after signing out stays in Spanish.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_account_page_changes_language_and_legal_system(alice, alice_client):
    form = alice_client.get(reverse("account_settings")).context["form"]

    response = alice_client.post(
        reverse("account_settings"),
        form_data(form, language="es", jurisdiction="gb-eaw"),
        follow=True,
    )

    alice.refresh_from_db()
    assert (alice.language, alice.jurisdiction) == ("es", "gb-eaw")
    assert _html_lang(response) == "es"


def test_the_account_page_refuses_an_unknown_language_and_keeps_the_rest(alice, alice_client):
    form = alice_client.get(reverse("account_settings")).context["form"]

    response = alice_client.post(
        reverse("account_settings"), form_data(form, language="xx", time_zone="Europe/Madrid")
    )

    assert response.status_code == 200
    assert "xx is not one of the available choices" in page_text(response)
    alice.refresh_from_db()
    assert alice.language == "en"


@pytest.mark.django_db
def test_setup_offers_the_browsers_language_and_keeps_the_choice(client):
    code = setup_code_get_or_create()
    form = client.get(reverse("setup"), **SPANISH_BROWSER).context["form"]
    assert form["language"].value() == "es"

    response = client.post(
        reverse("setup"),
        form_data(
            form,
            setup_code=code,
            username="ana",
            time_zone="America/New_York",
            jurisdiction="us",
            password1=PASSWORD,
            password2=PASSWORD,
        ),
        **SPANISH_BROWSER,
    )

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.language, user.jurisdiction) == ("es", "us")


def _dossier_text(client, capture, **typed) -> str:
    form = client.get(reverse("dossier")).context["form"]
    with capture(execute=True):
        client.post(reverse("dossier"), form_data(form, kind="dossier", short="on", **typed))
    export = Export.objects.latest("created_at")
    assert export.status == Export.Status.DONE, export.error
    content = (settings.EXPORTS_DIR / export.file_name).read_bytes()
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_dossier_form_offers_the_users_language_first(alice, alice_client):
    alice.language = "es"
    alice.save()

    form = alice_client.get(reverse("dossier")).context["form"]

    assert form["language"].value() == "es"


def test_a_spanish_users_dossier_made_in_english_is_in_english(
    alice, incident, alice_client, django_capture_on_commit_callbacks
):
    alice.language = "es"
    alice.save()

    text = _dossier_text(alice_client, django_capture_on_commit_callbacks, language="en")

    assert "Summary" in text and "Course of conduct" in text
    assert "Resumen" not in text
    assert "Fourteen missed calls" in text  # the user's own words, as written
