import hashlib
import io
import json
import struct
import zlib
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image, ImageFile

from incidents.models import Evidence

from .conftest import make_incident


def image_bytes(fmt="PNG", size=(360, 780), color="white", exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.paste("black", (20, 20, 120, 60))  # a mark, to tell orientation apart
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type)


def post_files(client, incident, *files, caption=""):
    url = reverse("incident_evidence_upload", args=[incident.uuid])
    return client.post(url, {"files": list(files), "caption": caption})


def stored_files(settings):
    root = settings.EVIDENCE_DIR / "originals"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def staged_files(settings):
    root = settings.EVIDENCE_DIR / ".staging"
    return list(root.iterdir()) if root.exists() else []


# Headers of the container formats phones produce, padded to a plausible size.
PADDING = b"\x00" * 2048
ACCEPTED = [
    ("screenshot.png", lambda: image_bytes("PNG"), "image/png", "image/png", "image"),
    ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg", "image/jpeg", "image"),
    ("pic.webp", lambda: image_bytes("WEBP"), "image/webp", "image/webp", "image"),
    ("report.pdf", lambda: b"%PDF-1.7\n" + PADDING, "application/pdf", "application/pdf", "pdf"),
    ("voicemail.mp3", lambda: b"ID3\x04\x00" + PADDING, "audio/mpeg", "audio/mpeg", "audio"),
    (
        "memo.m4a",
        lambda: b"\x00\x00\x00\x20ftypM4A " + PADDING,
        "audio/x-m4a",
        "audio/mp4",
        "audio",
    ),
    (
        "call.wav",
        lambda: b"RIFF\x24\x08\x00\x00WAVEfmt " + PADDING,
        "audio/wav",
        "audio/wav",
        "audio",
    ),
    ("note.ogg", lambda: b"OggS\x00\x02" + PADDING, "audio/ogg", "audio/ogg", "audio"),
    ("clip.mp4", lambda: b"\x00\x00\x00\x18ftypisom" + PADDING, "video/mp4", "video/mp4", "video"),
    (
        "clip.mov",
        lambda: b"\x00\x00\x00\x14ftypqt  " + PADDING,
        "video/quicktime",
        "video/quicktime",
        "video",
    ),
]


@pytest.mark.parametrize(("name", "make", "claimed", "detected", "kind"), ACCEPTED)
def test_it_keeps_each_accepted_type_byte_for_byte(
    alice_client, incident, settings, name, make, claimed, detected, kind
):
    content = make()
    response = post_files(alice_client, incident, upload(name, content, claimed))
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.kind, item.content_type, item.original_name) == (kind, detected, name)
    assert item.size == len(content)
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    (stored,) = stored_files(settings)
    assert stored.read_bytes() == content
    assert name not in str(stored)  # the server chooses the name on disk
    assert stored.stat().st_mode & 0o777 == 0o600


def test_it_keeps_several_files_at_once_with_their_caption(alice_client, incident):
    response = post_files(
        alice_client,
        incident,
        upload("one.png", image_bytes(), "image/png"),
        upload("two.png", image_bytes(color="grey"), "image/png"),
        caption="Texts from 555-0100, 21:14",
    )
    assert response.status_code == 302
    assert (
        Evidence.objects.filter(incident=incident, caption="Texts from 555-0100, 21:14").count()
        == 2
    )
    page = alice_client.get(reverse("incident_detail", args=[incident.uuid])).content.decode()
    assert "Exhibit 1" in page and "Exhibit 2" in page


