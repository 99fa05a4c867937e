"""Indexes for reading imported texts and calls: the (person, time) index of each kind now also
holds the columns the counting pages read (direction, outcome, hidden, deleted), so the timeline,
home and the charts count from the index without reading the rows; and the live items of each
import, which the steps page counts."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0022_custody_batches'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='call',
            name='call_case_started_idx',
        ),
        migrations.RemoveIndex(
            model_name='message',
            name='message_case_sent_idx',
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['case', 'started_at', 'direction', 'outcome', 'hidden_at', 'deleted_at'], name='call_case_time_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['source'], name='call_live_source_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['case', 'sent_at', 'direction', 'hidden_at', 'deleted_at'], name='message_case_time_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['source'], name='message_live_source_idx'),
        ),
    ]
