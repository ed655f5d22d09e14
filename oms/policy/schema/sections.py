"""The policy's sections for the life of an order, intake to analysis (DESIGN 5): order classes,
working time, review, approval, confirmation, reporting, release, shipping, archive, dunning,
feedback, supervision and analysis."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, get_args

from django.utils.translation import gettext
from pydantic import Field, field_validator, model_validator

from oms.policy.schema.base import _HHMM, _check_departments, _Section


class OrderClass(_Section):
    """B-7: an order class and the time within which an order of it must be processed."""

    code: str = Field(min_length=1, max_length=20, title="代码")
    label: str = Field(min_length=1, max_length=40, title="名称")
    time_limit_hours: Decimal = Field(gt=0, max_digits=8, decimal_places=2, title="处理时限（工作小时）")

    @property
    def shown_label(self) -> str:
        """The label in the reader's language when the catalogue knows it (the seeded classes,
        issue 23.12); a label the company typed itself stays as typed."""
        return gettext(self.label)


class WorkingTime(_Section):
    """C-3: office hours on a working day; the calendar says which days work."""

    office_start: str = Field("09:00", title="上班时间")
    lunch_start: str = Field("12:00", title="午休开始")
    lunch_end: str = Field("13:00", title="午休结束")
    office_end: str = Field("18:00", title="下班时间")

    @field_validator("office_start", "lunch_start", "lunch_end", "office_end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("must be a time as HH:MM")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> WorkingTime:
        if not (self.office_start < self.lunch_start <= self.lunch_end < self.office_end):
            raise ValueError("times must satisfy office_start < lunch_start <= lunch_end < office_end")
        return self


class Review(_Section):
    """C-1, C-3, C-7: who reviews, in which mode, within what limits."""

    mode: Literal["parallel", "sequential"] = Field("parallel", title="评审方式")
    board: list[str] = Field(
        default_factory=lambda: ["sales", "production", "technical", "quality", "finance", "procurement"],
        min_length=1,
        title="评审小组成员部门",
    )
    sequence: list[str] = Field(
        default_factory=lambda: ["sales", "finance", "production"], min_length=1, title="顺序评审的环节"
    )
    board_time_limit_days: int = Field(2, ge=1, le=60, title="评审小组时限（工作日）")
    capacity_window_days: int = Field(30, ge=1, le=365, title="产能评估看交期前后多少天的在途订单")
    stage_time_limit_hours: Decimal = Field(
        Decimal("8"), gt=0, max_digits=6, decimal_places=2, title="顺序评审每环节时限（工作小时）"
    )

    @field_validator("board", "sequence")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        return _check_departments(value)


class MajorOrder(_Section):
    """C-4: what makes an order major, sending it to the special committee."""

    amount_threshold: Decimal = Field(
        Decimal("1000000"), ge=0, max_digits=16, decimal_places=2, title="金额阈值（元）"
    )
    new_product: bool = Field(True, title="新产品视为重大订单")
    special_process: bool = Field(True, title="特殊工艺视为重大订单")


class ApprovalTier(_Section):
    """D-1: from this amount on, these approvers sign in order."""

    min_amount: Decimal = Field(ge=0, max_digits=16, decimal_places=2, title="起始金额（元）")
    steps: list[Literal["sales_head", "executive", "finance", "general_manager"]] = Field(
        min_length=1, title="审批步骤"
    )
    order_classes: list[str] = Field(default_factory=list, title="适用订单类别（空为全部）")


class Confirmation(_Section):
    """D-2, D-3: confirmation time and the customer's modification window (004)."""

    confirm_within_days: int = Field(2, ge=1, le=30, title="接单后确认时限（工作日）")
    link_valid_hours: int = Field(72, ge=1, le=720, title="客户确认链接有效期（小时）")
    modification_window_hours: Decimal = Field(
        Decimal("24"), ge=0, max_digits=6, decimal_places=2, title="确认后可修改窗口（小时）"
    )


