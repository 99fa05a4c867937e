"""Lists and record pages take as many database queries for many records as for one: no page
reads its records one by one."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from incidents.models import (
    Case,
    Evidence,
    Incident,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
)
from incidents.services import (
    evidence_add,
    record_trash,
)
from tests.conftest import make_incident


def _png(name: str = "screenshot.png", color=(255, 255, 255)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def _fill(alice, n: int) -> dict:
    """n of each kind of record, each with a file, linked up as a real log would be."""
    case = Case.objects.owned_by(alice).get()
    start = case.evidence.count()
    for i in range(start, start + n):
        incident = make_incident(alice)
        # A different picture each time: the same file twice would be one exhibit.
        evidence_add(case=case, attached_to=incident, upload=_png(color=(i, 0, 0)))
        notice = NoContactNotice.objects.create(case=case, given_at=timezone.now(), words="Stop.")
        evidence_add(case=case, attached_to=notice, upload=_png(color=(i, 1, 0)))
        contact = PoliceContact.objects.create(case=case, contacted_at=timezone.now())
        contact.incidents.add(incident)
        ProtectiveOrder.objects.create(case=case, issued_on=timezone.localdate())
    return {"case": case, "incident": incident, "notice": notice, "contact": contact}


def _queries(client, url: str) -> int:
    client.get(url)  # once first, so that caches (content types) are warm for both counts
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _urls(records: dict) -> list[str]:
    return [
        reverse("notice_list"),
        reverse("police_list"),
        reverse("order_list"),
        reverse("trash"),
        reverse("evidence_gallery", args=[records["case"].uuid]),
        reverse("incident_detail", args=[records["incident"].uuid]),
        records["notice"].get_absolute_url(),
        records["contact"].get_absolute_url(),
    ]


@pytest.mark.slow
def test_lists_and_record_pages_take_as_many_queries_for_many_records_as_for_one(
    alice, alice_client
):
    few = _urls(_fill(alice, 1))
    counts_for_one = [_queries(alice_client, url) for url in few]
    many = _urls(_fill(alice, 5))
    counts_for_six = [_queries(alice_client, url) for url in many]
    assert counts_for_six == counts_for_one

    for model in (Incident, Evidence, NoContactNotice, PoliceContact, ProtectiveOrder):
        for record in model.objects.all():
            record_trash(record=record)
    assert _queries(alice_client, reverse("trash")) == counts_for_one[3]
