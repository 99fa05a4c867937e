from django.core.management.base import BaseCommand, CommandError

from incidents import timestamps
from incidents.models import ChainTimestamp


class Command(BaseCommand):
    help = (
        "Ask the time-stamping authority (TIMESTAMP_URL) to sign the custody log's head, if the "
        "log changed since the last timestamp. Run it daily from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        if not timestamps.enabled():
            self.stdout.write("TIMESTAMP_URL is not set: nothing was sent.")
            return
        last = ChainTimestamp.objects.first()
        if not timestamps.log_changed_since(last):
            self.stdout.write(f"The log has not changed since the last timestamp ({last}).")
            return
        try:
            row = timestamps.stamp(timestamps.custody.chain_head())
        except timestamps.TimestampFailed as error:
            raise CommandError(str(error)) from None
        when = f"{row.stamped_at:%Y-%m-%d %H:%M} UTC"
        self.stdout.write(self.style.SUCCESS(f"Timestamped head {row.head} at {when}."))
