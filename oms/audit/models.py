"""The append-only, hash-chained audit log (S-2, P-5, DESIGN 7)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Scheme(models.IntegerChoices):
    """How an event's hash is made. Events written before the chain was keyed keep their plain
    hash (never rewritten); every later one is keyed and numbered (S-2, ADR 0014)."""

    PLAIN = 1, "sha256"
    KEYED = 2, "hmac-sha256"


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit event through the ORM."""


class AuditJSONEncoder(DjangoJSONEncoder):
    """Records by primary key, files by name: what the log needs to say which one it was."""

    def default(self, o: Any) -> Any:
        if isinstance(o, models.Model):
            return o.pk
        if isinstance(o, FieldFile | File):
            return o.name or ""
        return super().default(o)


def canonical_json(value: Any) -> str:
    return json.dumps(value, cls=AuditJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def normalise(value: Any) -> Any:
    """What the JSON column gives back, so that the hash of a stored row can be recomputed."""
    return json.loads(canonical_json(value))


class AuditEvent(models.Model):
    """One decision or change: who, when, what, before/after, why; never updated or deleted."""

    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    action = models.CharField(_("动作"), max_length=100, db_index=True)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)
    # Both null on events written before the chain was keyed: adding nullable columns leaves the
    # old rows untouched (no UPDATE), and null reads as the plain scheme.
    seq = models.BigIntegerField(_("序号"), null=True, blank=True)
    scheme = models.PositiveSmallIntegerField(_("哈希方式"), choices=Scheme.choices, null=True, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(seq__isnull=False), name="audit_event_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, chained: bool = False, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)
        if not chained:
            # Appended other than by the recorder: the recorder reads the chain's tail again.
            from django.db import connection

            connection._oms_audit_tail = None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")

    def payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that survives a round trip through the database."""
        when = (
            self.occurred_at.astimezone(UTC)
            if self.occurred_at.tzinfo
            else self.occurred_at.replace(tzinfo=UTC)
        )
        return {
            "occurred_at": when.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "request_id": self.request_id,
        }

    @property
    def keyed(self) -> bool:
        return self.scheme == Scheme.KEYED

    def compute_hash(self) -> str:
        """Plain events: sha256(prev_hash + payload). Keyed events: HMAC-SHA256 under the audit
        key over prev_hash + payload with the sequence number, so that neither content nor
        position can be recomputed without the key file (S-2)."""
        if not self.keyed:
            return hashlib.sha256((self.prev_hash + canonical_json(self.payload())).encode()).hexdigest()
        from oms.audit.keys import mac

        return mac(self.prev_hash + canonical_json({**self.payload(), "seq": self.seq}))


def utcnow() -> datetime:
    return datetime.now(UTC)
