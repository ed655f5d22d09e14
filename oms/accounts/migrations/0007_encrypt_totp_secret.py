import oms.core.crypto
from oms.core.crypto import decrypt
from django.db import migrations


def encrypt_existing(apps, schema_editor):
    """Issue 20.11: every stored secret is written again through the encrypted field (a plain
    value reads as itself and is written encrypted with the key file's first key)."""
    model = apps.get_model("accounts", "User")
    for pk, value in model.objects.exclude(totp_secret="").values_list("pk", "totp_secret"):
        model.objects.filter(pk=pk).update(totp_secret=value)


def decrypt_existing(apps, schema_editor):
    """Back to plain text (raw SQL: the field would encrypt again)."""
    model = apps.get_model("accounts", "User")
    table = schema_editor.connection.ops.quote_name(model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, totp_secret FROM {table} WHERE totp_secret <> ''")
        for pk, stored in cursor.fetchall():
            cursor.execute(f"UPDATE {table} SET totp_secret = %s WHERE id = %s", [decrypt(stored), pk])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_is_customer"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=oms.core.crypto.EncryptedTextField(
                blank=True, editable=False, max_length=64, verbose_name="两步验证密钥"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
