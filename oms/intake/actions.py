"""Every write of intake and the preliminary check (B-1..B-9, P-1..P-3).

Orders are entered as drafts, edited with every change recorded (B-5), submitted to the
preliminary check with a deadline from the order class (B-7), then passed to review, sent back
for missing information, or escalated to management (B-6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, executive_in_charge, head_of
from oms.audit import recorder
from oms.catalog.models import Product
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.money import DecimalInputError, parse_model_decimal
from oms.customers.models import Customer
from oms.customers.selectors import customers_for, portal_account_of
from oms.engine import records, workflow
from oms.intake import importing
from oms.intake.models import ImportBatch, ImportStatus
from oms.notifications.actions import notify
from oms.orders import checks, permissions, states, versions
from oms.orders.models import (
    EDITABLE_STATUSES,
    Inquiry,
    OrderLine,
    OrderStatus,
    SalesOrder,
    lines_fingerprint,
)
from oms.orders.models import Channel as OrderChannel
from oms.orders.selectors import possible_duplicates
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors
from oms.review import actions as review
from oms.tracking import actions as tracking

HEADER_FIELDS = (
    "customer",
    "contact_name",
    "contact_phone",
    "order_date",
    "channel",
    "order_class",
    "delivery_date",
    "delivery_place",
    "payment_terms",
    "invoice_requirements",
    "needs_customisation",
    "needs_special_packaging",
    "needs_special_transport",
    "special_requirements",
    "external_ref",
    "original_document",
)
CENT = Decimal("0.01")
# P-1: a line's amount and the order's total are computed; their columns keep 16 whole digits,
# and SQLite 15 significant ones, so a computed amount is held to 10^13 (cents kept exactly).
AMOUNT_DIGITS = 13


class DuplicateSuspected(ActionError):
    """B-9: the same customer ordered the same lines within the policy's window."""

    code = "duplicate"
    status = 409

    def __init__(self, numbers: list[str]) -> None:
        super().__init__(
            _("疑似重复订单：%(n)s。如确需下单，请填写说明后再保存。") % {"n": "、".join(numbers)}
        )
        self.numbers = numbers


# --- validation ---------------------------------------------------------------------------


def _clean_header(order: SalesOrder, errors: dict[str, list[str]], *, customer_known: bool = False) -> None:
    """`customer_known`: the customer row was just found (the scope check, the portal's account),
    so validating the foreign key would only read it again (issue 21)."""
    exclude = ["number", "policy_version", "salesperson", "department", "created_by", "total_amount"]
    if customer_known:
        exclude.append("customer")
    try:
        order.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        for name, msgs in exc.message_dict.items():
            errors.setdefault(name, []).extend(str(m) for m in msgs)
    policy = policy_selectors.policy()
    if order.order_class and order.order_class not in {c.code for c in policy.order_classes}:
        errors.setdefault("order_class", []).append(_("未知的订单类别：%(c)s") % {"c": order.order_class})
    if order.order_date and order.delivery_date and order.delivery_date < order.order_date:
        errors.setdefault("delivery_date", []).append(_("交货日期不能早于下单日期。"))
    customer: Customer | None = getattr(order, "customer", None) if order.customer_id else None
    if customer is not None and customer.blocked:
        errors.setdefault("customer", []).append(
            _("客户已冻结，不能下单：%(r)s") % {"r": customer.blocked_reason or "—"}
        )
    if customer is not None and not customer.active:
        errors.setdefault("customer", []).append(_("客户已停用。"))


def customer_out_of_scope(actor: User, customer: Customer | None) -> bool:
    """S-1: staff enter orders only for customers their data scope shows them — the rule the order
    page's customer picker applies (`customers_for`). A customer they may not see is answered
    like a missing one, so the answer reveals nothing about it."""
    return customer is not None and not customers_for(actor).filter(pk=customer.pk).exists()


