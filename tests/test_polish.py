"""Small things a reader noticed: labels kept with their values in the PDF, a quick entry titled
by its first words, plain words, thousands separators, the sign-in warning styled as one, and
the dossier list saying which version each file is and remembering "Prepared by"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents.dossier import DossierOptions
from incidents.models import Case, Evidence, Incident, SignIn
from incidents.pdf import render_dossier
from tests.conftest import form_data, make_incident, page_text

QUICK = "Waited by the bike shed at the station car park for twenty minutes, then walked off."


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def _log_quick(client, description=QUICK):
    form = client.get(reverse("incident_new")).context["form"]
    return client.post(
        reverse("incident_new"), form_data(form, description=description), follow=True
    )


def test_a_quick_entry_is_titled_by_its_first_words(alice_client):
    text = page_text(_log_quick(alice_client))
    assert "← Timeline Waited by the bike shed at the station… " in text
    assert "Something else" not in text.split("What happened")[0]

    timeline = page_text(alice_client.get(reverse("timeline")))
    entries = timeline.split("1 incident.")[1]  # after the filters, whose list names every kind
    assert "Something else" not in entries
    assert QUICK in entries


def test_an_entry_with_a_kind_keeps_the_kind_as_its_title(alice, alice_client, incident):
    text = page_text(alice_client.get(incident.get_absolute_url()))
    assert text.split("← Timeline ")[1].startswith("Phone calls ×14")


def test_a_short_quick_entry_is_its_own_title(alice):
    incident = make_incident(alice, description="Car outside again.")
    assert incident.title == "Car outside again."


def test_the_behaviour_group_is_named_in_plain_words(alice_client, incident):
    text = page_text(alice_client.get(incident.get_absolute_url()))
    assert "Pattern group" not in text
    assert "Type of stalking behaviour Life invasion" in text


def test_counts_on_the_pages_have_thousands_separators(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(case=case, occurred_at=now - timedelta(hours=i + 1), description=f"Call {i}")
        for i in range(1234)
    )
    assert "Incidents logged 1,234" in page_text(alice_client.get(reverse("dashboard")))
    assert "1,234 incidents." in page_text(alice_client.get(reverse("timeline")))
    assert "Incidents logged 1,234" in page_text(
        alice_client.get(reverse("case_detail", args=[case.uuid]))
    )


@pytest.mark.slow
def test_counts_in_the_dossier_have_thousands_separators(alice, tmp_path):
    make_incident(alice, description="Calls all night.", kind="calls", count=1500)
    case = Case.objects.owned_by(alice).get()
    out = tmp_path / "d.pdf"
    render_dossier(alice, DossierOptions(case=str(case.uuid)), out)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "Incidents 1 (1,500 contacts counted)" in text
    assert "Phone calls ×1,500" in text


@pytest.mark.slow
def test_a_long_word_in_the_pdf_log_wraps_within_the_page_beside_its_label(alice, tmp_path):
    # A link longer than the line used to run off the paper, its end lost to the reader.
    long_word = "https://example.com/" + "a" * 150
    make_incident(alice, description=f"{long_word} was posted about me.")
    case = Case.objects.owned_by(alice).get()
    out = tmp_path / "d.pdf"
    render_dossier(alice, DossierOptions(case=str(case.uuid)), out)
    lines = [line.strip() for p in PdfReader(out).pages for line in p.extract_text().split("\n")]

    start = next(i for i, line in enumerate(lines) if line.startswith("What happened: "))
    assert not any("a" * 150 in line for line in lines)  # no line holds the whole word
    assert long_word in "".join(lines[start : start + 4])  # every character is there
    assert "What" not in lines and "happened:" not in lines


def test_the_failed_sign_in_warning_on_the_home_page_is_styled_as_a_warning(alice, alice_client):
    SignIn.objects.create(user=alice, succeeded=False)
    content = alice_client.get(reverse("dashboard")).content.decode()
    section = content.split('aria-labelledby="sign-ins-heading"')[1].split("</section>")[0]
    assert 'class="warning"' in section
    assert "1 failed sign-in attempt since you last looked" in " ".join(section.split())


@pytest.fixture
def make(alice_client, django_capture_on_commit_callbacks):
    def make(**typed):
        form = alice_client.get(reverse("dossier")).context["form"]
        with django_capture_on_commit_callbacks(execute=True):
            return alice_client.post(reverse("dossier"), form_data(form, kind="dossier", **typed))

    return make


@pytest.mark.slow
def test_the_dossier_list_says_which_version_each_file_is(alice_client, incident, make):
    make(short="on")
    make()
    text = page_text(alice_client.get(reverse("dossier")))
    assert "PDF dossier, short version : ready" in text
    assert "PDF dossier, full version : ready" in text


@pytest.mark.slow
def test_the_dossier_form_remembers_prepared_by(alice, alice_client, incident, make):
    assert alice_client.get(reverse("dossier")).context["form"]["prepared_by"].value() == "alice"

    make(prepared_by="J. Okafor, victim advocate")
    form = alice_client.get(reverse("dossier")).context["form"]
    assert form["prepared_by"].value() == "J. Okafor, victim advocate"

    make(prepared_by="")
    assert alice_client.get(reverse("dossier")).context["form"]["prepared_by"].value() == ""


def test_an_image_shown_on_its_own_may_be_centred_by_the_browser_but_run_nothing(
    alice, alice_client, incident
):
    from tests.test_steps import _png

    alice_client.post(
        reverse("incident_evidence_upload", args=[incident.uuid]), {"files": [_png()]}
    )
    item = Evidence.objects.get()
    policy = alice_client.get(reverse("evidence_preview", args=[item.uuid]))[
        "Content-Security-Policy"
    ]
    assert policy.startswith("sandbox; default-src 'none'")
    assert "style-src 'unsafe-inline'" in policy and "script-src" not in policy
    download = alice_client.get(reverse("evidence_original", args=[item.uuid]) + "?download=1")
    # Every file gets the same sandbox: styles for the browser's own viewers, never scripts.
    assert download["Content-Security-Policy"] == policy


def test_the_two_factor_sign_in_warning_on_the_home_page_is_styled_as_a_warning(alice_client):
    content = alice_client.get(reverse("dashboard")).content.decode()
    line = content.split('class="warning two-factor-line"')[1].split("</p>")[0]
    assert "Someone who knows your password could sign in here." in line
