"""The legal words of the user's own system: the names of court orders, the police's reference
and the elements of the offence change with the account's legal system; the data does not."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import jurisdictions
from incidents.dossier import DossierOptions
from incidents.job_language import in_owner_language
from incidents.models import Case, PoliceContact, ProtectiveOrder
from incidents.pdf import render_dossier
from tests.conftest import page_text


@pytest.fixture(autouse=True)
def _one_process(settings):
    settings.DOSSIER_WORKERS = 1


@pytest.fixture
def order(alice):
    return ProtectiveOrder.objects.create(
        case=Case.objects.owned_by(alice).first(),
        order_type=ProtectiveOrder.Type.PROTECTIVE,
        court="Downing Centre Local Court",
        issued_on=timezone.localdate() - timedelta(days=10),
    )


def _live_in(user, code: str) -> None:
    user.jurisdiction = code
    user.save(update_fields=["jurisdiction"])


def _dossier_text(user, tmp_path, short=True) -> str:
    case = Case.objects.owned_by(user).get()
    out = tmp_path / f"dossier-{user.jurisdiction}.pdf"
    with in_owner_language(user):  # as the background job does
        render_dossier(user, DossierOptions(case=str(case.uuid), short=short), out)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)


def test_the_order_form_offers_the_orders_of_the_users_system(alice, alice_client):
    _live_in(alice, "au-nsw")
    nsw = page_text(alice_client.get(reverse("order_new")))
    _live_in(alice, "gb-eaw")
    england = page_text(alice_client.get(reverse("order_new")))

    assert "Apprehended violence order (AVO)" in nsw
    assert "Non-molestation order" not in nsw
    assert "Non-molestation order" in england and "Stalking Protection Order" in england
    assert "Apprehended violence order" not in england


def test_switching_system_renames_a_saved_order_and_keeps_its_data(alice, alice_client, order):
    _live_in(alice, "au-vic")
    victoria = page_text(alice_client.get(order.get_absolute_url()))
    _live_in(alice, "us")
    united_states = page_text(alice_client.get(order.get_absolute_url()))

    assert "Family violence intervention order (FVIO)" in victoria
    assert "Protective or restraining order" in united_states
    order.refresh_from_db()
    assert order.order_type == "protective"


@pytest.mark.slow
def test_switching_system_renames_the_order_in_the_dossier(alice, order, tmp_path):
    _live_in(alice, "au-nsw")
    nsw = _dossier_text(alice, tmp_path)
    _live_in(alice, "nz")
    new_zealand = _dossier_text(alice, tmp_path)

    assert "Apprehended violence order (AVO), Downing Centre Local Court" in nsw
    assert "In New South Wales, stalking is made of these elements" in nsw
    assert "Protection order, Downing Centre Local Court" in new_zealand
    assert "Apprehended violence" not in new_zealand
    assert "In New Zealand, harassment is made of these elements" in new_zealand
    assert "is for the police, the prosecutor and the courts to decide" in new_zealand


@pytest.mark.slow
def test_the_dossier_names_the_police_reference_as_the_system_does(alice, tmp_path):
    PoliceContact.objects.create(
        case=Case.objects.owned_by(alice).first(),
        contacted_at=timezone.now() - timedelta(days=2),
        method=PoliceContact.Method.IN_PERSON,
        agency="Northtown Police",
        reference="CRN 4512/24",
    )
    _live_in(alice, "gb-eaw")

    text = _dossier_text(alice, tmp_path, short=False)

    assert "crime reference number CRN 4512/24" in text
    assert "Crime reference number CRN 4512/24" in text  # the background section


def test_the_police_form_asks_for_the_reference_by_its_local_name(alice, alice_client):
    _live_in(alice, "gb-eaw")
    england = page_text(alice_client.get(reverse("police_new")))
    _live_in(alice, "ca")
    canada = page_text(alice_client.get(reverse("police_new")))

    assert "Crime reference number" in england and "Collar number" in england
    assert "Police occurrence or file number" in canada


def test_an_order_of_a_kind_the_new_system_lacks_keeps_its_kind_when_edited(
    alice, alice_client, order
):
    order.order_type = ProtectiveOrder.Type.NON_MOLESTATION
    order.save()
    _live_in(alice, "us")

    form = alice_client.get(reverse("order_edit", args=[order.uuid])).context["form"]

    assert ("non_molestation", "Non-molestation order") in [
        (value, str(label)) for value, label in form.fields["order_type"].choices
    ]


def test_the_help_page_offers_the_systems_national_services_when_the_host_set_none(
    alice, alice_client, settings
):
    settings.HELP_EMERGENCY_NUMBER = ""
    settings.HELP_CONTACTS = ""
    _live_in(alice, "au-qld")

    text = page_text(alice_client.get(reverse("help")))

    assert "1800RESPECT" in text and "1800 737 732" in text
    assert "000" in text


def test_the_hosts_own_help_contacts_win(alice, alice_client, settings):
    settings.HELP_EMERGENCY_NUMBER = "112"
    settings.HELP_CONTACTS = "Advice line|help@example.org|By e-mail"
    _live_in(alice, "au-qld")

    text = page_text(alice_client.get(reverse("help")))

    assert "Advice line" in text and "1800RESPECT" not in text


def test_every_system_names_each_kind_of_order_it_offers_and_other_last():
    for legal in jurisdictions.JURISDICTIONS.values():
        choices = legal.order_choices()
        assert choices[-1][0] == "other"
        assert all(value in jurisdictions.ORDER_KINDS for value, _ in choices)
        assert legal.elements and str(legal.police_reference)


def test_a_users_legal_words_end_with_their_request(alice, alice_client):
    alice.jurisdiction = "au-nsw"
    alice.save(update_fields=["jurisdiction"])
    assert alice_client.get(reverse("checklist")).status_code == 200
    assert jurisdictions.current().code != "au-nsw"  # nothing left for the next response
