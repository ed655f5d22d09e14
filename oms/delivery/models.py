"""The customer's acceptance of each shipment (K-3), and the one-time link to give it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.models import OneTimeLink


class AcceptanceResult(models.TextChoices):
    ACCEPTED = "accepted", _("验收合格")
    WITH_REMARKS = "remarks", _("有保留意见接收")
    REJECTED = "rejected", _("拒收")


ACCEPTING = (AcceptanceResult.ACCEPTED, AcceptanceResult.WITH_REMARKS)
# K-3: what the customer checks on receiving goods, each a boolean field of Acceptance.
CHECKS = ("appearance_ok", "quantity_ok", "spec_ok", "quality_ok")


class Acceptance(models.Model):
    """K-3: what the customer found on receiving a shipment: appearance, quantity, specification
    and quality; accepted, accepted with remarks, or rejected with the problem. A rejected shipment
    may be accepted later in a new record; the latest one counts."""

    shipment = models.ForeignKey(
        "fulfilment.Shipment", verbose_name=_("发货"), on_delete=models.PROTECT, related_name="acceptances"
    )
    # Issue 21: the shipment's order, kept on the acceptance (set when it is recorded) so that the
    # order accuracy KPI (O-1) finds a month's delivered orders and the defective ones from the
    # acceptances' own indexes, without joining every shipment.
    order = models.ForeignKey(
        "orders.SalesOrder",
        verbose_name=_("订单"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    result = models.CharField(_("验收结论"), max_length=20, choices=AcceptanceResult.choices)
    appearance_ok = models.BooleanField(_("外观"), default=False)
    quantity_ok = models.BooleanField(_("数量"), default=False)
    spec_ok = models.BooleanField(_("规格"), default=False)
    quality_ok = models.BooleanField(_("质量"), default=False)
    remarks = models.TextField(_("意见/问题"), blank=True)
    received_on = models.DateField(_("签收日期"))  # indexed with its order (Meta.indexes)
    accepted_by_name = models.CharField(_("客户签收人"), max_length=100)
    method = models.CharField(_("登记方式"), max_length=20)  # "staff", "link" or "portal"
    signed_note = models.FileField(_("签字送货单/验收报告"), upload_to="delivery/signed/%Y/%m/", blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    problem = models.ForeignKey(
        "tracking.OrderException", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("客户验收")
        verbose_name_plural = _("客户验收")
        ordering = ["shipment", "created_at", "id"]
        indexes = [
            # O-1 (issue 21): a month's signed-for orders, read from the index alone on PostgreSQL.
            models.Index(fields=["received_on"], include=["order"], name="acceptance_received_cover_idx"),
            # O-1 (issue 21): the orders delivered with remarks or rejected, a small part of all.
            models.Index(
                fields=["order"],
                condition=~Q(result=AcceptanceResult.ACCEPTED),
                name="acceptance_defect_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.result}"

    @property
    def is_signed(self) -> bool:
        """K-3: the customer's signature is on file: a signed note uploaded by staff, or the
        customer's own submission (the one-time link or the portal), which is their report."""
        return bool(self.signed_note) or self.method in {"link", "portal"}


class AcceptanceLink(OneTimeLink):
    """K-3: a one-time link for the customer to accept a shipment; only the token's hash is kept."""

    shipment = models.ForeignKey(
        "fulfilment.Shipment", on_delete=models.PROTECT, related_name="acceptance_links"
    )

    class Meta:
        verbose_name = _("验收链接")
        verbose_name_plural = _("验收链接")

    def __str__(self) -> str:
        return f"{self.shipment} {self.expires_at:%Y-%m-%d %H:%M}"
