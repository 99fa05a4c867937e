"""Writes that touch more than one row, each in one transaction."""

import hmac
import os
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import custody, evidence, quota
from .models import Case, Evidence, ExhibitLink, Record, Revision, TrashEvent, User

# No look-alike characters: the code is read off a terminal and typed on a phone.
SETUP_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    time_zone: str = "",
    language: str = "",
    jurisdiction: str = "",
    is_owner: bool = False,
) -> User:
    """Create an account together with its first (empty) case, so logging can start at once."""
    user = User(username=username, time_zone=time_zone or settings.TIME_ZONE)
    user.language = language or user.language
    user.jurisdiction = jurisdiction or user.jurisdiction
    # The owner runs the server and may add accounts for others; nobody gets the admin site.
    user.is_staff = is_owner
    user.set_password(password)
    user.save()
    record_save(record=Case(owner=user))
    return user


def setup_code_get_or_create() -> str | None:
    """The one-time code for the first-run page, or None once an account exists."""
    if User.objects.exists():
        settings.SETUP_CODE_FILE.unlink(missing_ok=True)
        return None
    path = settings.SETUP_CODE_FILE
    if not path.exists():
        code = "-".join(
            "".join(secrets.choice(SETUP_CODE_ALPHABET) for _ in range(4)) for _ in range(4)
        )
        try:
            with open(path, "x", opener=lambda p, f: os.open(p, f, 0o600)) as f:
                f.write(code)
        except FileExistsError:
            pass  # another process wrote it first; use theirs
    return path.read_text().strip()


def setup_code_matches(entered: str) -> bool:
    path = settings.SETUP_CODE_FILE
    if not path.exists():
        return False
    # Typed on a phone, the dashes are easily left out or turned into spaces.
    expected = path.read_text().strip().replace("-", "")
    normalised = "".join(entered.split()).upper().replace("-", "")
    if not expected:  # an empty file (a crash while writing it) must not match "" or "-"
        return False
    return hmac.compare_digest(normalised.encode(), expected.encode())


@transaction.atomic
def owner_create(
    *, username: str, password: str, time_zone: str, language: str = "", jurisdiction: str = ""
) -> User:
    """Create the first account and retire the setup code. Refuses if any account exists."""
    # Lock out a second, simultaneous setup: only the first request through gets an owner.
    if User.objects.select_for_update().exists():
        raise PermissionError("The first account has already been created.")
    user = account_create(
        username=username,
        password=password,
        time_zone=time_zone,
        language=language,
        jurisdiction=jurisdiction,
        is_owner=True,
    )
    settings.SETUP_CODE_FILE.unlink(missing_ok=True)
    return user


@transaction.atomic
def default_case(user: User) -> Case:
    """The case a new record goes to when the user has not picked one: their first, made if
    there is none. Entries saved at the same moment get the same one: the account's row is
    locked while the case is looked for and made (on SQLite, the transaction's write lock)."""
    User.objects.select_for_update(no_key=True).only("pk").get(pk=user.pk)
    case = Case.objects.owned_by(user).filter(is_demo=False).first()
    if case is None:
        case = Case(owner=user)
        record_save(record=case)
    return case


@transaction.atomic
def record_save(*, record: Record | Case, links: dict | None = None) -> None:
    """Save a new record (or a person's details, which keep no history) with the records it
    links to (`links`: field name to records, see Record.LINKED_FIELDS), and log it."""
    adding = record._state.adding
    record.save()
    for name, chosen in (links or {}).items():
        if adding:
            _linked(record, name).add(*chosen)  # nothing linked yet: no need to read the links
        else:
            _links_set(record, {name: chosen})
    custody.log(custody.Action.CREATED if adding else custody.Action.AMENDED, record)


@transaction.atomic
def record_amend(*, record: Record, changes: dict, links: dict | None = None) -> bool:
    """Apply changes to fields and links, keeping the version they replace. Returns False when
    nothing changed (and then changes nothing)."""
    before = record.snapshot()
    for field, value in changes.items():
        setattr(record, field, value)
    _links_set(record, links or {})
    if record.snapshot() == before:
        return False
    now = timezone.now()
    Revision.objects.create(record=record, data=before, replaced_at=now)
    record.amended_at = now
    record.save()
    moved = _evidence_follow_case(record) if "case" in changes else []
    # Logged last: every row is changed before the log's lock is taken, always in that order.
    for changed in (record, *moved):
        custody.log(custody.Action.AMENDED, changed)
    return True


def _links_set(record: Record | Case, links: dict) -> None:
    """Link the records chosen. Records in the trash are not offered to choose from, so their
    links stay for a restore."""
    for name, chosen in links.items():
        _linked(record, name).set([*chosen, *_linked(record, name).in_trash()])


