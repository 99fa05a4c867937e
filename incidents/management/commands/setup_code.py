from django.core.management.base import BaseCommand

from incidents.services import setup_code_get_or_create


def boxed(lines: list[str]) -> str:
    """The lines in a plain ASCII box, so that they stand out in a terminal's output."""
    width = max(len(line) for line in lines)
    edge = f"  +{'-' * (width + 4)}+"
    inside = [f"  |  {line.ljust(width)}  |" for line in lines]
    return "\n".join(["", edge, *inside, edge, ""])


class Command(BaseCommand):
    help = "Print the one-time code that the first-run page asks for (until an account exists)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="the address to open, said with the code")

    def handle(self, *args, url: str, **options):
        code = setup_code_get_or_create()
        if code is None:
            if url:
                self.stdout.write(boxed([f"StalkerLog is running at {url}", "Stop it: Ctrl+C"]))
            else:
                self.stdout.write("Setup is done: an account exists. Sign in with it.")
            return
        where = f"open {url} and" if url else "open the app and"
        lines = [
            f"First run: {where} type this setup code",
            "to create your account:",
            "",
            f"    {code}",
            "",
        ]
        if url:
            lines.append("Stop StalkerLog with Ctrl+C.")
        self.stdout.write(boxed(lines))
