"""`manage.py rotate_secrets_key`: encrypt every secret at rest with a new key (S-3, ADR 0014).

1. A new Fernet key is put first in the key file, the old keys kept after it: from here on every
   value (old or new) can be read.
2. Every encrypted value is written again, now under the new key.
3. The old keys are dropped from the file.
A crash between the steps leaves a file that still opens every value; run the command again.
Back up the new key file right after (README, Backup).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand
from django.db import transaction

from oms.audit import recorder
from oms.core.crypto import encrypted_fields, key_file, read_keys


def _write_keys(path: Path, keys: list[bytes]) -> None:
    """Replace the file atomically, owner-only (0600)."""
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("".join(k.decode() + "\n" for k in keys))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Command(BaseCommand):
    help = "Re-encrypt every secret at rest with a new key and drop the old key (S-3)."

    def handle(self, *args: Any, **options: Any) -> None:
        path = key_file()
        old = read_keys(path)
        new = Fernet.generate_key()
        _write_keys(path, [new, *old])
        count = 0
        with transaction.atomic():
            for model, name in encrypted_fields():
                rows = model._default_manager.exclude(**{name: ""}).values_list("pk", name)
                for pk, value in rows.iterator():
                    model._default_manager.filter(pk=pk).update(**{name: value})
                    count += 1
            recorder.record(
                actor="rotate_secrets_key",
                obj=None,
                action="secrets.key_rotated",
                after={"values": count},
                object_type="secrets",
                object_id=path.name,
                object_repr=str(path),
            )
        _write_keys(path, [new])
        self.stdout.write(
            f"re-encrypted {count} secrets with a new key in {path}; back this file up now (the old key is gone)."
        )
