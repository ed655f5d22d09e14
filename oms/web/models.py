"""What the web shell itself stores: files generated in the background (issue 24.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GeneratedFile(models.Model):
    """A long export asked for by one user and written by the worker into `default_storage`
    (issue 24.2, S-1). Not a business record: once `expires_at` has passed the stored file is
    deleted and the row stays, marked expired, as the trace of what was generated for whom."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=32)
    # What to render: for a page export the page's path and query string, and the language.
    params = models.JSONField(_("参数"), default=dict)
    title = models.CharField(_("标题"), max_length=255)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("错误"), blank=True)
    storage_name = models.CharField(_("存储名"), max_length=512, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请于"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成于"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期于"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成的文件")
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="web_genfile_mine"),
            models.Index(fields=["status", "expires_at"], name="web_genfile_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
