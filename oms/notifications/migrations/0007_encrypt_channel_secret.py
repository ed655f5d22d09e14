import oms.core.crypto
from oms.core.crypto import decrypt
from django.db import migrations


def encrypt_existing(apps, schema_editor):
    """Issue 20.11: every stored secret is written again through the encrypted field (a plain
    value reads as itself and is written encrypted with the key file's first key)."""
    model = apps.get_model("notifications", "Channel")
    for pk, value in model.objects.exclude(secret="").values_list("pk", "secret"):
        model.objects.filter(pk=pk).update(secret=value)


def decrypt_existing(apps, schema_editor):
    """Back to plain text (raw SQL: the field would encrypt again)."""
    model = apps.get_model("notifications", "Channel")
    table = schema_editor.connection.ops.quote_name(model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table} WHERE secret <> ''")
        for pk, stored in cursor.fetchall():
            cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [decrypt(stored), pk])


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0006_choices_kept'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channel',
            name='secret',
            field=oms.core.crypto.EncryptedTextField(blank=True, max_length=200, verbose_name='加签密钥'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
