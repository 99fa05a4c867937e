"""Files sent with a new entry whose fields need correcting first: the entry is not saved, but
its files are held on the server with their captions and listed on the form again, so nothing
the user chose is lost and nothing has to be chosen again. They are saved with the entry, or
removed with the draft (or the account).

A held file is only a copy in the private staging folder; it is checked as evidence when the
entry is saved, like any file sent with it.
"""

import os
import secrets
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from . import evidence
from .models import HeldFile, User

PREFIX = "held-"


def path_of(held: HeldFile) -> Path:
    return evidence.staging_dir() / f"{PREFIX}{held.owner_id}-{held.token}"


@transaction.atomic
def hold_again(*, user: User, held: list[tuple], new: list[tuple]) -> list[HeldFile]:
    """After a refused save: the held files sent back ticked ((held, caption) pairs) take the
    caption as last written, the others are let go, and the new (file, caption) pairs are
    held too. Returns what is held now, in order."""
    kept = []
    for item, caption in held:
        if caption != item.caption:
            item.caption = caption
            item.save(update_fields=["caption"])
        kept.append(item)
    _let_go([item for item in held_for(user) if item not in kept])
    copies = []
    try:
        for upload, caption in new:
            item = HeldFile(
                owner=user,
                token=secrets.token_hex(16),
                original_name=(upload.name or "unnamed")[:255],
                size=upload.size or 0,
                content_type=(getattr(upload, "content_type", "") or "")[:100],
                caption=caption,
            )
            copies.append(path_of(item))
            _copy(upload, copies[-1])
            item.save()
            kept.append(item)
    except BaseException:
        _remove(copies)  # the rows go with the transaction
        raise
    return kept


def _copy(upload, path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks(evidence.CHUNK_SIZE):
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def held_for(user: User) -> list[HeldFile]:
    """The user's held files whose copy is still there (a restored backup holds none)."""
    return [held for held in HeldFile.objects.owned_by(user) if path_of(held).is_file()]


def sent_back(user: User, data) -> list[tuple]:
    """(held, caption) pairs of the held files the form sends back ticked, with the caption
    as last written."""
    tokens = set(data.getlist("held_files"))
    return [
        (item, data.get(f"held_caption_{item.token}", item.caption).strip())
        for item in held_for(user)
        if item.token in tokens
    ]


def opened(held: list[tuple]) -> list[tuple]:
    """(file, caption) pairs to save with the entry, like the files sent with it."""
    return [(_upload(item), caption) for item, caption in held]


def _upload(item: HeldFile) -> UploadedFile:
    return UploadedFile(open(path_of(item), "rb"), item.original_name, item.content_type, item.size)


def release(user: User) -> None:
    """Forget the user's held files, and remove their copies once the change is committed."""
    _let_go(list(HeldFile.objects.owned_by(user)))


def _let_go(helds: list[HeldFile]) -> None:
    HeldFile.objects.filter(pk__in=[held.pk for held in helds]).delete()
    paths = [path_of(held) for held in helds]
    transaction.on_commit(lambda: _remove(paths))


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def remove_copies_of(user_id: int) -> None:
    """Remove every held copy of a deleted account."""
    _remove(list(evidence.staging_dir().glob(f"{PREFIX}{user_id}-*")))
