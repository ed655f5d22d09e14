"""Spreadsheet imports waiting for the user's confirmation (B-9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    IMPORTED = "imported", _("已导入")
    CANCELLED = "cancelled", _("已取消")


class ImportBatch(models.Model):
    """An uploaded order file, parsed and checked; nothing is created until it is confirmed."""

    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    payload = models.JSONField(_("解析结果"), default=list)
    row_errors = models.JSONField(_("错误"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    order_numbers = models.JSONField(_("生成的订单"), default=list)

    class Meta:
        verbose_name = _("订单导入")
        verbose_name_plural = _("订单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
