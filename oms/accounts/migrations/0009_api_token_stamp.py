"""Issue 21: the API tokens' change stamp (`oms.core.stamps`): a write of a token, a user or a
department gives it a new token, so each process keeps the tokens it authenticated until then
and a revocation or a deactivation is seen by the next request in every process."""

from django.db import migrations

from oms.core import stamps

TABLES = ("accounts_apitoken", "accounts_user", "accounts_department")


def forwards(apps, schema_editor):
    for table in TABLES:
        stamps.install(schema_editor, table=table, key="api_tokens")


def backwards(apps, schema_editor):
    for table in TABLES:
        stamps.uninstall(schema_editor, table=table, key="api_tokens")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_change_stamps"),
        ("accounts", "0008_merge_20261205_0602"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
