"""Nothing leaves unchecked or unlogged: originals, display copies and exports are checked
against their fingerprints before they are sent, answer Range requests, and every hand-out is
logged once per run of a player's requests."""

import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from incidents import handouts
from incidents.dossier import DossierOptions
from incidents.evidence import derived_file
from incidents.models import AuditEvent, CustodyEntry, DisplayCopy, Evidence, Export, HandOut
from incidents.package import PackageError, build_package
from incidents.pdf import render_dossier
from incidents.services import evidence_add
from tests.conftest import form_data, page_text

FINGERPRINT_LINE = "The stored file no longer matches the fingerprint taken when it was received"


def _png(color="white", size=(300, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile("chat.png", buffer.getvalue(), "image/png")


@pytest.fixture
def item(incident):
    return evidence_add(case=incident.case, attached_to=incident, upload=_png())


def _original(settings, item):
    return settings.EVIDENCE_DIR / item.stored_name


def _swap_a_byte(path):
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))


def _entries(action):
    return CustodyEntry.objects.filter(action=action)


def _url(item, name="evidence_original"):
    return reverse(name, args=[item.uuid])


# --- checked before it leaves --------------------------------------------------------------


def test_an_original_changed_on_disk_is_refused_with_a_page_and_logged(
    alice_client, item, settings
):
    _swap_a_byte(_original(settings, item))
    found = hashlib.sha256(_original(settings, item).read_bytes()).hexdigest()

    response = alice_client.get(_url(item))

    assert response.status_code == 409
    assert FINGERPRINT_LINE in page_text(response)
    assert not _entries("downloaded").exists()
    entry = _entries("integrity_failed").get()
    assert (entry.object_uuid, entry.file_sha256) == (item.uuid, found)
    assert AuditEvent.objects.get(action="integrity_failed").description == "Exhibit 1"


def test_the_owner_is_told_on_the_home_page_until_the_file_matches_again(
    alice_client, item, settings
):
    path = _original(settings, item)
    good = path.read_bytes()
    _swap_a_byte(path)
    alice_client.get(_url(item))
    alice_client.get(_url(item))  # asked again: still one entry
    home = page_text(alice_client.get(reverse("dashboard")))
    assert "Exhibit 1: the stored file no longer matches the fingerprint" in home
    assert _entries("integrity_failed").count() == 1

    path.write_bytes(good)  # put back from a backup
    assert alice_client.get(_url(item)).status_code == 200
    home = page_text(alice_client.get(reverse("dashboard")))
    assert "no longer matches" not in home


def test_a_missing_original_gets_a_page_not_an_error(alice_client, item, settings):
    _original(settings, item).unlink()
    response = alice_client.get(_url(item))
    assert response.status_code == 409
    assert "The stored file is missing" in page_text(response)
    assert _entries("integrity_failed").get().file_sha256 == ""


def test_a_display_copy_changed_on_disk_is_made_again_from_the_original(alice_client, item):
    first = b"".join(alice_client.get(_url(item, "evidence_thumbnail")).streaming_content)
    derived_file(item, "thumbnail").write_bytes(b"\xff\xd8\xff not the picture")

    again = b"".join(alice_client.get(_url(item, "evidence_thumbnail")).streaming_content)

    assert again == first
    assert DisplayCopy.objects.get(evidence=item, variant="thumbnail").sha256 == (
        hashlib.sha256(first).hexdigest()
    )


@pytest.mark.slow
def test_a_changed_export_is_refused(
    alice_client, incident, django_capture_on_commit_callbacks, settings
):
    form = alice_client.get(reverse("dossier")).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("dossier"), form_data(form, kind="dossier"))
    export = Export.objects.get()
    _swap_a_byte(settings.EXPORTS_DIR / export.file_name)

    response = alice_client.get(reverse("export_download", args=[export.uuid]))

    assert response.status_code == 409
    assert "no longer matches the fingerprint taken when it was made" in page_text(response)
    assert _entries("integrity_failed").get().object_uuid == export.uuid


def test_a_player_is_checked_once_in_the_window_but_a_replaced_file_at_once(
    alice_client, item, settings, monkeypatch
):
    hashed = []
    real = handouts.sha256_and_size
    monkeypatch.setattr(handouts, "sha256_and_size", lambda f: hashed.append(1) or real(f))
    for start in (0, 100, 200):
        alice_client.get(_url(item), headers={"Range": f"bytes={start}-"})
    assert len(hashed) == 1

    path = _original(settings, item)
    _swap_a_byte(path)
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert alice_client.get(_url(item), headers={"Range": "bytes=300-"}).status_code == 409


# --- not drawn into a dossier --------------------------------------------------------------


@pytest.mark.slow
def test_a_changed_original_is_described_not_drawn_in_the_dossier(alice, item, tmp_path, settings):
    _swap_a_byte(_original(settings, item))
    out = tmp_path / "dossier.pdf"

    render_dossier(alice, DossierOptions(case=str(item.case.uuid)), out)

    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert FINGERPRINT_LINE in text
    assert item.sha256 in "".join(text.split())  # the fingerprint taken when it was received
    pictures = sum(len(page.images) for page in reader.pages)
    assert pictures == 0
    assert _entries("integrity_failed").get().object_uuid == item.uuid
    assert AuditEvent.objects.get(action="integrity_failed").user == alice


@pytest.mark.slow
def test_a_tampered_print_image_is_made_again_before_it_is_drawn(alice, item, tmp_path):
    options = DossierOptions(case=str(item.case.uuid))
    render_dossier(alice, options, tmp_path / "first.pdf")
    assert sum(len(page.images) for page in PdfReader(tmp_path / "first.pdf").pages) == 2
    made = DisplayCopy.objects.get(evidence=item, variant="print").sha256
    Image.new("RGB", (300, 600), "red").save(derived_file(item, "print"), "JPEG")

    render_dossier(alice, options, tmp_path / "second.pdf")

    assert hashlib.sha256(derived_file(item, "print").read_bytes()).hexdigest() == made
    assert not _entries("integrity_failed").exists()  # the original itself is whole


