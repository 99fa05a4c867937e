"""Sign-in guard: the devices that have signed in before, the count of guesses at each user
name, and no form data left in django-axes' table of failed tries (it held, among other
things, the new password typed beside a wrong current one)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def forget_form_data(apps, schema_editor):
    """Blank the form data axes kept, and keep each user name only as the keyed hash the app
    now counts by (incidents.sign_in.name_key), so a password typed into the name box goes too.
    The counts stay: an upgrade does not lift a pause."""
    attempts = apps.get_model("axes", "AccessAttempt")
    if schema_editor.connection.vendor == "sqlite":
        # Overwrite the old text on disk too, not only mark it free.
        schema_editor.execute("PRAGMA secure_delete=ON")
    attempts.objects.exclude(get_data="", post_data="").update(get_data="", post_data="")
    for attempt in attempts.objects.exclude(username=None).iterator():
        if len(attempt.username) == 64 and all(c in "0123456789abcdef" for c in attempt.username):
            continue  # already a key
        attempt.username = salted_hmac(
            "incidents.sign_in.name", attempt.username, algorithm="sha256"
        ).hexdigest()
        attempt.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_custody_log"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.CreateModel(
            name="KnownDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_used_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("failures", models.PositiveSmallIntegerField(default=0)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="known_devices",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-last_used_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="SignInGuesses",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name_hash", models.CharField(max_length=64, unique=True)),
                ("failures", models.PositiveIntegerField(default=0)),
                ("last_failure_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name_plural": "sign-in guesses",
                "indexes": [
                    models.Index(fields=["last_failure_at"], name="guesses_last_failure_idx")
                ],
            },
        ),
        migrations.RunPython(forget_form_data, migrations.RunPython.noop),
    ]
