"""Settlement statements (L-1, L-2): sales prepares one from what the customer accepted, at the
contract's (the order line's) prices, plus fees such as freight, reconciled with a named customer
contact; finance approves it or returns it with reasons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.billing import states
from oms.billing.actions._common import CENT, amount_input
from oms.billing.actions.invoice_step import hand_on
from oms.billing.models import Statement, StatementFee, StatementLine
from oms.billing.selectors import accepted_quantities, billed_quantities
from oms.core.errors import FieldErrors, NotAllowed
from oms.core.money import format_quantity
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking


@dataclass
class _Draft:
    """A statement's content once every input is checked: quantities per order line, and fees."""

    lines: dict[int, Any]
    quantities: dict[int, Decimal]
    fees: list[tuple[str, Decimal]]


@transaction.atomic
def prepare_statement(
    *,
    actor: User,
    order: SalesOrder,
    quantities: Mapping[int, Decimal | None],
    fees: Sequence[tuple[str, Decimal | None]] = (),
    reconciled_with: str,
    reconciled_on: date | None,
) -> Statement:
    """L-1, L-2: a statement of accepted goods at the contract's prices plus fees, reconciled with
    the customer, submitted to finance."""
    if not can_renegotiate(actor, order):
        raise NotAllowed(_("只有负责该订单的销售可以编制结算清单。"))
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    draft = _checked_draft(locked, quantities, fees, reconciled_with, reconciled_on)
    assert reconciled_on is not None
    statement = _create_statement(actor, locked, draft, reconciled_with.strip()[:100], reconciled_on)
    _ask_finance_to_review(locked, statement)
    return statement


def _checked_draft(
    order: SalesOrder,
    quantities: Mapping[int, Decimal | None],
    fees: Sequence[tuple[str, Decimal | None]],
    reconciled_with: str,
    reconciled_on: date | None,
) -> _Draft:
    """Every input checked at once; all problems are reported together, naming their field."""
    errors: dict[str, str] = {}
    lines = {ln.pk: ln for ln in order.lines.all()}
    wanted = _wanted_quantities(order, lines, quantities, errors)
    if not wanted and not errors:
        errors["lines"] = _("没有可结算的数量：客户验收后才能结算。")
    clean_fees = _clean_fees(fees, errors)
    if not reconciled_with.strip():
        errors["reconciled_with"] = _("请填写与客户对账的联系人。")
    if reconciled_on is None:
        errors["reconciled_on"] = _("请填写对账日期。")
    if errors:
        raise FieldErrors(errors)
    return _Draft(lines=lines, quantities=wanted, fees=clean_fees)


def _wanted_quantities(
    order: SalesOrder,
    lines: dict[int, Any],
    quantities: Mapping[int, Decimal | None],
    errors: dict[str, str],
) -> dict[int, Decimal]:
    """L-1: per order line, a quantity of at most what the customer accepted and no statement
    under review or approved already settles."""
    accepted, billed = accepted_quantities(order), billed_quantities(order)
    wanted: dict[int, Decimal] = {}
    for pk, raw in quantities.items():
        if raw in (None, ""):
            continue
        qty = amount_input(raw, f"lines.{pk}", StatementLine, "quantity")
        line = lines.get(int(pk))
        if line is None:
            errors[f"lines.{pk}"] = _("不是这个订单的明细。")
        elif qty is None or qty < 0:
            errors[f"lines.{pk}"] = _("第 %(n)s 行数量必须是不小于 0 的数字。") % {"n": line.line_no}
        elif qty > 0:
            left = accepted.get(line.pk, Decimal("0")) - billed.get(line.pk, Decimal("0"))
            if qty > left:
                errors[f"lines.{pk}"] = _("第 %(n)s 行最多可结算 %(q)s（客户已验收且未结算的数量）。") % {
                    "n": line.line_no,
                    "q": format_quantity(left),
                }
            wanted[line.pk] = qty
    return wanted


