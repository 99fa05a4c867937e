"""The action choices of two branches that landed together, and the note's limit."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_text_limits_and_demo"),
    ]

    # Choices and a TextField's max_length live in the forms only: recorded for Django, the
    # database is not changed (on SQLite an AlterField would copy the whole table).
    operations = [
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
                            ("integrity_failed", "A stored file no longer matched its fingerprint"),
                            ("demo_remove", "Removed the demonstration data"),
                        ],
                        max_length=24,
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
                            ("shown", "Display copy shown"),
                            ("integrity_failed", "Stored file no longer matches its fingerprint"),
                            ("exported", "Dossier or package made"),
                            ("account_deleted", "Account deleted"),
                            ("demo_removed", "Demonstration data removed"),
                        ],
                        max_length=20,
                    ),
                ),
                migrations.AlterField(
                    model_name="lifechange",
                    name="note",
                    field=models.TextField(
                        blank=True,
                        help_text="For example: what it cost, how long, what you had to give up.",
                        max_length=5000,
                        verbose_name="more about it",
                    ),
                ),
            ],
        ),
    ]
