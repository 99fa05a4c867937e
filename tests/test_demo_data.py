"""Demo data kept apart: seed_demo leaves real accounts alone, demo records are marked on every
page and every dossier page, and one action removes them all, logged in the custody log."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import custody
from incidents.dossier import DossierOptions
from incidents.models import (
    Case,
    CustodyEntry,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
)
from incidents.pdf import render_dossier
from tests.conftest import make_incident, page_text

BANNER = "Demonstration data. This account holds invented records for trying the app"


def seed(username="alice", incidents=12, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", user=username, incidents=incidents, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


def test_it_refuses_to_add_demo_data_to_an_account_with_real_records(alice):
    make_incident(alice, description="A real entry")

    with pytest.raises(CommandError, match=r"already holds real records.*--into-real-account"):
        seed()

    assert not Case.objects.filter(is_demo=True).exists()
    assert Incident.objects.count() == 1


def test_a_real_record_in_the_trash_counts_as_real(alice):
    make_incident(alice, description="Trashed", deleted_at=timezone.now())
    with pytest.raises(CommandError, match="already holds real records"):
        seed()


def test_it_adds_demo_data_to_a_real_account_only_when_told_to(alice):
    make_incident(alice, description="A real entry")

    assert "Added 12 incidents" in seed(into_real_account=True)

    demo = Case.objects.get(is_demo=True)
    assert demo.incidents.count() == 12
    assert Case.objects.get(is_demo=False).incidents.get().description == "A real entry"


def test_a_fresh_account_takes_demo_data_without_the_flag(alice):
    assert "Added 12 incidents" in seed()


def test_every_page_shows_the_demo_banner(alice, alice_client):
    seed()
    incident = Incident.objects.filter(case__is_demo=True).first()
    notice = NoContactNotice.objects.get()
    for url in (
        reverse("dashboard"),
        reverse("timeline"),
        reverse("checklist"),
        reverse("dossier"),
        reverse("account_settings"),
        reverse("incident_new"),
        incident.get_absolute_url(),
        notice.get_absolute_url(),
    ):
        assert BANNER in page_text(alice_client.get(url)), url


def test_no_banner_without_demo_data(alice, alice_client, mallory):
    seed("mallory")
    make_incident(alice)
    assert "Demonstration data" not in page_text(alice_client.get(reverse("dashboard")))


def test_demo_entries_carry_a_badge_and_real_ones_do_not(alice, alice_client):
    seed()
    real = make_incident(alice, description="A real entry, logged by hand")
    demo = Incident.objects.filter(case__is_demo=True).first()

    assert "Demo This entry is invented demonstration data" in page_text(
        alice_client.get(demo.get_absolute_url())
    )
    assert "invented demonstration data" not in page_text(alice_client.get(real.get_absolute_url()))
    timeline = alice_client.get(reverse("timeline")).content.decode()
    entries = timeline.split('<li class="entry')[1:]
    badged = [entry for entry in entries if 'class="badge-demo"' in entry]
    assert len(badged) == len(entries) - 1
    assert not any("A real entry, logged by hand" in entry for entry in badged)


@pytest.mark.slow
def test_every_dossier_page_of_a_demo_case_says_it_holds_demo_data(alice, tmp_path):
    seed(incidents=30, images=2)
    demo = Case.objects.get(is_demo=True)
    out = tmp_path / "demo.pdf"

    render_dossier(alice, DossierOptions(case=str(demo.uuid)), out)

    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert "Contains demonstration data" in text, f"page {number}"
    assert "Demonstration data. Everything in this document was invented" in " ".join(
        pages[0].split()
    )


@pytest.mark.slow
def test_a_real_dossier_says_nothing_of_demo_data(alice, tmp_path):
    seed(incidents=5)
    make_incident(alice, description="A real entry")
    real = Case.objects.get(is_demo=False)
    out = tmp_path / "real.pdf"
    render_dossier(alice, DossierOptions(case=str(real.uuid)), out)
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "demonstration" not in text.lower()


def test_the_remove_button_asks_first_then_removes_all_demo_data(alice, alice_client, settings):
    seed(incidents=15, images=2)
    real = make_incident(alice, description="A real entry")
    demo_files = [item.stored_name for item in Evidence.objects.all()]
    assert demo_files

    confirm = page_text(alice_client.get(reverse("demo_remove")))
    assert "Remove the demonstration data?" in confirm
    assert "15 invented incidents, 2 invented files" in confirm
    assert Incident.objects.filter(case__is_demo=True).count() == 15  # a GET removes nothing

    response = alice_client.post(reverse("demo_remove"), follow=True)

    assert "The demonstration data has been removed." in page_text(response)
    assert "Demonstration data." not in page_text(response)
    assert not Case.objects.filter(is_demo=True).exists()
    assert not NoContactNotice.objects.exists()
    assert not PoliceContact.objects.exists()
    assert not ProtectiveOrder.objects.exists()
    assert list(Incident.objects.all()) == [real]
    for name in demo_files:
        assert not (settings.EVIDENCE_DIR / name).exists()


def test_each_removed_record_gets_a_custody_entry_and_the_chain_holds(alice, alice_client):
    seed(incidents=15, images=2)
    records = (
        Incident.objects.count()
        + Evidence.objects.count()
        + NoContactNotice.objects.count()
        + PoliceContact.objects.count()
        + ProtectiveOrder.objects.count()
        + 1  # the demo case itself
    )
    demo_uuid = Case.objects.get(is_demo=True).uuid

    alice_client.post(reverse("demo_remove"))

    removed = CustodyEntry.objects.filter(action=CustodyEntry.Action.DEMO_REMOVED)
    assert removed.count() == records
    assert removed.filter(object_uuid=demo_uuid, object_type="case").exists()
    assert set(removed.values_list("user_id", flat=True)) == {alice.pk}
    assert custody.verify_chain().ok
    assert custody.altered_records() == []


def test_the_command_removes_demo_data_and_leaves_other_accounts_alone(alice, mallory):
    seed()
    seed("mallory")
    real = make_incident(alice, description="A real entry")

    out = io.StringIO()
    call_command("seed_demo", user="alice", remove=True, stdout=out)

    assert "Removed" in out.getvalue() and "demo records from the account alice" in out.getvalue()
    assert not Case.objects.owned_by(alice).filter(is_demo=True).exists()
    assert Case.objects.owned_by(mallory).filter(is_demo=True).get().incidents.count() == 12
    assert Incident.objects.owned_by(alice).get() == real


def test_the_remove_page_without_demo_data_says_so(alice_client):
    response = alice_client.get(reverse("demo_remove"), follow=True)
    assert "This account holds no demonstration data." in page_text(response)


def test_removing_needs_a_signed_in_user(client, alice):
    seed()
    response = client.post(reverse("demo_remove"))
    assert response.status_code == 302
    assert Case.objects.filter(is_demo=True).exists()


def test_the_command_asks_how_many_when_not_told(alice):
    with pytest.raises(CommandError, match="--incidents N"):
        call_command("seed_demo", user="alice", stdout=io.StringIO())
