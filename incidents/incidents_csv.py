"""incidents.csv in the evidence package: the incidents as a table, one row each, in the
package's language. Dates and times stay in ISO form, for a spreadsheet to sort."""

import csv
import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from .csv_cells import safe_cell
from .dossier import DossierData
from .models import Incident

# The column names, in the package's language ("spreadsheet column" tells a translator so).
HEADER_START = [
    pgettext_lazy("spreadsheet column", "number"),
    pgettext_lazy("spreadsheet column", "date"),
    pgettext_lazy("spreadsheet column", "time"),
    pgettext_lazy("spreadsheet column", "approximate"),
    pgettext_lazy("spreadsheet column", "end"),
    pgettext_lazy("spreadsheet column", "kind"),
    pgettext_lazy("spreadsheet column", "SLII group"),
    pgettext_lazy("spreadsheet column", "how"),
    pgettext_lazy("spreadsheet column", "where"),
    pgettext_lazy("spreadsheet column", "what happened"),
    pgettext_lazy("spreadsheet column", "exact words"),
    pgettext_lazy("spreadsheet column", "how many times"),
    pgettext_lazy("spreadsheet column", "witnesses"),
]
EFFECT = pgettext_lazy("spreadsheet column", "effect")  # only when the dossier includes the effects
HEADER_END = [
    pgettext_lazy("spreadsheet column", "response"),
    pgettext_lazy("spreadsheet column", "danger signs"),
    pgettext_lazy("spreadsheet column", "exhibits"),
    pgettext_lazy("spreadsheet column", "entered on"),
    pgettext_lazy("spreadsheet column", "amended on"),
]

# What the CSV says where the user gave no answer of their own.
RESPONSE_STATES = {
    "not_recorded": gettext_lazy("not recorded"),
    "not_confirmed": gettext_lazy("not recorded (filled in by the app, not confirmed)"),
}


def incidents_csv(data: DossierData) -> bytes:
    """One row per incident, for a spreadsheet. UTF-8 with a BOM, so Excel reads it right."""
    effects = data.options.include_effects
    header = HEADER_START + ([EFFECT] if effects else []) + HEADER_END
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(name) for name in header])
    for ref, incident in enumerate(data.incidents, start=1):
        row = _csv_row(ref, incident, effects)
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _csv_row(ref: int, incident: Incident, effects: bool) -> list:
    start = timezone.localtime(incident.occurred_at)
    approximate = gettext("yes") if incident.is_approximate else gettext("no")
    row = [ref, f"{start:%Y-%m-%d}", f"{start:%H:%M}", approximate]
    row += [_when(incident.ended_at), incident.get_kind_display(), incident.slii_group]
    row += [incident.channel, incident.location, incident.description, incident.exact_words]
    row += [incident.count, incident.witnesses]
    if effects:
        level = incident.get_effect_level_display() if incident.effect_level is not None else ""
        row.append("\n".join(part for part in (level, incident.effect_notes) if part))
    response = str(RESPONSE_STATES.get(incident.response_state) or incident.get_response_display())
    row.append("\n".join(part for part in (response, incident.response_notes) if part))
    row.append("; ".join(incident.danger_labels))
    row.append(", ".join(str(item.exhibit_number) for item in incident.exhibits))
    row += [_when(incident.created_at), _when(incident.amended_at)]
    return row
