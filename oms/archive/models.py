"""The order archive (M-2): a filed order, its retention and disposal; the access requests
(查询申请表) that let someone else read it, and the access log (查阅登记) (M-3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.core.models import optional_person


class Category(models.TextChoices):
    CLOSED = "closed", _("已完成订单")
    CANCELLED = "cancelled", _("已取消订单")


class ArchiveStatus(models.TextChoices):
    FILED = "filed", _("在档")
    DISPOSAL_REQUESTED = "disposal_requested", _("销毁待批准")
    DISPOSED = "disposed", _("已销毁")


class ArchiveRecord(models.Model):
    """M-2: one archived order, classified by date and category, kept until `retention_until`."""

    number = models.CharField(_("档案号"), max_length=60, unique=True)
    order = models.OneToOneField(
        "orders.SalesOrder", on_delete=models.PROTECT, related_name="archive_record", verbose_name=_("订单")
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ArchiveStatus.choices, default=ArchiveStatus.FILED, db_index=True
    )
    completed_on = models.DateField(_("完成日期"), db_index=True)
    filed_at = models.DateTimeField(_("归档时间"), default=timezone.now)
    filed_by = optional_person(_("归档人"))
    retention_years = models.PositiveSmallIntegerField(_("保存期限（年）"))
    retention_until = models.DateField(_("保存至"), db_index=True)
    disposal_reason = models.TextField(_("销毁理由"), blank=True)
    disposal_requested_by = optional_person(_("申请销毁人"))
    disposal_requested_at = models.DateTimeField(_("申请销毁时间"), null=True, blank=True)
    disposal_decided_by = optional_person(_("销毁审批人"))
    disposal_decided_at = models.DateTimeField(_("销毁审批时间"), null=True, blank=True)
    disposal_note = models.TextField(_("审批意见"), blank=True)
    disposed_files = models.JSONField(_("已销毁文件清单"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("订单档案")
        verbose_name_plural = _("订单档案")
        ordering = ["-completed_on", "-pk"]
        indexes = [models.Index(fields=["status", "retention_until"])]

    def __str__(self) -> str:
        return self.number

    def retention_ended(self, today: Any) -> bool:
        return bool(self.retention_until < today)

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever asked for a disposal never decides it (M-2)."""
        return {self.disposal_requested_by_id}


class AccessStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class AccessRequest(models.Model):
    """M-3: a request to read an archived order, with its reason, decided by the requester's
    department head; an approval grants reading until `granted_until`."""

    record = models.ForeignKey(
        ArchiveRecord, on_delete=models.PROTECT, related_name="access_requests", verbose_name=_("档案")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    approver = optional_person(_("审批人"))
    reason = models.TextField(_("查阅原因"))
    status = models.CharField(
        _("状态"), max_length=20, choices=AccessStatus.choices, default=AccessStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    granted_until = models.DateTimeField(_("查阅有效期至"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("查询申请")
        verbose_name_plural = _("查询申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requester", "record", "status"])]

    def __str__(self) -> str:
        return f"{self.record} · {self.requester}"

    def active(self, now: Any) -> bool:
        return bool(
            self.status == AccessStatus.APPROVED
            and self.granted_until is not None
            and self.granted_until > now
        )

    def raiser_ids(self) -> set[int | None]:
        """P-5: nobody approves their own query request (M-3)."""
        return {self.requester_id}


class AccessKind(models.TextChoices):
    VIEW = "view", _("查看")
    PACKET = "packet", _("下载档案包")
    FILE = "file", _("下载文件")


class AccessLogError(Exception):
    pass


class AccessLog(models.Model):
    """M-3: the access log (查阅登记): who read or downloaded which archived order, when, on which
    grant. Rows are only ever added."""

    record = models.ForeignKey(
        ArchiveRecord, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("档案")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("查阅人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("方式"), max_length=10, choices=AccessKind.choices)
    detail = models.CharField(_("内容"), max_length=255, blank=True)
    request = models.ForeignKey(
        AccessRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依据的查询申请"),
    )

    class Meta:
        verbose_name = _("查阅登记")
        verbose_name_plural = _("查阅登记")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.user_id} · {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AccessLogError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AccessLogError("the access log is append-only")
