"""Share links: a recipient without an account opens the link and downloads the file until it
expires, is revoked, reaches its cap or loses its export; every try is in the custody log, the
token is never stored or logged, and guesses are slowed down."""

import hashlib
import io
import logging
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from incidents import custody, exports, shares
from incidents.models import Case, CustodyEntry, Export, Share, SignInGuesses
from tests.conftest import make_incident, page_text

CONTENT = b"%PDF-1.7 a dossier made earlier\n" * 50


@pytest.fixture
def export(alice, settings):
    """A finished dossier, as the worker leaves it: a file under EXPORTS_DIR and its hash."""
    case = Case.objects.owned_by(alice).get()
    path = settings.EXPORTS_DIR / f"{alice.pk}/made.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(CONTENT)
    return Export.objects.create(
        owner=alice,
        case=case,
        kind=Export.Kind.DOSSIER,
        options={"case": str(case.uuid)},
        status=Export.Status.DONE,
        file_name=f"{alice.pk}/made.pdf",
        size=len(CONTENT),
        sha256=hashlib.sha256(CONTENT).hexdigest(),
        finished_at=timezone.now(),
    )


def _make(alice_client, export, **fields):
    data = {"recipient": "PC Jordan Lee", "role": "police", "days": "14", **fields}
    response = alice_client.post(reverse("share_new", args=[export.uuid]), data)
    assert response.status_code == 200, page_text(response)
    link = response.context["link"]
    return Share.objects.get(pk=response.context["share"].pk), link.partition("#")[2]


def _open(token, client=None, **extra):
    client = client or Client()
    return client, client.post(reverse("share_open"), {"token": token, **extra})


def _download(client, token, **extra):
    return client.post(reverse("share_file"), {"token": token, **extra})


def _actions(share):
    return list(shares.entries(share).values_list("action", flat=True))


def test_a_recipient_without_an_account_sees_the_file_and_downloads_it(alice_client, export):
    share, token = _make(alice_client, export)
    client, page = _open(token)
    assert page.status_code == 200
    text = page_text(page)
    assert "alice" in text and "PC Jordan Lee" in text and export.sha256 in text
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "no-referrer" and "noindex" in page["X-Robots-Tag"]

    download = _download(client, token)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CONTENT
    assert _actions(share) == ["shared", "share_opened", "share_download"]
    assert custody.verify_chain().ok


def test_the_owner_sees_each_visit_beside_the_link(alice_client, export):
    _share, token = _make(alice_client, export)
    client, _page = _open(token)
    _download(client, token)
    text = page_text(alice_client.get(export.get_absolute_url()))
    assert "PC Jordan Lee" in text
    assert "Share link opened" in text and "File downloaded through a share link" in text
    assert "Downloads: 1." in text


def test_the_link_page_itself_holds_no_token_and_reads_it_from_the_fragment(client, db):
    page = client.get("/s/")
    assert page.status_code == 200
    assert "share-open.js" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("why", ["expired", "revoked", "deleted", "cap"])
def test_a_closed_link_answers_404_and_the_try_is_logged(alice_client, export, why):
    share, token = _make(alice_client, export, max_downloads="1")
    client, _page = _open(token)
    if why == "expired":
        Share.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif why == "revoked":
        alice_client.post(reverse("share_revoke", args=[share.uuid]))
    elif why == "deleted":
        alice_client.post(reverse("export_delete", args=[export.uuid]))
    else:
        assert _download(client, token).status_code == 200

    _client, page = _open(token)
    again = _download(Client(), token)

    assert page.status_code == 404 and again.status_code == 404
    assert "This link does not work" in page_text(page)
    expected = {
        "expired": "share_expired",
        "revoked": "share_closed",
        "deleted": "share_closed",
        "cap": "share_over_cap",
    }[why]
    assert _actions(share)[-2:] == [expected, expected]
    if why in ("revoked", "deleted"):
        assert "share_revoked" in _actions(share)


def test_the_token_is_stored_only_as_its_hash_and_never_logged(alice_client, export, caplog):
    caplog.set_level(logging.DEBUG)
    share, token = _make(alice_client, export)
    client, _page = _open(token)
    _download(client, token)
    _open(token + "x")
    assert share.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from SQLite)
            assert token not in repr(cursor.fetchall()), table
    assert token not in caplog.text


def test_the_link_shown_to_the_owner_puts_the_token_after_a_hash_sign(alice_client, export):
    response = alice_client.post(
        reverse("share_new", args=[export.uuid]),
        {"recipient": "Ana", "role": "advocate", "days": "14"},
    )
    assert re.fullmatch(r"http://testserver/s/#[A-Za-z0-9_-]{43}", response.context["link"])
    assert response["Cache-Control"] == "private, no-store"