def _linked(record: Record | Case, name: str):
    if name not in getattr(record, "LINKED_FIELDS", ()):
        raise ValueError(f"{type(record).__name__} has no link {name!r}.")
    return getattr(record, name)


def _evidence_follow_case(record: Record) -> list[Evidence]:
    """A record's files belong to its case: when it is moved to another person, they go too.

    Exhibits are numbered per case, so a file that moves takes the next number of the case it
    joins (its old number stays with the old case, unused); a file left behind would turn up
    among the other person's exhibits.
    """
    if isinstance(record, Evidence):
        return []
    field = Evidence.attachment_field(record)
    moved = list(Evidence.objects.filter(**{field: record}).exclude(case_id=record.case_id))
    if moved:
        Case.objects.select_for_update(no_key=True).filter(pk=record.case_id).get()
    for item in moved:
        item.case_id = record.case_id
        item.exhibit_number = Evidence.objects.next_exhibit_number(record.case_id)
        item.save(update_fields=["case", "exhibit_number"])
    return moved


@transaction.atomic
def record_trash(*, record: Record, reason: str = "") -> None:
    """Move to the trash, with the user's reason if they gave one; nothing is erased and it
    can be restored."""
    record.deleted_at = timezone.now()
    record.save(update_fields=["deleted_at"])
    TrashEvent.objects.create(
        record=record, action=TrashEvent.Action.TRASHED, at=record.deleted_at, reason=reason
    )
    custody.log(custody.Action.TRASHED, record)


@transaction.atomic
def record_restore(*, record: Record) -> None:
    """Bring a record back from the trash; the trash and the restore stay in its history."""
    record.deleted_at = None
    record.save(update_fields=["deleted_at"])
    TrashEvent.objects.create(record=record, action=TrashEvent.Action.RESTORED)
    custody.log(custody.Action.RESTORED, record)


def evidence_add(
    *, case: Case, upload, attached_to: Record | None = None, caption: str = ""
) -> Evidence:
    """Keep one uploaded file as the case's next exhibit. The file, its row and its exhibit
    number appear together or not at all; the number never changes afterwards.

    Raises EvidenceRejected (with a message for the user) and stores nothing if the file is
    not an accepted type, is too large, or is an image that does not decode; AlreadyAnExhibit
    if the case already holds a file with the same SHA-256.
    """
    received = evidence.receive(upload)
    try:
        _refuse_duplicate(case, received.sha256)
        facts = media = None
        if received.file_type.kind == Evidence.Kind.IMAGE:
            facts = evidence.inspect_image(received.path, received.file_type.content_type)
        elif received.file_type.kind in (Evidence.Kind.AUDIO, Evidence.Kind.VIDEO):
            media = evidence.media_duration(received.path, received.file_type.content_type)
        stored_name = evidence.store(received)
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    try:
        with transaction.atomic():
            # The owner's row is locked first: uploads at once are weighed one after another.
            owner = User.objects.select_for_update(no_key=True).get(pk=case.owner_id)
            # One upload at a time per case: two copies of one file sent at once (a page
            # reloaded mid-upload) must not both get through, nor two files one number.
            Case.objects.select_for_update(no_key=True).filter(pk=case.pk).get()
            _refuse_duplicate(case, received.sha256)
            quota.check_room(owner, received.size)
            item = Evidence.objects.create(
                case=case,
                **({Evidence.attachment_field(attached_to): attached_to} if attached_to else {}),
                exhibit_number=Evidence.objects.next_exhibit_number(case),
                caption=caption[:300],
                original_name=(upload.name or "unnamed")[:255],
                stored_name=stored_name,
                kind=received.file_type.kind,
                content_type=received.file_type.content_type,
                size=received.size,
                sha256=received.sha256,
                width=facts.width if facts else None,
                height=facts.height if facts else None,
                captured_at=facts.captured_at if facts else None,
                camera=facts.camera if facts else "",
                duration=media,
            )
            custody.log(custody.Action.UPLOADED, item, file_sha256=item.sha256)
        return item
    except BaseException:
        evidence.evidence_storage().delete(stored_name)
        raise


def _refuse_duplicate(case: Case, sha256: str) -> None:
    existing = Evidence.objects.filter(case=case, sha256=sha256).order_by("exhibit_number").first()
    if existing is not None:
        raise evidence.AlreadyAnExhibit(existing)


@transaction.atomic
def evidence_attach(*, item: Evidence, record: Record) -> bool:
    """Attach an exhibit of the case to a further record of the same case, as well as to the
    one it was uploaded to, and log it. Returns False if it was attached there already."""
    if record.case_id != item.case_id:
        raise ValueError("An exhibit can only be attached to records of its own case.")
    field = Evidence.attachment_field(record)
    if getattr(item, f"{field}_id") == record.pk:
        return False
    link, created = ExhibitLink.objects.get_or_create(evidence=item, **{field: record})
    if created:
        custody.log(custody.Action.CREATED, link)
    return created
