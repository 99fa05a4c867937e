"""Files while logging: the new-entry form's files are kept with the entry in one save, through
the same checks as any upload; as a plain form (no JavaScript) with one shared caption too."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from incidents import services
from incidents.account_removal import account_delete
from incidents.held_files import path_of
from incidents.models import Draft, Evidence, HeldFile, Incident
from tests.conftest import page_text


def _png(name: str, colour: str = "#88aacc") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 200), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def _entry(**extra) -> dict:
    return {"occurred_at": "2026-12-01T21:15", "description": "A note on the car.", **extra}


def test_a_plain_form_saves_the_entry_and_its_files_with_one_caption(alice_client):
    response = alice_client.post(
        reverse("incident_new"),
        _entry(files=[_png("a.png"), _png("b.png", "#aa3300")], files_caption="On the car"),
        follow=True,
    )
    assert "Saved with 2 files" in page_text(response)
    incident = Incident.objects.get()
    kept = Evidence.objects.filter(incident=incident).order_by("exhibit_number")
    assert [(e.original_name, e.caption) for e in kept] == [
        ("a.png", "On the car"),
        ("b.png", "On the car"),
    ]


def test_each_file_can_have_its_own_caption(alice_client):
    alice_client.post(
        reverse("incident_new"),
        _entry(
            files=[_png("a.png"), _png("b.png", "#aa3300")],
            file_captions=["", "The back window"],
            files_caption="",
        ),
    )
    kept = Evidence.objects.order_by("exhibit_number")
    assert [e.caption for e in kept] == ["", "The back window"]


def test_a_refused_file_is_named_and_the_entry_and_other_files_kept(alice_client):
    fake = SimpleUploadedFile("photo.png", b"<html>not a picture</html>", "image/png")
    response = alice_client.post(
        reverse("incident_new"), _entry(files=[_png("a.png"), fake]), follow=True
    )
    text = page_text(response)
    assert "“photo.png” was not added." in text
    assert Incident.objects.count() == 1
    assert [e.original_name for e in Evidence.objects.all()] == ["a.png"]


def test_the_same_picture_twice_is_one_exhibit_attached_here(alice_client, alice):
    alice_client.post(reverse("incident_new"), _entry(files=[_png("a.png")]))
    response = alice_client.post(
        reverse("incident_new"),
        _entry(description="Again.", files=[_png("copy.png")]),
        follow=True,
    )
    assert "already exhibit 1" in page_text(response)
    assert Evidence.objects.count() == 1
    second = Incident.objects.get(description="Again.")
    assert Evidence.objects.get().links.filter(incident=second).exists()


def test_one_picture_chosen_twice_is_kept_and_counted_once(alice_client):
    response = alice_client.post(
        reverse("incident_new"), _entry(files=[_png("a.png"), _png("a again.png")]), follow=True
    )
    text = page_text(response)
    assert "Saved with 1 file." in text
    assert "already exhibit" not in text
    assert Evidence.objects.count() == 1


def test_a_picture_whose_exhibit_is_in_the_trash_is_not_said_to_be_attached(alice_client):
    alice_client.post(reverse("incident_new"), _entry(files=[_png("a.png")]))
    services.record_trash(record=Evidence.objects.get(), reason="")
    response = alice_client.post(
        reverse("incident_new"), _entry(description="Again.", files=[_png("a.png")]), follow=True
    )
    text = page_text(response)
    assert "“a.png” was not added: the same file is exhibit 1, which is in the trash." in text
    assert "attached to this entry too" not in text
    second = Incident.objects.get(description="Again.")
    assert not Evidence.objects.for_record(second).exists()


def test_an_entry_that_cannot_be_saved_yet_holds_its_files_with_their_captions(
    alice_client, django_capture_on_commit_callbacks
):
    response = alice_client.post(
        reverse("incident_new"),
        _entry(occurred_at="", files=[_png("a.png")], file_captions=["The back window"]),
    )
    assert response.status_code == 200
    assert "Your files are kept here with their captions" in page_text(response)
    assert not Incident.objects.exists() and not Evidence.objects.exists()
    held = HeldFile.objects.get()
    assert (held.original_name, held.caption) == ("a.png", "The back window")
    assert path_of(held).is_file()
    page = response.content.decode()
    assert f'value="{held.token}"' in page and 'value="The back window"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("incident_new"),
            _entry(
                held_files=[held.token], **{f"held_caption_{held.token}": "The back window, 9pm"}
            ),
            follow=True,
        )
    assert "Saved with 1 file." in page_text(response)
    kept = Evidence.objects.get()
    assert (kept.original_name, kept.caption) == ("a.png", "The back window, 9pm")
    assert kept.incident == Incident.objects.get()
    assert not HeldFile.objects.exists() and not path_of(held).exists()


def test_a_held_file_left_unticked_is_let_go(alice_client, django_capture_on_commit_callbacks):
    alice_client.post(reverse("incident_new"), _entry(occurred_at="", files=[_png("a.png")]))
    held = HeldFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("incident_new"), _entry(files=[_png("b.png", "#aa3300")]))
    assert [e.original_name for e in Evidence.objects.all()] == ["b.png"]
    assert not HeldFile.objects.exists() and not path_of(held).exists()


def test_someone_else_cannot_use_a_held_file(alice_client, mallory):
    alice_client.post(reverse("incident_new"), _entry(occurred_at="", files=[_png("a.png")]))
    held = HeldFile.objects.get()
    other = Client()
    other.force_login(mallory)
    other.post(reverse("incident_new"), _entry(held_files=[held.token]))
    assert not Evidence.objects.exists()
    assert HeldFile.objects.get() == held and path_of(held).is_file()


def test_discarding_the_draft_lets_its_held_files_go(
    alice_client, django_capture_on_commit_callbacks
):
    alice_client.post(reverse("incident_new"), _entry(occurred_at="", files=[_png("a.png")]))
    held = HeldFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("draft_discard"), follow=True)
    assert "The draft was discarded." in page_text(response)
    assert not HeldFile.objects.exists() and not path_of(held).exists()


def test_deleting_the_account_removes_its_held_files(alice_client, alice):
    alice_client.post(reverse("incident_new"), _entry(occurred_at="", files=[_png("a.png")]))
    held = HeldFile.objects.get()
    account_delete(user=alice)
    assert not path_of(held).exists()


def test_saving_with_files_ends_the_draft(alice_client, alice):
    alice_client.post(reverse("draft_save"), _entry())
    alice_client.post(reverse("incident_new"), _entry(files=[_png("a.png")]))
    assert not Draft.objects.exists()


def test_a_caption_too_long_is_refused_not_cut_and_the_text_kept(alice_client):
    long = "The car was parked across the road again. " * 10
    response = alice_client.post(
        reverse("incident_new"), _entry(files=[_png("a.png")], files_caption=long)
    )
    text = page_text(response)
    assert f"is {len(long.strip())} characters long; the most it can hold is 300." in text
    assert "Your files are kept here" in text
    assert long.strip() in response.content.decode()
    assert "A note on the car." in response.content.decode()
    assert not Incident.objects.exists()


def test_too_many_files_are_refused_on_the_form_with_the_entry_kept(alice, settings):
    # With the CSRF check on, as in a browser: it reads the form before the view does.
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    settings.EVIDENCE_MAX_FILES = 2
    client.get(reverse("incident_new"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    files = [_png(f"{n}.png", f"#{n}0{n}0{n}0") for n in range(3)]
    response = client.post(reverse("incident_new"), _entry(files=files, csrfmiddlewaretoken=token))
    assert response.status_code == 200
    assert "Send at most 2 files with one entry." in page_text(response)
    assert "A note on the car." in response.content.decode()
    assert not Incident.objects.exists()
