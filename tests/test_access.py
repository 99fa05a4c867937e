"""Every page is private: signed-out visitors are sent to sign in, and a stranger (mallory) gets
404 for everything that belongs to someone else (alice), as if it did not exist."""

import io
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from incidents.models import (
    Call,
    Case,
    Evidence,
    Export,
    LifeChange,
    Message,
    MessageImport,
    NoContactNotice,
    PoliceContact,
    ProtectiveOrder,
    Share,
    User,
)
from incidents.services import evidence_add, record_trash
from tests.conftest import PASSWORD, make_incident, page_text

# Pages anyone may open without signing in.
# share_open and share_file answer a share link's token, not a sign-in (tests/test_shares.py).
PUBLIC = {
    "setup",
    "login",
    "logout",
    "health",
    "forgot_password",
    "reset_link",
    "share_open",
    "share_file",
}

# What a stranger posts to every page: enough to pass the incident and person forms, so that a
# missing ownership check would show up as a change to alice's records, not as a form error.
STRANGER_POST = {
    "occurred_at": "2024-01-01T10:00",
    "description": "Mallory was here",
    "kind": "other",
    "count": "1",
    "response": "none",
    "name": "Mallory was here",
    "relationship": "unknown",
    "caption": "Mallory was here",
    "given_at": "2024-01-01T10:00",
    "words": "Mallory was here",
    "method": "other",
    "acknowledged": "unknown",
    "contacted_at": "2024-01-01T10:00",
    "reference": "Mallory was here",
    "order_type": "other",
    "issued_on": "2024-01-01",
    "changed_on": "2024-01-01",
    "note": "Mallory was here",
}


def _url_patterns(patterns=None, prefix="", kwargs=frozenset()):
    """(name, URL keyword arguments) for every pattern, including those under include()."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        names = kwargs | set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _url_patterns(pattern.url_patterns, prefix + namespace, names)
        else:
            assert pattern.name, f"Give the URL pattern {pattern.pattern} a name."
            yield prefix + pattern.name, frozenset(names)


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile("screenshot.png", buffer.getvalue(), "image/png")


# One of alice's records for each kind with the shared record pages (models/kinds.STEP_KINDS);
# tests/test_kinds.py checks that none is missing, so the walk below visits every kind's pages.
RECORD_MAKERS = {
    "notice": lambda case, when: NoContactNotice.objects.create(
        case=case, given_at=when, words="Stop."
    ),
    "police": lambda case, when: PoliceContact.objects.create(
        case=case, contacted_at=when, reference="CR/1"
    ),
    "order": lambda case, when: ProtectiveOrder.objects.create(case=case, issued_on=when.date()),
    "change": lambda case, when: LifeChange.objects.create(
        case=case, kind="moved", changed_on=when.date()
    ),
}


def _import_job(case) -> MessageImport:
    """An import job with its source file's row (the file itself is not needed here)."""
    source = Evidence.objects.create(
        case=case,
        original_name="sms-20260501.xml",
        stored_name=f"originals/test-{case.pk}-{MessageImport.objects.count()}",
        kind=Evidence.Kind.MESSAGES,
        content_type="application/xml",
        size=10,
        sha256="0" * 64,
        exhibit_number=Evidence.objects.next_exhibit_number(case),
    )
    return MessageImport.objects.create(
        case=case, source=source, format=MessageImport.Format.SBR_MESSAGES, parser_version="t"
    )


# One of alice's imported items for each kind read from export files (models/kinds.py).
IMPORTED_MAKERS = {
    "message": lambda case, when: Message.objects.create(
        case=case,
        source=_import_job(case),
        element=1,
        line=2,
        dedupe_key="m" * 64,
        direction="in",
        address="07700 900123",
        address_key="447700900123",
        channel="sms",
        box=1,
        sent_at=when,
        body="Alice's imported text.",
    ),
    "call": lambda case, when: Call.objects.create(
        case=case,
        source=_import_job(case),
        element=1,
        line=2,
        dedupe_key="c" * 64,
        direction="in",
        address="07700 900123",
        address_key="447700900123",
        outcome="missed",
        call_type=3,
        started_at=when,
    ),
}


def _objects_of(alice, incident) -> dict:
    """One of alice's objects for each kind of id a URL can take. `record_id` names a notice,
    a police contact, an order or a change to daily life, told apart by the start of the URL's
    name."""
    case = Case.objects.owned_by(alice).get()
    evidence = evidence_add(case=case, attached_to=incident, upload=_png(), caption="Alice's file")
    when = incident.occurred_at
    records = {kind: make(case, when) for kind, make in RECORD_MAKERS.items()}
    imported = {kind: make(case, when) for kind, make in IMPORTED_MAKERS.items()}
    # A finished dossier, so that alice can download it and mallory's 404 is about ownership.
    export = Export.objects.create(
        owner=alice,
        case=case,
        kind="dossier",
        options={"case": str(case.uuid)},
        status="done",
        file_name=f"{alice.pk}/a.pdf",
    )
    (settings.EXPORTS_DIR / export.file_name).parent.mkdir(parents=True)
    (settings.EXPORTS_DIR / export.file_name).write_bytes(b"%PDF-1.7 Alice's dossier")
    share = Share.objects.create(
        owner=alice,
        case=case,
        export=export,
        recipient="Alice's advocate",
        role="advocate",
        token_hash="0" * 64,
        expires_at=when + timedelta(days=14),
    )
    return {
        "share_id": share.uuid,
        "import_id": imported["message"].source.uuid,
        "export_id": export.uuid,
        "incident_id": incident.uuid,
        "case_id": case.uuid,
        "evidence_id": evidence.uuid,
        "record_id": {
            **{kind: record.uuid for kind, record in records.items()},
            **{kind: record.uuid for kind, record in imported.items()},
            "evidence": incident.uuid,  # evidence_attach: the record to attach the file to
        },
        "kind": "incident",
        "day": timezone.localdate(when).isoformat(),
        # A reset link opens for whoever holds it (tests/test_recovery.py); not an owned object.
        "token": "not-a-real-token",
    }