# --- ranges --------------------------------------------------------------------------------


def test_a_range_from_byte_1_gets_206_with_those_bytes_and_is_logged(alice_client, item, settings):
    content = _original(settings, item).read_bytes()

    response = alice_client.get(_url(item), headers={"Range": "bytes=1-"})

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == content[1:]
    assert response["Content-Range"] == f"bytes 1-{len(content) - 1}/{len(content)}"
    assert response["Content-Length"] == str(len(content) - 1)
    entry = _entries("downloaded").get()
    assert (entry.object_uuid, entry.file_sha256) == (item.uuid, item.sha256)
    assert AuditEvent.objects.get(action="original_download").description == "Exhibit 1"


@pytest.mark.parametrize(
    ("header", "part"),
    [("bytes=10-19", slice(10, 20)), ("bytes=-5", slice(-5, None)), ("bytes=0-0", slice(0, 1))],
)
def test_ranges_get_exactly_the_bytes_asked_for(alice_client, item, settings, header, part):
    content = _original(settings, item).read_bytes()
    response = alice_client.get(_url(item), headers={"Range": header})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == content[part]


def test_a_range_past_the_end_gets_416_and_no_entry(alice_client, item):
    response = alice_client.get(_url(item), headers={"Range": f"bytes={item.size}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{item.size}"
    assert not _entries("downloaded").exists()


def test_a_range_for_another_version_gets_the_whole_file(alice_client, item):
    response = alice_client.get(_url(item), headers={"Range": "bytes=5-", "If-Range": '"0000"'})
    assert response.status_code == 200
    assert response["ETag"] == f'"{item.sha256}"'


def test_display_copies_answer_ranges_too(alice_client, item):
    whole = b"".join(alice_client.get(_url(item, "evidence_preview")).streaming_content)
    response = alice_client.get(_url(item, "evidence_preview"), headers={"Range": "bytes=2-9"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == whole[2:10]
    shown = _entries("shown").get()
    assert shown.file_sha256 == hashlib.sha256(whole).hexdigest()


@pytest.mark.slow
def test_exports_answer_ranges_and_each_run_is_logged(
    alice_client, incident, django_capture_on_commit_callbacks, settings
):
    form = alice_client.get(reverse("dossier")).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("dossier"), form_data(form, kind="dossier"))
    export = Export.objects.get()
    content = (settings.EXPORTS_DIR / export.file_name).read_bytes()
    url = reverse("export_download", args=[export.uuid])

    response = alice_client.get(url, headers={"Range": "bytes=1-"})
    alice_client.get(url, headers={"Range": "bytes=-100"})

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == content[1:]
    assert alice_client.get(url, headers={"Range": f"bytes={len(content)}-"}).status_code == 416
    assert _entries("downloaded").filter(object_uuid=export.uuid).count() == 1
    assert AuditEvent.objects.filter(action="export_download").count() == 1


# --- logged once per run of requests -------------------------------------------------------


def test_a_players_range_requests_in_the_window_make_one_entry(alice_client, item):
    for header in ("bytes=0-", "bytes=100-199", "bytes=1-", "bytes=-10"):
        assert alice_client.get(_url(item), headers={"Range": header}).status_code == 206
    alice_client.head(_url(item))
    assert _entries("downloaded").count() == 1
    assert AuditEvent.objects.filter(action="original_download").count() == 1


def test_the_same_file_asked_for_after_the_window_is_logged_again(alice_client, item):
    alice_client.get(_url(item))
    HandOut.objects.update(seen_at=timezone.now() - timedelta(hours=1))
    alice_client.get(_url(item), headers={"Range": "bytes=5-"})
    assert _entries("downloaded").count() == 2


def test_another_browser_is_another_hand_out(alice_client, client, alice, item):
    alice_client.get(_url(item))
    other = type(client)()
    other.force_login(alice)
    other.get(_url(item), headers={"Range": "bytes=1-"})
    assert _entries("downloaded").count() == 2


def test_nginx_and_apache_still_get_the_transfer_and_it_is_logged(alice_client, item, settings):
    settings.EVIDENCE_SENDFILE = "nginx"
    response = alice_client.get(_url(item), headers={"Range": "bytes=1-"})
    assert response["X-Accel-Redirect"].startswith(settings.EVIDENCE_ACCEL_PREFIX)
    assert response["Accept-Ranges"] == "bytes"
    assert _entries("downloaded").count() == 1


def test_a_stranger_gets_404_and_nothing_is_checked_or_logged(mallory_client, item, settings):
    _swap_a_byte(_original(settings, item))
    assert mallory_client.get(_url(item)).status_code == 404
    assert not CustodyEntry.objects.filter(action__in=["integrity_failed", "downloaded"]).exists()


def test_hand_out_rows_hold_no_session_key(alice_client, item):
    alice_client.get(_url(item))
    row = HandOut.objects.get()
    assert alice_client.session.session_key not in row.session_ref
    assert Evidence.objects.get().sha256 == row.file_sha256


def test_a_package_with_a_changed_original_is_not_made_and_the_change_is_logged(
    alice, item, tmp_path, settings
):
    _swap_a_byte(_original(settings, item))
    with pytest.raises(PackageError, match="has changed since it was received"):
        build_package(alice, DossierOptions(case=str(item.case.uuid)), tmp_path / "p.zip")
    assert _entries("integrity_failed").get().object_uuid == item.uuid
    assert not (tmp_path / "p.zip").exists()
