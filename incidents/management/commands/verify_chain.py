from django.core.management.base import BaseCommand, CommandError

from incidents import timestamps
from incidents.custody import Head, altered_records, verify_chain
from incidents.models import ChainTimestamp


class Command(BaseCommand):
    help = (
        "Recompute the custody log's chain of hashes and name the first entry that was changed, "
        "removed or moved; then compare every record with its last logged fingerprint. "
        "Exits with status 1 on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="NUMBER:HASH",
            help="A chain head printed in a dossier or kept in a backup: the log must still "
            "hold it. May be given more than once.",
        )

    def handle(self, *args, head, **options):
        try:
            anchors = tuple(Head.parse(text) for text in head)
        except ValueError as error:
            raise CommandError(str(error)) from None
        report = verify_chain(anchors=anchors)
        if not report.ok:
            raise CommandError(f"{report.problem} {report.intact_sentence()}")
        self.stdout.write(
            f"The custody log is intact: {report.checked} entries. Head: {report.head}"
        )
        stamped = timestamps.problems()
        for problem in stamped:
            self.stdout.write(f"TIMESTAMP  {problem}")
        if stamped:
            raise CommandError(f"{len(stamped)} timestamps do not verify.")
        count = ChainTimestamp.objects.count()
        if count:
            self.stdout.write(f"Every trusted timestamp verifies: {count}.")
        altered = altered_records()
        for problem in altered:
            self.stdout.write(f"ALTERED  {problem}")
        if altered:
            raise CommandError(f"{len(altered)} records were changed without the custody log.")
        self.stdout.write(self.style.SUCCESS("Every record matches its last logged version."))
