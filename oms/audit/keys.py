"""The audit chain's key: kept outside the database so that whoever can write the database alone
cannot recompute the chain (S-2, ADR 0014)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from django.conf import settings


class AuditKeyMissing(Exception):
    """The key file is absent or empty: keyed events can be neither written nor verified."""


@lru_cache(maxsize=4)
def _read(path: str, mtime_ns: int) -> bytes:
    key = Path(path).read_text(encoding="ascii").strip()
    if not key:
        raise AuditKeyMissing(f"the audit key file {path} is empty")
    return key.encode("ascii")


def audit_key() -> bytes:
    """The key in settings.AUDIT_KEY_FILE; read again only when the file changes."""
    path = Path(settings.AUDIT_KEY_FILE)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise AuditKeyMissing(f"the audit key file {path} is missing: restore it from the backup") from exc
    return _read(str(path), mtime)


def mac(message: str) -> str:
    """HMAC-SHA256 of `message` under the audit key, hex."""
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()
