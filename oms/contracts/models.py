"""Contracts with versions (E-1..E-3) and controlled documents with distribution (E-4, F-3, M-4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.money import decimal_bounds


class ContractTemplate(models.Model):
    """The contract text the administrator edits; `{{ placeholder }}` fields are filled per order."""

    name = models.CharField(_("名称"), max_length=100)
    body = models.TextField(_("合同正文"))
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("合同模板")
        verbose_name_plural = _("合同模板")
        ordering = ["-active", "-updated_at"]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    DRAFTING = "drafting", _("拟定中")
    REVIEWED = "reviewed", _("已评审")
    SIGNED = "signed", _("已签订")


class Contract(models.Model):
    """E-2: one numbered contract per order; its texts are versions."""

    order = models.OneToOneField(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="contract"
    )
    number = models.CharField(_("合同编号"), max_length=60, unique=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFTING
    )
    signed_file = models.FileField(_("签字盖章扫描件"), upload_to="contracts/signed/%Y/%m/", blank=True)
    signed_sha256 = models.CharField(_("扫描件 SHA-256"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")

    def __str__(self) -> str:
        return self.number

    _latest_version: ContractVersion | None

    def latest_version(self) -> ContractVersion | None:
        """The current version (the highest number), without its text; read once per instance
        (issue 21: the review's guard and the review itself ask for it on the locked contract)."""
        if not hasattr(self, "_latest_version"):
            self._latest_version = self.versions.order_by("-number").defer("html").first()
        return self._latest_version

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever drafted the contract's current version never reviews it (E-3)."""
        latest = self.latest_version()
        return {latest.created_by_id} if latest is not None else set()


class VersionKind(models.TextChoices):
    OFFER = "offer", _("要约")
    COUNTER_OFFER = "counter_offer", _("反要约")
    AMENDMENT = "amendment", _("补充修订")


REVIEW_POINTS = (
    ("capacity", _("产能与资源")),
    ("process", _("工艺与技术要求")),
    ("quantity", _("数量")),
    ("price", _("价格")),
    ("delivery", _("交货时间与地点")),
)


class ContractVersion(models.Model):
    """E-2: an offer, a counter-offer or an amendment, with who and why; E-3 review per version."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    kind = models.CharField(_("类型"), max_length=20, choices=VersionKind.choices)
    html = models.TextField(_("正文"))
    amount = models.DecimalField(_("合同金额"), max_digits=18, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    review = models.JSONField(_("合同评审"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合同版本")
        verbose_name_plural = _("合同版本")
        ordering = ["contract", "number"]
        constraints = [
            *decimal_bounds("contracts_contractversion", amount=(18, 2)),
            models.UniqueConstraint(fields=["contract", "number"], name="contract_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} v{self.number}"


class DocumentType(models.TextChoices):
    CONTRACT_COPY = "contract_copy", _("合同副本")
    DRAWING = "drawing", _("图纸")
    PROCESS = "process", _("工艺文件")
    PROCEDURE = "procedure", _("作业指导书")
    INSPECTION = "inspection", _("检验规范")
    CUSTOMER_NOTICE = "customer_notice", _("客户书面通知")
    OTHER = "other", _("其他")


class Document(models.Model):
    """A controlled document of an order: type, version, owner; superseded versions stay readable."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="documents"
    )
    doc_type = models.CharField(_("资料类型"), max_length=30, choices=DocumentType.choices)
    title = models.CharField(_("名称"), max_length=200)
    version_no = models.PositiveIntegerField(_("版本"))
    file = models.FileField(_("文件"), upload_to="documents/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("大小"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+"
    )
    superseded = models.BooleanField(_("已作废（有新版本）"), default=False)
    # H-1, B-8: the customer sees the current version in the portal; a new version keeps the choice.
    shared_with_customer = models.BooleanField(_("客户可见"), default=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("受控资料")
        verbose_name_plural = _("受控资料")
        ordering = ["order", "doc_type", "title", "-version_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "doc_type", "title", "version_no"], name="document_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version_no}"


class Distribution(models.Model):
    """M-4: who received which version, when, and their signed receipt."""

    document = models.ForeignKey(
        Document, verbose_name=_("资料"), on_delete=models.PROTECT, related_name="distributions"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    distributed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    distributed_at = models.DateTimeField(_("分发时间"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资料分发记录")
        verbose_name_plural = _("资料分发记录")
        ordering = ["document", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient"], name="distribution_unique_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient}"


class Briefing(models.Model):
    """F-3: a technical briefing (技术交底) with its attendees and date."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="briefings"
    )
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    notes = models.TextField(_("内容"), blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参加人"), related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("技术交底")
        verbose_name_plural = _("技术交底")
        ordering = ["order", "-held_on"]

    def __str__(self) -> str:
        return f"{self.order} {self.topic}"