CustomerNoticeKind = Literal[
    "delay", "logistics", "quality", "shortage", "equipment", "force_majeure", "acceptance", "other"
]


class Reporting(_Section):
    """H-3: how often each side reports on a running order, in calendar days; a report missing
    for longer is flagged to whoever owes it, due within `missing_report_days` working days, and
    escalated to their superior after that. Important orders (000 六(二)2: 重要订单或客户有特殊
    要求的订单) report more often: every cadence shrinks to `important_cadence_percent` of itself."""

    sales_contact_days: int = Field(7, ge=1, le=90, title="销售联系客户周期（天）")
    production_report_days: int = Field(1, ge=1, le=30, title="生产汇报周期（天）")
    procurement_report_days: int = Field(7, ge=1, le=90, title="采购汇报周期（天）")
    quality_report_days: int = Field(7, ge=1, le=90, title="质量汇报周期（天）")
    missing_report_days: int = Field(1, ge=1, le=10, title="缺失汇报的补报期限（工作日）")
    important_key_customers: bool = Field(True, title="重点客户的订单为重要订单")
    important_special_requirements: bool = Field(True, title="有特殊要求的订单为重要订单")
    important_cadence_percent: int = Field(50, ge=10, le=100, title="重要订单汇报周期（占普通周期的百分比）")
    idle_days: int = Field(3, ge=1, le=90, title="订单无进展提醒（天）")
    exception_resolve_days: int = Field(2, ge=1, le=60, title="异常处理期限（工作日）")
    deadline_reminder_hours: Decimal = Field(
        Decimal("2"), ge=0, le=80, max_digits=5, decimal_places=1, title="截止前提醒（工作小时，0 为不提醒）"
    )
    # H-4, T-1: a delay is the customer's business: these exceptions are announced to the
    # customer's contacts (e-mail and portal) when they are raised.
    customer_notice_kinds: list[CustomerNoticeKind] = Field(
        default_factory=lambda: list[CustomerNoticeKind](["delay", "logistics"]), title="告知客户的异常类型"
    )

    def cadence_days(self, days: int, *, important: bool) -> int:
        """H-3: a cadence of `days` for an order; an important order's is the policy's share of it
        (rounded down, at least one day), so that it reports more often."""
        return max(1, days * self.important_cadence_percent // 100) if important else days


class Intake(_Section):
    """B-9, P-1: duplicate-order warning window and the lowest price allowed against the list price."""

    duplicate_window_hours: Decimal = Field(
        Decimal("24"), ge=0, max_digits=6, decimal_places=2, title="重复订单提醒窗口（小时）"
    )
    inquiry_followup_hours: Decimal = Field(
        Decimal("24"), gt=0, max_digits=6, decimal_places=2, title="咨询跟进时限（工作小时）"
    )
    price_floor_ratio: Decimal = Field(
        Decimal("0"), ge=0, le=1, max_digits=4, decimal_places=3, title="最低售价（标准售价的比例，0 为不限）"
    )


class PreliminaryCheck(_Section):
    """B-6 (001 二(三)2): what the sales head may not pass to review on his own. An order whose
    customer's credit is poor or whose delivery date is too tight goes to management instead."""

    over_credit_limit_blocks: bool = Field(True, title="超出信用额度的订单须上报管理层")
    overdue_amount_tolerated: Decimal = Field(
        Decimal("0"), ge=0, max_digits=16, decimal_places=2, title="可容忍的逾期应收金额（元）"
    )
    overdue_days_tolerated: int = Field(0, ge=0, le=3650, title="可容忍的逾期天数（最早一笔）")
    tight_delivery_blocks: bool = Field(True, title="交期短于交货周期（工作日）的订单须上报管理层")


class Company(_Section):
    """E-1: the company's legal data printed on contracts and order forms."""

    name: str = Field("示例制造有限公司", min_length=1, max_length=100, title="公司名称")
    address: str = Field("上海市示例区示例路 1 号", max_length=200, title="地址")
    phone: str = Field("021-00000000", max_length=40, title="电话")
    tax_number: str = Field("", max_length=30, title="纳税人识别号")
    bank_name: str = Field("", max_length=100, title="开户银行")
    bank_account: str = Field("", max_length=40, title="银行账号")


class Contracts(_Section):
    """E-2, F-1: contract rules and document limits."""

    release_without_contract_classes: list[str] = Field(
        default_factory=list, title="无需签订合同即可下达的订单类别"
    )
    quality_standard: str = Field("按国家标准及双方确认的技术要求", max_length=200, title="默认质量标准")
    max_upload_mb: int = Field(20, ge=1, le=200, title="上传文件大小上限（MB）")


class Release(_Section):
    """F-1, F-2: when the departments' plans are due after release, and before delivery."""

    production_plan_days: int = Field(1, ge=1, le=30, title="生产计划（下达后工作日）")
    purchase_plan_days: int = Field(2, ge=1, le=30, title="采购计划（下达后工作日）")
    quality_plan_days: int = Field(2, ge=1, le=30, title="质量控制计划（下达后工作日）")
    # F-1, F-3: 000 四(三) names no time limit; two working days, like the other plans after release.
    technical_docs_days: int = Field(2, ge=1, le=30, title="技术文件与技术交底（下达后工作日）")
    # F-3, 000 四(三)3: the departments know the technical requirements before production starts.
    briefing_before_production: bool = Field(True, title="有特殊要求的订单须先完成技术交底才能开始生产")
    allocation_days_before_delivery: int = Field(3, ge=0, le=60, title="仓库配货（交货前工作日）")
    logistics_days_before_delivery: int = Field(2, ge=0, le=60, title="物流计划（交货前工作日）")
    milestones: list[str] = Field(
        default_factory=lambda: ["备料", "加工", "装配", "检验", "包装"], min_length=1, title="生产里程碑"
    )
    prepayment_ratio: Decimal = Field(
        Decimal("1"), gt=0, le=1, max_digits=4, decimal_places=3, title="预付款订单下达前须到账的比例"
    )


class Shipping(_Section):
    """K-2, G-3 (002 七1): goods leave only with a passed final inspection and no open
    non-conformance; a company selling stock items as trading goods may exempt them from the
    final inspection (never from an open non-conformance)."""

    stock_items_without_final_inspection: bool = Field(False, title="库存品（贸易品）发货无需成品检验")


class Archive(_Section):
    """M-2, M-3: how long archived orders are kept after completion, who keeps the archive, and
    how long an approved access request lets someone else read an archived order."""

    retention_years: int = Field(3, ge=1, le=30, title="保存期限（年）")
    keeper_departments: list[str] = Field(
        default_factory=lambda: ["administration"], min_length=1, title="档案管理部门"
    )
    access_days: int = Field(7, ge=1, le=365, title="查阅批准后的有效天数")

    @field_validator("keeper_departments")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        return _check_departments(value)


class Dunning(_Section):
    """L-5: reminders at these days overdue, legal escalation after the last."""

    reminder_days: list[int] = Field(
        default_factory=lambda: [7, 30, 60], min_length=1, title="催款提醒（逾期天数）"
    )
    legal_after_days: int = Field(90, ge=1, le=3650, title="转法务（逾期天数）")

    @field_validator("reminder_days")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value) or value != sorted(set(value)):
            raise ValueError("must be positive, ascending and without repeats")
        return value