def _kwargs(name: str, kwarg_names, objects: dict) -> dict:
    kwargs = {}
    for kwarg in kwarg_names:
        value = objects[kwarg]
        kwargs[kwarg] = value[name.split("_")[0]] if isinstance(value, dict) else value
    return kwargs


def test_every_page_needs_sign_in_and_answers_404_to_a_stranger(alice, mallory, incident):
    objects = _objects_of(alice, incident)
    anonymous, as_alice, as_mallory = Client(), Client(), Client()
    as_alice.force_login(alice)
    as_mallory.force_login(mallory)
    sign_in = reverse("login")
    urls_with_ids = []

    for name, kwarg_names in _url_patterns():
        unknown = kwarg_names - objects.keys()
        assert not unknown, (
            f"URL {name!r} takes {sorted(unknown)}: add alice's object for it to _objects_of() "
            "in tests/test_access.py, so that this test checks it."
        )
        url = reverse(name, kwargs=_kwargs(name, kwarg_names, objects))
        if name not in PUBLIC:
            for response in (anonymous.get(url), anonymous.post(url, STRANGER_POST)):
                assert response.status_code == 302, url
                assert response.url.startswith(f"{sign_in}?next="), url
        if kwarg_names and name not in PUBLIC:
            # alice can open it (405: the page only takes POST), so mallory's 404 is about
            # ownership and not a mistyped id.
            alice_status = as_alice.get(url).status_code
            assert alice_status in (200, 302, 405), url
            urls_with_ids.append((url, 405 if alice_status == 405 else 404))

    assert len(urls_with_ids) >= 6
    # Try everything twice: with alice's records in use and in her trash.
    evidence = Evidence.objects.get(uuid=objects["evidence_id"])
    for state in ("live", "in the trash"):
        for url, get_status in urls_with_ids:
            assert as_mallory.get(url).status_code == get_status, f"GET {url} ({state})"
            assert as_mallory.post(url, STRANGER_POST).status_code == 404, f"POST {url} ({state})"
        for record in (incident, evidence):
            record.refresh_from_db()
            assert (record.deleted_at is None) == (state == "live"), record
        if state == "live":
            record_trash(record=incident)
            record_trash(record=evidence)

    assert incident.description == "Fourteen missed calls between 21:00 and 23:00."
    assert not incident.revisions.exists()
    assert evidence.caption == "Alice's file"
    assert Evidence.objects.exclude(kind=Evidence.Kind.MESSAGES).count() == 1
    assert not Message.objects.exclude(note="").exists()
    assert not Message.objects.filter(hidden_at__isnull=False).exists()
    assert MessageImport.objects.filter(status="scanned").count() == 2
    assert not NoContactNotice.objects.filter(words="Mallory was here").exists()
    assert not PoliceContact.objects.filter(reference="Mallory was here").exists()
    assert NoContactNotice.objects.count() == PoliceContact.objects.count() == 1
    assert ProtectiveOrder.objects.count() == 1
    assert LifeChange.objects.count() == 1
    assert not LifeChange.objects.exclude(note="").exists()
    assert Export.objects.get().status == "done"
    assert Case.objects.owned_by(alice).get().name == ""
    assert not Case.objects.owned_by(mallory).filter(name="Mallory was here").exists()


def test_a_stranger_never_sees_someone_elses_incidents_in_her_own_lists(alice, mallory_client):
    make_incident(alice, description="Alice's incident, still in her timeline.")
    trashed = make_incident(alice, description="Alice's incident, in her trash.")
    record_trash(record=trashed)

    for name in ("dashboard", "timeline", "trash"):
        text = page_text(mallory_client.get(reverse(name)))
        assert "Alice's incident" not in text, name
    assert "0 incidents." in page_text(mallory_client.get(reverse("timeline")))
    searched = mallory_client.get(reverse("timeline"), {"q": "Alice"})
    assert "Nothing matches these filters." in page_text(searched)
    assert "Incidents logged 0" in page_text(mallory_client.get(reverse("dashboard")))


def test_a_stranger_cannot_restore_someone_elses_trashed_incident(alice_client, mallory, incident):
    record_trash(record=incident)
    as_mallory = Client()
    as_mallory.force_login(mallory)

    response = as_mallory.post(reverse("incident_restore", args=[incident.uuid]))

    assert response.status_code == 404
    incident.refresh_from_db()
    assert incident.deleted_at is not None
    assert "Fourteen missed calls" in page_text(alice_client.get(reverse("trash")))


def test_the_account_list_is_forbidden_to_anyone_but_the_owner(alice, mallory_client):
    new_account = {
        "username": "mallorys-friend",
        "time_zone": "UTC",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }

    assert mallory_client.get(reverse("account_list")).status_code == 403
    assert mallory_client.post(reverse("account_list"), new_account).status_code == 403
    assert not User.objects.filter(username="mallorys-friend").exists()


def test_a_strangers_people_page_leads_to_her_own_case(alice, mallory_client):
    # mallory's people page goes straight to her own (only) case, never to alice's.
    response = mallory_client.get(reverse("case_list"))

    mallorys_case = Case.objects.get(owner__username="mallory")
    assert response.url == reverse("case_detail", args=[mallorys_case.uuid])
