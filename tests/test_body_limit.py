"""Over-long request bodies are refused with 413 before anything reads them: a small limit for
visitors who are not signed in, the upload limit for an account."""

import io
import os
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from incidents.models import Evidence
from tests.conftest import PASSWORD, page_text

MIB = 1024 * 1024


class CountingInput(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def _files_under(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def test_an_anonymous_body_over_the_small_limit_is_refused_unread(client, db):
    body = CountingInput(b"x" * (settings.ANONYMOUS_MAX_REQUEST_KB * 1024 + 1))
    response = client.generic(
        "POST",
        reverse("login"),
        content_type="application/x-www-form-urlencoded",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(len(body.getvalue()))},
    )
    assert response.status_code == 413
    assert body.taken == 0
    assert "That was more than this page accepts." in page_text(response)
    assert "Nothing from this request was saved" in page_text(response)


def test_an_anonymous_sign_in_of_ordinary_size_still_works(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_a_signed_in_body_over_the_upload_limit_is_refused_unread(client, alice, incident):
    client.force_login(alice)
    size = settings.EVIDENCE_MAX_REQUEST_MB * MIB + 1
    body = CountingInput(b"")
    response = client.generic(
        "POST",
        reverse("incident_evidence_upload", args=[incident.uuid]),
        content_type="multipart/form-data; boundary=x",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(size)},
    )
    assert response.status_code == 413
    assert body.taken == 0
    limit = settings.EVIDENCE_MAX_REQUEST_MB
    assert f"That was more than {limit} MB at once." in page_text(response)


def test_the_upload_script_gets_the_reason_as_json(client, alice, incident):
    client.force_login(alice)
    response = client.generic(
        "POST",
        reverse("incident_evidence_upload", args=[incident.uuid]),
        content_type="multipart/form-data; boundary=x",
        HTTP_ACCEPT="application/json",
        **{"CONTENT_LENGTH": str(settings.EVIDENCE_MAX_REQUEST_MB * MIB + 1)},
    )
    assert response.status_code == 413
    assert response.json()["kept"] == []
    assert "Send the files in smaller groups" in response.json()["problems"][0]


def test_a_signed_in_body_over_the_anonymous_limit_is_taken(client, alice, incident, settings):
    settings.ANONYMOUS_MAX_REQUEST_KB = 1
    client.force_login(alice)
    url = reverse("incident_evidence_upload", args=[incident.uuid])
    noise = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    png = io.BytesIO()
    noise.save(png, "PNG")
    assert len(png.getvalue()) > 1024
    upload = SimpleUploadedFile("photo.png", png.getvalue(), "image/png")

    response = client.post(url, {"files": [upload]})
    assert response.status_code == 302
    assert Evidence.objects.count() == 1


def _chunked(client, url, data: bytes, **extra):
    body = CountingInput(data)
    # As gunicorn passes such a body on: no length, and a stream that ends with the body.
    environ = {
        "wsgi.input": body,
        "wsgi.input_terminated": True,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
    }
    response = client.generic("POST", url, **environ, **extra)
    return response, body


def test_a_chunked_anonymous_body_is_cut_off_at_the_first_byte_over_the_limit(
    db, settings, tmp_path
):
    settings.ANONYMOUS_MAX_REQUEST_KB = 64
    client = Client()
    response, body = _chunked(client, reverse("login"), b"x" * (5 * MIB))
    assert response.status_code == 413
    # Read in 64 KB pieces: stopped at the piece that went over, not at the end.
    assert body.taken <= 64 * 1024 + 64 * 1024
    assert _files_under(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_a_chunked_body_under_the_limit_reaches_the_form(client, alice):
    # Django reads no body without a length; a chunked sign-in must not arrive empty.
    data = urlencode({"username": "alice", "password": PASSWORD}).encode()
    response, body = _chunked(client, reverse("login"), data)
    assert body.taken == len(data)
    assert response.status_code == 302


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_pages_is_not_affected(client, alice, method):
    response = client.generic(method, reverse("login"), **{"CONTENT_LENGTH": str(MIB)})
    assert response.status_code == 200
