"""`manage.py backup [--out DIR]`: a consistent backup of the database and uploaded files (Q-3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oms.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder with a SHA-256 manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        # The instance folder, also when the uploads are elsewhere (OMS_MEDIA_ROOT, issue 24.4).
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup(Path(options["out"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
        # S-2, S-3: the keys live outside the database and outside the backup (ADR 0014).
        self.stderr.write(
            "Keep these key files safe and separate from the backup (a restore needs them: the audit "
            "chain cannot be verified without the first, encrypted secrets cannot be read without the "
            f"second): {settings.AUDIT_KEY_FILE} {settings.SECRETS_KEY_FILE}; the audit anchors are in "
            f"{settings.AUDIT_ANCHOR_FILE} and in the manifest."
        )
        backend = settings.STORAGES["default"]["BACKEND"]
        if backend != "django.core.files.storage.FileSystemStorage":
            # Issue 24.4: uploads in object storage are not in MEDIA_ROOT, so not in this folder.
            self.stderr.write(
                f"Uploaded files are kept by {backend}, not in this backup: protect them with the "
                "bucket's versioning or replication (docs/deployment.md, Backup and restore)."
            )
