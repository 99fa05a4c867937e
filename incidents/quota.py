"""Each account's room for evidence files (EVIDENCE_QUOTA_MB): what is used, shown on the upload
form, and the check that refuses a file that would not fit. Files in the trash count until they
are removed for good, since they are still on the disk."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .evidence import EvidenceRejected
from .models import Evidence, User


@dataclass(frozen=True)
class Usage:
    used: int  # bytes
    quota: int  # bytes

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)

    @property
    def text(self) -> str:
        """ "1.2 GB of 2.0 GB used"."""
        return _("%(used)s of %(quota)s used") % {
            "used": filesizeformat(self.used),
            "quota": filesizeformat(self.quota),
        }


def usage(user: User) -> Usage:
    """How much of the user's room their evidence files take."""
    used = Evidence.objects.owned_by(user).aggregate(total=Sum("size", default=0))["total"]
    return Usage(used=used, quota=settings.EVIDENCE_QUOTA_MB * 1024 * 1024)


def check_room(user: User, size: int) -> None:
    """Refuse a file of `size` bytes that would take the user over their room. Call it in the
    transaction that keeps the file, with the user's row locked, so that two uploads at once
    cannot both take the last of it."""
    now = usage(user)
    if now.used + size > now.quota:
        raise EvidenceRejected(
            _(
                "There is not enough room left for it: %(usage)s, and this file is %(size)s. "
                "Files in the trash count until they are removed for good. The person who runs "
                "this server can allow more room (EVIDENCE_QUOTA_MB)."
            )
            % {"usage": now.text, "size": filesizeformat(size)}
        )