class Tax(_Section):
    """L-2 (issue 23): the VAT rates an invoice may carry, in percent, and the one offered first."""

    rates: list[Decimal] = Field(
        default_factory=lambda: [Decimal("13"), Decimal("9"), Decimal("6"), Decimal("0")],
        min_length=1,
        title="可选税率（%）",
    )
    default_rate: Decimal = Field(
        Decimal("13"), ge=0, le=100, max_digits=5, decimal_places=2, title="默认税率（%）"
    )

    @field_validator("rates")
    @classmethod
    def _percentages(cls, value: list[Decimal]) -> list[Decimal]:
        if any(r < 0 or r > 100 or r != r.quantize(Decimal("0.01")) for r in value):
            raise ValueError("each rate must be a percentage from 0 to 100 with at most 2 decimals")
        if len(set(value)) != len(value):
            raise ValueError("rates must not repeat")
        return value

    @model_validator(mode="after")
    def _default_is_offered(self) -> Tax:
        if self.default_rate not in self.rates:
            raise ValueError("the default rate must be one of the rates")
        return self


class Feedback(_Section):
    """N-1..N-3: who handles complaints and within what time, the contract's default complaint
    window, survey links and the question asked when an order closes."""

    complaint_departments: list[str] = Field(
        default_factory=lambda: ["customer_service", "sales"], min_length=1, title="登记和处理投诉的部门"
    )
    complaint_answer_days: int = Field(2, ge=1, le=30, title="投诉首次答复时限（工作日）")
    complaint_step_days: int = Field(3, ge=1, le=60, title="投诉处理每一步时限（工作日）")
    complaint_window_days: int = Field(30, ge=0, le=3650, title="合同未约定时的投诉/退货期限（签收后天数）")
    survey_link_days: int = Field(30, ge=1, le=365, title="满意度调查链接有效期（天）")
    score_scale: int = Field(5, ge=3, le=10, title="满意度评分满分")
    closing_question: str = Field(
        "您对本次订单的整体满意度如何？", min_length=1, max_length=200, title="订单关闭后的满意度问题"
    )

    @field_validator("complaint_departments")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        return _check_departments(value)


