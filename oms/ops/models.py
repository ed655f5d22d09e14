"""What the operators see of the running system (issue 24)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One run of a periodic job in one interval; the unique (job, slot) is what makes a job run
    once per interval however many schedulers are running (issue 24.3)."""

    job = models.CharField(_("作业"), max_length=64)
    slot = models.DateTimeField(_("周期开始"))
    node = models.CharField(_("节点"), max_length=128)
    started_at = models.DateTimeField(_("开始于"))
    finished_at = models.DateTimeField(_("结束于"), null=True, blank=True)
    ok = models.BooleanField(_("成功"), null=True)
    result = models.CharField(_("结果"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="ops_jobrun_once_per_slot")]
        indexes = [models.Index(fields=["job", "-slot"], name="ops_jobrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    """A worker process says it is alive every OMS_WORKER_HEARTBEAT_SECONDS (issue 24.5)."""

    worker_id = models.CharField(_("工作进程"), max_length=64, primary_key=True)
    node = models.CharField(_("节点"), max_length=128)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动于"))
    seen_at = models.DateTimeField(_("最近心跳"))

    def __str__(self) -> str:
        return self.worker_id


class TaskRetry(models.Model):
    """A failed background task queued again: automatically with backoff, or by an administrator
    (issue 24.2). `attempt` is the number of the new run."""

    failed_id = models.UUIDField(_("失败的任务"), unique=True)
    # The new run's id as its backend gives it (a UUID on the database queue, any text elsewhere).
    retry_id = models.CharField(_("重试的任务"), max_length=64, unique=True)
    attempt = models.PositiveSmallIntegerField(_("第几次"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.failed_id} -> {self.retry_id}"
