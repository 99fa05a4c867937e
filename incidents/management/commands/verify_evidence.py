from django.core.management.base import BaseCommand, CommandError

from incidents.evidence import check_integrity
from incidents.models import Evidence


class Command(BaseCommand):
    help = (
        "Re-hash every stored original and compare it with the hash taken on upload. "
        "Reports missing, changed and stray files; exits with status 1 if there are any."
    )

    def handle(self, *args, **options):
        report = check_integrity(
            Evidence.objects.select_related("case__owner"), look_for_strays=True
        )
        for item in report.missing:
            self.stdout.write(f"MISSING  {item.stored_name}  {_describe(item)}")
        for item in report.changed:
            self.stdout.write(f"CHANGED  {item.stored_name}  {_describe(item)}")
        for name in report.stray:
            self.stdout.write(f"STRAY    {name}  (a file no record refers to)")
        summary = (
            f"{report.checked} files checked: {len(report.missing)} missing, "
            f"{len(report.changed)} changed, {len(report.stray)} stray."
        )
        if not report.ok:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))


def _describe(item: Evidence) -> str:
    received = f"{item.received_at:%Y-%m-%d %H:%M}"
    return f"(account {item.case.owner.username}, received {received}, id {item.uuid})"
