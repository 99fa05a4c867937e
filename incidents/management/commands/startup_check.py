from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError

# The deployment checks that only say "this is not served over HTTPS": HSTS, the redirect to
# HTTPS, and secure session and CSRF cookies. HTTPS=true (behind a proxy) answers all four.
HTTPS_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


class Command(BaseCommand):
    help = (
        "Django's checks with the deployment ones, as `make run` runs them: the four warnings "
        "about serving without HTTPS are said in one line while HTTPS is off."
    )

    def handle(self, *args, **options):
        found = checks.run_checks(include_deployment_checks=True)
        found = [m for m in found if not m.is_silenced()]
        https = [m for m in found if m.id in HTTPS_WARNINGS and not settings.HTTPS]
        others = [m for m in found if m not in https]
        for message in others:
            self.stderr.write(str(message))
        if https:
            self.stdout.write(
                f"  Local mode: {len(https)} warnings about HTTPS are skipped; they matter only "
                "for a server others reach (see docs/deployment.md)."
            )
        if any(m.level >= checks.ERROR for m in others):
            raise CommandError("The checks above found errors; StalkerLog was not started.")
