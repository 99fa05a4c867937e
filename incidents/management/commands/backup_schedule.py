from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incidents import backup_schedule


class Command(BaseCommand):
    help = (
        "Queue the next scheduled backup for the worker (with BACKUP_DIR set), unless one is "
        "waiting. --now takes one at once instead and says how it went."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="take a scheduled backup now")

    def handle(self, *args, now: bool, **options):
        if not backup_schedule.schedule_on():
            if options["verbosity"] > 0 or now:
                self.stdout.write("Scheduled backups are off: BACKUP_DIR is not set.")
            return
        if now:
            run = backup_schedule.backup_run()
            if not run.succeeded:
                raise CommandError(f"The backup failed.\n{run.error}")
            self.stdout.write(f"Backup taken: {settings.BACKUP_DIR}/{run.folder}")
        due = backup_schedule.schedule_ensure()
        if due is not None:
            self.stdout.write(
                f"Scheduled backups into {settings.BACKUP_DIR}: the next at {due:%Y-%m-%d %H:%M} "
                f"UTC, then every {settings.BACKUP_INTERVAL_HOURS} hours."
            )
