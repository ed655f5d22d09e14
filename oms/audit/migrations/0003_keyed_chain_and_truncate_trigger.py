from django.conf import settings
from django.db import migrations, models

from oms.audit import triggers


def install_triggers(apps, schema_editor):
    """S-2: refuse TRUNCATE as well (PostgreSQL); reinstalled on SQLite too, in case the new
    columns made the engine rebuild the table. The old events are not touched: the new columns
    are nullable, null meaning the plain (unkeyed) scheme."""
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='scheme',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(1, 'sha256'), (2, 'hmac-sha256')], null=True, verbose_name='哈希方式'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='序号'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(condition=models.Q(('seq__isnull', False)), fields=('seq',), name='audit_event_seq_unique'),
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
