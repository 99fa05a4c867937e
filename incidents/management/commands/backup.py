import os
import sys
from getpass import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.backup.archive import PASSPHRASE_VARIABLE, BackupError, BackupResult, backup_create

MIN_PASSPHRASE_LENGTH = 12


class Command(BaseCommand):
    help = (
        "Back up the database and the evidence originals into a new folder under --out, while "
        "the app runs, and check the copy. --encrypt seals it with a passphrase (from "
        f"{PASSPHRASE_VARIABLE}, or asked for). Exits with status 1 if anything fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="folder to put backups in")
        parser.add_argument(
            "--encrypt",
            action="store_true",
            help=f"encrypt with a passphrase from {PASSPHRASE_VARIABLE} or typed at a prompt",
        )

    def handle(self, *args, out: Path, encrypt: bool, **options):
        passphrase = new_passphrase() if encrypt else None
        if not encrypt and os.environ.get(PASSPHRASE_VARIABLE):
            self.stderr.write(
                f"{PASSPHRASE_VARIABLE} is set but --encrypt was not given: "
                "this backup is NOT encrypted."
            )
        try:
            result = backup_create(out=out.expanduser().resolve(), passphrase=passphrase)
        except BackupError as error:
            raise CommandError(f"No backup was made.\n{error}") from None
        self.stdout.write(summary(result))


def new_passphrase() -> str:
    """The passphrase from the environment, or typed twice; never from the command line,
    where other users of the machine could read it (ps, shell history)."""
    passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
    if not passphrase:
        if not sys.stdin.isatty():
            raise CommandError(f"Set {PASSPHRASE_VARIABLE}, or run this in a terminal to type it.")
        passphrase = getpass("Passphrase for this backup: ")
        if getpass("The same passphrase again: ") != passphrase:
            raise CommandError("The two passphrases differ. No backup was made.")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise CommandError(
            f"Use a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters "
            "(four or five random words work well). No backup was made."
        )
    return passphrase


def summary(result: BackupResult) -> str:
    counts = ", ".join(f"{label}: {count}" for label, count in result.counts.items())
    files = result.counts.get("evidence files", 0)
    lines = [
        f"Backup written to {result.path}",
        f"  database: {result.engine}, {megabytes(result.database_bytes)}",
        f"  evidence originals: {files} files, {megabytes(result.evidence_bytes)}",
        f"  records: {counts}",
        f"  custody chain head: {result.custody_head}",
        f"  encrypted: {'yes (AES-256-GCM, passphrase)' if result.encrypted else 'no'}",
        f"  on disk: {megabytes(result.bytes_on_disk)}; took {result.seconds:.1f} s",
        "  checked: every file read back and matched its SHA-256",
        f"  manifest.json SHA-256: {result.manifest_sha256}",
    ]
    return "\n".join(lines)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