SpotCheck = Literal[
    "review_opinions",
    "approval_complete",
    "contract_before_release",
    "distribution_signoffs",
    "inspection_before_shipment",
    "acceptance_recorded",
    "statement_reviewed",
    "changes_approved",
]
SPOT_CHECKS: tuple[str, ...] = get_args(SpotCheck)


class Supervision(_Section):
    """O-2..O-4: the supervision group, spot-check sample, the checklist and the time to correct."""

    departments: list[str] = Field(
        default_factory=lambda: ["supervision"], min_length=1, title="监督小组部门"
    )
    sample_size: int = Field(10, ge=1, le=500, title="抽查默认样本量")
    checklist: list[SpotCheck] = Field(
        default_factory=lambda: list(get_args(SpotCheck)), min_length=1, title="抽查清单"
    )
    correction_days: int = Field(5, ge=1, le=90, title="整改期限（工作日）")

    @field_validator("departments")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        return _check_departments(value)


class Analysis(_Section):
    """O-1, O-3, Q-1, Q-2: KPI targets, the ABC rule and how plans are estimated."""

    # O-1: the seeds name the KPI (003 六(二)1) but no target; 95 % as for the other rates.
    order_timeliness_target: Decimal = Field(Decimal("95"), ge=0, le=100, title="订单处理及时率目标（%）")
    timeliness_target: Decimal = Field(Decimal("95"), ge=0, le=100, title="环节及时率目标（%）")
    confirmation_accuracy_target: Decimal = Field(Decimal("98"), ge=0, le=100, title="确认准确率目标（%）")
    order_accuracy_target: Decimal = Field(Decimal("98"), ge=0, le=100, title="订单准确率目标（%）")
    satisfaction_target: Decimal = Field(Decimal("90"), ge=0, le=100, title="客户满意度目标（%）")
    collection_target: Decimal = Field(Decimal("95"), ge=0, le=100, title="回款率目标（%）")
    abc_a_share: Decimal = Field(Decimal("70"), gt=0, lt=100, title="A 类客户：累计金额占比至（%）")
    abc_b_share: Decimal = Field(Decimal("90"), gt=0, lt=100, title="B 类客户：累计金额占比至（%）")
    plan_history_years: int = Field(2, ge=1, le=10, title="计划估算参考的历史年数")

    @model_validator(mode="after")
    def _a_below_b(self) -> Analysis:
        if self.abc_a_share >= self.abc_b_share:
            raise ValueError("abc_a_share must be below abc_b_share")
        return self
