"""The company's policy as typed settings (DESIGN 5). Defaults come from the seeds.

Every value a policy leaves as `[X]` is a field here; the code asks for it, never hard-codes it.
Validation errors name the field by its dotted path, e.g. `order_classes.0.time_limit_hours`.
The sections live in `sections` (the life of an order) and `rules` (changes, numbering,
visibility); `PolicyData` gathers them here.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator

from oms.policy.schema.base import DEPARTMENT_KINDS, _Section
from oms.policy.schema.rules import CHANGE_ASPECTS, ChangeRule, Changes, Numbering, Visibility
from oms.policy.schema.sections import (
    Analysis,
    ApprovalTier,
    Archive,
    Company,
    Confirmation,
    Contracts,
    Dunning,
    Feedback,
    Intake,
    MajorOrder,
    OrderClass,
    PreliminaryCheck,
    Release,
    Reporting,
    Review,
    Shipping,
    Supervision,
    Tax,
    WorkingTime,
)

__all__ = [
    "CHANGE_ASPECTS",
    "DEPARTMENT_KINDS",
    "Analysis",
    "ApprovalTier",
    "Archive",
    "ChangeRule",
    "Changes",
    "Company",
    "Confirmation",
    "Contracts",
    "Dunning",
    "Feedback",
    "Intake",
    "MajorOrder",
    "Numbering",
    "OrderClass",
    "PolicyData",
    "PreliminaryCheck",
    "Release",
    "Reporting",
    "Review",
    "Shipping",
    "Supervision",
    "Tax",
    "Visibility",
    "WorkingTime",
]


def _default_classes() -> list[OrderClass]:
    return [
        OrderClass(code="normal", label="普通订单", time_limit_hours=Decimal("24")),
        OrderClass(code="special", label="特殊订单", time_limit_hours=Decimal("12")),
        OrderClass(code="urgent", label="紧急订单", time_limit_hours=Decimal("2")),
    ]


def _default_tiers() -> list[ApprovalTier]:
    return [
        ApprovalTier(min_amount=Decimal("0"), steps=["sales_head"]),
        ApprovalTier(min_amount=Decimal("100000"), steps=["sales_head", "executive"]),
        ApprovalTier(min_amount=Decimal("500000"), steps=["sales_head", "executive", "finance"]),
    ]


class PolicyData(_Section):
    """The whole policy; one instance is one version."""

    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", title="本位币")
    order_classes: list[OrderClass] = Field(
        default_factory=_default_classes, min_length=1, title="订单类别与处理时限"
    )
    working_time: WorkingTime = Field(default_factory=lambda: WorkingTime(), title="工作时间")
    review: Review = Field(default_factory=lambda: Review(), title="订单评审")
    major_order: MajorOrder = Field(default_factory=lambda: MajorOrder(), title="重大订单")
    approval_tiers: list[ApprovalTier] = Field(
        default_factory=_default_tiers, min_length=1, title="审批链（按金额）"
    )
    intake: Intake = Field(default_factory=lambda: Intake(), title="订单接收")
    preliminary_check: PreliminaryCheck = Field(default_factory=lambda: PreliminaryCheck(), title="订单初审")
    confirmation: Confirmation = Field(default_factory=lambda: Confirmation(), title="订单确认")
    reporting: Reporting = Field(default_factory=lambda: Reporting(), title="汇报频次")
    company: Company = Field(default_factory=lambda: Company(), title="公司信息")
    contracts: Contracts = Field(default_factory=lambda: Contracts(), title="合同与资料")
    release: Release = Field(default_factory=lambda: Release(), title="订单下达")
    shipping: Shipping = Field(default_factory=lambda: Shipping(), title="发货放行")
    changes: Changes = Field(default_factory=lambda: Changes(), title="订单变更与取消")
    archive: Archive = Field(default_factory=lambda: Archive(), title="归档")
    dunning: Dunning = Field(default_factory=lambda: Dunning(), title="催款")
    tax: Tax = Field(default_factory=lambda: Tax(), title="发票税率")
    feedback: Feedback = Field(default_factory=lambda: Feedback(), title="客户满意度与投诉")
    supervision: Supervision = Field(default_factory=lambda: Supervision(), title="监督检查")
    analysis: Analysis = Field(default_factory=lambda: Analysis(), title="考核与分析")
    numbering: Numbering = Field(default_factory=lambda: Numbering(), title="编号规则")
    visibility: Visibility = Field(default_factory=lambda: Visibility(), title="字段可见性")

    @field_validator("order_classes")
    @classmethod
    def _unique_classes(cls, value: list[OrderClass]) -> list[OrderClass]:
        codes = [c.code for c in value]
        if len(codes) != len(set(codes)):
            raise ValueError("order class codes must be unique")
        return value

    @field_validator("approval_tiers")
    @classmethod
    def _tiers_from_zero(cls, value: list[ApprovalTier]) -> list[ApprovalTier]:
        groups: dict[tuple[str, ...], list[Decimal]] = {}
        for tier in value:
            groups.setdefault(tuple(sorted(tier.order_classes)), []).append(tier.min_amount)
        general = groups.get(())
        if not general or general[0] != 0:
            raise ValueError("a tier for all order classes must start at 0")
        for amounts in groups.values():
            if amounts != sorted(set(amounts)):
                raise ValueError("tiers must ascend without repeats")
        return value

    def approval_steps(self, *, amount: Decimal, order_class: str) -> list[str]:
        """D-1: the approvers for an order: the highest tier at or below its amount, preferring
        tiers meant for its class over the general ones."""
        for candidates in (
            [t for t in self.approval_tiers if order_class in t.order_classes],
            [t for t in self.approval_tiers if not t.order_classes],
        ):
            applicable = [t for t in candidates if t.min_amount <= amount]
            if applicable:
                return list(max(applicable, key=lambda t: t.min_amount).steps)
        return []
