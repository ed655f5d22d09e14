"""S-3 (issue 20.11): TOTP secrets and robots' signing secrets are encrypted at rest with a key kept
outside the database; the key can be rotated."""

from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from oms.audit.models import AuditEvent
from oms.core.crypto import PREFIX, decrypt, encrypted_fields
from oms.notifications.models import NotificationChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "secrets.key"
    path.write_text(Fernet.generate_key().decode() + "\n")
    settings.SECRETS_KEY_FILE = path
    return path


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_totp_and_channel_secrets_are_encrypted_in_the_database(key_file: Path, sales_staff: Any) -> None:
    """S-3: the database holds only ciphertext; the model reads the plain value."""
    sales_staff.totp_secret = "JBSWY3DPEHPK3PXP"
    sales_staff.save(update_fields=["totp_secret"])
    channel = NotificationChannel.objects.create(
        name="机器人", kind="dingtalk", webhook_url="http://x", secret="SECabc"
    )
    stored_totp = _stored("accounts_user", "totp_secret", sales_staff.pk)
    stored_secret = _stored("notifications_channel", "secret", channel.pk)
    assert stored_totp.startswith(PREFIX) and "JBSWY3DPEHPK3PXP" not in stored_totp
    assert stored_secret.startswith(PREFIX) and "SECabc" not in stored_secret
    assert type(sales_staff).objects.get(pk=sales_staff.pk).totp_secret == "JBSWY3DPEHPK3PXP"
    assert NotificationChannel.objects.get(pk=channel.pk).secret == "SECabc"


def test_every_secret_field_is_encrypted() -> None:
    """S-3: the two kinds of secret at rest are the encrypted fields."""
    assert {(m._meta.label, f) for m, f in encrypted_fields()} == {
        ("accounts.User", "totp_secret"),
        ("notifications.NotificationChannel", "secret"),
    }


def test_data_migration_encrypts_existing_plain_values(key_file: Path) -> None:
    """S-3: values stored in plain text before the change are encrypted by the data migration."""
    channel = NotificationChannel.objects.create(name="旧", kind="wecom", webhook_url="http://x")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notifications_channel SET secret = 'plain-old' WHERE id = %s", [channel.pk])
    assert NotificationChannel.objects.get(pk=channel.pk).secret == "plain-old"  # a legacy value still reads
    migration = importlib.import_module("oms.notifications.migrations.0007_encrypt_channel_secret")
    # A data migration runs with the models as they were at its point in history.
    historical = (
        MigrationLoader(connection).project_state(("notifications", "0007_encrypt_channel_secret")).apps
    )
    migration.encrypt_existing(historical, None)
    stored = _stored("notifications_channel", "secret", channel.pk)
    assert stored.startswith(PREFIX)
    assert decrypt(stored) == "plain-old"


def test_rotation_re_encrypts_with_a_new_key_and_drops_the_old(key_file: Path, sales_staff: Any) -> None:
    """S-3: rotate_secrets_key re-encrypts every value under a new key, drops the old key, and is audited."""
    old_key = key_file.read_text().strip()
    sales_staff.totp_secret = "JBSWY3DPEHPK3PXP"
    sales_staff.save(update_fields=["totp_secret"])
    channel = NotificationChannel.objects.create(
        name="机器人", kind="dingtalk", webhook_url="http://x", secret="SECabc"
    )
    out = StringIO()
    call_command("rotate_secrets_key", stdout=out)
    new_key = key_file.read_text().strip()
    assert new_key != old_key and "\n" not in new_key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    stored = _stored("notifications_channel", "secret", channel.pk)
    assert Fernet(new_key.encode()).decrypt(stored.removeprefix(PREFIX).encode()) == b"SECabc"
    assert NotificationChannel.objects.get(pk=channel.pk).secret == "SECabc"
    assert type(sales_staff).objects.get(pk=sales_staff.pk).totp_secret == "JBSWY3DPEHPK3PXP"
    assert "re-encrypted 2 secrets" in out.getvalue()
    assert AuditEvent.objects.filter(action="secrets.key_rotated").get().after == {"values": 2}


def test_key_files_are_created_owner_only(tmp_path: Path, monkeypatch: Any) -> None:
    """S-2, S-3: a fresh instance folder gets its audit and secrets keys on first start, mode 0600."""
    import subprocess
    import sys

    from django.conf import settings

    var = tmp_path / "var"
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "OMS_VAR_DIR": str(var),
        },
        check=True,
    )
    for name in ("audit.key", "secrets.key"):
        assert oct((var / name).stat().st_mode & 0o777) == "0o600", name
    Fernet((var / "secrets.key").read_text().strip().encode())  # a valid Fernet key
