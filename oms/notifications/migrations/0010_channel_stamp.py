"""Issue 21: the notification channels' change stamp (`oms.core.stamps`): a trigger gives the stamp
a new token on every write of the channels, so each process keeps the channels it read until then."""

from django.db import migrations

from oms.core import stamps


def forwards(apps, schema_editor):
    stamps.install(schema_editor, table="notifications_channel", key="channels")


def backwards(apps, schema_editor):
    stamps.uninstall(schema_editor, table="notifications_channel", key="channels")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_change_stamps"),
        ("notifications", "0009_title_phrase"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
