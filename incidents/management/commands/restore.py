import os
import sys
from getpass import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.backup.archive import (
    PASSPHRASE_VARIABLE,
    BackupError,
    RestoreResult,
    backup_check,
    backup_restore,
)
from incidents.backup.files import HEADER_NAME


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this installation, which must be "
        "empty (no records in the database, no evidence files). Checks every file first; then "
        "loads the database, puts the evidence back, migrates, and checks every file's hash "
        "and the custody chain. Exits with status 1 if anything fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="the backup folder (it holds backup.json)")
        parser.add_argument(
            "--check",
            action="store_true",
            help=(
                "only check the backup's files against its manifest, and print the manifest's "
                "SHA-256 to compare with the one `backup` printed; restore nothing"
            ),
        )

        parser.add_argument(
            "--allow-plain",
            action="store_true",
            help=(
                "restore a backup made without --encrypt; without this, such a backup is "
                "refused, since anyone could have put it in place of an encrypted one"
            ),
        )

    def handle(self, *args, backup: Path, check: bool, allow_plain: bool, **options):
        source = backup.expanduser().resolve()
        check_is_one_backup(source)
        if check:
            self.check_only(source)
            return
        # A passphrase in the environment says an encrypted backup is expected, flag or not.
        expect_encrypted = passphrase_is_set() or not allow_plain
        try:
            result = backup_restore(
                source=source, passphrase=passphrase, expect_encrypted=expect_encrypted
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(summary(result, source))
        if not result.ok:
            raise CommandError(
                "The restore finished, but the checks found problems:\n"
                + "\n".join(f"  - {problem}" for problem in result.problems)
            )
        self.stdout.write(self.style.SUCCESS("Restored and checked: everything matches."))

    def check_only(self, source: Path) -> None:
        try:
            result = backup_check(
                source=source, passphrase=passphrase, expect_encrypted=passphrase_is_set()
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            f"{source}: made {manifest['created_at']}, {len(manifest['files'])} evidence files "
            f"and the {manifest['engine']} database, custody chain head "
            f"{manifest['custody_head']}, {'encrypted' if result.encrypted else 'NOT encrypted'}."
        )
        self.stdout.write(
            f"manifest.json SHA-256: {result.manifest_sha256} (the same as `backup` printed "
            "if this copy is unchanged)"
        )
        self.stdout.write(
            self.style.SUCCESS("Every file matches its SHA-256. Nothing was changed.")
        )


def check_is_one_backup(source: Path) -> None:
    """Point at the newest backup when given the folder that holds several."""
    if not source.is_dir():
        raise CommandError(f"{source} is not a folder.")
    if (source / HEADER_NAME).exists():
        return
    found = sorted(
        p.parent for p in source.glob(f"*/{HEADER_NAME}") if not p.parent.name.startswith(".")
    )
    if found:
        raise CommandError(
            f"{source} is a folder of backups; name the one to restore, "
            f"for example the newest: {found[-1]}"
        )
    raise CommandError(f"{source} is not a backup: it has no {HEADER_NAME}.")


def passphrase_is_set() -> bool:
    """A passphrase in the environment means an encrypted backup is expected."""
    return bool(os.environ.get(PASSPHRASE_VARIABLE))


def passphrase() -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE, "")
    if given:
        return given
    if not sys.stdin.isatty():
        raise CommandError(
            f"This backup is encrypted: set {PASSPHRASE_VARIABLE}, or run in a terminal."
        )
    return getpass("Passphrase of this backup: ")


def summary(result: RestoreResult, source: Path) -> str:
    counts = ", ".join(f"{label}: {count}" for label, count in result.counts.items())
    report = result.integrity
    return "\n".join(
        [
            f"Restored {source} ({result.engine}) in {result.seconds:.1f} s",
            f"  encrypted: {'yes' if result.encrypted else 'no'}",
            f"  records: {counts}",
            f"  evidence: {report.checked} files checked, {len(report.missing)} missing, "
            f"{len(report.changed)} changed",
            f"  custody chain: {'whole' if result.chain.ok else result.chain.problem} "
            f"({result.chain.checked} entries, head {result.custody_head})",
            f"  manifest.json SHA-256: {result.manifest_sha256}",
        ]
    )
