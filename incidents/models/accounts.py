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
