"""What the user said a CSV table's columns mean, remembered for the next file of the same
shape (the same header row), so a tool's export is described once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import OwnedQuerySet


class CsvMapping(models.Model):
    """One header row's meaning for one user: {"kind", "time", "time_format", "direction",
    "party", "party_kind", "name", "text", "outcome", "duration", "time_zone"}, column numbers
    counted from 0 (incidents/sources/csv_table.py reads them)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="csv_mappings"
    )
    shape = models.CharField(max_length=64)  # csv_table.shape_of(header row)
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "shape"], name="one_csv_mapping_per_shape")
        ]
        verbose_name = _("CSV column mapping")

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.shape[:12]}"
