"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s) for two-factor login
(S-3). Any authenticator app (Google Authenticator, Microsoft Authenticator, 阿里云 APP...) reads
the otpauth URI."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def code_at(secret: str, at: float, *, digits: int = DIGITS) -> str:
    counter = int(at // STEP)
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def verify(secret: str, code: str, *, at: float | None = None) -> bool:
    """The code of this step or the one either side (clocks drift), compared in constant time."""
    if not secret or not code:
        return False
    now = time.time() if at is None else at
    given = code.strip().replace(" ", "")
    return any(hmac.compare_digest(code_at(secret, now + d * STEP), given) for d in (-1, 0, 1))


def uri(secret: str, *, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP}"
