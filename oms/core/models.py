"""Shared model pieces (DESIGN 6): every editable record has a version and is never hard-deleted."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedModel(models.Model):
    """An editable record: a version for stale-edit checks; `active` instead of deletion."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def optional_person(verbose_name: Any) -> models.ForeignKey[Any, Any]:
    """Who did a step that may not have happened yet (who filed, approved, decided): a user,
    kept however the record ends (PROTECT), with no reverse relation on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class OneTimeLink(models.Model):
    """A one-time link sent to a customer (`oms.core.tokens`): only the token's hash is kept; it
    expires, and is used once. The order's confirmation, a shipment's acceptance and a change
    request through the link are its kinds."""

    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


_PHONE = re.compile(r"^(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")


def validate_phone(value: str) -> None:
    """A mainland mobile (13812345678), landline (021-12345678, extension allowed) or 400 number."""
    if value and not _PHONE.match(value.replace(" ", "")):
        raise ValidationError(_("电话号码格式不正确，例如 13812345678 或 021-12345678。"), code="phone")


validate_tax_number = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$|^[0-9A-Z]{15}$",
    _("纳税人识别号应为 18 位统一社会信用代码（或 15 位旧税号）。"),
    code="tax_number",
)


# The stored initials are bounded by the column (60) and by a number of readings: a long name
# with several polyphonic characters has more combinations than anyone types.
PINYIN_LIMIT = 60
PINYIN_VARIANTS = 12


def _initials_options(text: str) -> list[list[str]]:
    """Per segment, the initials it may be read with, the reading in context first."""
    # Imported on use: its phrase dictionary is ~57 MiB, and only writes of master data need it,
    # not every web process (issue 21, memory).
    from pypinyin import Style, pinyin

    usual = pinyin(text, style=Style.FIRST_LETTER, errors="default")
    every = pinyin(text, style=Style.FIRST_LETTER, heteronym=True, errors="default")
    if len(usual) != len(every):
        every = usual
    options = []
    for first, alternatives in zip(usual, every, strict=True):
        ordered = [re.sub(r"\s+", "", p).upper() for p in [first[0], *alternatives]]
        options.append(list(dict.fromkeys(ordered)))
    return options


def _readings(options: list[list[str]]) -> Iterator[str]:
    """The usual reading, then those with one character read otherwise, then two, and so on."""
    yield "".join(o[0] for o in options)
    polyphonic = [i for i, o in enumerate(options) if len(o) > 1]
    for k in range(1, len(polyphonic) + 1):
        for positions in itertools.combinations(polyphonic, k):
            for picks in itertools.product(*(options[i][1:] for i in positions)):
                chosen = dict(zip(positions, picks, strict=True))
                yield "".join(chosen.get(i, o[0]) for i, o in enumerate(options))


def pinyin_initials(text: str) -> str:
    """Upper-case pinyin initials of Chinese characters, others kept: 上海恒信 -> SHHX (A-1).
    A polyphonic character gives every reading, space-separated, the usual one first, so that
    both `CFDJ` and `SFDJ` find 伺服电机 (issue 23); bounded by the column and PINYIN_VARIANTS."""
    readings = _readings(_initials_options(text))
    stored = next(readings)[:PINYIN_LIMIT]
    count = 1
    for reading in readings:
        if count >= PINYIN_VARIANTS or len(stored) + 1 + len(reading) > PINYIN_LIMIT:
            break
        if reading and reading not in stored.split(" "):
            stored = f"{stored} {reading}"
            count += 1
    return stored


class IdempotencyRecord(models.Model):
    """The stored answer to a create sent with an Idempotency-Key: a retry gets it back (DESIGN 6)."""

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    body = models.TextField()
    # sha256 of the canonical request body: the same key with another body is refused. Empty on
    # records stored before the hash was kept; those answer as before.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]

    def __str__(self) -> str:
        return self.key


def recompute_pinyin(model: type[models.Model], *, batch: int = 1000) -> None:
    """Data migrations: the initials of every stored name, again (issue 23: all readings of a
    polyphonic character). In batches by primary key, so a large table is never held at once."""
    last = 0
    while True:
        rows = list(model._default_manager.filter(pk__gt=last).order_by("pk")[:batch])
        if not rows:
            return
        changed = []
        for row in rows:
            initials = pinyin_initials(row.name)  # type: ignore[attr-defined]
            if row.pinyin != initials:  # type: ignore[attr-defined]
                row.pinyin = initials  # type: ignore[attr-defined]
                changed.append(row)
        model._default_manager.bulk_update(changed, ["pinyin"])
        last = rows[-1].pk


class ChangeStamp(models.Model):
    """A token that a database trigger replaces by a random one on every write to the table it
    watches (`oms.core.stamps`), so that each process may keep what it read of that table for as
    long as the token stays the same (issue 21)."""

    key = models.CharField(max_length=40, primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}={self.token}"