def _bomb_png(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims an enormous image."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


REJECTED = [
    ("script renamed .jpg", "evil.jpg", b"#!/bin/sh\nrm -rf /\n", "image/jpeg", "not a file type"),
    (
        "HTML renamed .jpg",
        "page.jpg",
        b"<html><script>alert(1)</script></html>",
        "image/jpeg",
        "not a file type",
    ),
    (
        "SVG",
        "drawing.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
        "image/svg+xml",
        "not a file type",
    ),
    (
        "PNG that is really text",
        "shot.png",
        b"just some text pretending",
        "image/png",
        "not a file type",
    ),
    (
        "PDF claiming to be a photo",
        "photo.jpg",
        b"%PDF-1.4\n" + PADDING,
        "image/jpeg",
        "its content is application/pdf",
    ),
    (
        "truncated JPEG",
        "cut.jpg",
        image_bytes("JPEG", size=(800, 800))[:3000],
        "image/jpeg",
        "incomplete or damaged",
    ),
    ("decompression bomb", "bomb.png", _bomb_png(), "image/png", "too large to open safely"),
    (
        "iPhone HEIC",
        "IMG_0001.heic",
        b"\x00\x00\x00\x18ftypheic" + PADDING,
        "image/heic",
        "Share it as a JPEG",
    ),
    ("empty file", "empty.png", b"", "image/png", "This file is empty"),
]


@pytest.mark.parametrize(
    ("label", "name", "content", "claimed", "message"), REJECTED, ids=[r[0] for r in REJECTED]
)
def test_it_refuses_a_bad_file_with_a_clear_message_and_stores_nothing(
    alice_client, incident, settings, label, name, content, claimed, message
):
    response = post_files(
        alice_client, incident, upload(name, content, claimed), caption="my caption"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "my caption" in page  # what the user typed is still there
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []
    assert staged_files(settings) == []


def test_it_keeps_the_good_files_when_one_of_several_is_refused(alice_client, incident):
    response = post_files(
        alice_client,
        incident,
        upload("good.png", image_bytes(), "image/png"),
        upload("bad.jpg", b"<html></html>", "image/jpeg"),
    )
    assert response.status_code == 400
    assert "“bad.jpg” was not added" in response.content.decode()
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["good.png"]


def test_it_refuses_a_file_over_the_size_limit(alice_client, incident, settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1)
    response = post_files(alice_client, incident, upload("big.pdf", big, "application/pdf"))
    assert "larger than the limit of 1 MB" in response.content.decode()
    assert stored_files(settings) == [] and staged_files(settings) == []


def test_it_refuses_a_request_over_the_total_limit_before_reading_it(
    alice_client, incident, settings
):
    settings.EVIDENCE_MAX_REQUEST_MB = 1
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    response = post_files(alice_client, incident, upload("big.pdf", big, "application/pdf"))
    # Refused by incidents/body_limit.py before the CSRF check would read (and spool) it.
    assert response.status_code == 413
    assert "more than 1 MB at once" in response.content.decode()
    assert not Evidence.objects.exists()


def test_it_refuses_too_many_files_in_one_request(incident, settings):
    # With the CSRF check on, as in a browser: it reads the form before the view does.
    client = Client(enforce_csrf_checks=True)
    client.force_login(incident.case.owner)
    settings.EVIDENCE_MAX_FILES = 2
    client.get(reverse("incident_detail", args=[incident.uuid]))
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    files = [upload(f"{i}.png", image_bytes(), "image/png") for i in range(3)]
    response = client.post(
        reverse("incident_evidence_upload", args=[incident.uuid]),
        {"files": files, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 400
    assert "Send at most 2 files at a time" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_upload_limits_are_shown_before_uploading(alice_client, incident, settings):
    settings.EVIDENCE_MAX_FILE_MB = 42
    page = alice_client.get(reverse("incident_detail", args=[incident.uuid])).content.decode()
    assert "42 MB each" in page


def test_scripted_uploads_get_an_answer_per_file(alice_client, incident):
    url = reverse("incident_evidence_upload", args=[incident.uuid])
    ok = alice_client.post(
        url,
        {"files": [upload("a.png", image_bytes(), "image/png")]},
        headers={"Accept": "application/json"},
    )
    assert ok.status_code == 200 and json.loads(ok.content)["kept"][0]["name"] == "a.png"
    bad = alice_client.post(
        url,
        {"files": [upload("a.jpg", b"<html>", "image/jpeg")]},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
    assert "not a file type" in json.loads(bad.content)["problems"][0]


def _exif_with_gps_and_rotation() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was held sideways: rotate 90° clockwise
    exif[ExifTags.Base.Make] = "Acme"
    exif[ExifTags.Base.Model] = "Phone 7"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:03:14 21:15:09"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    )
    return exif


def test_it_records_camera_data_and_capture_time(alice_client, incident, alice):
    content = image_bytes("JPEG", size=(200, 100), exif=_exif_with_gps_and_rotation())
    post_files(alice_client, incident, upload("photo.jpg", content, "image/jpeg"))
    item = Evidence.objects.get()
    assert (item.width, item.height, item.camera) == (200, 100, "Acme Phone 7")
    assert (
        timezone.localtime(item.captured_at, timezone.get_default_timezone()).strftime(
            "%Y-%m-%d %H:%M"
        )
        == "2026-03-14 21:15"
    )


@pytest.mark.parametrize("variant", ["evidence_thumbnail", "evidence_preview"])
def test_display_copies_are_upright_and_carry_no_location(
    alice_client, incident, variant, settings
):
    original = image_bytes("JPEG", size=(200, 100), exif=_exif_with_gps_and_rotation())
    post_files(alice_client, incident, upload("photo.jpg", original, "image/jpeg"))
    item = Evidence.objects.get()
    response = alice_client.get(reverse(variant, args=[item.uuid]))
    assert response.status_code == 200
    shown = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert shown.size[0] < shown.size[1]  # portrait, as the phone was held
    exif = shown.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
    # The original is untouched.
    assert (settings.EVIDENCE_DIR / item.stored_name).read_bytes() == original


def test_files_are_served_privately_with_protective_headers(alice_client, incident):
    post_files(alice_client, incident, upload("chat.png", image_bytes(), "image/png"))
    item = Evidence.objects.get()
    original = alice_client.get(reverse("evidence_original", args=[item.uuid]))
    assert (
        original["Content-Disposition"]
        == f'attachment; filename="exhibit-1-{str(item.uuid)[:8]}.png"'
    )
    thumbnail = alice_client.get(reverse("evidence_thumbnail", args=[item.uuid]))
    assert thumbnail["Content-Disposition"].startswith("inline")
    for response in (original, thumbnail):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Security-Policy"].startswith("sandbox")


def test_a_pdf_opens_in_the_browser_unless_downloaded(alice_client, incident):
    post_files(alice_client, incident, upload("r.pdf", b"%PDF-1.7\n" + PADDING, "application/pdf"))
    item = Evidence.objects.get()
    url = reverse("evidence_original", args=[item.uuid])
    assert alice_client.get(url)["Content-Disposition"].startswith("inline")
    assert alice_client.get(url + "?download=1")["Content-Disposition"].startswith("attachment")


def test_the_front_server_can_send_the_file(alice_client, incident, settings):
    settings.EVIDENCE_SENDFILE = "nginx"
    post_files(alice_client, incident, upload("chat.png", image_bytes(), "image/png"))
    item = Evidence.objects.get()
    response = alice_client.get(reverse("evidence_original", args=[item.uuid]))
    assert response["X-Accel-Redirect"].endswith(item.stored_name)
    assert response["X-Accel-Redirect"].startswith(settings.EVIDENCE_ACCEL_PREFIX)
    assert response.content == b""


EVIDENCE_URLS = [
    "evidence_detail",
    "evidence_original",
    "evidence_preview",
    "evidence_thumbnail",
    "evidence_delete",
]


@pytest.mark.parametrize("name", EVIDENCE_URLS)
def test_a_stranger_gets_404_for_every_file_url(client, alice, mallory, incident, name):
    client.force_login(alice)
    post_files(client, incident, upload("chat.png", image_bytes(), "image/png"))
    item = Evidence.objects.get()
    client.force_login(mallory)
    assert client.get(reverse(name, args=[item.uuid])).status_code == 404
    client.logout()
    response = client.get(reverse(name, args=[item.uuid]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_stranger_cannot_add_files_to_someone_elses_incident(mallory_client, incident):
    response = post_files(mallory_client, incident, upload("x.png", image_bytes(), "image/png"))
    assert response.status_code == 404
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["/media/", "/media/originals/", "/data/evidence/", "/evidence/", "/static/../data/secret_key"],
)
def test_no_public_url_reaches_the_files(alice_client, incident, path, settings):
    post_files(alice_client, incident, upload("chat.png", image_bytes(), "image/png"))
    item = Evidence.objects.get()
    assert alice_client.get(path).status_code == 404
    assert alice_client.get(f"/media/{item.stored_name}").status_code == 404
    assert alice_client.get(f"/static/{item.stored_name}").status_code == 404


def test_exhibits_are_numbered_in_the_order_they_are_received(alice_client, alice):
    later = make_incident(alice, occurred_at=timezone.now() - timedelta(days=1))
    earlier = make_incident(alice, occurred_at=timezone.now() - timedelta(days=5))
    post_files(alice_client, later, upload("later.png", image_bytes(color="red"), "image/png"))
    post_files(alice_client, earlier, upload("earlier-1.png", image_bytes(), "image/png"))
    post_files(
        alice_client, earlier, upload("earlier-2.png", image_bytes(color="blue"), "image/png")
    )
    gallery = alice_client.get(reverse("evidence_gallery", args=[later.case.uuid]))
    numbered = [(item.exhibit_number, item.original_name) for item in gallery.context["items"]]
    # A number is given once, on arrival: a file for an older incident does not push others on.
    assert numbered == [(1, "later.png"), (2, "earlier-1.png"), (3, "earlier-2.png")]


def test_removing_a_file_asks_first_then_moves_it_to_the_trash(alice_client, incident, settings):
    post_files(alice_client, incident, upload("chat.png", image_bytes(), "image/png"))
    item = Evidence.objects.get()
    url = reverse("evidence_delete", args=[item.uuid])
    assert "Remove exhibit 1?" in alice_client.get(url).content.decode()
    assert Evidence.objects.live().count() == 1
    alice_client.post(url)
    assert Evidence.objects.live().count() == 0
    assert "chat.png" in alice_client.get(reverse("trash")).content.decode()
    assert stored_files(settings)  # the original is kept while it is in the trash
    alice_client.post(reverse("evidence_restore", args=[item.uuid]))
    assert Evidence.objects.live().count() == 1


def test_the_gallery_filters_by_type(alice_client, incident):
    post_files(
        alice_client,
        incident,
        upload("chat.png", image_bytes(), "image/png"),
        upload("report.pdf", b"%PDF-1.7\n" + PADDING, "application/pdf"),
    )
    url = reverse("evidence_gallery", args=[incident.case.uuid])
    items = alice_client.get(url, {"kind": "pdf"}).context["items"]
    assert [item.original_name for item in items] == ["report.pdf"]


def test_documents_can_be_filed_on_the_case(alice_client, incident):
    url = reverse("case_evidence_upload", args=[incident.case.uuid])
    alice_client.post(
        url, {"files": [upload("order.pdf", b"%PDF-1.7\n" + PADDING, "application/pdf")]}
    )
    item = Evidence.objects.get()
    assert item.incident is None and item.case == incident.case


def test_the_gallery_check_reports_a_changed_file(alice_client, incident, settings):
    post_files(alice_client, incident, upload("chat.png", image_bytes(), "image/png"))
    url = reverse("evidence_check", args=[incident.case.uuid])
    assert "each is exactly as it was received" in alice_client.post(url).content.decode()
    (stored,) = stored_files(settings)
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    assert "Changed since it was received: chat.png" in alice_client.post(url).content.decode()


def test_verify_evidence_finds_flipped_missing_and_stray_files(
    alice_client, incident, settings, capsys
):
    for name, color in (("a.png", "grey"), ("b.png", "red"), ("c.png", "blue")):
        post_files(alice_client, incident, upload(name, image_bytes(color=color), "image/png"))
    call_command("verify_evidence")
    assert "3 files checked: 0 missing, 0 changed, 0 stray." in capsys.readouterr().out

    flipped, deleted, _ = Evidence.objects.order_by("id")
    path = settings.EVIDENCE_DIR / flipped.stored_name
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    (settings.EVIDENCE_DIR / deleted.stored_name).unlink()
    stray = settings.EVIDENCE_DIR / "originals" / "zz" / "planted"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"who put this here")

    with pytest.raises(CommandError, match="1 missing, 1 changed, 1 stray"):
        call_command("verify_evidence")
    out = capsys.readouterr().out
    assert f"CHANGED  {flipped.stored_name}" in out
    assert f"MISSING  {deleted.stored_name}" in out
    assert "STRAY    originals/zz/planted" in out


def test_files_of_a_trashed_incident_leave_the_gallery_with_it(alice_client, incident):
    post_files(alice_client, incident, upload("chat.png", image_bytes(), "image/png"))
    gallery = reverse("evidence_gallery", args=[incident.case.uuid])
    assert len(alice_client.get(gallery).context["items"]) == 1
    alice_client.post(reverse("incident_delete", args=[incident.uuid]))
    assert len(alice_client.get(gallery).context["items"]) == 0
    alice_client.post(reverse("incident_restore", args=[incident.uuid]))
    assert len(alice_client.get(gallery).context["items"]) == 1


def test_a_preview_of_an_original_damaged_on_disk_is_refused_not_an_error(
    alice_client, incident, settings
):
    post_files(
        alice_client, incident, upload("shot.jpg", image_bytes("JPEG", (800, 800)), "image/jpeg")
    )
    item = Evidence.objects.get()
    original = settings.EVIDENCE_DIR / item.stored_name
    original.write_bytes(original.read_bytes()[:2000])  # cut short after it was accepted
    # The copy would be made from an original that no longer matches its fingerprint.
    assert alice_client.get(reverse("evidence_preview", args=[item.uuid])).status_code == 409


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
