"""Backups (Q-3): a consistent copy of the database and the uploaded files, with a manifest of
SHA-256 hashes, and its restore into an empty instance. The manifest carries an anchor of the
audit chain (S-2) and names the key files, which are NOT in the backup: keep them separately
(ADR 0014) — without the audit key the chain cannot be verified, without the secrets key the
two-factor and signing secrets cannot be read.

SQLite is copied with its online backup API (consistent while the application runs); PostgreSQL
with `pg_dump` in its custom format, restored with `pg_restore`. Uploaded files travel as one
tar.gz. A restore refuses a target that already holds data: it never overwrites a live system.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from oms.audit.anchors import write_anchor

MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name: str) -> str:
    """The PostgreSQL client program's full path (Debian's postgresql-client)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def _pg_args(db: dict[str, Any]) -> list[str]:
    return [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER")),
    ]


def _run(program: str, args: list[str], db: dict[str, Any], what: str) -> str:
    """Run a PostgreSQL client program against `db`; its stdout, or BackupError naming `what`."""
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [_tool(program), *_pg_args(db), *args],
        env=_pg_env(db),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{what}: {result.stderr.strip()}")
    return result.stdout


def backup(out_dir: Path, *, alias: str = "default", media_root: Path | None = None) -> Path:
    """Write a backup folder under `out_dir` and return it."""
    connection = connections[alias]
    vendor = connection.vendor
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = Path(out_dir) / f"oms-backup-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    files: dict[str, str] = {}
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target / "db.sqlite3")
        try:
            connection.connection.backup(copy)  # the online backup API: consistent while in use
        finally:
            copy.close()
        files["db.sqlite3"] = ""
    elif vendor == "postgresql":
        db = connection.settings_dict
        _run(
            "pg_dump",
            ["-Fc", "--no-owner", "-d", str(db["NAME"]), "-f", str(target / "db.dump")],
            db,
            "pg_dump failed",
        )
        files["db.dump"] = ""
    else:
        raise BackupError(f"unsupported database: {vendor}")
    media = Path(media_root or settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    files["media.tar.gz"] = ""
    for name in files:
        files[name] = _sha256(target / name)
    # S-2: every backup anchors the audit chain (appended to the anchor file too), so that a
    # restored or later chain shorter than this, or different at this point, fails verification.
    anchor = write_anchor(source="backup", force=True)
    manifest = {
        "engine": vendor,
        "created_at": datetime.now().astimezone().isoformat(),
        "files": files,
        "audit_anchor": anchor,
        "key_files": [str(settings.AUDIT_KEY_FILE), str(settings.SECRETS_KEY_FILE)],
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def _check(source: Path) -> dict[str, Any]:
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{source} has no {MANIFEST}: not a backup folder")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.exists() or _sha256(path) != expected:
            raise BackupError(f"{name} is missing or does not match its SHA-256 in the manifest")
    return manifest


def _empty_sqlite(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(path) as conn:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    return bool(tables == 0)


def _empty_postgres(db: dict[str, Any]) -> bool:
    tables = _run(
        "psql",
        [
            "-d",
            str(db["NAME"]),
            "-Atc",
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        ],
        db,
        "cannot read the target database",
    )
    return tables.strip() == "0"


def restore(source: Path, *, db: dict[str, Any], media_root: Path) -> dict[str, Any]:
    """Restore a backup folder into an empty database (settings-style dict) and media folder."""
    manifest = _check(Path(source))
    engine = manifest["engine"]
    media_root = Path(media_root)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore only into an empty instance")
    if engine == "sqlite":
        if "sqlite" not in str(db["ENGINE"]):  # django.db.backends.sqlite3 or oms.core.sqlite
            raise BackupError("the backup is of SQLite; the target is not")
        target = Path(str(db["NAME"]))
        if not _empty_sqlite(target):
            raise BackupError(f"{target} already holds data: restore only into an empty instance")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(Path(source) / "db.sqlite3") as src, sqlite3.connect(target) as dst:
            src.backup(dst)
    elif engine == "postgresql":
        if "postgresql" not in str(db["ENGINE"]):
            raise BackupError("the backup is of PostgreSQL; the target is not")
        if not _empty_postgres(db):
            raise BackupError(f"database {db['NAME']} already holds tables: restore only into an empty one")
        _run(
            "pg_restore",
            [
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                str(db["NAME"]),
                str(Path(source) / "db.dump"),
            ],
            db,
            "pg_restore failed",
        )
    else:
        raise BackupError(f"unsupported engine in the manifest: {engine}")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(Path(source) / "media.tar.gz", "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("media/") and m.name != "media"]
        for member in members:
            member.name = member.name.removeprefix("media/")
        tar.extractall(media_root, members=members, filter="data")
    return manifest
