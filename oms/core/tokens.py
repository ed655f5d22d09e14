"""One-time links for customers (D-2, I-1, K-3, N-1): the link carries a random token, the
database keeps only its SHA-256, so a leaked database opens no link. A link is valid for a
limited time and is used once; `redeem` is the one place that checks both."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from oms.core.errors import ActionError, NotAllowed

LinkT = TypeVar("LinkT", bound=Model)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token for the link, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def expires_after(**delta: float) -> datetime:
    """When a link issued now stops working (`hours=` or `days=` from the policy)."""
    return timezone.now() + timedelta(**delta)


def find(links: QuerySet[LinkT], token: str) -> LinkT | None:
    """The link a token opens, if any (for showing the page behind it)."""
    return links.filter(token_hash=token_hash(token)).first() if token else None


@dataclass(frozen=True)
class Refusals:
    """What the customer is told, per kind of link, when it cannot be used."""

    invalid: Any
    used: Any
    expired: Any


def expired(link: Model) -> bool:
    """Whether the link's time is up; a link without an expiry time was never issued (a survey
    invitation before its salesperson sends the link), so it counts as expired."""
    expires_at: datetime | None = getattr(link, "expires_at")  # noqa: B009 - every link model has it; not typed on Model
    return expires_at is None or expires_at <= timezone.now()


def redeem(
    links: QuerySet[LinkT],
    token: str,
    refusals: Refusals,
    *,
    used_field: str = "used_at",
    of: Sequence[str] = (),
) -> LinkT:
    """The link locked for use: a forged token is not allowed; a used or expired one is refused.
    The caller marks it used in the same transaction. `used_field` names the field set when the
    link is used (a survey invitation's `answered_at`); `of` narrows the lock as in
    `select_for_update(of=...)`: `("self",)` when `links` follows a nullable relation, whose
    outer join PostgreSQL cannot lock."""
    link = find(links.select_for_update(of=tuple(of)), token)
    if link is None:
        raise NotAllowed(str(refusals.invalid))
    if getattr(link, used_field) is not None:
        raise ActionError(str(refusals.used))
    if expired(link):
        raise ActionError(str(refusals.expired))
    return link