def _build_lines(
    order: SalesOrder, lines: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> list[OrderLine]:
    """P-1: each line names an active product, a positive quantity and a price at or above the floor."""
    if not lines:
        errors.setdefault("lines", []).append(_("至少需要一行订单明细。"))
        return []
    product_ids = {
        ln.get("product") if not isinstance(ln.get("product"), Product) else ln["product"].pk for ln in lines
    }
    products = Product.objects.in_bulk([p for p in product_ids if isinstance(p, int)])
    floor_ratio = policy_selectors.policy(of=order).intake.price_floor_ratio  # the order's own version
    built = []
    for i, raw in enumerate(lines):
        prefix = f"lines.{i}"
        product_ref = raw.get("product")
        product = products.get(product_ref.pk if isinstance(product_ref, Product) else product_ref)
        if product is None:
            errors.setdefault(f"{prefix}.product", []).append(_("产品不存在。"))
            continue
        if not product.active:
            errors.setdefault(f"{prefix}.product", []).append(
                _("产品 %(p)s 已停产，不能下单。") % {"p": product}
            )
        parsed: dict[str, Decimal] = {}
        for name, value in (
            ("quantity", raw.get("quantity", "")),
            ("unit_price", raw.get("unit_price", product.list_price)),
        ):
            try:
                # P-1: the column's digits and the sign, checked before anything is computed.
                parsed[name] = parse_model_decimal(
                    OrderLine, name, value, min_value=0, min_exclusive=name == "quantity"
                )
            except DecimalInputError as exc:
                errors.setdefault(f"{prefix}.{name}", []).append(exc.message)
        if len(parsed) < 2:
            continue
        quantity, unit_price = parsed["quantity"], parsed["unit_price"]
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount.adjusted() >= AMOUNT_DIGITS:
            errors.setdefault(f"{prefix}.quantity", []).append(
                _("金额（数量 × 单价）过大，整数部分最多 %(n)s 位。") % {"n": AMOUNT_DIGITS}
            )
            continue
        if floor_ratio > 0 and unit_price < product.list_price * floor_ratio:
            floor = (product.list_price * floor_ratio).quantize(CENT)
            errors.setdefault(f"{prefix}.unit_price", []).append(_("单价低于最低售价 %(f)s。") % {"f": floor})
        built.append(
            OrderLine(
                order=order,
                line_no=i + 1,
                product=product,
                spec=str(raw.get("spec") or product.spec)[:200],
                quantity=quantity,
                unit=str(raw.get("unit") or product.unit)[:20],
                unit_price=unit_price,
                amount=amount,
            )
        )
    if sum((ln.amount for ln in built), Decimal("0")).adjusted() >= AMOUNT_DIGITS:
        errors.setdefault("lines", []).append(
            _("订单金额合计过大，整数部分最多 %(n)s 位。") % {"n": AMOUNT_DIGITS}
        )
    return built


def line_errors(lines: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The lines' problems alone, so a form can show them together with the header's."""
    errors: dict[str, list[str]] = {}
    _build_lines(SalesOrder(), lines, errors)
    return errors


def _lines_snapshot(lines: Sequence[OrderLine]) -> list[dict[str, Any]]:
    return [
        {
            "line_no": ln.line_no,
            "product": ln.product_id,
            "spec": ln.spec,
            "quantity": ln.quantity,
            "unit": ln.unit,
            "unit_price": ln.unit_price,
            "amount": ln.amount,
        }
        for ln in lines
    ]


def _fingerprint(lines: Sequence[OrderLine]) -> str:
    return lines_fingerprint((ln.product_id, ln.quantity) for ln in lines)


def _check_duplicates(order: SalesOrder, lines: list[OrderLine], reason: str) -> None:
    window = policy_selectors.policy().intake.duplicate_window_hours
    found = possible_duplicates(
        customer_id=order.customer_id,
        lines=[(ln.product_id, ln.quantity) for ln in lines],
        window_hours=window,
        exclude=order.pk,
    )
    if found and not reason.strip():
        raise DuplicateSuspected([o.number for o in found])


# --- orders ---------------------------------------------------------------------------------


@transaction.atomic
@recorder.batched
def create_order(
    *,
    actor: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str = "",
    salesperson: User | None = None,
    inquiry: Inquiry | None = None,
) -> SalesOrder:
    """B-3, B-4: a draft order with its lines and a unique number in the policy's format, for a
    customer in the actor's data scope (S-1) — on every path: page, API, import, inquiry."""
    records.require(permissions.can_enter_orders(actor))
    customer = data.get("customer")
    if customer_out_of_scope(actor, customer):
        raise FieldErrors({"customer": _("客户不存在或不在您的数据范围内。")})
    return _create_order(
        actor=actor,
        data=data,
        lines=lines,
        duplicate_reason=duplicate_reason,
        salesperson=salesperson,
        inquiry=inquiry,
        # The scope check has just found the customer's row.
        customer_known=isinstance(customer, Customer),
    )


def _create_order(
    *,
    actor: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str,
    salesperson: User | None,
    inquiry: Inquiry | None,
    customer_known: bool = False,
) -> SalesOrder:
    unknown = set(data) - set(HEADER_FIELDS)
    if unknown:
        raise FieldErrors(dict.fromkeys(sorted(unknown), _("不认识的字段。")))
    seller = salesperson or actor
    order = SalesOrder(
        **data, salesperson=seller, created_by=actor, duplicate_reason=duplicate_reason[:200], inquiry=inquiry
    )
    if seller.department_id is None:
        raise FieldErrors({"salesperson": _("销售员没有所属部门。")})
    order.department_id = seller.department_id
    errors: dict[str, list[str]] = {}
    _clean_header(order, errors, customer_known=customer_known)
    built = _build_lines(order, lines, errors)
    if errors:
        raise FieldErrors(errors)
    _check_duplicates(order, built, duplicate_reason)
    order.pin_current_policy()
    policy = order.policy()
    order.currency = policy.currency
    order.total_amount = sum((ln.amount for ln in built), Decimal("0"))
    order.number = policy_actions.next_number(
        fmt=policy.numbering.order, when=timezone.localdate(), key="order"
    )
    order.lines_fingerprint = _fingerprint(built)
    order.save()
    for ln in built:
        ln.order = order
    OrderLine.objects.bulk_create(built)
    after = records.snapshot(order, [f for f in HEADER_FIELDS if f != "original_document"])
    recorder.record(
        actor=actor,
        obj=order,
        action="order.create",
        after={
            **after,
            "number": order.number,
            "total_amount": order.total_amount,
            "lines": _lines_snapshot(built),
        },
        reason=duplicate_reason,
    )
    return order


@transaction.atomic
@recorder.batched
def update_order(
    *,
    actor: User,
    order: SalesOrder,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None,
    version: int,
    duplicate_reason: str = "",
    allow_confirmed: bool = False,
    reason: str = "",
) -> SalesOrder:
    """B-5: a draft (or an order sent back for information, or renegotiated after a failed
    review, C-6) is edited; every change is recorded. After submission the commercial content is
    locked; `allow_confirmed` is for the customer's modification window only (D-3)."""
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if not (permissions.can_edit_draft(actor, locked) or permissions.can_renegotiate(actor, locked)):
        records.require(False)
    if locked.status not in EDITABLE_STATUSES and not (
        allow_confirmed and locked.status == OrderStatus.CONFIRMED
    ):
        raise ActionError(_("订单已提交，不能直接修改；请走变更流程。"))
    if locked.version != version:
        raise StaleVersion(
            _("该订单已被他人修改（当前版本 %(v)s），请刷新后重新编辑。") % {"v": locked.version}
        )
    unknown = set(data) - set(HEADER_FIELDS)
    if unknown:
        raise FieldErrors(dict.fromkeys(sorted(unknown), _("不认识的字段。")))
    new_customer = data.get("customer")
    if (
        isinstance(new_customer, Customer)
        and new_customer.pk != locked.customer_id
        and customer_out_of_scope(actor, new_customer)
    ):
        # S-1: changing the order to a customer outside the actor's scope is refused like creating one.
        raise FieldErrors({"customer": _("客户不存在或不在您的数据范围内。")})
    before = records.snapshot(locked, data.keys())
    old_lines = list(locked.lines.order_by("line_no"))
    for name, value in data.items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    _clean_header(locked, errors)
    built = _build_lines(locked, lines, errors) if lines is not None else old_lines
    if errors:
        raise FieldErrors(errors)
    if lines is not None:
        _check_duplicates(locked, built, duplicate_reason or locked.duplicate_reason)
        OrderLine.objects.filter(pk__in=[ln.pk for ln in old_lines]).update(removed=True)
        OrderLine.objects.bulk_create(built)
        locked.total_amount = sum((ln.amount for ln in built), Decimal("0"))
        locked.lines_fingerprint = _fingerprint(built)
    if duplicate_reason:
        locked.duplicate_reason = duplicate_reason[:200]
    after = records.snapshot(locked, data.keys())
    changed_before, changed_after = recorder.diff(before, after)
    if lines is not None and _lines_snapshot(old_lines) != _lines_snapshot(built):
        changed_before["lines"], changed_after["lines"] = _lines_snapshot(old_lines), _lines_snapshot(built)
        changed_before["total_amount"], changed_after["total_amount"] = (
            order.total_amount,
            locked.total_amount,
        )
    if not changed_after:
        return locked
    locked.version += 1
    locked.save()
    recorder.record(
        actor=actor,
        obj=locked,
        action="order.update",
        before=changed_before,
        after=changed_after,
        reason=reason,
    )
    if locked.status != OrderStatus.DRAFT:
        # I-4: once submitted, every change of content is a new version of the order.
        versions.record_version(order=locked, actor=actor, reason=reason or _("修改订单"))
    return locked


# The header fields a customer fills in the portal; the rest come from their records.
PORTAL_FIELDS = (
    "contact_phone",
    "order_class",
    "delivery_date",
    "delivery_place",
    "external_ref",
    "special_requirements",
)


@transaction.atomic
@recorder.batched
def place_customer_order(
    *,
    actor: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str = "",
) -> SalesOrder:
    """B-8: a customer's contact places an order in the portal. It is entered in their name for
    their own company, at list prices (sales negotiates in the preliminary check), for the
    customer's salesperson, and enters intake as `pending_check` with the check's deadline."""
    account = portal_account_of(actor)
    if account is None:
        raise ActionError(_("只有客户门户账号可以在门户下单。"))
    customer = Customer.objects.select_related("owner", "department").get(pk=account.customer_id)
    seller = customer.owner or (head_of(customer.department) if customer.department else None)
    if seller is None or not seller.is_active:
        raise ActionError(_("您的客户档案还没有负责的销售，请先联系我们。"))
    unknown = set(data) - set(PORTAL_FIELDS)
    if unknown:
        raise FieldErrors(dict.fromkeys(sorted(unknown), _("不认识的字段。")))
    priced = [{k: v for k, v in ln.items() if k in {"product", "quantity", "spec"}} for ln in lines]
    required = {
        "delivery_date": _("请填写要求的交货日期。"),
        "delivery_place": _("请填写交货地点。"),
        "contact_phone": _("请填写联系电话。"),
    }
    # Every problem at once: the plain request replaces the model's message for what is missing.
    missing = {k: [m] for k, m in required.items() if not str(data.get(k) or "").strip()}
    header = {
        "order_class": policy_selectors.policy().order_classes[0].code,
        **data,
        "customer": customer,
        "contact_name": account.contact.name,
        "order_date": timezone.localdate(),
        "channel": OrderChannel.PORTAL,
        "payment_terms": customer.payment_terms,
    }
    try:
        order = _create_order(
            actor=actor,
            data=header,
            lines=priced,
            duplicate_reason=duplicate_reason,
            salesperson=seller,
            inquiry=None,
            customer_known=True,
        )
    except FieldErrors as exc:
        raise FieldErrors({**exc.errors, **missing}) from exc
    order = submit_order(actor=actor, order=order)
    notify(
        event="intake",
        recipients=[seller],
        title=_("客户 %(c)s 在门户下单 %(n)s，请初审") % {"c": customer.name, "n": order.number},
        url=f"/orders/{order.pk}/",
    )
    return order


def _open_check(order: SalesOrder, start: Any) -> None:
    """B-6, B-7: the preliminary check waits on the sales department's head, due by the class limit."""
    hours = policy_selectors.time_limit_hours(
        order_class=order.order_class, version=order.policy_version.number
    )
    tracking.open_item(
        target=order,
        kind="order.check",
        title=_("初审订单 %(n)s") % {"n": order.number},
        department=order.department,
        assignee=tracking.decider_for(
            candidate=head_of(order.department),
            target=order,
            what=_("初审订单 %(n)s") % {"n": order.number},
            url=f"/orders/{order.pk}/",
        ),
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=hours,
        start=start,
    )


@transaction.atomic
@recorder.batched
def submit_order(*, actor: User, order: SalesOrder) -> SalesOrder:
    """B-6: submitting starts the preliminary check; its deadline follows the order class (B-7)."""
    now = timezone.now()
    order = workflow.apply(states.SUBMIT, order, actor=actor, changes={"submitted_at": now})
    versions.record_version(order=order, actor=actor, reason=_("提交初审"))
    _open_check(order, now)
    return order


@transaction.atomic
@recorder.batched
def cancel_draft(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """B-5: a draft is voided with a reason; it ends cancelled and waits on nobody (H-5)."""
    order = workflow.apply(states.CANCEL_DRAFT, order, actor=actor, reason=reason)
    tracking.end_order_items(order=order, actor=actor, reason=reason)
    return order


@transaction.atomic
@recorder.batched
def pass_check(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """B-6: complete, creditworthy, feasible: on to cross-department review (C)."""
    order = workflow.apply(
        states.PASS_CHECK, order, actor=actor, reason=reason, changes={"decided_at": timezone.now()}
    )
    tracking.close_items(target=order, actor=actor, outcome=_("初审通过"), kinds=("order.check",))
    review.start_round(order=order, actor=actor)
    return order


@transaction.atomic
@recorder.batched
def request_info(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """B-6: missing information sends the order back to the salesperson, who must supplement it."""
    order = workflow.apply(states.REQUEST_INFO, order, actor=actor, reason=reason)
    tracking.close_items(target=order, actor=actor, outcome=_("退回补充"), kinds=("order.check",))
    hours = policy_selectors.time_limit_hours(
        order_class=order.order_class, version=order.policy_version.number
    )
    tracking.open_item(
        target=order,
        kind="order.supplement",
        title=_("补充订单 %(n)s 的资料：%(r)s") % {"n": order.number, "r": reason},
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=hours,
    )
    return order


@transaction.atomic
@recorder.batched
def complete_info(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """B-6: the supplemented order returns to the preliminary check with a fresh deadline."""
    now = timezone.now()
    order = workflow.apply(states.COMPLETE_INFO, order, actor=actor, reason=reason)
    tracking.close_items(target=order, actor=actor, outcome=_("已补充"), kinds=("order.supplement",))
    _open_check(order, now)
    return order


@transaction.atomic
@recorder.batched
def escalate(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """B-6: poor credit or a tight delivery date goes to management, who decide whether to accept."""
    order = workflow.apply(
        states.ESCALATE, order, actor=actor, reason=reason, changes={"escalated_by": actor}
    )
    tracking.close_items(target=order, actor=actor, outcome=_("上报管理层"), kinds=("order.check",))
    management = department_of_kind(DepartmentKind.MANAGEMENT) or order.department
    executive = tracking.decider_for(
        candidate=executive_in_charge() or head_of(management),
        target=order,
        raisers={*order.raiser_ids(), actor.pk},
        what=_("决定是否接单 %(n)s") % {"n": order.number},
        url=f"/orders/{order.pk}/",
    )
    hours = policy_selectors.time_limit_hours(
        order_class=order.order_class, version=order.policy_version.number
    )
    tracking.open_item(
        target=order,
        kind="order.decision",
        title=_("决定是否接单 %(n)s：%(r)s") % {"n": order.number, "r": reason},
        department=management,
        assignee=executive,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=hours,
    )
    return order


@transaction.atomic
@recorder.batched
def decide(*, actor: User, order: SalesOrder, accept: bool, reason: str) -> SalesOrder:
    """B-6: management accepts (on to review) or declines the escalated order, with a reason.
    Accepting is management taking the risk the preliminary check refused to pass (poor credit, a
    tight delivery date): the audit trail names the reasons the acceptance overrode."""
    order = workflow.apply(
        states.ACCEPT if accept else states.DECLINE,
        order,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now()},
    )
    overridden = checks.blocking_reasons(order) if accept else []
    if overridden:
        recorder.record(
            actor=actor,
            obj=order,
            action="order.risk_accepted",
            after={"overridden": overridden},
            reason=reason,
        )
    tracking.close_items(
        target=order, actor=actor, outcome=_("接单") if accept else _("不接单"), kinds=("order.decision",)
    )
    if accept:
        review.start_round(order=order, actor=actor)
    else:
        # H-5: a declined order ends; nothing of it waits on anyone any more.
        tracking.end_order_items(order=order, actor=actor, reason=_("不接单：%(r)s") % {"r": reason})
    return order


# --- inquiries ------------------------------------------------------------------------------

INQUIRY_FIELDS = ("customer", "prospect_name", "contact_name", "contact_phone", "channel", "content")


@transaction.atomic
@recorder.batched
def record_inquiry(*, actor: User, data: Mapping[str, Any], assignee: User | None = None) -> Inquiry:
    """B-2: customer service records an inquiry, optionally handing it straight to a salesperson."""
    records.require(permissions.can_record_inquiry(actor))
    inquiry = Inquiry(**data, received_by=actor)
    if not inquiry.customer_id and not str(data.get("prospect_name", "")).strip():
        raise FieldErrors({"customer": _("请选择客户或填写潜在客户名称。")})
    inquiry = records.create(actor=actor, obj=inquiry, fields=INQUIRY_FIELDS, action="inquiry.create")
    if assignee is not None:
        inquiry = assign_inquiry(actor=actor, inquiry=inquiry, assignee=assignee)
    return inquiry


@transaction.atomic
@recorder.batched
def assign_inquiry(*, actor: User, inquiry: Inquiry, assignee: User) -> Inquiry:
    """B-2: hand the inquiry to a salesperson, who must follow it up within the policy's time."""
    if assignee.department_kind != DepartmentKind.SALES:
        raise FieldErrors({"assigned_to": _("只能分配给销售部门的人员。")})
    inquiry = workflow.apply(states.ASSIGN_INQUIRY, inquiry, actor=actor, changes={"assigned_to": assignee})
    tracking.close_items(target=inquiry, actor=actor, outcome=_("已转交"))
    assert assignee.department is not None
    tracking.open_item(
        target=inquiry,
        kind="inquiry.followup",
        title=_("跟进咨询：%(c)s") % {"c": inquiry.customer or inquiry.prospect_name},
        department=assignee.department,
        assignee=assignee,
        calendar=policy_selectors.work_calendar(),
        hours=policy_selectors.policy().intake.inquiry_followup_hours,
    )
    return inquiry


@transaction.atomic
@recorder.batched
def convert_inquiry(
    *,
    actor: User,
    inquiry: Inquiry,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str = "",
) -> SalesOrder:
    """B-2: the salesperson turns the inquiry into an order."""
    inquiry = workflow.apply(states.CONVERT_INQUIRY, inquiry, actor=actor)
    tracking.close_items(target=inquiry, actor=actor, outcome=_("已转订单"))
    return create_order(
        actor=actor, data=data, lines=lines, duplicate_reason=duplicate_reason, inquiry=inquiry
    )


@transaction.atomic
@recorder.batched
def close_inquiry(*, actor: User, inquiry: Inquiry, reason: str) -> Inquiry:
    """B-2: an inquiry that does not become an order is closed with a reason."""
    inquiry = workflow.apply(
        states.CLOSE_INQUIRY, inquiry, actor=actor, reason=reason, changes={"close_reason": reason[:200]}
    )
    tracking.close_items(target=inquiry, actor=actor, outcome=reason)
    return inquiry


# --- spreadsheet import (B-9) -------------------------------------------------------------


def preview_import(*, actor: User, file_name: str, content: bytes) -> ImportBatch:
    """Check every row by running the real create in a savepoint that is rolled back."""
    records.require(permissions.can_enter_orders(actor))
    groups, errors = importing.group_rows(importing.read_rows(content))
    for group in groups:
        try:
            with transaction.atomic():
                create_order(actor=actor, data=importing.order_header(group["header"]), lines=group["lines"])
                raise importing.Rollback
        except importing.Rollback:
            pass
        except ActionError as exc:
            messages = (
                [f"{k}: {m}" for k, ms in exc.errors.items() for m in ms]
                if isinstance(exc, FieldErrors)
                else [exc.message]
            )
            errors.append({"row": group["rows"][0], "messages": messages})
    errors.sort(key=lambda e: e["row"])
    return ImportBatch.objects.create(
        file_name=file_name[:200], payload=groups, row_errors=errors, created_by=actor
    )


@transaction.atomic
@recorder.batched
def confirm_import(*, actor: User, batch: ImportBatch) -> list[str]:
    """Create every order of a clean preview in one transaction; all or nothing."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.created_by_id != actor.pk:
        records.require(False)
    if locked.status != ImportStatus.PREVIEW:
        raise ActionError(_("该导入已处理。"))
    if locked.row_errors:
        raise ActionError(_("文件有错误，请修改后重新上传。"))
    numbers = [
        create_order(actor=actor, data=importing.order_header(g["header"]), lines=g["lines"]).number
        for g in locked.payload
    ]
    locked.status, locked.order_numbers = ImportStatus.IMPORTED, numbers
    locked.save(update_fields=["status", "order_numbers"])
    return numbers


def cancel_import(*, actor: User, batch: ImportBatch) -> None:
    """Nothing was saved; the batch is kept as a record that the file was looked at."""
    ImportBatch.objects.filter(pk=batch.pk, created_by=actor, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.CANCELLED
    )
