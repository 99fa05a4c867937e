"""Issue 11, points 8, 10 and 11: the remembered "Prepared by" name; length limits on text
fields; the custody and audit actions for removing demo data.

A TextField's max_length and a field's choices live in the forms only: the database is not
changed for them (on SQLite an AlterField would copy every table it touches, once per field).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_answers_and_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="dossier_prepared_by",
            field=models.CharField(blank=True, editable=False, max_length=200, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(
                        choices=[
                            ("original_download", "Opened or downloaded an original file"),
                            ("export_download", "Downloaded a dossier or evidence package"),
                            ("export_delete", "Deleted a dossier or evidence package"),
                            ("data_export", "Asked for a copy of all data"),
                            ("trash", "Moved to the trash"),
                            ("restore", "Restored from the trash"),
                            ("settings", "Changed the settings"),
                            ("password", "Changed the password"),
                            ("sign_out_others", "Signed out everywhere else"),
                            ("demo_remove", "Removed the demonstration data"),
                        ],
                        max_length=24,
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="addresses",
                    field=models.TextField(blank=True, help_text="One per line.", max_length=2000),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="aliases",
                    field=models.TextField(
                        blank=True,
                        help_text="One per line.",
                        max_length=2000,
                        verbose_name="other names and nicknames",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="description",
                    field=models.TextField(
                        blank=True,
                        help_text="Appearance, where they live or work, anything that helps identify them.",
                        max_length=5000,
                        verbose_name="what they look like and other details",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="online_accounts",
                    field=models.TextField(
                        blank=True,
                        help_text="One per line.",
                        max_length=2000,
                        verbose_name="online accounts and e-mail addresses",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="phone_numbers",
                    field=models.TextField(blank=True, help_text="One per line.", max_length=2000),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="vehicles",
                    field=models.TextField(
                        blank=True,
                        help_text="Make, colour, number plate. One per line.",
                        max_length=2000,
                    ),
                ),
                migrations.AlterField(
                    model_name="custodyentry",
                    name="action",
                    field=models.CharField(
                        choices=[
                            ("created", "Created"),
                            ("amended", "Amended"),
                            ("trashed", "Moved to the trash"),
                            ("restored", "Restored from the trash"),
                            ("uploaded", "File uploaded"),
                            ("downloaded", "File opened or downloaded"),
                            ("exported", "Dossier or package made"),
                            ("account_deleted", "Account deleted"),
                            ("demo_removed", "Demonstration data removed"),
                        ],
                        max_length=20,
                    ),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="description",
                    field=models.TextField(max_length=20000, verbose_name="what happened"),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="effect_notes",
                    field=models.TextField(
                        blank=True,
                        help_text="Fear, lost sleep, changes you made: routes, locks, work.",
                        max_length=5000,
                        verbose_name="more about how it affected you",
                    ),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="exact_words",
                    field=models.TextField(
                        blank=True,
                        help_text="Copy what they said or wrote, word for word.",
                        max_length=20000,
                        verbose_name="exact words",
                    ),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="others_present",
                    field=models.TextField(
                        blank=True, max_length=2000, verbose_name="who else was there"
                    ),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="response_notes",
                    field=models.TextField(
                        blank=True, max_length=5000, verbose_name="more about what you did"
                    ),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="witnesses",
                    field=models.TextField(
                        blank=True,
                        help_text="Names and how to reach them. One person per line.",
                        max_length=2000,
                    ),
                ),
                migrations.AlterField(
                    model_name="nocontactnotice",
                    name="notes",
                    field=models.TextField(blank=True, max_length=5000),
                ),
                migrations.AlterField(
                    model_name="nocontactnotice",
                    name="witnesses",
                    field=models.TextField(
                        blank=True,
                        help_text="Who saw or heard it, and how to reach them.",
                        max_length=2000,
                    ),
                ),
                migrations.AlterField(
                    model_name="nocontactnotice",
                    name="words",
                    field=models.TextField(
                        help_text="What you said or wrote, word for word.",
                        max_length=5000,
                        verbose_name="the exact words",
                    ),
                ),
                migrations.AlterField(
                    model_name="policecontact",
                    name="advice",
                    field=models.TextField(
                        blank=True, max_length=5000, verbose_name="what they advised"
                    ),
                ),
                migrations.AlterField(
                    model_name="policecontact",
                    name="next_steps",
                    field=models.TextField(
                        blank=True, max_length=5000, verbose_name="next steps agreed"
                    ),
                ),
                migrations.AlterField(
                    model_name="policecontact",
                    name="reported",
                    field=models.TextField(
                        blank=True, max_length=20000, verbose_name="what you reported"
                    ),
                ),
                migrations.AlterField(
                    model_name="protectiveorder",
                    name="terms",
                    field=models.TextField(
                        blank=True,
                        help_text="What it forbids: contact of any kind, coming near your home…",
                        max_length=5000,
                    ),
                ),
            ],
        ),
    ]
