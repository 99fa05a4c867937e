"""Make a PDF dossier from the command line, without the background worker: for checking that
WeasyPrint works on a server, and for timing the dossier on a large log."""

import time
import uuid
from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incidents import pdf
from incidents.dossier import PAPER_SIZES, DossierOptions
from incidents.exports import default_dossier_case, user_time_zone
from incidents.models import Case, User


class Command(BaseCommand):
    help = "Write one case's PDF dossier to a file, and print its pages, size and the time taken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the account's user name")
        parser.add_argument(
            "--case", help="the case's id (default: the first case that is not demo data)"
        )
        parser.add_argument("--out", required=True, type=Path, help="where to write the PDF")
        parser.add_argument("--short", action="store_true", help="summary and a short list only")
        parser.add_argument("--paper", choices=sorted(PAPER_SIZES), default="A4")
        parser.add_argument("--from", dest="date_from", type=_date, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_date, help="YYYY-MM-DD")
        parser.add_argument("--no-images", action="store_true", help="leave out the pictures")
        parser.add_argument(
            "--no-effects", action="store_true", help="leave out how it affected the user"
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No account named {options['user']!r}.")
        case = _case(user, options["case"])
        date_from, date_to = options["date_from"], options["date_to"]
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to.")
        dossier_options = DossierOptions(
            case=str(case.uuid),
            date_from=date_from,
            date_to=date_to,
            include_effects=not options["no_effects"],
            include_images=not options["no_images"],
            paper=options["paper"],
            short=options["short"],
        )
        out = options["out"].resolve()
        started = time.perf_counter()
        with timezone.override(user_time_zone(user)):
            result = pdf.render_dossier(user, dossier_options, out, self._progress(options))
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{out}: {result.pages} pages, {result.size / 1_000_000:.1f} MB, {seconds:.1f} s"
        )

    def _progress(self, options):
        if options["verbosity"] < 2:
            return lambda percent, stage: None
        return lambda percent, stage: self.stderr.write(f"{percent:3d}%  {stage}")


def _case(user: User, case_id: str | None) -> Case:
    if case_id is None:
        case = default_dossier_case(user)
        if case is None:
            raise CommandError(f"{user.username} has no case.")
        return case
    case = Case.objects.owned_by(user).filter(uuid=case_id).first() if _is_uuid(case_id) else None
    if case is None:
        raise CommandError(f"{user.username} has no case with the id {case_id}.")
    return case


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date like 2024-05-31") from None
