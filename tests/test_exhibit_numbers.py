"""Exhibit numbers are given once, when a file arrives, and never move."""

import importlib
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from incidents.dossier import DossierOptions, dossier_data
from incidents.models import Case, Evidence, NoContactNotice
from incidents.package import case_json, exhibit_names
from incidents.services import evidence_add, record_amend, record_trash
from tests.conftest import make_incident


def png(color: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 200), color).save(buffer, "PNG")
    return SimpleUploadedFile(f"{color}.png", buffer.getvalue(), "image/png")


def numbers(case) -> dict[str, int]:
    return dict(case.evidence.values_list("original_name", "exhibit_number"))


def test_adding_proof_to_an_older_notice_does_not_renumber_an_incidents_files(alice_client, alice):
    case = Case.objects.owned_by(alice).get()
    incident = make_incident(alice, occurred_at=timezone.now() - timedelta(days=2))
    for color in ("red", "blue"):
        alice_client.post(
            reverse("incident_evidence_upload", args=[incident.uuid]), {"files": [png(color)]}
        )
    notice = NoContactNotice.objects.create(
        case=case, given_at=timezone.now() - timedelta(days=30), words="Do not contact me."
    )
    response = alice_client.post(
        reverse("notice_evidence_upload", args=[notice.uuid]), {"files": [png("green")]}
    )
    assert response.status_code == 302
    assert numbers(case) == {"red.png": 1, "blue.png": 2, "green.png": 3}
    # The pages show the same numbers.
    page = alice_client.get(reverse("incident_detail", args=[incident.uuid])).content.decode()
    assert "Exhibit 1" in page and "Exhibit 2" in page and "Exhibit 3" not in page


def test_the_dossier_and_the_package_cite_the_numbers_given_at_upload(alice):
    case = Case.objects.owned_by(alice).get()
    late = make_incident(alice, occurred_at=timezone.now() - timedelta(days=1))
    early = make_incident(alice, occurred_at=timezone.now() - timedelta(days=9))
    first = evidence_add(case=case, attached_to=late, upload=png("red"))
    second = evidence_add(case=case, attached_to=early, upload=png("blue"))
    data = dossier_data(alice, DossierOptions(case=str(case.uuid)))
    assert [(item.id, item.exhibit_number) for item in data.exhibits] == [
        (first.id, 1),
        (second.id, 2),
    ]
    package = case_json(data, exhibit_names(data.exhibits)).decode()
    assert '"number": 1' in package and '"number": 2' in package


def test_trashing_a_file_renumbers_nothing(alice):
    case = Case.objects.owned_by(alice).get()
    incident = make_incident(alice)
    colors = ("red", "green", "blue")
    files = [evidence_add(case=case, attached_to=incident, upload=png(c)) for c in colors]
    record_trash(record=files[0])
    later = evidence_add(case=case, attached_to=incident, upload=png("white"))
    assert [Evidence.objects.get(pk=f.pk).exhibit_number for f in files] == [1, 2, 3]
    assert later.exhibit_number == 4


def test_numbers_are_per_person_and_a_moved_incident_takes_its_files_along(alice):
    first = Case.objects.owned_by(alice).get()
    second = Case.objects.create(owner=alice, name="Someone else")
    incident = make_incident(alice, case=first)
    moving = evidence_add(case=first, attached_to=incident, upload=png("red"))
    evidence_add(case=second, upload=png("blue"))
    assert moving.exhibit_number == 1
    record_amend(record=incident, changes={"case": second})
    moving.refresh_from_db()
    # Numbers are the person's own: the file joins the other person's list at its end.
    assert (moving.case_id, moving.exhibit_number) == (second.id, 2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_files_received_before_numbers_were_fixed_get_the_numbers_they_were_shown_with():
    executor = MigrationExecutor(connection)
    executor.migrate([("incidents", "0014_exhibits")])
    try:
        _number_old_files(executor.loader.project_state([("incidents", "0014_exhibits")]).apps)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _number_old_files(apps):
    migration = importlib.import_module("incidents.migrations.0015_exhibits_data")
    user = apps.get_model("incidents", "User").objects.create(username="old")
    case = apps.get_model("incidents", "Case").objects.create(owner=user)
    Incident = apps.get_model("incidents", "Incident")
    Evidence = apps.get_model("incidents", "Evidence")
    now = timezone.now()
    late = Incident.objects.create(case=case, occurred_at=now, description="late")
    early = Incident.objects.create(case=case, occurred_at=now - timedelta(days=3), description="x")

    def add(name, incident, number=None):
        return Evidence.objects.create(
            case=case,
            incident=incident,
            original_name=name,
            stored_name=f"originals/{name}",
            kind="image",
            content_type="image/png",
            size=1,
            sha256=name[0] * 64,
            exhibit_number=number,
        )

    add("a-cited", late, number=1)  # cited by a dossier already
    add("b-late", late)
    add("c-early", early)
    migration.number_existing_files(apps, None)
    given = dict(Evidence.objects.values_list("original_name", "exhibit_number"))
    assert given == {"a-cited": 1, "c-early": 2, "b-late": 3}
