"""Deleting an account with everything it holds: its rows, its files, its exports and its
sign-ins."""

import logging
import shutil

from django.conf import settings
from django.db import transaction

from . import custody, evidence, exports, held_files
from .models import Evidence, Export, User, UserSession
from .security import session_store

logger = logging.getLogger(__name__)


def account_delete(*, user: User) -> None:
    """Delete the account, its rows and all its files: originals, derived images, finished
    exports, the dossier cache, and its sessions. The rows go first, in one transaction, so a
    failure leaves the account whole; a file that cannot be removed afterwards is logged (and
    `verify_evidence` reports it as a stray)."""
    items = Evidence.objects.owned_by(user)
    originals = list(items.values_list("stored_name", flat=True))
    derived = [settings.DERIVED_DIR / str(uuid) for uuid in items.values_list("uuid", flat=True)]
    finished = [exports.export_path(export) for export in Export.objects.owned_by(user)]
    sessions = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    from .pdf import prune_cache  # here: web processes need not load WeasyPrint

    prune_cache(user)
    with transaction.atomic():
        user_id = user.pk
        user.delete()
        custody.log(custody.Action.ACCOUNT_DELETED, user_id=user_id)
    store = session_store()
    for key in sessions:
        store.delete(key)
    storage = evidence.evidence_storage()
    for name in originals:
        _quietly(storage.delete, name)
    for path in derived:
        shutil.rmtree(path, ignore_errors=True)
    _quietly(held_files.remove_copies_of, user_id)
    for path in finished:
        if path is not None:
            _quietly(path.unlink, missing_ok=True)


def _quietly(remove, *args, **kwargs) -> None:
    try:
        remove(*args, **kwargs)
    except OSError:
        logger.exception("Could not remove a file of a deleted account")
