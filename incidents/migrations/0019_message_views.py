"""Incidents cite imported texts and calls ("these 14 texts"): two links, kept in history and
the custody log like the police contacts' incidents."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0018_messages'),
    ]

    operations = [
        migrations.AddField(
            model_name='incident',
            name='calls',
            field=models.ManyToManyField(blank=True, related_name='incidents', to='incidents.call', verbose_name='calls cited'),
        ),
        migrations.AddField(
            model_name='incident',
            name='messages',
            field=models.ManyToManyField(blank=True, related_name='incidents', to='incidents.message', verbose_name='texts cited'),
        ),
    ]
