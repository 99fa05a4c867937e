"""Each dossier is drawn under a time and a memory limit; one over either fails with a message
on the export page, and leaves no drawing process behind."""

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from incidents.models import Export
from incidents.render_limits import RenderLimitReached, in_limited_processes, time_limit
from incidents.services import evidence_add
from tests.conftest import form_data, page_text


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 600), "white").save(buffer, "PNG")
    return SimpleUploadedFile("chat.png", buffer.getvalue(), "image/png")


@pytest.fixture
def make(alice_client, incident, django_capture_on_commit_callbacks):
    evidence_add(case=incident.case, attached_to=incident, upload=_png())

    def make():
        form = alice_client.get(reverse("dossier")).context["form"]
        with django_capture_on_commit_callbacks(execute=True):
            alice_client.post(reverse("dossier"), form_data(form, kind="dossier"))
        export = Export.objects.get()
        return export, page_text(alice_client.get(export.get_absolute_url()))

    return make


def test_a_dossier_over_its_memory_limit_fails_with_a_message(make, settings):
    settings.DOSSIER_MEMORY_LIMIT_MB = 1

    export, page = make()

    assert export.status == Export.Status.FAILED
    assert "This dossier needed more memory than the 1 MB the server allows" in page
    assert not list(settings.EXPORTS_DIR.rglob("*.pdf"))


def test_a_dossier_over_its_time_limit_fails_with_a_message(make, settings):
    settings.DOSSIER_TIME_LIMIT = 0.001

    export, page = make()

    assert export.status == Export.Status.FAILED
    assert "This dossier took longer to draw than the 1 minute the server allows" in page


@pytest.mark.slow
def test_a_dossier_within_its_limits_is_made(make, settings):
    settings.DOSSIER_MEMORY_LIMIT_MB = 2048
    settings.DOSSIER_TIME_LIMIT = 600
    export, _ = make()
    assert export.status == Export.Status.DONE


def _pid_then_sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_drawing_process_over_the_time_limit_is_stopped(settings):
    settings.DOSSIER_TIME_LIMIT = 0.5
    started = time.monotonic()
    with time_limit(), pytest.raises(RenderLimitReached, match="took longer"):
        list(in_limited_processes(_pid_then_sleep, [(60,)]))
    assert time.monotonic() - started < 10  # not the full minute: the child was killed


def test_a_drawing_process_cannot_take_more_memory_than_allowed(settings):
    settings.DOSSIER_MEMORY_LIMIT_MB = 64 + _address_space_mb()
    with pytest.raises(RenderLimitReached, match="more memory"):
        list(in_limited_processes(bytearray, [(512 * 1024 * 1024,)]))
    # and within the limit, the same work runs
    assert list(in_limited_processes(len, [(b"x" * 1024,)])) == [1024]


def _address_space_mb() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmSize:"))
    return int(line.split()[1]) // 1024
