"""`manage.py restore FOLDER`: restore a backup into this instance's empty database and media
folder (Q-3). Run `migrate` is not needed: the backup carries the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from oms.audit.anchors import append_anchor_line
from oms.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and an empty media folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder")

    def handle(self, *args: Any, **options: Any) -> None:
        connections["default"].close()  # SQLite: the file is written by the backup API, not Django
        try:
            manifest = restore(
                Path(options["folder"]),
                db=settings.DATABASES["default"],
                media_root=Path(settings.MEDIA_ROOT),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {manifest['engine']} backup of {manifest['created_at']}")
        anchor = manifest.get("audit_anchor")
        if anchor:
            # S-2: the backup's anchor joins this instance's anchors, so verification checks the
            # restored chain against it (its HMAC holds only with the restored audit key).
            append_anchor_line(json.dumps(anchor, sort_keys=True, ensure_ascii=False))
        self.stdout.write(
            "Restore the key files too (OMS_AUDIT_KEY_FILE, OMS_SECRETS_KEY_FILE; ADR 0014), then run verify_audit_chain."
        )
