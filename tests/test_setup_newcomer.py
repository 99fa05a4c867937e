"""The setup page names the project's own command for printing the code again."""

import re

from django.urls import reverse

from incidents.services import setup_code_get_or_create
from tests.conftest import page_text


def test_the_setup_page_names_the_projects_python_for_the_code(client, db):
    setup_code_get_or_create()
    text = page_text(client.get(reverse("setup")))
    assert ".venv/bin/python manage.py setup_code" in text


def test_a_container_names_the_compose_command_in_the_page_and_the_error(client, db, settings):
    settings.SETUP_CODE_COMMAND = "docker compose exec web manage.py setup_code"
    setup_code_get_or_create()
    response = client.post(reverse("setup"), {"setup_code": "AAAA-BBBB", "username": "sam"})
    text = page_text(response)
    assert "or run: docker compose exec web manage.py setup_code" in text
    assert "on the server, in the folder of the app" in text
    assert 'value="sam"' in response.content.decode()


def test_only_the_setup_code_field_takes_the_cursor_first(client, db):
    setup_code_get_or_create()
    html = client.get(reverse("setup")).content.decode()
    focused = re.findall(r"<input[^>]*\bautofocus\b[^>]*>", html)
    assert len(focused) == 1
    assert 'name="setup_code"' in focused[0]
