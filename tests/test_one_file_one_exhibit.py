"""One file, one exhibit: a file the case already holds is not stored again; the user is told
which exhibit it is and can attach that exhibit to another record as well."""

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from incidents.custody import verify_chain
from incidents.dossier import DossierOptions, dossier_data
from incidents.models import Case, CustodyEntry, Evidence, ExhibitLink, NoContactNotice
from incidents.package import case_json, exhibit_names
from tests.conftest import make_incident, page_text

PICTURE = io.BytesIO()
Image.new("RGB", (120, 200), "orange").save(PICTURE, "PNG")


def screenshot(name="chat.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PICTURE.getvalue(), "image/png")


def upload_to(client, incident, name="chat.png", **headers):
    url = reverse("incident_evidence_upload", args=[incident.uuid])
    return client.post(url, {"files": [screenshot(name)]}, headers=headers)


def stored_originals(settings) -> list:
    root = settings.EVIDENCE_DIR / "originals"
    return [p for p in root.rglob("*") if p.is_file()]


def test_the_same_file_uploaded_twice_is_one_exhibit_and_the_user_is_told(
    alice_client, alice, settings
):
    incident = make_incident(alice, description="Texts all evening")
    assert upload_to(alice_client, incident).status_code == 302
    again = upload_to(alice_client, incident, name="chat (1).png")
    assert again.status_code == 400
    text = page_text(again)
    assert "“chat (1).png” was not stored again: the same file is already exhibit 1" in text
    assert str(incident) in text
    assert "It is attached to this record too." in text
    assert "Attach exhibit 1" not in text
    assert Evidence.objects.count() == 1
    assert len(stored_originals(settings)) == 1


def test_the_same_file_for_another_record_can_be_attached_there_too(alice_client, alice):
    first = make_incident(alice, description="Texts all evening")
    second = make_incident(alice, description="Then at my door")
    upload_to(alice_client, first)
    answer = upload_to(alice_client, second)
    assert "already exhibit 1, attached to " + str(first) in page_text(answer)
    attach = reverse(
        "evidence_attach",
        kwargs={
            "evidence_id": Evidence.objects.get().uuid,
            "kind": "incident",
            "record_id": second.uuid,
        },
    )
    assert f'formaction="{attach}"' in answer.content.decode()
    response = alice_client.post(attach, follow=True)
    assert response.redirect_chain[-1][0] == second.get_absolute_url()
    assert "Exhibit 1 is now attached here as well. It keeps its number." in page_text(response)
    for incident in (first, second):
        page = alice_client.get(incident.get_absolute_url())
        assert "Exhibit 1" in page_text(page)
    item = Evidence.objects.get()
    detail = page_text(alice_client.get(reverse("evidence_detail", args=[item.uuid])))
    assert f"Also attached to {second}" in detail
    # Logged, and attaching again changes nothing.
    link = ExhibitLink.objects.get()
    assert CustodyEntry.objects.filter(object_uuid=link.uuid, action="created").count() == 1
    alice_client.post(attach)
    assert ExhibitLink.objects.count() == 1
    assert verify_chain().ok


def test_an_exhibit_attached_twice_is_cited_under_both_records_in_the_dossier(alice):
    case = Case.objects.owned_by(alice).get()
    first = make_incident(alice, description="Texts all evening")
    second = make_incident(alice, description="Then at my door")
    from incidents.services import evidence_add, evidence_attach

    item = evidence_add(case=case, attached_to=first, upload=screenshot())
    notice = NoContactNotice.objects.create(case=case, given_at=first.occurred_at, words="Stop.")
    evidence_attach(item=item, record=second)
    evidence_attach(item=item, record=notice)
    data = dossier_data(alice, DossierOptions(case=str(case.uuid)))
    assert len(data.exhibits) == 1
    by_incident = {i.id: [e.exhibit_number for e in i.exhibits] for i in data.incidents}
    assert by_incident == {first.id: [1], second.id: [1]}
    package = json.loads(case_json(data, exhibit_names(data.exhibits)))
    assert [i["exhibits"] for i in package["incidents"]] == [[1], [1]]
    assert package["no_contact_notices"][0]["exhibits"] == [1]
    also = package["exhibits"][0]["also_attached_to"]
    assert [entry["type"] for entry in also] == ["incident", "notice"]


def test_a_scripted_upload_hears_of_the_existing_exhibit(alice_client, alice):
    first = make_incident(alice)
    second = make_incident(alice)
    upload_to(alice_client, first)
    answer = upload_to(alice_client, second, Accept="application/json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["kept"] == []
    assert "already exhibit 1" in body["problems"][0]
    [duplicate] = body["duplicates"]
    assert duplicate["number"] == 1
    assert duplicate["attach_url"].endswith(f"/incident/{second.uuid}/")


def test_a_file_in_the_trash_is_named_and_not_stored_again(alice_client, alice):
    incident = make_incident(alice)
    upload_to(alice_client, incident)
    item = Evidence.objects.get()
    alice_client.post(reverse("evidence_delete", args=[item.uuid]))
    answer = upload_to(alice_client, incident)
    assert "it is in the trash, from where it can be restored" in page_text(answer)
    assert "Attach exhibit" not in page_text(answer)
    assert Evidence.objects.count() == 1


def test_the_same_file_for_another_person_is_their_own_exhibit(alice_client, alice):
    upload_to(alice_client, make_incident(alice))
    other = Case.objects.create(owner=alice, name="Someone else")
    response = upload_to(alice_client, make_incident(alice, case=other))
    assert response.status_code == 302
    assert sorted(Evidence.objects.values_list("case_id", "exhibit_number")) == sorted(
        [(other.id, 1), (Case.objects.owned_by(alice).first().id, 1)]
    )


def test_a_stranger_cannot_attach_an_exhibit(alice_client, alice, mallory, client):
    first, second = make_incident(alice), make_incident(alice)
    upload_to(alice_client, first)
    item = Evidence.objects.get()
    url = reverse(
        "evidence_attach",
        kwargs={"evidence_id": item.uuid, "kind": "incident", "record_id": second.uuid},
    )
    client.force_login(mallory)
    assert client.post(url).status_code == 404
    assert not ExhibitLink.objects.exists()


def test_an_exhibit_cannot_be_attached_to_another_persons_record(alice_client, alice):
    upload_to(alice_client, make_incident(alice))
    other = Case.objects.create(owner=alice, name="Someone else")
    elsewhere = make_incident(alice, case=other)
    item = Evidence.objects.get()
    for kind in ("incident", "nonsense"):
        url = reverse(
            "evidence_attach",
            kwargs={"evidence_id": item.uuid, "kind": kind, "record_id": elsewhere.uuid},
        )
        assert alice_client.post(url).status_code == 404
    assert alice_client.get(url).status_code == 405
    assert not ExhibitLink.objects.exists()


def test_an_attachment_changed_behind_the_apps_back_is_named(alice):
    from incidents.custody import altered_records
    from incidents.services import evidence_add, evidence_attach

    case = Case.objects.owned_by(alice).get()
    first, second, third = (make_incident(alice) for _ in range(3))
    item = evidence_add(case=case, attached_to=first, upload=screenshot())
    evidence_attach(item=item, record=second)
    assert altered_records() == []
    ExhibitLink.objects.update(incident=third)
    assert altered_records() == [
        f"Exhibit link {ExhibitLink.objects.get().uuid} differs from its last logged version."
    ]
