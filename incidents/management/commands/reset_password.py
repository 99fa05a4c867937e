from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from incidents import recovery
from incidents.models import User
from incidents.two_factor import two_factor_enabled


class Command(BaseCommand):
    help = (
        "Print a one-time link that lets USER set a new password (valid 30 minutes). It signs "
        "the account out everywhere, asks for the second factor if it is on, and is listed in "
        "the account's activity."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USER")
        parser.add_argument(
            "--base-url",
            default="",
            help="The address the app is reached at (default: SITE_URL, else http://localhost:8000).",
        )

    def handle(self, *args, username, base_url, **options):
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"There is no account named “{username}”. Names are exact.")
        base = (base_url or settings.SITE_URL or "http://localhost:8000").rstrip("/")
        token = recovery.reset_link_make(user)
        until = timezone.localtime(
            timezone.now() + recovery.reset_link_lifetime(), timezone.get_default_timezone()
        )
        self.stdout.write(
            f"\n  A one-time link for “{username}” to set a new password, valid for "
            f"{recovery.RESET_LINK_MINUTES} minutes (until {until:%H:%M %Z}):\n"
            f"\n      {base}{reverse('reset_link', args=[token])}\n"
        )
        lines = [
            "Give it to the account's owner only, in person or by a way the person of concern",
            "cannot see. Using it signs the account out on every device. The account's activity",
            "page shows that this link was made, and when it is used.",
        ]
        if two_factor_enabled(user):
            lines.append(
                "Two-factor sign-in is on: the link also asks for a code from the owner's app "
                "or one of their recovery codes."
            )
        self.stdout.write("".join(f"  {line}\n" for line in lines))
