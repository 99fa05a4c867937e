"""Evidence in a storage without local files: an S3-compatible bucket (EVIDENCE_STORAGE=s3), and
Django's InMemoryStorage standing in for any storage whose path() names no real file."""

import socket
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from incidents.dossier import DossierOptions
from incidents.models import CustodyEntry, Evidence, HandOut
from incidents.package import PackageError, build_package
from incidents.security import session_ref
from stalkerlog import settings as project_settings

from .conftest import page_text
from .test_evidence import PADDING, image_bytes, post_files, stored_files, upload

ENDPOINT = "objects.example.test:9000"
BUCKET = "alice-evidence"
LINK_SECONDS = 45


def _upload_one(client, incident, name="chat.png", content=None, content_type="image/png"):
    content = image_bytes() if content is None else content
    post_files(client, incident, upload(name, content, content_type))
    return Evidence.objects.get(original_name=name), content


# --- S3: the owner is sent to a short-lived signed link ---------------------------------------


@pytest.fixture
def s3_environment(monkeypatch):
    """The variables a host sets for a bucket, with made-up credentials."""
    variables = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"https://{ENDPOINT}",
        "AWS_S3_REGION_NAME": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret-key",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    # Read when settings.py is imported, so set on the module (as EVIDENCE_STORAGE=s3 would).
    monkeypatch.setattr(project_settings, "EVIDENCE_STORAGE", "s3")
    monkeypatch.setattr(project_settings, "AWS_QUERYSTRING_EXPIRE", LINK_SECONDS)


@pytest.fixture
def use_s3(settings, s3_environment, monkeypatch):
    """Switches the evidence storage to S3Storage exactly as settings.py builds it from the
    environment. boto3 signs links on this machine: any use of the network fails the test."""

    def switch():
        settings.STORAGES = {
            **settings.STORAGES,
            "evidence": project_settings.evidence_storage_backend(),
        }

        def no_network(*args, **kwargs):
            raise AssertionError("Signing a link must not reach the network.")

        monkeypatch.setattr(socket.socket, "connect", no_network)
        monkeypatch.setattr(socket, "create_connection", no_network)
        return storages["evidence"]

    return switch


def _link(response) -> tuple[str, str, dict[str, str]]:
    """The host, path and query of the signed link a response redirects to."""
    parts = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return parts.netloc, parts.path, query


def _checked_a_moment_ago(client, item) -> None:
    """Before linking to an object the app reads it from the bucket and re-hashes it, once per
    browser and file for a short while. These tests have no bucket: the check is taken as made
    a moment ago, as for a player's later requests."""
    HandOut.objects.update_or_create(
        user=item.case.owner,
        session_ref=session_ref(client.session.session_key),
        object_uuid=item.uuid,
        file_sha256=item.sha256,
        defaults={"verified_at": timezone.now(), "verified_stat": ""},
    )


def test_it_sends_the_owner_to_a_signed_link_on_the_bucket_that_expires_quickly(
    alice_client, incident, use_s3
):
    item, _ = _upload_one(alice_client, incident)  # on local disk, before the switch
    url = reverse("evidence_original", args=[item.uuid])
    streamed = alice_client.get(url)
    use_s3()
    _checked_a_moment_ago(alice_client, item)

    response = alice_client.get(url)

    assert response.status_code == 302
    host, path, query = _link(response)
    assert host == ENDPOINT
    assert path == f"/{BUCKET}/{item.stored_name}"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Signature"]
    assert int(query["X-Amz-Expires"]) <= LINK_SECONDS
    # The browser gets the same name, type and download as when the app sends the file itself.
    assert query["response-content-disposition"] == streamed["Content-Disposition"]
    assert query["response-content-disposition"].startswith("attachment;")
    assert query["response-content-type"] == "image/png"
    assert query["response-cache-control"] == "private, no-store"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.slow
