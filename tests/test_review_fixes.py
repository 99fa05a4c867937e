"""Regression tests for defects found in the code review, each named for what the user gets."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageFile

from incidents.models import (
    Case,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    User,
)
from incidents.services import (
    evidence_add,
    record_restore,
    record_trash,
    setup_code_get_or_create,
    setup_code_matches,
)
from tests.conftest import PASSWORD, form_data, make_incident, page_text


def _png(name: str = "screenshot.png", color=(255, 255, 255)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def _amend(client, url: str, **typed):
    form = client.get(url).context["form"]
    return client.post(url, form_data(form, **typed))


# --- moving a record to another person ---------------------------------------------------------


def test_an_incident_moved_to_another_person_takes_its_files_along(alice, alice_client, incident):
    neighbour = Case.objects.create(owner=alice, name="The neighbour")
    item = evidence_add(case=incident.case, attached_to=incident, upload=_png())

    response = _amend(
        alice_client, reverse("incident_edit", args=[incident.uuid]), case=str(neighbour.uuid)
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.case == neighbour
    page = alice_client.get(reverse("incident_detail", args=[incident.uuid]))
    assert page.status_code == 200
    assert "Exhibit 1" in page_text(page)
    gallery = alice_client.get(reverse("evidence_gallery", args=[neighbour.uuid]))
    assert [e.uuid for e in gallery.context["items"]] == [item.uuid]


def test_a_notice_moved_to_another_person_takes_its_proof_along(alice, alice_client):
    first = Case.objects.owned_by(alice).get()
    neighbour = Case.objects.create(owner=alice, name="The neighbour")
    notice = NoContactNotice.objects.create(
        case=first, given_at=timezone.now(), words="Do not contact me again."
    )
    item = evidence_add(case=first, attached_to=notice, upload=_png())
    record_trash(record=item)  # files in the trash move too, so a restore finds them in place

    _amend(alice_client, reverse("notice_edit", args=[notice.uuid]), case=str(neighbour.uuid))

    item.refresh_from_db()
    assert item.case == neighbour
    assert alice_client.get(notice.get_absolute_url()).status_code == 200


# --- police contacts and the trash ---------------------------------------------------------------


def test_amending_a_police_contact_keeps_its_link_to_an_incident_in_the_trash(alice, alice_client):
    reported = make_incident(alice, description="Waited outside the house")
    contact = PoliceContact.objects.create(
        case=reported.case, contacted_at=timezone.now(), reference="CR/1"
    )
    contact.incidents.add(reported)
    record_trash(record=reported)

    url = reverse("police_edit", args=[contact.uuid])
    form = alice_client.get(url).context["form"]
    # The trashed incident has no box on the page, so the browser sends no value for it.
    alice_client.post(url, {**form_data(form, officer_name="PC Example"), "incidents": []})

    record_restore(record=reported)
    contact.refresh_from_db()
    assert contact.officer_name == "PC Example"
    assert list(contact.incidents.all()) == [reported]


def test_unticking_a_live_incident_on_a_police_contact_still_unlinks_it(alice, alice_client):
    reported = make_incident(alice)
    contact = PoliceContact.objects.create(case=reported.case, contacted_at=timezone.now())
    contact.incidents.add(reported)

    url = reverse("police_edit", args=[contact.uuid])
    form = alice_client.get(url).context["form"]
    alice_client.post(url, {**form_data(form), "incidents": []})

    assert not contact.incidents.exists()


# --- the incident form ---------------------------------------------------------------------------


def test_a_count_of_zero_is_refused_beside_the_field_and_the_text_is_kept(alice_client):
    response = alice_client.post(
        reverse("incident_new"),
        {
            "occurred_at": "2024-05-04T21:15",
            "description": "Called from a hidden number.",
            "count": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["count"]
    content = response.content.decode()
    assert "Constraint" not in content
    assert "Called from a hidden number." in content
    assert not Incident.objects.exists()


# --- files of records in the trash --------------------------------------------------------------


def test_a_file_of_an_incident_in_the_trash_does_not_link_back_to_it(alice_client, incident):
    item = evidence_add(case=incident.case, attached_to=incident, upload=_png())
    record_trash(record=incident)

    content = alice_client.get(reverse("evidence_detail", args=[item.uuid])).content.decode()

    assert reverse("incident_detail", args=[incident.uuid]) not in content
    assert reverse("evidence_gallery", args=[incident.case.uuid]) in content


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


# --- query counts --------------------------------------------------------------------------------


def _fill(alice, n: int) -> dict:
    """n of each kind of record, each with a file, linked up as a real log would be."""
    case = Case.objects.owned_by(alice).get()
    start = case.evidence.count()
    for i in range(start, start + n):
        incident = make_incident(alice)
        # A different picture each time: the same file twice would be one exhibit.
        evidence_add(case=case, attached_to=incident, upload=_png(color=(i, 0, 0)))
        notice = NoContactNotice.objects.create(case=case, given_at=timezone.now(), words="Stop.")
        evidence_add(case=case, attached_to=notice, upload=_png(color=(i, 1, 0)))
        contact = PoliceContact.objects.create(case=case, contacted_at=timezone.now())
        contact.incidents.add(incident)
        ProtectiveOrder.objects.create(case=case, issued_on=timezone.localdate())
    return {"case": case, "incident": incident, "notice": notice, "contact": contact}


def _queries(client, url: str) -> int:
    client.get(url)  # once first, so that caches (content types) are warm for both counts
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _urls(records: dict) -> list[str]:
    return [
        reverse("notice_list"),
        reverse("police_list"),
        reverse("order_list"),
        reverse("trash"),
        reverse("evidence_gallery", args=[records["case"].uuid]),
        reverse("incident_detail", args=[records["incident"].uuid]),
        records["notice"].get_absolute_url(),
        records["contact"].get_absolute_url(),
    ]


def test_lists_and_record_pages_take_as_many_queries_for_many_records_as_for_one(
    alice, alice_client
):
    few = _urls(_fill(alice, 1))
    counts_for_one = [_queries(alice_client, url) for url in few]
    many = _urls(_fill(alice, 5))
    counts_for_six = [_queries(alice_client, url) for url in many]
    assert counts_for_six == counts_for_one

    for model in (Incident, Evidence, NoContactNotice, PoliceContact, ProtectiveOrder):
        for record in model.objects.all():
            record_trash(record=record)
    assert _queries(alice_client, reverse("trash")) == counts_for_one[3]


# --- damaged images ------------------------------------------------------------------------------


def test_a_truncated_photo_is_refused_even_after_the_dossier_code_is_loaded(
    alice_client, incident, monkeypatch
):
    # Importing WeasyPrint (as the dossier does) turns this on for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 64).convert("RGB").save(buffer, "JPEG", quality=95)
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]

    response = alice_client.post(
        reverse("incident_evidence_upload", args=[incident.uuid]),
        {"files": [SimpleUploadedFile("photo.jpg", cut, "image/jpeg")]},
    )

    assert response.status_code == 400
    assert "incomplete or damaged" in response.content.decode()
    assert not Evidence.objects.exists()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint needs it


# --- first run -----------------------------------------------------------------------------------


def test_the_setup_code_is_accepted_typed_without_dashes_in_small_letters(client, db):
    code = setup_code_get_or_create()
    typed = code.replace("-", "").lower()

    response = client.post(
        reverse("setup"),
        {
            "setup_code": f" {typed[:8]} {typed[8:]} ",
            "username": "sam",
            "time_zone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username="sam").exists()


def test_a_setup_code_with_one_character_wrong_is_still_refused(client, db):
    code = setup_code_get_or_create()
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")

    assert not setup_code_matches(wrong)
    assert not setup_code_matches(wrong.replace("-", ""))
    assert not setup_code_matches("")
    assert setup_code_matches(code)


def test_an_empty_setup_code_file_matches_nothing(settings, db):
    settings.SETUP_CODE_FILE.write_text("")

    assert not setup_code_matches("-")
    assert not setup_code_matches("")
