"""Each account has room for EVIDENCE_QUOTA_MB of evidence: shown on the upload form, and a file
that would not fit is refused with a message, keeping the rest."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from incidents.models import Case, Evidence
from incidents.services import evidence_add
from tests.conftest import page_text


def _png(size=(300, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.effect_noise(size, 90).convert("RGB").save(buffer, "PNG")
    return SimpleUploadedFile("chat.png", buffer.getvalue(), "image/png")


def _upload_url(incident):
    return reverse("incident_evidence_upload", args=[incident.uuid])


def test_the_upload_form_shows_how_much_room_is_used(alice_client, incident, settings):
    settings.EVIDENCE_QUOTA_MB = 2
    evidence_add(case=incident.case, attached_to=incident, upload=_png((700, 700)))
    used = Evidence.objects.get().size
    page = page_text(alice_client.get(reverse("incident_detail", args=[incident.uuid])))
    assert used > 1024 * 1024
    assert f"Your files: {used / 1024 / 1024:.1f} MB of 2.0 MB used." in page


def test_a_file_over_the_quota_is_refused_and_the_others_kept(alice_client, incident, settings):
    small, large = _png((100, 100)), _png((900, 900))
    settings.EVIDENCE_QUOTA_MB = 1
    assert large.size > 1024 * 1024 > small.size

    response = alice_client.post(_upload_url(incident), {"files": [small, large]})

    assert response.status_code == 400  # the page again, with the reason
    text = page_text(response)
    assert "“chat.png” was not added. There is not enough room left for it" in text
    assert "EVIDENCE_QUOTA_MB" in text
    assert Evidence.objects.count() == 1
    stored = list((settings.EVIDENCE_DIR / "originals").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 1


def test_files_in_the_trash_count_until_removed(alice_client, incident, settings):
    item = evidence_add(case=incident.case, attached_to=incident, upload=_png((600, 600)))
    alice_client.post(reverse("evidence_delete", args=[item.uuid]))
    settings.EVIDENCE_QUOTA_MB = 1
    response = alice_client.post(_upload_url(incident), {"files": [_png((600, 600))]})
    assert "not enough room" in page_text(response)


def test_a_full_account_is_refused_before_the_files_are_read(alice_client, incident, settings):
    settings.EVIDENCE_QUOTA_MB = 0
    response = alice_client.post(_upload_url(incident), {"files": [_png()]})
    assert "There is no room left for more files" in page_text(response)
    assert not Evidence.objects.exists()


def test_one_account_full_leaves_the_others_room(
    mallory_client, alice, mallory, incident, settings
):
    settings.EVIDENCE_QUOTA_MB = 1
    evidence_add(case=incident.case, attached_to=incident, upload=_png((600, 600)))
    case = Case.objects.owned_by(mallory).first()
    assert evidence_add(case=case, upload=_png((400, 400))).case == case