def test_a_pdf_link_asks_the_store_to_show_it_in_the_browser_unless_downloaded(
    alice_client, incident, use_s3
):
    item, _ = _upload_one(
        alice_client, incident, "report.pdf", b"%PDF-1.7\n" + PADDING, "application/pdf"
    )
    use_s3()
    _checked_a_moment_ago(alice_client, item)
    url = reverse("evidence_original", args=[item.uuid])

    opened = _link(alice_client.get(url))[2]
    downloaded = _link(alice_client.get(url + "?download=1"))[2]

    assert opened["response-content-disposition"].startswith("inline;")
    assert downloaded["response-content-disposition"].startswith("attachment;")
    assert opened["response-content-type"] == "application/pdf"


def test_a_bucket_out_of_reach_gets_a_page_and_no_link(alice_client, incident, use_s3, monkeypatch):
    item, _ = _upload_one(alice_client, incident)
    use_s3()

    def unknown_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # The bucket's name does not resolve: the object cannot be read to check it.
    monkeypatch.setattr(socket, "getaddrinfo", unknown_name)

    response = alice_client.get(reverse("evidence_original", args=[item.uuid]))

    assert response.status_code == 503
    assert "could not be read just now" in page_text(response)
    assert not CustodyEntry.objects.filter(action__in=["downloaded", "integrity_failed"]).exists()


def test_pages_let_audio_and_video_players_follow_links_to_the_bucket_only(
    alice_client, incident, use_s3
):
    use_s3()
    policy = alice_client.get(incident.get_absolute_url())["Content-Security-Policy"]
    assert policy.endswith(f"; media-src 'self' https://{ENDPOINT}")
    assert "default-src 'self'" in policy


def test_pages_allow_no_other_host_with_local_storage(alice_client, incident):
    policy = alice_client.get(incident.get_absolute_url())["Content-Security-Policy"]
    assert "media-src" not in policy
    assert "http" not in policy


def test_it_gives_a_stranger_404_and_no_link(client, alice, mallory, incident, use_s3):
    client.force_login(alice)
    item, _ = _upload_one(client, incident)
    use_s3()
    client.force_login(mallory)

    response = client.get(reverse("evidence_original", args=[item.uuid]))

    assert response.status_code == 404
    assert "Location" not in response
    assert BUCKET not in response.content.decode()


