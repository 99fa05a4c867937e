"""Give every file that has no exhibit number yet the number the app showed for it: after the
numbers already cited in a dossier, in order of its record's time, then of upload. From now on
numbers are given at upload and never change."""

from django.db import migrations
from django.db.models.functions import Coalesce


def number_existing_files(apps, schema_editor):
    Evidence = apps.get_model("incidents", "Evidence")
    rows = Evidence.objects.annotate(
        record_time=Coalesce(
            "incident__occurred_at",
            "notice__given_at",
            "police_contact__contacted_at",
            "received_at",
        )
    ).values_list("id", "case_id", "exhibit_number", "record_time", "received_at")
    highest = {}
    for _pk, case_id, fixed, *_ in rows:
        if fixed:
            highest[case_id] = max(highest.get(case_id, 0), fixed)
    for pk, case_id, fixed, *_ in sorted(rows, key=lambda row: (row[3], row[4], row[0])):
        if not fixed:
            highest[case_id] = highest.get(case_id, 0) + 1
            Evidence.objects.filter(pk=pk).update(exhibit_number=highest[case_id])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0014_exhibits")]

    operations = [migrations.RunPython(number_existing_files, migrations.RunPython.noop)]
