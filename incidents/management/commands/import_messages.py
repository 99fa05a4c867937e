import uuid
import zoneinfo
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from incidents import services
from incidents.evidence import EvidenceRejected
from incidents.message_found import confirmations, found_sentence
from incidents.message_import import import_file
from incidents.message_questions import DATE_ORDERS, missing_words
from incidents.models import Case, MessageImport, User
from incidents.numbers import profile_numbers
from incidents.sources.items import SKIP_REASONS, FileUnreadable, NeedsAnswers

REASONS = {**SKIP_REASONS, "other_numbers": _("other numbers in the file")}


class Command(BaseCommand):
    help = (
        "Import messages and calls from export files (SMS Backup & Restore XML, chat exports, "
        "mailboxes, CSV tables; the format is told by the content) into a person's record: "
        "only the items of the numbers, names or addresses given (by default, the numbers on "
        "the person's profile) are kept; the rest are counted as skipped. Each file is kept as "
        "an exhibit. Exits with status 1 if a file cannot be read or needs an answer not given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the account's user name")
        parser.add_argument("--case", help="the person's id (needed when there are several)")
        parser.add_argument(
            "--number",
            action="append",
            default=[],
            help="a number of the person, written any way (repeat for several)",
        )
        parser.add_argument(
            "--sender",
            action="append",
            default=[],
            metavar="NAME",
            help="the person's name as a chat export shows it as sender (repeat for several)",
        )
        parser.add_argument(
            "--address",
            action="append",
            default=[],
            help="an e-mail address or account id of the person (repeat for several)",
        )
        parser.add_argument(
            "--me", default="", metavar="NAME", help="your own sender name in a chat export"
        )
        parser.add_argument(
            "--time-zone",
            default="",
            help="the time zone the phone was in, for files without one (default: the account's)",
        )
        parser.add_argument(
            "--date-order",
            choices=sorted(DATE_ORDERS),
            default="",
            help="dmy or mdy, for a file whose dates do not say which comes first",
        )
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, user: str, case: str | None, number: list, files: list, **options):
        person = _case(user, case)
        addresses = options["sender"] + options["address"]
        if not (number or addresses) and not profile_numbers(person.phone_numbers):
            raise CommandError(
                _(
                    "Give the person's numbers with --number (or their names or addresses with "
                    "--sender or --address), or add their numbers to their profile."
                )
            )
        choices = {
            "numbers": number,
            "addresses": addresses,
            "me": options["me"],
            "options": _answers(options),
        }
        failed = [path for path in files if not self._import(person, path, choices)]
        if failed:
            raise CommandError(
                _("%(count)s file(s) could not be read; nothing was imported from them.")
                % {"count": len(failed)}
            )

    def _import(self, person: Case, path: Path, choices: dict) -> bool:
        """Import one file, saying what it holds and what it gave; False if it failed."""
        try:
            job = import_file(
                case=person,
                path=path,
                **choices,
                found=lambda job: self.stdout.write(f"{path}: {found_sentence(job)}"),
            )
        except NeedsAnswers as asked:
            for question in asked.questions:
                self.stderr.write(f"{path}: {missing_words(question)}")
            return False
        except (FileUnreadable, EvidenceRejected, OSError) as error:
            self.stderr.write(f"{path}: {error}")
            return False
        self.stdout.write(summary(path, job))
        return True


def _answers(options: dict) -> dict:
    """The answers given as options, the time zone checked."""
    zone = options["time_zone"]
    if zone and zone not in zoneinfo.available_timezones():
        raise CommandError(
            _("%(zone)s is not a time zone name. Use a name such as Europe/London.")
            % {"zone": zone}
        )
    return {"time_zone": zone, "date_order": options["date_order"]}


def _case(username: str, case_id: str | None) -> Case:
    owner = User.objects.filter(username=username).first()
    if owner is None:
        raise CommandError(_("There is no account named %(name)s.") % {"name": username})
    cases = Case.objects.owned_by(owner).filter(is_demo=False)
    if case_id:
        found = cases.filter(uuid=case_id).first() if _is_uuid(case_id) else None
        if found is None:
            message = _("That account has no person with the id %(id)s.") % {"id": case_id}
            raise CommandError(message)
        return found
    if not cases.exists():
        # No person recorded yet (demo data apart): made now, as the first entry in the app does.
        with transaction.atomic():
            return services.default_case(owner)
    if cases.count() != 1:
        listed = "\n".join(f"  {c.uuid}  {c}" for c in cases)
        raise CommandError(_("Choose the person with --case:\n%(list)s") % {"list": listed})
    return cases.get()


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def summary(path: Path, job: MessageImport) -> str:
    """What one file gave, in a few lines."""
    if job.status == MessageImport.Status.FAILED:
        return f"{path}: {job.error}"
    lines = [
        _("%(file)s: exhibit %(exhibit)s, SHA-256 %(sha)s")
        % {"file": path, "exhibit": job.source.exhibit_number, "sha": job.source.sha256},
        _("  added: %(n)s") % {"n": job.added},
        _("  already imported: %(n)s") % {"n": job.already_there},
        _("  skipped: %(n)s") % {"n": job.skipped},
        _("  recovered: %(n)s") % {"n": job.recovered},
        _("  pictures kept: %(n)s") % {"n": job.pictures},
    ]
    lines += [f"  {said}" for said in confirmations(job)]
    lines += [f"  {warning}" for warning in job.warnings]
    for reason, count in sorted(job.reasons.items()):
        if reason in REASONS and reason != "already_there":
            lines.append(f"    {count} {REASONS[reason]}")
    return "\n".join(lines)
