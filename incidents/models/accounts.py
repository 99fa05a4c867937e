import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import jurisdictions

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


def default_time_zone() -> str:
    return settings.TIME_ZONE


def default_language() -> str:
    return settings.LANGUAGE_CODE


# Functions rather than lists, so that migrations name them instead of copying the list: the
# zones differ with each machine's time-zone data, and a language is one line in settings.
def time_zone_choices() -> list[tuple[str, str]]:
    """Every time zone this machine knows."""
    return TIME_ZONE_CHOICES


def language_choices() -> list[tuple[str, str]]:
    """The app's languages (settings.LANGUAGES), each named in its own language."""
    return settings.LANGUAGES


class User(AbstractUser):
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        help_text=_("Times are shown and entered in this time zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=language_choices,
        default=default_language,
        help_text=_("The language of the pages, e-mails and dossiers."),
    )
    jurisdiction = models.CharField(
        _("legal system"),
        max_length=8,
        choices=jurisdictions.choices,
        default=jurisdictions.default_code,
        help_text=_(
            "Where you live. It changes the legal words the app uses, such as the names of court "
            "orders and of the police's reference number, and the emergency number and help "
            "lines it offers where the server names none. What you have recorded stays as it is."
        ),
    )
    # The "Prepared by" name last put on a dossier, offered again next time. None until the
    # first dossier (the form then offers the user's name); "" means they chose to leave it off.
    dossier_prepared_by = models.CharField(  # noqa: DJ001 (None and "" mean different things)
        max_length=200, null=True, blank=True, editable=False
    )