def _clean_fees(
    fees: Sequence[tuple[str, Decimal | None]], errors: dict[str, str]
) -> list[tuple[str, Decimal]]:
    """L-1: fees such as freight, each named and not negative; empty rows are skipped."""
    clean: list[tuple[str, Decimal]] = []
    for i, (description, raw) in enumerate(fees):
        if not str(description).strip() and raw in (None, ""):
            continue
        amount = amount_input(raw, f"fees.{i}.amount", StatementFee, "amount")
        if not str(description).strip():
            errors[f"fees.{i}.description"] = _("请填写费用项目。")
        elif amount is None or amount < 0:
            errors[f"fees.{i}.amount"] = _("费用金额必须是不小于 0 的数字。")
        else:
            clean.append((str(description).strip()[:100], amount.quantize(CENT, rounding=ROUND_HALF_UP)))
    return clean


def _create_statement(
    actor: User, order: SalesOrder, draft: _Draft, reconciled_with: str, reconciled_on: date
) -> Statement:
    """The statement, its lines at the order line's price, its fees, and the audit record."""
    lines = draft.lines
    built = [
        StatementLine(
            order_line=lines[pk],
            quantity=qty,
            unit_price=lines[pk].unit_price,
            amount=(qty * lines[pk].unit_price).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for pk, qty in draft.quantities.items()
    ]
    goods = sum((b.amount for b in built), Decimal("0"))
    fee_total = sum((a for _d, a in draft.fees), Decimal("0"))
    statement = Statement.objects.create(
        order=order,
        number=policy_actions.next_number(
            fmt=order.policy().numbering.statement, when=timezone.localdate(), key="statement"
        ),
        goods_amount=goods,
        fees_amount=fee_total,
        total=goods + fee_total,
        reconciled_with=reconciled_with,
        reconciled_on=reconciled_on,
        prepared_by=actor,
    )
    for b in built:
        b.statement = statement
    StatementLine.objects.bulk_create(built)
    StatementFee.objects.bulk_create(
        [StatementFee(statement=statement, description=d, amount=a) for d, a in draft.fees]
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="billing.statement",
        after={
            "statement": statement.number,
            "lines": {str(lines[pk].line_no): q for pk, q in draft.quantities.items()},
            "fees": [[d, a] for d, a in draft.fees],
            "total": statement.total,
            "reconciled_with": statement.reconciled_with,
        },
    )
    return statement


def _ask_finance_to_review(order: SalesOrder, statement: Statement) -> None:
    """L-2: the review lands in finance's work (its head, or who decides for them) and is notified."""
    finance = department_of_kind(DepartmentKind.FINANCE)
    url = reverse("workbench:order_detail", args=[order.pk])
    reviewer = (
        tracking.decider_for(
            candidate=head_of(finance),
            target=statement,
            what=phrase("审核结算清单 %(s)s", s=statement.number),
            url=url,
        )
        if finance
        else None
    )
    if finance is not None:
        tracking.open_item(
            target=statement,
            kind="billing.review",
            title=phrase("审核结算清单 %(s)s（订单 %(n)s）", s=statement.number, n=order.number),
            department=finance,
            assignee=reviewer,
            calendar=policy_selectors.work_calendar(order.policy_version.number),
            days=1,
        )
    notify(
        event="billing",
        recipients=[reviewer],
        title=phrase("请审核结算清单 %(s)s", s=statement.number),
        url=url,
    )


@transaction.atomic
def review_statement(*, actor: User, statement: Statement, approve: bool, comment: str = "") -> Statement:
    """L-2: finance checks amounts, terms per contract and fees, and approves or returns with reasons."""
    statement = workflow.apply(
        states.APPROVE if approve else states.RETURN,
        statement,
        actor=actor,
        reason=comment.strip(),
        changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_comment": comment.strip()},
    )
    tracking.close_items(target=statement, actor=actor, outcome=statement.get_status_display())
    if approve:
        _hand_to_finance_staff(statement)
    notify(
        event="billing",
        recipients=[statement.prepared_by],
        title=phrase(
            "结算清单 %(s)s 已审核通过" if approve else "结算清单 %(s)s 被退回：%(c)s",
            s=statement.number,
            c=comment.strip(),
        ),
        url=reverse("workbench:order_detail", args=[statement.order_id]),
    )
    return statement


def _hand_to_finance_staff(statement: Statement) -> None:
    """L-2, T-1 (issue 23): an approved statement waits on the finance staff to invoice it (on
    instalment terms, its first instalment: `invoice_step`)."""
    hand_on(statement)
