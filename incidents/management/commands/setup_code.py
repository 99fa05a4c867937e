from django.core.management.base import BaseCommand

from incidents.services import setup_code_get_or_create


class Command(BaseCommand):
    help = "Print the one-time code that the first-run page asks for (until an account exists)."

    def handle(self, *args, **options):
        code = setup_code_get_or_create()
        if code is None:
            self.stdout.write("Setup is done: an account exists. Sign in with it.")
            return
        self.stdout.write(
            "\n  First run: open the app and enter this setup code to create your account:\n"
            f"\n      {code}\n"
        )
