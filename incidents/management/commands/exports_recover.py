from django.core.management.base import BaseCommand

from incidents.evidence import remove_abandoned_uploads
from incidents.exports import recover_stale
from incidents.message_jobs import recover_stale_imports


class Command(BaseCommand):
    help = (
        "Start again the dossiers and evidence packages a stopped background worker left "
        "unfinished (once each; a second interruption marks them failed) and the imports of "
        "messages and calls (which resume without adding anything twice); remove their "
        "half-written files and the partial copies of uploads cut off by a stop. `make run` "
        "runs it before starting the worker."
    )

    def handle(self, *args, **options):
        restarted, failed = recover_stale()
        if restarted or failed:
            self.stdout.write(
                f"Unfinished exports: {restarted} queued again, {failed} marked as failed."
            )
        if imports := recover_stale_imports():
            self.stdout.write(f"Unfinished imports of messages and calls: {imports} queued again.")
        if removed := remove_abandoned_uploads():
            self.stdout.write(f"Uploads cut off by a stop: {removed} partial uploads removed.")
