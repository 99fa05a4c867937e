"""transcript.csv in the evidence package: the dossier's transcript of imported texts and
calls as a table, one row per item, each citing its source exhibit and its place in the file."""

import csv
import io
from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from .csv_cells import safe_cell
from .dossier import DossierData
from .dossier_messages import TranscriptRow, transcript_chunks

# The column names, in the package's language ("spreadsheet column" tells a translator so).
HEADER = [
    pgettext_lazy("spreadsheet column", "date"),
    pgettext_lazy("spreadsheet column", "time"),
    pgettext_lazy("spreadsheet column", "UTC"),
    pgettext_lazy("spreadsheet column", "direction"),
    pgettext_lazy("spreadsheet column", "kind"),
    pgettext_lazy("spreadsheet column", "number as written"),
    pgettext_lazy("spreadsheet column", "name in the phone's contacts"),
    pgettext_lazy("spreadsheet column", "subject"),
    pgettext_lazy("spreadsheet column", "text"),
    pgettext_lazy("spreadsheet column", "call length in seconds"),
    pgettext_lazy("spreadsheet column", "note"),
    pgettext_lazy("spreadsheet column", "exhibit"),
    pgettext_lazy("spreadsheet column", "item in the file"),
    pgettext_lazy("spreadsheet column", "line in the file"),
]


def transcript_csv(data: DossierData) -> bytes:
    """One row per item of the transcript, in time order, in the package's language (dates and
    times in ISO form). UTF-8 with a BOM, for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(name) for name in HEADER])
    for chunk in transcript_chunks(data.communications):
        for row in chunk:
            writer.writerow([safe_cell(cell) for cell in _row(row)])
    return buffer.getvalue().encode("utf-8-sig")


def _row(row: TranscriptRow) -> list:
    item, at = row.item, row.at
    utc = timezone.localtime(at, UTC)
    if row.is_call:
        kind = gettext("call: %(outcome)s") % {"outcome": item.get_outcome_display().lower()}
        words = ["", "", item.duration]
    else:
        kind = item.get_channel_display()
        words = [item.subject, item.body, ""]
    number = gettext("withheld") if getattr(item, "withheld", False) else item.address
    return [
        f"{at:%Y-%m-%d}",
        f"{at:%H:%M:%S}",
        f"{utc:%Y-%m-%dT%H:%M:%SZ}",
        item.get_direction_display(),
        kind,
        number,
        item.contact_name,
        *words,
        item.note,
        row.exhibit,
        item.element,
        item.line,
    ]
