"""What waits on whom, until when (P-2, P-3): one row per pending step, with its deadline."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


class WorkItem(models.Model):
    """A pending step with one named responsible person or department (P-3) and a due time (P-2).

    The sweeper marks it overdue once and escalates it to the responsible person's superior.
    """

    kind = models.CharField(_("事项"), max_length=40, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("负责部门"), on_delete=models.PROTECT, related_name="work_items"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.OPEN, db_index=True
    )
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    overdue = models.BooleanField(_("已超时"), default=False, db_index=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("已上报给"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_items",
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["-overdue", "due_at", "id"]
        indexes = [
            models.Index(fields=["status", "assignee", "due_at"]),
            models.Index(fields=["status", "department", "due_at"]),
            models.Index(fields=["status", "escalated_to", "due_at"]),
            models.Index(fields=["content_type", "object_id", "status"]),
        ]

    def __str__(self) -> str:
        return self.title
