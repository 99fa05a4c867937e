"""`restore` takes a backup made without encryption only when told to with --allow-plain: a
plain folder could have been put in place of an encrypted one by anyone with the disk."""

import pytest
from django.core.management import CommandError

from tests import test_backup
from tests.test_backup import (
    assert_nothing_restored,
    backup,
    empty_installation,
    everything,
    restore,
)

# The backup tests' fixtures: an installation with a log in it, and databases of their own.
_fast_key_derivation = test_backup._fast_key_derivation
migrated_template = test_backup.migrated_template
databases = test_backup.databases
live = test_backup.live


def test_a_plain_backup_is_refused_without_allow_plain_and_nothing_is_restored(
    live, databases, settings, tmp_path, monkeypatch
):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    folder = backup(tmp_path / "backups")
    with empty_installation(databases, settings, tmp_path / "new"):
        with pytest.raises(CommandError) as refused:
            restore(folder, allow_plain=False)
        assert_nothing_restored(tmp_path / "new")
    message = str(refused.value)
    assert "This backup is not encrypted, so it was refused" in message
    assert "run the restore again with --allow-plain" in message
    assert "BACKUP_PASSPHRASE" not in message  # it is not set: nothing to unset


def test_a_plain_backup_is_restored_with_allow_plain(
    live, databases, settings, tmp_path, monkeypatch
):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    folder = backup(tmp_path / "backups")
    with empty_installation(databases, settings, tmp_path / "new"):
        output = restore(folder, allow_plain=True)
        assert everything() == live
    assert "encrypted: no" in output


def test_allow_plain_does_not_override_a_passphrase_that_expects_encryption(
    live, databases, settings, tmp_path, monkeypatch
):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    folder = backup(tmp_path / "backups")
    monkeypatch.setenv("BACKUP_PASSPHRASE", "a long enough passphrase for this test")
    with empty_installation(databases, settings, tmp_path / "new"):
        with pytest.raises(CommandError, match="unset BACKUP_PASSPHRASE and run the restore"):
            restore(folder, allow_plain=True)
        assert_nothing_restored(tmp_path / "new")
