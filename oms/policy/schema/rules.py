"""The policy's cross-cutting rules (DESIGN 5): who reviews a change (I-1..I-3), number formats
(B-4, E-2) and who sees confidential fields (S-1)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, field_validator

from oms.policy.schema.base import _check_departments, _Section

ChangeAspect = Literal[
    "lines",
    "quantity",
    "price",
    "delivery_date",
    "delivery_place",
    "specs",
    "payment_terms",
    "cancellation",
]
CHANGE_ASPECTS: tuple[str, ...] = get_args(ChangeAspect)


class ChangeRule(_Section):
    """I-2: which departments review a change of one aspect of the order."""

    aspect: ChangeAspect = Field(title="变更内容")
    departments: list[str] = Field(min_length=1, title="评审部门")

    @field_validator("departments")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        return _check_departments(value)


def _default_change_rules() -> list[ChangeRule]:
    return [
        ChangeRule(
            aspect="lines", departments=["technical", "production", "procurement", "quality", "finance"]
        ),
        ChangeRule(aspect="quantity", departments=["production", "procurement", "finance"]),
        ChangeRule(aspect="price", departments=["finance"]),
        ChangeRule(aspect="delivery_date", departments=["production", "procurement", "logistics"]),
        ChangeRule(aspect="delivery_place", departments=["logistics", "finance"]),
        ChangeRule(aspect="specs", departments=["technical", "production", "quality", "procurement"]),
        ChangeRule(aspect="payment_terms", departments=["finance"]),
        ChangeRule(aspect="cancellation", departments=["production", "procurement", "warehouse", "finance"]),
    ]


class Changes(_Section):
    """I-1..I-3, J-1: who reviews a change or a cancellation, and which leader approves it."""

    rules: list[ChangeRule] = Field(default_factory=_default_change_rules, title="变更评审部门规则")
    approver: Literal["sales_head", "executive", "general_manager"] = Field("executive", title="变更审批领导")
    customer_notice_required: bool = Field(True, title="客户提出的变更须附客户书面通知")

    @field_validator("rules")
    @classmethod
    def _one_rule_per_aspect(cls, value: list[ChangeRule]) -> list[ChangeRule]:
        aspects = [r.aspect for r in value]
        if len(aspects) != len(set(aspects)):
            raise ValueError("one rule per aspect")
        return value

    def departments_for(self, aspects: list[str]) -> list[str]:
        """I-2: the departments a change of these aspects affects, in the rules' order, once each."""
        found: list[str] = []
        for rule in self.rules:
            if rule.aspect in aspects:
                found.extend(d for d in rule.departments if d not in found)
        return found


class Numbering(_Section):
    """B-4, E-2: number formats. Placeholders: {yyyy} {yy} {mm} {dd} {seq} (with width, e.g. {seq:04d})."""

    order: str = Field("SO{yyyy}{mm}{dd}{seq:04d}", min_length=1, max_length=60, title="订单编号格式")
    contract: str = Field("HT{yyyy}{seq:05d}", min_length=1, max_length=60, title="合同编号格式")
    change_request: str = Field(
        "BG{yyyy}{seq:05d}", min_length=1, max_length=60, title="变更/取消申请编号格式"
    )
    change_agreement: str = Field("BX{yyyy}{seq:05d}", min_length=1, max_length=60, title="变更协议编号格式")
    statement: str = Field("JS{yyyy}{seq:05d}", min_length=1, max_length=60, title="结算清单编号格式")
    payment: str = Field("SK{yyyy}{seq:05d}", min_length=1, max_length=60, title="收款编号格式")
    archive: str = Field("DA{yyyy}{seq:06d}", min_length=1, max_length=60, title="档案号格式")
    complaint: str = Field("TS{yyyy}{seq:05d}", min_length=1, max_length=60, title="投诉编号格式")
    survey: str = Field("DC{yyyy}{seq:03d}", min_length=1, max_length=60, title="满意度调查编号格式")
    spot_check: str = Field("CC{yyyy}{seq:04d}", min_length=1, max_length=60, title="抽查编号格式")

    @field_validator(
        "order", "contract", "change_request", "change_agreement", "statement", "payment", "archive"
    )
    @classmethod
    def _has_seq(cls, value: str) -> str:
        if "{seq" not in value:
            raise ValueError("must contain a {seq} placeholder")
        try:
            value.format(yyyy="2026", yy="26", mm="01", dd="01", seq=1)
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(f"is not a valid format: {exc}") from exc
        return value


class Visibility(_Section):
    """S-1: departments whose people see each kind of confidential field.

    Executives in charge, administrators and auditors see everything.
    """

    price: list[str] = Field(
        default_factory=lambda: [
            "sales",
            "customer_service",
            "order_confirmation",
            "finance",
            "management",
            "supervision",
        ],
        title="可见价格的部门",
    )
    cost: list[str] = Field(
        default_factory=lambda: ["finance", "management", "supervision"], title="可见成本的部门"
    )
    contact: list[str] = Field(
        default_factory=lambda: [
            "sales",
            "customer_service",
            "order_confirmation",
            "logistics",
            "finance",
            "management",
        ],
        title="可见客户联系方式的部门",
    )

    @field_validator("price", "cost", "contact")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        return _check_departments(value)
