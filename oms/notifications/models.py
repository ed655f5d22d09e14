"""The in-app inbox (T-1): whoever must act next is told."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.core.crypto import EncryptedTextField
from oms.core.models import optional_person
from oms.core.phrases import shown


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    # The title as a phrase, rendered in the reader's language (issue 23.12); empty for old rows.
    title_phrase = models.JSONField(_("标题（多语言）"), null=True, blank=True, editable=False)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (issue 23.12)."""
        return shown(self.title, self.title_phrase)


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")
    WEBHOOK = "webhook", _("外部系统 Webhook")


class NotificationChannel(models.Model):
    """T-1: a way out of the app: e-mail to each recipient's own address, a department's
    DingTalk or WeCom group robot, or another system's webhook (order events, signed). `department` limits it to recipients of that department
    (empty: everyone); `events` to messages whose event starts with one of them (empty: all).
    Named so (issue 22) because a bare "channel" is an order's intake channel (GLOSSARY)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("部门"),
    )
    events = models.JSONField(_("事件（空为全部）"), default=list, blank=True)
    webhook_url = models.URLField(_("机器人地址"), max_length=500, blank=True)
    # DingTalk sign, or webhook HMAC key; encrypted at rest (issue 20.11, ADR 0014).
    secret = EncryptedTextField(_("加签密钥"), max_length=200, blank=True)
    per_minute = models.PositiveSmallIntegerField(_("每分钟最多发送"), default=20)
    # An e-mail channel for customers tells the order's contacts of its confirmation, release
    # and shipment (T-1) instead of the staff's messages.
    to_customers = models.BooleanField(_("发给客户联系人"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["kind", "name"]
        db_table = "notifications_channel"  # renamed in issue 22; the table keeps its name

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    def wants(self, event: str) -> bool:
        return not self.events or any(event.startswith(str(prefix)) for prefix in self.events)


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboundMessage(models.Model):
    """T-1: one message on one channel: queued after the deciding transaction commits, sent by a
    background task, retried with backoff, and logged with the reason when it finally fails.
    Several queued robot messages go out as one digest to respect the robot's rate. The outbox
    row; not "delivery", which is 交货 in the GLOSSARY (issue 22)."""

    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("渠道")
    )
    event = models.CharField(_("事件"), max_length=60, blank=True, db_index=True)
    recipient = optional_person(_("接收人"))
    target = models.CharField(_("发往"), max_length=254)
    title = models.CharField(_("内容摘要"), max_length=200)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)  # a webhook's event body
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    last_error = models.CharField(_("失败原因"), max_length=500, blank=True)
    batch = models.PositiveIntegerField(_("合并条数"), default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        db_table = "notifications_delivery"  # renamed in issue 22; the table keeps its name
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.title}"


# The kinds of channel that reach a person (a webhook reaches another system).
PERSONAL_KINDS = (ChannelKind.EMAIL, ChannelKind.DINGTALK, ChannelKind.WECOM)

# The event areas a message belongs to (the first part of its event), for channels and for each
# person's choices.
EVENT_AREAS = {
    "review": _("评审、审批与确认"),
    "contracts": _("合同与资料"),
    "fulfilment": _("下达与执行"),
    "quality": _("质量"),
    "delivery": _("交付与验收"),
    "billing": _("结算与收款"),
    "changes": _("变更与取消"),
    "tracking": _("跟踪与异常"),
    "deadline": _("截止提醒与超时上报"),
    "feedback": _("投诉、调查与改进"),
    "supervision": _("监督检查"),
    "archive": _("档案查阅"),
}


class OptOut(models.Model):
    """T-1: a person's choice for one event area on one channel kind (in the app messages always
    arrive). Changing one's mind updates the row; nothing is deleted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    area = models.CharField(max_length=40)
    declined = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "area"], name="notifications_optout_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.area}"
