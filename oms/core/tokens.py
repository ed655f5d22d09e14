"""One-time links for customers (D-2, I-1, K-3, N-1): the link carries a random token, the
database keeps only its SHA-256, so a leaked database opens no link."""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token for the link, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