def test_the_bucket_is_private_signed_and_never_overwritten(s3_environment):
    options = project_settings.evidence_storage_backend()["OPTIONS"]

    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == LINK_SECONDS
    assert options["custom_domain"] is None
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert options["client_config"].signature_version == "s3v4"
    assert options["max_memory_size"] > 0  # large originals spool to disk, not memory


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("AWS_DEFAULT_ACL", "public-read", "never public"),
        ("AWS_QUERYSTRING_EXPIRE", 7 * 24 * 3600, "between 1 and 3600 seconds"),
        ("AWS_QUERYSTRING_EXPIRE", 0, "between 1 and 3600 seconds"),
    ],
)
def test_it_refuses_to_start_with_a_public_or_long_lived_bucket(
    s3_environment, monkeypatch, setting, value, message
):
    monkeypatch.setattr(project_settings, setting, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        project_settings.evidence_storage_backend()


def test_it_refuses_to_start_without_a_bucket_or_with_an_unknown_storage(
    s3_environment, monkeypatch
):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME")
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        project_settings.evidence_storage_backend()
    monkeypatch.setattr(project_settings, "EVIDENCE_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match='"local" or "s3"'):
        project_settings.evidence_storage_backend()


# --- a storage with no local files, from upload to evidence package ---------------------------


@pytest.fixture
def memory_storage(settings):
    """Originals kept in memory: nothing on disk, and a path() that points at nothing real."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"location": "/nowhere/evidence"},
        },
    }
    return storages["evidence"]


def test_an_upload_is_kept_in_the_storage_and_leaves_nothing_on_disk(
    alice_client, incident, memory_storage, settings
):
    item, content = _upload_one(alice_client, incident)

    assert memory_storage.open(item.stored_name).read() == content
    assert stored_files(settings) == []
    staging = settings.EVIDENCE_DIR / ".staging"
    assert not staging.exists() or list(staging.iterdir()) == []


def test_the_owner_gets_the_original_streamed_from_the_storage(
    alice_client, incident, memory_storage
):
    item, content = _upload_one(alice_client, incident)

    response = alice_client.get(reverse("evidence_original", args=[item.uuid]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith('attachment; filename="exhibit-1-')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["evidence_original", "evidence_thumbnail", "evidence_preview"])
def test_a_stranger_gets_404_for_a_file_in_the_storage(
    client, alice, mallory, incident, memory_storage, name
):
    client.force_login(alice)
    item, _ = _upload_one(client, incident)
    client.force_login(mallory)

    assert client.get(reverse(name, args=[item.uuid])).status_code == 404


def test_display_copies_are_made_from_the_original_in_the_storage(
    alice_client, incident, memory_storage
):
    item, _ = _upload_one(alice_client, incident)

    response = alice_client.get(reverse("evidence_thumbnail", args=[item.uuid]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_the_integrity_check_finds_changed_missing_and_stray_files_in_the_storage(
    alice_client, incident, memory_storage, capsys
):
    for name, color in (("a.png", "grey"), ("b.png", "red"), ("c.png", "blue")):
        _upload_one(alice_client, incident, name, image_bytes(color=color))
    call_command("verify_evidence")
    assert "3 files checked: 0 missing, 0 changed, 0 stray." in capsys.readouterr().out

    changed, missing, _ = Evidence.objects.order_by("id")
    altered = bytearray(memory_storage.open(changed.stored_name).read())
    altered[-20] ^= 0x01
    memory_storage.delete(changed.stored_name)
    memory_storage.save(changed.stored_name, ContentFile(bytes(altered)))
    memory_storage.delete(missing.stored_name)
    memory_storage.save("originals/zz/planted", ContentFile(b"who put this here"))

    with pytest.raises(CommandError, match="1 missing, 1 changed, 1 stray"):
        call_command("verify_evidence")
    out = capsys.readouterr().out
    assert f"CHANGED  {changed.stored_name}" in out
    assert f"MISSING  {missing.stored_name}" in out
    assert "STRAY    originals/zz/planted" in out


@pytest.mark.slow
def test_the_evidence_package_copies_each_original_from_the_storage(
    alice, alice_client, incident, memory_storage, tmp_path
):
    picture, picture_bytes = _upload_one(alice_client, incident)
    document, document_bytes = _upload_one(
        alice_client, incident, "report.pdf", b"%PDF-1.7\n" + PADDING, "application/pdf"
    )
    out = tmp_path / "exports" / "package.zip"

    result = build_package(alice, DossierOptions(case=str(incident.case.uuid)), out)

    assert result.exhibits == 2
    with zipfile.ZipFile(out) as zf:
        exhibits = sorted(n for n in zf.namelist() if n.startswith("exhibits/"))
        assert [zf.read(name) for name in exhibits] == [picture_bytes, document_bytes]
        manifest = zf.read("manifest.sha256").decode()
    assert picture.sha256 in manifest and document.sha256 in manifest


def test_a_changed_original_in_the_storage_stops_the_package(
    alice, alice_client, incident, memory_storage, tmp_path
):
    item, content = _upload_one(alice_client, incident)
    memory_storage.delete(item.stored_name)
    memory_storage.save(item.stored_name, ContentFile(content[:-1] + b"\x00"))
    out = tmp_path / "exports" / "package.zip"

    with pytest.raises(PackageError, match="has changed since it was received"):
        build_package(alice, DossierOptions(case=str(incident.case.uuid)), out)
    assert not out.exists()
