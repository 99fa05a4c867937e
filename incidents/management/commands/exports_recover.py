from django.core.management.base import BaseCommand

from incidents.exports import recover_stale


class Command(BaseCommand):
    help = (
        "Start again the dossiers and evidence packages a stopped background worker left "
        "unfinished (once each; a second interruption marks them failed), and remove "
        "half-written files. `make run` runs it before starting the worker."
    )

    def handle(self, *args, **options):
        restarted, failed = recover_stale()
        if restarted or failed:
            self.stdout.write(
                f"Unfinished exports: {restarted} queued again, {failed} marked as failed."
            )
