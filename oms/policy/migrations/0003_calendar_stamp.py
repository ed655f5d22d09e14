"""Issue 21: the working calendar's change stamp (`oms.core.stamps`): a trigger gives the stamp a
new token on every write of the calendar, so each process keeps the table it read until then."""

from django.db import migrations

from oms.core import stamps


def forwards(apps, schema_editor):
    stamps.install(schema_editor, table="policy_calendarday", key="calendar")


def backwards(apps, schema_editor):
    stamps.uninstall(schema_editor, table="policy_calendarday", key="calendar")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_change_stamps"),
        ("policy", "0002_defaults"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
