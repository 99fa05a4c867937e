import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


def default_time_zone() -> str:
    return settings.TIME_ZONE


class User(AbstractUser):
    time_zone = models.CharField(
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default=default_time_zone,
        help_text="Times are shown and entered in this time zone.",
    )
    # The "Prepared by" name last put on a dossier, offered again next time. None until the
    # first dossier (the form then offers the user's name); "" means they chose to leave it off.
    dossier_prepared_by = models.CharField(  # noqa: DJ001 (None and "" mean different things)
        max_length=200, null=True, blank=True, editable=False
    )