def test_a_wrong_passphrase_is_refused_logged_and_slowed(alice_client, export, settings):
    settings.SIGN_IN_FREE_GUESSES = 2
    share, token = _make(alice_client, export, passphrase="blue heron")
    _client, asked = _open(token)
    assert asked.status_code == 200 and "needs the passphrase" in page_text(asked)
    statuses = [_open(token, passphrase="wrong")[1].status_code for _ in range(3)]
    # Two free guesses, then a pause of a minute (doubling with each further wrong one).
    assert statuses == [403, 403, 429]
    # After the free guesses even the right passphrase waits: the pause is not checked past.
    _client, paused = _open(token, passphrase="blue heron")
    assert paused.status_code == 429 and "Try again in" in page_text(paused)
    assert _actions(share).count("share_wrong_pass") == 2
    # Once the pause is over, the right passphrase opens it.
    SignInGuesses.objects.update(last_failure_at=timezone.now() - timedelta(minutes=2))
    client, opened = _open(token, passphrase="blue heron")
    assert opened.status_code == 200
    assert _download(client, token, passphrase="blue heron").status_code == 200


def test_a_download_without_the_passphrase_is_refused(alice_client, export):
    _share, token = _make(alice_client, export, passphrase="blue heron")
    response = _download(Client(), token)
    assert response.status_code == 200 and not hasattr(response, "streaming_content")
    assert "needs the passphrase" in page_text(response)


def test_guessing_tokens_is_slowed_down_by_address(db, settings):
    settings.SIGN_IN_FREE_GUESSES = 3
    statuses = [_open(f"guess-{n}")[1].status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


def test_the_shared_file_is_what_was_shared_even_after_new_entries(alice_client, export, alice):
    _share, token = _make(alice_client, export)
    make_incident(alice, description="A later entry")
    client, _page = _open(token)
    download = _download(client, token)
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == export.sha256


def test_a_changed_file_is_not_sent_to_the_recipient(alice_client, export, settings):
    _share, token = _make(alice_client, export)
    (settings.EXPORTS_DIR / export.file_name).write_bytes(CONTENT + b"x")
    client, _page = _open(token)
    response = _download(client, token)
    assert response.status_code == 409
    assert CustodyEntry.objects.filter(action="integrity_failed").exists()


def test_a_stranger_cannot_share_or_revoke_alices_file(alice_client, export, mallory):
    share, _token = _make(alice_client, export)
    mallory_client = Client()
    mallory_client.force_login(mallory)
    data = {"recipient": "x", "role": "other", "days": "3"}
    assert mallory_client.post(reverse("share_new", args=[export.uuid]), data).status_code == 404
    assert mallory_client.post(reverse("share_revoke", args=[share.uuid])).status_code == 404
    assert Share.objects.get(pk=share.pk).revoked_at is None


def test_bad_link_details_are_shown_with_what_was_typed(alice_client, export):
    response = alice_client.post(
        reverse("share_new", args=[export.uuid]),
        {"recipient": "Ana Ruiz", "role": "advocate", "days": "120"},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Ana Ruiz" in response.content.decode()
    assert "less than or equal to 90" in text
    assert not Share.objects.exists()


def test_an_export_still_being_made_cannot_be_shared(alice_client, export):
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING)
    data = {"recipient": "Ana", "role": "advocate", "days": "14"}
    response = alice_client.post(reverse("share_new", args=[export.uuid]), data)
    assert response.status_code == 302 and not Share.objects.exists()


def test_deleting_the_export_keeps_the_links_history(alice_client, export):
    share, _token = _make(alice_client, export)
    exports.export_delete(export=Export.objects.get(pk=export.pk))
    share.refresh_from_db()
    assert share.export is None and share.revoked_at is not None


@pytest.mark.slow
def test_a_copy_marked_for_the_recipient_is_made_and_shared(
    alice_client, alice, export, django_capture_on_commit_callbacks
):
    make_incident(alice, description="Stood across the road for an hour.")
    with django_capture_on_commit_callbacks(execute=True):
        share, token = _make(alice_client, export, mark_copy="on")
    copy = share.export
    assert copy.pk != export.pk and copy.status == Export.Status.DONE, copy.error
    client, page = _open(token)
    assert page.status_code == 200 and copy.sha256 in page_text(page)
    download = _download(client, token)
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == copy.sha256
    reader = PdfReader(io.BytesIO(content))
    today = date_format(timezone.localdate(), "j F Y")
    for number, pdf_page in enumerate(reader.pages, start=1):
        text = pdf_page.extract_text()
        assert f"Shared with PC Jordan Lee on {today}" in text, number
        assert f"Page {number} of {len(reader.pages)}" in text


def test_the_link_waits_while_the_marked_copy_is_being_made(alice_client, export):
    share, token = _make(alice_client, export, mark_copy="on")  # the worker has not run
    assert share.export.status == Export.Status.QUEUED
    client, page = _open(token)
    assert page.status_code == 503 and "still being prepared" in page_text(page)
    assert _download(client, token).status_code == 503
    assert share.downloads == Share.objects.get(pk=share.pk).downloads == 0
