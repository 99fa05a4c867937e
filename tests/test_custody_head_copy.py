"""The home page shows the custody log's head and offers it as a small file to keep elsewhere."""

from django.urls import reverse

from incidents import custody
from tests.conftest import make_incident, page_text


def test_the_home_page_shows_the_current_head(alice_client, alice):
    make_incident(alice, description="Waited outside work.")
    text = page_text(alice_client.get(reverse("dashboard")))
    assert "Keep a copy of your record's fingerprint" in text
    assert str(custody.chain_head()) in alice_client.get(reverse("dashboard")).content.decode()


def test_the_head_downloads_as_a_small_text_file(alice_client, alice):
    make_incident(alice, description="Waited outside work.")
    response = alice_client.get(reverse("head_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="record-fingerprint-')
    body = response.content.decode()
    head = str(custody.chain_head())
    assert head in body and f"verify_chain --head {head}" in body
    assert len(response.content) < 1000


def test_the_head_file_needs_a_sign_in(client, db):
    response = client.get(reverse("head_download"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
