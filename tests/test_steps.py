"""No-contact notices, police contacts and court orders: record, amend, attach proof, delete."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from incidents.models import Case, Evidence, NoContactNotice, PoliceContact, ProtectiveOrder
from incidents.services import evidence_add, record_trash
from tests.conftest import form_data, make_incident, page_text

NOTICE = {
    "given_at": "2026-02-01T18:30",
    "method": "text",
    "words": "I do not want any contact with you. Do not message me again.",
    "acknowledged": "unknown",
}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 80), "white").save(buffer, "PNG")
    return SimpleUploadedFile("sent.png", buffer.getvalue(), "image/png")


def test_a_notice_is_recorded_with_its_exact_words(alice_client):
    response = alice_client.post(reverse("notice_new"), NOTICE)
    notice = NoContactNotice.objects.get()
    assert response.url == notice.get_absolute_url()
    text = page_text(alice_client.get(response.url))
    assert NOTICE["words"] in text
    assert "Text message" in text


def test_the_notice_form_offers_wordings_and_sends_nothing(alice_client):
    text = page_text(alice_client.get(reverse("notice_new")))
    assert "Use this wording" in text
    assert "This app never sends anything" in text


def test_a_notice_in_the_future_is_refused_and_the_words_are_kept(alice_client):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = alice_client.post(reverse("notice_new"), {**NOTICE, "given_at": future})
    assert response.status_code == 200
    assert "This is in the future" in response.content.decode()
    assert NOTICE["words"] in response.content.decode()
    assert not NoContactNotice.objects.exists()


def test_a_police_contact_links_the_incidents_reported(alice, alice_client):
    first = make_incident(alice, description="The first visit")
    second = make_incident(alice, description="The second visit")
    make_incident(alice, description="Not reported")
    response = alice_client.post(
        reverse("police_new"),
        {
            "contacted_at": "2026-02-02T10:00",
            "method": "in_person",
            "agency": "Central station",
            "officer_name": "PC Example",
            "badge_number": "4471",
            "reference": "CR/2026/0042",
            "incidents": [str(first.uuid), str(second.uuid)],
        },
    )
    contact = PoliceContact.objects.get()
    assert set(contact.incidents.all()) == {first, second}
    text = page_text(alice_client.get(response.url))
    assert "CR/2026/0042" in text and "4471" in text
    assert "The first visit" in text and "Not reported" not in text


def test_a_stranger_cannot_link_someone_elses_incident(alice, mallory, mallory_client):
    alices = make_incident(alice)
    response = mallory_client.post(
        reverse("police_new"),
        {"contacted_at": "2026-02-02T10:00", "method": "phone", "incidents": [str(alices.uuid)]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PoliceContact.objects.exists()


def test_an_order_cannot_expire_before_it_was_issued(alice_client):
    response = alice_client.post(
        reverse("order_new"),
        {
            "order_type": "protective",
            "court": "County Court",
            "issued_on": "2026-03-01",
            "expires_on": "2026-02-01",
        },
    )
    assert "cannot expire before it was issued" in response.content.decode()
    assert "County Court" in response.content.decode()
    assert not ProtectiveOrder.objects.exists()


def test_an_order_shows_whether_it_is_in_force(alice, alice_client):
    case = Case.objects.owned_by(alice).get()
    order = ProtectiveOrder.objects.create(
        case=case,
        issued_on=date.today() - timedelta(days=10),
        expires_on=date.today() + timedelta(days=10),
    )
    assert "This order is in force." in page_text(alice_client.get(order.get_absolute_url()))


def test_amending_a_notice_keeps_the_earlier_words(alice_client):
    alice_client.post(reverse("notice_new"), NOTICE)
    notice = NoContactNotice.objects.get()
    alice_client.post(
        reverse("notice_edit", args=[notice.uuid]), {**NOTICE, "words": "Stop contacting me."}
    )
    notice.refresh_from_db()
    assert notice.words == "Stop contacting me."
    assert notice.revisions.get().data["words"] == NOTICE["words"]
    text = page_text(alice_client.get(notice.get_absolute_url()))
    assert "History of changes" in text and NOTICE["words"] in text


def test_proof_can_be_attached_to_a_notice(alice_client):
    alice_client.post(reverse("notice_new"), NOTICE)
    notice = NoContactNotice.objects.get()
    alice_client.post(reverse("notice_evidence_upload", args=[notice.uuid]), {"files": [_png()]})
    item = Evidence.objects.get()
    assert item.notice == notice and item.incident is None
    assert "Exhibit 1" in page_text(alice_client.get(notice.get_absolute_url()))


@pytest.mark.parametrize("kind", ["notice", "police", "order"])
def test_deleting_asks_first_then_the_trash_can_restore_it(alice, alice_client, kind):
    case = Case.objects.owned_by(alice).get()
    now = timezone.now()
    record = {
        "notice": lambda: NoContactNotice.objects.create(case=case, given_at=now, words="Stop."),
        "police": lambda: PoliceContact.objects.create(case=case, contacted_at=now),
        "order": lambda: ProtectiveOrder.objects.create(case=case, issued_on=now.date()),
    }[kind]()
    delete = reverse(f"{kind}_delete", args=[record.uuid])
    assert "Move to trash" in page_text(alice_client.get(delete))
    alice_client.post(delete)
    record.refresh_from_db()
    assert record.deleted_at is not None
    assert str(record) in page_text(alice_client.get(reverse("trash")))
    alice_client.post(reverse(f"{kind}_restore", args=[record.uuid]))
    record.refresh_from_db()
    assert record.deleted_at is None


def test_the_lists_show_only_the_users_own_records(alice, mallory, mallory_client):
    case = Case.objects.owned_by(alice).get()
    NoContactNotice.objects.create(case=case, given_at=timezone.now(), words="Alice's words")
    assert "Alice's words" not in page_text(mallory_client.get(reverse("notice_list")))


def test_a_police_contact_cannot_link_incidents_about_another_person(alice, alice_client):
    other = Case.objects.create(owner=alice, name="The neighbour")
    first = Case.objects.owned_by(alice).exclude(pk=other.pk).get()
    about_other = make_incident(alice, case=other, description="About the neighbour")
    response = alice_client.post(
        reverse("police_new"),
        {
            "case": str(first.uuid),
            "contacted_at": "2026-02-02T10:00",
            "method": "phone",
            "incidents": [str(about_other.uuid)],
        },
    )
    assert response.status_code == 200
    assert "about another person" in response.content.decode()
    assert not PoliceContact.objects.exists()


# --- a notice moved to another person, and its proof -------------------------------------------


def _amend_at(client, url: str, **typed):
    form = client.get(url).context["form"]
    return client.post(url, form_data(form, **typed))


def test_a_notice_moved_to_another_person_takes_its_proof_along(alice, alice_client):
    first = Case.objects.owned_by(alice).get()
    neighbour = Case.objects.create(owner=alice, name="The neighbour")
    notice = NoContactNotice.objects.create(
        case=first, given_at=timezone.now(), words="Do not contact me again."
    )
    item = evidence_add(case=first, attached_to=notice, upload=_png())
    record_trash(record=item)  # files in the trash move too, so a restore finds them in place

    _amend_at(alice_client, reverse("notice_edit", args=[notice.uuid]), case=str(neighbour.uuid))

    item.refresh_from_db()
    assert item.case == neighbour
    assert alice_client.get(notice.get_absolute_url()).status_code == 200


def test_removing_proof_of_a_notice_goes_back_to_the_notice(alice, alice_client):
    notice = NoContactNotice.objects.create(
        case=Case.objects.owned_by(alice).get(), given_at=timezone.now(), words="Stop."
    )
    item = evidence_add(case=notice.case, attached_to=notice, upload=_png())
    detail = alice_client.get(reverse("evidence_detail", args=[item.uuid])).content.decode()
    assert notice.get_absolute_url() in detail

    response = alice_client.post(reverse("evidence_delete", args=[item.uuid]))

    assert response.url == notice.get_absolute_url()
    assert Evidence.objects.live().count() == 0
