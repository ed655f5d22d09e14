"""Q-3: a backup restores into a fresh, empty instance with every table equal and the audit chain
intact (verified on the restored copy by the same command an operator runs)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from oms.intake.tests.fixtures import confirmed_order
from oms.ops.backup import BackupError, backup, restore

ROOT = Path(settings.BASE_DIR)


def _tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))


def _rows(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")
    return [tuple(str(v) for v in row) for row in cursor.fetchall()]


def _verify(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit_chain"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _media(tmp_path: Path, settings: Any) -> Path:
    media = tmp_path / "media"
    (media / "orders").mkdir(parents=True)
    (media / "orders" / "original.pdf").write_bytes(b"%PDF-1.4 original")
    settings.MEDIA_ROOT = media
    return media


def _manage(*args: str, url: str, var: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "OMS_DATABASE_URL": url,
            "OMS_VAR_DIR": str(var),
        },
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A file-based SQLite instance with the demo data and an upload, and its backup folder.

    It runs as the operator would, through manage.py: the online backup API cannot copy the
    test database while the test holds it in an open transaction."""
    base = tmp_path_factory.mktemp("sqlite_backup")
    source = base / "source.sqlite3"
    url = f"sqlite:///{source}"
    _manage("migrate", "-v0", url=url, var=base / "var")
    _manage("load_demo", url=url, var=base / "var")
    upload = base / "var" / "media" / "orders"
    upload.mkdir(parents=True, exist_ok=True)
    (upload / "original.pdf").write_bytes(b"%PDF-1.4 original")
    out = _manage("backup", "--out", str(base / "backups"), url=url, var=base / "var")
    return source, Path(out.stdout.strip())


def _sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in sorted(tables)}


def test_sqlite_round_trip(sqlite_backup: tuple[Path, Path], tmp_path: Path) -> None:
    source, folder = sqlite_backup
    target = tmp_path / "restored.sqlite3"
    url = f"sqlite:///{target}"
    restored = _manage("restore", str(folder), url=url, var=tmp_path / "var")
    assert restored.stdout.startswith("restored sqlite backup of ")
    expected = _sqlite_rows(source)
    assert expected["audit_auditevent"], "the demo data leaves audit events to compare"
    assert _sqlite_rows(target) == expected
    assert (tmp_path / "var" / "media" / "orders" / "original.pdf").read_bytes() == b"%PDF-1.4 original"
    # S-2: the restored instance verifies with the source's audit key (kept beside the backup)
    # and against the anchor the backup carried into its manifest.
    key = folder.parent.parent / "var" / "audit.key"
    verified = _verify(
        {"OMS_DATABASE_URL": url, "OMS_VAR_DIR": str(tmp_path / "var"), "OMS_AUDIT_KEY_FILE": str(key)}
    )
    assert verified.returncode == 0, verified.stderr
    assert "audit chain intact" in verified.stdout
    assert "consistent with 1 anchors" in verified.stdout


def test_backup_anchors_the_audit_chain_in_its_manifest(sqlite_backup: tuple[Path, Path]) -> None:
    """S-2: a backup appends an anchor (latest seq and hash, with its HMAC) to the instance's
    anchor file and copies it into the manifest."""
    source, folder = sqlite_backup
    manifest = json.loads((folder / "manifest.json").read_text())
    with sqlite3.connect(source) as conn:
        seq, digest = conn.execute(
            "SELECT seq, hash FROM audit_auditevent ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (manifest["audit_anchor"]["seq"], manifest["audit_anchor"]["hash"]) == (seq, digest)
    assert manifest["audit_anchor"]["source"] == "backup"
    lines = (folder.parent.parent / "var" / "audit-anchors.jsonl").read_text().splitlines()
    assert json.loads(lines[-1]) == manifest["audit_anchor"]


def test_restore_refuses_a_target_with_data(sqlite_backup: tuple[Path, Path], tmp_path: Path) -> None:
    source, folder = sqlite_backup
    before = source.read_bytes()
    with pytest.raises(BackupError, match="already holds data"):
        restore(
            folder,
            db={"ENGINE": "django.db.backends.sqlite3", "NAME": str(source)},
            media_root=tmp_path / "media",
        )
    assert source.read_bytes() == before
    assert not (tmp_path / "media").exists()


def test_a_tampered_backup_is_refused(sqlite_backup: tuple[Path, Path], tmp_path: Path) -> None:
    _, folder = sqlite_backup
    tampered = tmp_path / "tampered"
    shutil.copytree(folder, tampered)
    with (tampered / "media.tar.gz").open("ab") as fh:
        fh.write(b"x")
    target = tmp_path / "x.sqlite3"
    with pytest.raises(BackupError, match="SHA-256"):
        restore(
            tampered,
            db={"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)},
            media_root=tmp_path / "m2",
        )
    assert not target.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL round trip (pg_dump/pg_restore); CI runs it there",
)
def test_postgresql_round_trip(more_heads, tmp_path, settings) -> None:
    import psycopg
    from psycopg.types.string import TextLoader

    media = _media(tmp_path, settings)
    confirmed_order(more_heads)
    folder = backup(tmp_path / "backups", media_root=media)
    db = settings.DATABASES["default"]
    name = f"oms_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        restore(folder, db={**db, "NAME": name}, media_root=tmp_path / "m2")
        with (
            psycopg.connect(
                host=db["HOST"],
                port=db["PORT"],
                user=db["USER"],
                password=db["PASSWORD"] or None,
                dbname=name,
            ) as restored,
            connection.cursor() as source,
        ):
            # Django reads JSON columns as text; read the copy the same way.
            restored.adapters.register_loader("jsonb", TextLoader)
            restored.adapters.register_loader("json", TextLoader)
            for table in _tables():
                assert _rows(restored.cursor(), table) == _rows(source, table), table
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
        verified = _verify(
            {
                "OMS_DATABASE_URL": url,
                "OMS_VAR_DIR": str(tmp_path / "var"),
                "OMS_AUDIT_KEY_FILE": str(settings.AUDIT_KEY_FILE),
            }
        )
        assert verified.returncode == 0, verified.stderr
        assert "audit chain intact" in verified.stdout
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
