"""Secrets at rest (S-3, issue 20.11): values encrypted with a key kept outside the database.

The key file (settings.SECRETS_KEY_FILE, generated on first start, 0600) holds Fernet keys, one a
line: the first encrypts, every one decrypts, so that `manage.py rotate_secrets_key` can add a
new key, re-encrypt every value and then drop the old one without a moment where a value cannot
be read (ADR 0014). Stored values carry a prefix; a value without it is a legacy plain one (read
as is until the data migration has encrypted it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


class SecretsKeyError(Exception):
    """The key file is missing, or holds no key that opens a stored value."""


def key_file() -> Path:
    return Path(settings.SECRETS_KEY_FILE)


def read_keys(path: Path | None = None) -> list[bytes]:
    path = path or key_file()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise SecretsKeyError(f"the secrets key file {path} is missing: restore it from the backup") from exc
    keys = [line.strip().encode() for line in text.splitlines() if line.strip()]
    if not keys:
        raise SecretsKeyError(f"the secrets key file {path} holds no key")
    return keys


@lru_cache(maxsize=4)
def _fernet(path: str, mtime_ns: int) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in read_keys(Path(path))])


def fernet() -> MultiFernet:
    """The keys in the file; read again only when the file changes (rotation)."""
    path = key_file()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise SecretsKeyError(f"the secrets key file {path} is missing: restore it from the backup") from exc
    return _fernet(str(path), mtime)


def encrypt(value: str) -> str:
    """The stored form of `value`; the empty string stays empty (no secret set)."""
    if not value:
        return ""
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored  # empty, or a legacy plain value not yet encrypted
    try:
        return fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as exc:
        raise SecretsKeyError("no key in the secrets key file opens a stored secret") from exc


class EncryptedTextField(models.TextField):
    """A secret string, plain in Python, encrypted in the database (S-3).

    Not searchable (each encryption differs); `max_length` limits the plain value in forms."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, str) and not value.startswith(PREFIX):
            return encrypt(value)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) stored encrypted, for rotation and the data migrations."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
