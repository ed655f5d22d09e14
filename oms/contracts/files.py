"""Checking uploads (E-2, M-4): not empty, under the policy's size limit, of the kind required."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from oms.core.errors import FieldErrors

_SIGNATURES = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg"}


def kind_of(head: bytes) -> str:
    for magic, kind in _SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return ""


def check_upload(upload: Any, *, field: str, max_mb: int, scan_only: bool) -> str:
    """Return the file's SHA-256; refuse empty, oversized, or (for scans) non-PDF/image files."""
    if upload is None:
        raise FieldErrors({field: _("请选择文件。")})
    size = upload.size or 0
    if size == 0:
        raise FieldErrors({field: _("文件是空的。")})
    if size > max_mb * 1024 * 1024:
        raise FieldErrors({field: _("文件超过 %(n)s MB 的上限。") % {"n": max_mb}})
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        head = head or chunk[:8]
        digest.update(chunk)
    upload.seek(0)
    if scan_only and not kind_of(head):
        raise FieldErrors({field: _("只接受 PDF 或图片（PNG、JPEG）。")})
    return digest.hexdigest()
