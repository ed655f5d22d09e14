"""Every write of change and cancellation requests (I-1..I-4, J-1).

A request keeps the new terms as they were asked. The departments the policy's rules name for
what changes review it (like an order review, with the same deadlines and escalation), then the
leader the policy names approves it. Only then does the order change: in place, so that shipments,
reservations and purchase orders keep pointing at the same lines; the order becomes a new version,
a change agreement is drawn up, and the affected departments' work is adjusted. A cancellation
assesses the loss, and on approval stops all work and ends the order `cancelled`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, executive_in_charge, head_of
from oms.audit import recorder
from oms.audit.models import normalise
from oms.catalog.models import Product
from oms.changes import states
from oms.changes.models import (
    OPEN_REQUEST_STATUSES,
    ChangeRequest,
    ChangeTask,
    CustomerChannel,
    CustomerLink,
    RequestKind,
    RequestStatus,
    Source,
)
from oms.contracts import files
from oms.contracts.models import Contract
from oms.contracts.rendering import values as contract_values
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.money import decimal_input, format_quantity
from oms.core.tokens import new_token, token_hash
from oms.customers.models import PaymentTerms
from oms.engine import workflow
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import ReservationStatus
from oms.notifications.actions import notify
from oms.orders import actions as order_actions
from oms.orders import versions
from oms.orders.models import OrderLine, OrderStatus, SalesOrder, lines_fingerprint
from oms.orders.permissions import CustomerActor, can_renegotiate, is_customer_of
from oms.orders.rules import delivery_date_error
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors
from oms.review import states as review_states
from oms.review.actions import department_for, reviewer_of
from oms.review.models import TaskStatus, Verdict
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem

CENT = Decimal("0.01")
# I-1: the terms a change may touch, and the aspect (policy rule) each belongs to.
TERM_ASPECTS = {
    "delivery_date": "delivery_date",
    "delivery_place": "delivery_place",
    "payment_terms": "payment_terms",
    "invoice_requirements": "payment_terms",
    "special_requirements": "specs",
    "needs_customisation": "specs",
    "needs_special_packaging": "specs",
    "needs_special_transport": "specs",
}
_BOOLEAN_TERMS = {"needs_customisation", "needs_special_packaging", "needs_special_transport"}


def term_label(name: str) -> str:
    return str(getattr(SalesOrder._meta.get_field(name), "verbose_name", name))


def _url(request: ChangeRequest) -> str:
    return f"/changes/{request.pk}/"


# --- the proposal ------------------------------------------------------------------------------


def current_proposal(order: SalesOrder) -> dict[str, Any]:
    """The order's terms and lines in the shape a proposal takes (the change form starts here)."""
    return {
        "terms": {name: getattr(order, name) for name in TERM_ASPECTS},
        "lines": [
            {
                "line": ln.pk,
                "product": ln.product_id,
                "spec": ln.spec,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
            }
            for ln in order.lines.order_by("line_no")
        ],
    }


def _decimal(value: Any, key: str, name: str, model: type[models.Model] = OrderLine) -> Decimal | None:
    """P-1: the shared parser at the column's digits; an oversized or non-finite value is refused
    naming `key`, empty is None (the caller says what is required)."""
    return decimal_input(value, key=key, model=model, name=name)


def _checked(value: Any, name: str) -> Decimal | None:
    """A new line's number, already checked (and reported) by order_actions.line_errors."""
    try:
        return _decimal(value, name, name)
    except FieldErrors:
        return None


def _clean_terms(order: SalesOrder, terms: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    unknown = set(terms) - set(TERM_ASPECTS)
    for name in sorted(unknown):
        errors[name] = _("不能通过变更申请修改这一项。")
    clean: dict[str, Any] = {}
    for name in TERM_ASPECTS:
        if name not in terms:
            clean[name] = getattr(order, name)
            continue
        value = terms[name]
        if name == "delivery_date":
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value.strip())
                except ValueError:
                    value = None
            if not isinstance(value, date):
                errors[name] = _("请填写正确的交货日期。")
            elif problem := delivery_date_error(order.order_date, value):
                errors[name] = problem
        elif name == "payment_terms":
            if value not in PaymentTerms.values:
                errors[name] = _("请选择付款方式。")
        elif name in _BOOLEAN_TERMS:
            value = value in {True, "on", "true", "1"}
        else:
            value = str(value or "").strip()
            limit = 255 if name in {"delivery_place", "invoice_requirements"} else 2000
            if name == "delivery_place" and not value:
                errors[name] = _("请填写交货地点。")
            elif len(value) > limit:
                errors[name] = _("内容过长（最多 %(n)s 字）。") % {"n": limit}
        clean[name] = value
    return clean


def _compare(
    order: SalesOrder,
    terms: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    errors: dict[str, str],
) -> dict[str, Any]:
    """Validate the new terms against the order as it is and describe what changes: the aspects
    (for the policy's rules), the lines and terms touched (for conflicts), and a summary."""
    clean_terms = _clean_terms(order, terms, errors)
    live = {ln.pk: ln for ln in order.lines.select_related("product").order_by("line_no")}
    shipped = fulfilment.shipped_quantities(order)
    floor_ratio = order.policy().intake.price_floor_ratio
    aspects: set[str] = set()
    summary: list[dict[str, Any]] = []
    touched_lines: set[int] = set()
    touched_terms = [n for n in TERM_ASPECTS if clean_terms[n] != getattr(order, n)]
    for name in touched_terms:
        aspects.add(TERM_ASPECTS[name])
        summary.append(
            {"type": "term", "field": name, "before": getattr(order, name), "after": clean_terms[name]}
        )
    kept: set[int] = set()
    clean_lines: list[dict[str, Any]] = []
    new_rows = [(i, raw) for i, raw in enumerate(lines) if not raw.get("line")]
    for i, raw in enumerate(lines):
        if not raw.get("line"):
            continue
        line = live.get(int(raw["line"])) if str(raw["line"]).isdigit() else None
        if line is None or line.pk in kept:
            errors[f"lines.{i}.line"] = _("不是这个订单的明细。")
            continue
        kept.add(line.pk)
        quantity = _decimal(raw.get("quantity"), f"lines.{i}.quantity", "quantity")
        # Without a price (an API client, or a user who may not see prices, S-1) the price stays.
        price = (
            _decimal(raw["unit_price"], f"lines.{i}.unit_price", "unit_price")
            if raw.get("unit_price") not in (None, "")
            else line.unit_price
        )
        spec = str(raw.get("spec", line.spec) or "").strip()[:200]
        if quantity is None or quantity <= 0:
            errors[f"lines.{i}.quantity"] = _("数量必须大于 0。")
            continue
        if price is None or price < 0:
            errors[f"lines.{i}.unit_price"] = _("单价不能为负数。")
            continue
        gone = shipped.get(line.pk, Decimal("0"))
        if quantity < gone:
            errors[f"lines.{i}.quantity"] = _("第 %(n)s 行已发货 %(s)s，变更后的数量不能少于已发货数量。") % {
                "n": line.line_no,
                "s": format_quantity(gone),
            }
        floor = (line.product.list_price * floor_ratio).quantize(CENT)
        if price != line.unit_price and floor_ratio > 0 and price < floor:
            errors[f"lines.{i}.unit_price"] = _("单价低于最低售价 %(f)s。") % {"f": floor}
        for field, before, after, aspect in (
            ("quantity", line.quantity, quantity, "quantity"),
            ("unit_price", line.unit_price, price, "price"),
            ("spec", line.spec, spec, "specs"),
        ):
            if before != after:
                aspects.add(aspect)
                touched_lines.add(line.pk)
                summary.append(
                    {
                        "type": "changed",
                        "line_no": line.line_no,
                        "product": line.product.name,
                        "field": field,
                        "before": before,
                        "after": after,
                    }
                )
        clean_lines.append({"line": line.pk, "quantity": quantity, "unit_price": price, "spec": spec})
    for pk, line in live.items():
        if pk in kept:
            continue
        if shipped.get(pk):
            errors["lines"] = _("第 %(n)s 行已发货，不能删除。") % {"n": line.line_no}
        aspects.add("lines")
        touched_lines.add(pk)
        summary.append(
            {
                "type": "removed",
                "line_no": line.line_no,
                "product": line.product.name,
                "quantity": line.quantity,
            }
        )
    # A new line without a price (its author may not see prices, S-1) takes the list price.
    new_rows = [(i, {k: v for k, v in raw.items() if v not in (None, "")}) for i, raw in new_rows]
    if new_rows:
        problems = order_actions.line_errors([raw for _i, raw in new_rows])
        for key, msgs in problems.items():
            parts = key.split(".")
            if len(parts) == 3:
                errors[f"lines.{new_rows[int(parts[1])][0]}.{parts[2]}"] = msgs[0]
            else:
                errors["lines"] = msgs[0]
        products = Product.objects.in_bulk([raw.get("product") for _i, raw in new_rows if raw.get("product")])
        for _i, raw in new_rows:
            product = products.get(raw.get("product"))
            quantity = _checked(raw.get("quantity"), "quantity")
            price = (
                _checked(raw["unit_price"], "unit_price")
                if "unit_price" in raw
                else getattr(product, "list_price", None)
            )
            if product is None or quantity is None or price is None:
                continue
            spec = str(raw.get("spec") or product.spec)[:200]
            aspects.add("lines")
            summary.append(
                {
                    "type": "added",
                    "product": product.name,
                    "spec": spec,
                    "quantity": quantity,
                    "unit_price": price,
                }
            )
            clean_lines.append(
                {"line": None, "product": product.pk, "quantity": quantity, "unit_price": price, "spec": spec}
            )
    if not clean_lines and not any(k == "lines" or k.startswith("lines.") for k in errors):
        errors["lines"] = _("变更后订单至少要有一行明细；要取消整单请提交取消申请。")
    return {
        "terms": clean_terms,
        "lines": clean_lines,
        "aspects": sorted(aspects),
        "summary": summary,
        "touched_lines": sorted(touched_lines),
        "touched_terms": touched_terms,
    }


def loss_facts(order: SalesOrder) -> dict[str, Any]:
    """J-1: what cancelling now would cost: goods shipped, production done (with the standard
    cost of the share of work done as the suggested loss), materials bought, stock held, money
    received."""
    lines = list(order.lines.select_related("product").order_by("line_no"))
    shipped = fulfilment.shipped_quantities(order)
    shipped_amount = sum(
        ((shipped.get(ln.pk, Decimal("0")) * ln.unit_price).quantize(CENT) for ln in lines), Decimal("0")
    )
    milestones = list(order.milestones.order_by("seq"))
    done_share = (
        Decimal(sum(m.progress for m in milestones)) / Decimal(100 * len(milestones))
        if milestones
        else Decimal("0")
    )
    open_cost = sum(
        ((ln.quantity - shipped.get(ln.pk, Decimal("0"))) * ln.product.standard_cost for ln in lines),
        Decimal("0"),
    )
    purchases = [
        {
            "po": str(po),
            "supplier": po.supplier.name,
            "status": po.status,
            "lines": [
                {"product": pl.product.name, "ordered": pl.quantity, "accepted": pl.accepted}
                for pl in po.lines.all()
            ],
        }
        for po in order.purchase_orders.select_related("supplier").prefetch_related("lines__product")
    ]
    held = order.reservations.exclude(
        status__in=[ReservationStatus.SHIPPED, ReservationStatus.RELEASED]
    ).aggregate(s=Sum("quantity"))["s"] or Decimal("0")
    return normalise(
        {
            "shipped_amount": shipped_amount,
            "milestones": [
                {"name": m.name, "progress": m.progress, "quantity_done": m.quantity_done} for m in milestones
            ],
            "work_done_share": (done_share * 100).quantize(Decimal("0.1")),
            "work_done_cost": (open_cost * done_share).quantize(CENT, rounding=ROUND_HALF_UP),
            "purchases": purchases,
            "open_purchase_orders": sum(1 for p in purchases if p["status"] == "open"),
            "stock_held": held,
            "prepaid": order.prepayments.aggregate(s=Sum("amount"))["s"] or Decimal("0"),
        }
    )


# --- raising ------------------------------------------------------------------------------------


def _conflict(order: SalesOrder, kind: str, touched_lines: list[int], touched_terms: list[str]) -> str | None:
    """I-1: one open request per line (and per term) at a time; a cancellation excludes any other."""
    for other in order.change_requests.filter(status__in=OPEN_REQUEST_STATUSES):
        if kind == RequestKind.CANCELLATION or other.kind == RequestKind.CANCELLATION:
            return _("订单已有未结束的申请 %(r)s，请等它结束或撤回后再提交。") % {"r": other.number}
        lines = set(other.touched_lines) & set(touched_lines)
        if lines:
            numbers = order.lines.model.all_objects.filter(pk__in=lines).order_by("line_no")
            return _("第 %(l)s 行正在申请 %(r)s 中变更，请等它结束或撤回后再提交。") % {
                "l": "、".join(str(n) for n in numbers.values_list("line_no", flat=True)),
                "r": other.number,
            }
        terms = set(other.touched_terms) & set(touched_terms)
        if terms:
            labels = "、".join(term_label(t) for t in sorted(terms))
            return _("%(t)s正在申请 %(r)s 中变更，请等它结束或撤回后再提交。") % {
                "t": labels,
                "r": other.number,
            }
    return None


def _leader(order: SalesOrder) -> User:
    role = order.policy().changes.approver
    if role == "sales_head":
        person = head_of(order.department)
    elif role == "executive":
        person = executive_in_charge()
    else:
        management = department_of_kind(DepartmentKind.MANAGEMENT)
        person = head_of(management) if management else None
    if person is None or person.department is None:
        raise ActionError(_("制度指定的变更审批领导没有对应的人员。"))
    return person


def _open(task: ChangeTask, actor: Any) -> None:
    """Open the task and put it in the reviewer's work with the order review's deadline (C-3)."""
    request = task.request
    order = request.order
    review = order.policy().review
    task = workflow.apply(review_states.OPEN_TASK, task, actor=actor)
    sequential = review.mode == "sequential" or task.is_leader
    kind_label = _("变更") if request.kind == RequestKind.CHANGE else _("取消")
    title = (
        _("审批订单 %(n)s 的%(k)s申请 %(r)s")
        if task.is_leader
        else _("评审订单 %(n)s 的%(k)s申请 %(r)s（%(d)s）")
    ) % {"n": order.number, "k": kind_label, "r": request.number, "d": task.department}
    tracking.open_item(
        target=task,
        order_id=order.pk,
        kind="change.task",
        title=title,
        department=task.department,
        assignee=task.assignee,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=review.stage_time_limit_hours if sequential else None,
        days=None if sequential else review.board_time_limit_days,
    )
    notify(event="changes", recipients=[task.assignee], title=title, url=_url(request))


@transaction.atomic
def raise_request(
    *,
    actor: User,
    order: SalesOrder,
    kind: str,
    source: str,
    reason: str,
    impact: str,
    terms: Mapping[str, Any] | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    notice: Any = None,
    loss_amount: Any = None,
    loss_notes: str = "",
    customer_name: str = "",
    channel: str = "",
    customer_user: User | None = None,
) -> ChangeRequest:
    """I-1, J-1: a change (new terms and lines) or a cancellation, with why and the expected
    impact; I-2 the affected departments' review starts at once."""
    if not states.can_raise(actor, order):
        raise NotAllowed(_("只有公司内部部门人员可以提交变更或取消申请。"))
    locked = SalesOrder.objects.select_for_update().select_related("department").get(pk=order.pk)
    if kind not in RequestKind.values:
        raise FieldErrors({"kind": _("请选择变更或取消。")})
    if locked.status == OrderStatus.SHIPPED:
        raise ActionError(
            _("订单已全部发货，不能取消，请按退货处理。")
            if kind == RequestKind.CANCELLATION
            else _("订单已全部发货，不能再变更。")
        )
    if locked.status not in states.CHANGEABLE:
        raise ActionError(
            _("订单当前状态为“%(s)s”，只有客户确认后、全部发货前的订单才能申请变更或取消。")
            % {"s": locked.get_status_display()}
        )
    policy = locked.policy()
    errors: dict[str, str] = {}
    if source not in Source.values:
        errors["source"] = _("请选择提出方。")
    if source == Source.CUSTOMER and not can_renegotiate(actor, locked):
        errors["source"] = _("客户提出的申请由负责该订单的销售代为提交。")
    if not reason.strip():
        errors["reason"] = _("请说明原因。")
    if not impact.strip():
        errors["impact"] = _("请说明预计影响。")
    # Through the customer's own link (customer_name) the submission itself is the written notice.
    needs_notice = policy.changes.customer_notice_required and not customer_name
    if source == Source.CUSTOMER and needs_notice and notice is None:
        errors["customer_notice"] = _("客户提出的申请须附客户书面通知。")
    loss: Decimal | None = None
    if kind == RequestKind.CANCELLATION:
        loss = _decimal(loss_amount, "loss_amount", "loss_amount", ChangeRequest)
        if loss is None or loss < 0:
            errors["loss_amount"] = _("请填写估算损失金额（不小于 0）。")
        described: dict[str, Any] = {
            "terms": {},
            "lines": [],
            "aspects": ["cancellation"],
            "summary": [{"type": "cancel"}],
            "touched_lines": list(locked.lines.values_list("pk", flat=True)),
            "touched_terms": list(TERM_ASPECTS),
        }
    else:
        described = _compare(
            locked, terms or {}, lines if lines is not None else current_proposal(locked)["lines"], errors
        )
        if not errors and not described["summary"]:
            errors["lines"] = _("新条款与订单现有内容相同，没有需要变更的内容。")
    digest = ""
    if notice is not None and "customer_notice" not in errors:
        try:
            digest = files.check_upload(
                notice, field="customer_notice", max_mb=policy.contracts.max_upload_mb, scan_only=False
            )
        except FieldErrors as exc:
            errors.update({k: v[0] for k, v in exc.errors.items()})
    if errors:
        raise FieldErrors(errors)
    conflict = _conflict(locked, kind, described["touched_lines"], described["touched_terms"])
    if conflict:
        raise ActionError(conflict)
    departments = policy.changes.departments_for(described["aspects"])
    leader = _leader(locked)
    number = policy_actions.next_number(
        fmt=policy.numbering.change_request, when=timezone.localdate(), key="change_request"
    )
    assert actor.department is not None
    request = ChangeRequest.objects.create(
        order=locked,
        number=number,
        kind=kind,
        source=source,
        raised_by=actor,
        department=actor.department,
        reason=reason.strip(),
        impact=impact.strip(),
        proposal=normalise({"terms": described["terms"], "lines": described["lines"]}),
        summary=normalise(described["summary"]),
        aspects=described["aspects"],
        touched_lines=described["touched_lines"],
        touched_terms=described["touched_terms"],
        departments=departments,
        base_version=locked.version,
        customer_notice=notice or "",
        notice_sha256=digest,
        loss_facts=loss_facts(locked) if kind == RequestKind.CANCELLATION else {},
        loss_amount=loss,
        loss_notes=loss_notes.strip(),
        customer_name=customer_name.strip()[:100],
        # I-1: a customer's request not sent by link or portal was brought in by sales.
        channel=(channel or CustomerChannel.SALES) if source == Source.CUSTOMER else "",
        customer_user=customer_user if source == Source.CUSTOMER else None,
    )
    review = policy.review
    what = _("%(k)s %(r)s") % {"k": RequestKind(kind).label, "r": request.number}
    # P-5: whoever raised the request neither reviews nor approves it.
    leader = tracking.decider_for(candidate=leader, target=request, what=what) or leader
    tasks = []
    for i, dept_kind in enumerate(departments):
        dept = department_for(dept_kind)
        tasks.append(
            ChangeTask.objects.create(
                request=request,
                stage=i + 1 if review.mode == "sequential" else 1,
                department=dept,
                department_kind=dept_kind,
                assignee=reviewer_of(dept, raisers=request.raiser_ids(), what=what),
            )
        )
    assert leader.department is not None
    ChangeTask.objects.create(
        request=request,
        stage=max((t.stage for t in tasks), default=0) + 1,
        department=leader.department,
        department_kind=leader.department.kind,
        is_leader=True,
        assignee=leader,
    )
    recorder.record(
        actor=actor,
        obj=locked,
        action="change.raise",
        after={
            "request": number,
            "kind": kind,
            "source": source,
            "aspects": described["aspects"],
            "departments": departments,
            "summary": request.summary,
            "loss_amount": loss,
            "customer_name": request.customer_name,
        },
        reason=reason.strip(),
    )
    _advance(request, actor)
    return request


# --- the customer's own link (I-1) ------------------------------------------------------------------


@transaction.atomic
def issue_customer_link(*, actor: User, order: SalesOrder) -> str:
    """I-1: sales sends the customer a one-time link to ask for a change; returns the token (only
    its hash is stored). It is valid as long as the policy's confirmation link."""
    if not can_renegotiate(actor, order):
        raise NotAllowed(_("只有负责该订单的销售可以发送变更链接。"))
    if order.status not in states.CHANGEABLE:
        raise ActionError(_("只有客户确认后、全部发货前的订单才能申请变更。"))
    token, hashed = new_token()
    link = CustomerLink.objects.create(
        order=order,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(hours=order.policy().confirmation.link_valid_hours),
        created_by=actor,
    )
    recorder.record(actor=actor, obj=order, action="change.link", after={"expires_at": link.expires_at})
    return token


def customer_link(token: str) -> CustomerLink | None:
    return (
        CustomerLink.objects.select_related("order", "order__customer")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def request_by_customer(
    *,
    token: str,
    name: str,
    reason: str,
    impact: str,
    terms: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> ChangeRequest:
    """I-1: the customer asks for a change through the link; it is raised in the salesperson's
    name, marked as the customer's, and reviewed like any other. A used, expired or forged link
    is refused."""
    link = (
        CustomerLink.objects.select_for_update()
        .select_related("order")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise NotAllowed(_("变更链接无效。"))
    if link.used_at is not None:
        raise ActionError(_("该变更链接已使用过。"))
    if link.expires_at <= timezone.now():
        raise ActionError(_("变更链接已过期，请联系销售重新发送。"))
    if not name.strip():
        raise FieldErrors({"name": _("请填写提交人姓名。")})
    request = _customer_request(
        order=link.order,
        actor=CustomerActor(name.strip()),
        name=name.strip(),
        reason=reason,
        impact=impact,
        terms=terms,
        lines=lines,
        title=_("客户 %(c)s 通过链接申请变更订单 %(n)s（%(r)s）"),
        channel=CustomerChannel.LINK,
    )
    link.used_at, link.request = timezone.now(), request
    link.save(update_fields=["used_at", "request"])
    return request


@transaction.atomic
def request_in_portal(
    *,
    actor: User,
    order: SalesOrder,
    reason: str,
    impact: str,
    terms: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> ChangeRequest:
    """I-1, B-8: the customer's contact asks for a change in the portal, on their own company's
    order; it is raised like one sent through the link, their submission the written notice."""
    if not is_customer_of(actor, order):
        raise NotAllowed(_("只能对本公司的订单申请变更。"))
    if order.status not in states.CHANGEABLE:
        raise ActionError(_("只有客户确认后、全部发货前的订单才能申请变更。"))
    return _customer_request(
        order=order,
        actor=actor,
        name=actor.get_full_name() or actor.get_username(),
        reason=reason,
        impact=impact,
        terms=terms,
        lines=lines,
        title=_("客户 %(c)s 在客户门户申请变更订单 %(n)s（%(r)s）"),
        channel=CustomerChannel.PORTAL,
    )


def _customer_request(
    *,
    order: SalesOrder,
    actor: Any,
    name: str,
    reason: str,
    impact: str,
    terms: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    title: str,
    channel: str,
) -> ChangeRequest:
    """I-1: raised in the salesperson's name, marked as the customer's, reviewed like any other."""
    request = raise_request(
        actor=order.salesperson,
        order=order,
        kind=RequestKind.CHANGE,
        source=Source.CUSTOMER,
        reason=reason,
        impact=impact,
        terms=terms,
        lines=lines,
        customer_name=name,
        channel=channel,
        customer_user=actor if getattr(actor, "is_authenticated", False) else None,
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="change.customer_request",
        after={"request": request.number, "name": name, "channel": channel},
    )
    notify(
        event="changes",
        recipients=[order.salesperson],
        title=title % {"c": name, "n": order.number, "r": request.number},
        url=_url(request),
    )
    return request


# --- review and approval (I-2) -----------------------------------------------------------------


def may_decide(actor: Any, task: ChangeTask) -> bool:
    """The reviewer, or the superior an overdue task was escalated to (C-3)."""
    if task.assignee_id == getattr(actor, "pk", None):
        return True
    return WorkItem.objects.filter(
        content_type__model="changetask", object_id=task.pk, escalated_to_id=getattr(actor, "pk", None)
    ).exists()


@transaction.atomic
def give_opinion(
    *,
    actor: User,
    task: ChangeTask,
    verdict: str,
    comment: str = "",
    conditions: str = "",
    assessed_loss: Any = None,
    version: int | None = None,
) -> ChangeTask:
    """I-2: an affected department's opinion (or the leader's decision), with who and when; a
    refusal needs its reason. Finance may set the assessed loss of a cancellation (J-1)."""
    locked = (
        ChangeTask.objects.select_for_update().select_related("request", "request__order").get(pk=task.pk)
    )
    if not may_decide(actor, locked):
        raise NotAllowed(_("只有评审人（或超时后接手的上级）可以给出意见。"))
    if locked.status != TaskStatus.OPEN:
        raise ActionError(_("该评审任务已结束或尚未开始，不能再给意见。"))
    if version is not None and locked.version != version:
        raise StaleVersion(_("该评审任务已被他人处理，请刷新。"))
    errors: dict[str, str] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("请选择评审意见。")
    if verdict == Verdict.REJECT and not comment.strip():
        errors["comment"] = _("不同意时必须写明理由。")
    if verdict == Verdict.APPROVE_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = _("有条件同意时请写明条件。")
    request = locked.request
    loss: Decimal | None = None
    if assessed_loss not in (None, ""):
        loss = _decimal(assessed_loss, "assessed_loss", "loss_amount", ChangeRequest)
        if request.kind != RequestKind.CANCELLATION or locked.department_kind != DepartmentKind.FINANCE:
            errors["assessed_loss"] = _("只有财务部门评审取消申请时可以核定损失。")
        elif loss is None or loss < 0:
            errors["assessed_loss"] = _("核定损失金额不能为负数。")
    if errors:
        raise FieldErrors(errors)
    locked = workflow.apply(
        review_states.DECIDE_TASK,
        locked,
        actor=actor,
        reason=comment.strip(),
        changes={
            "verdict": verdict,
            "comment": comment.strip(),
            "conditions": conditions.strip(),
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    tracking.close_items(target=locked, actor=actor, outcome=str(Verdict(verdict).label))
    if loss is not None:
        before = request.loss_amount
        request.loss_amount, request.version = loss, request.version + 1
        request.save(update_fields=["loss_amount", "version"])
        recorder.record(
            actor=actor,
            obj=request.order,
            action="change.loss_assessed",
            before={"loss_amount": before},
            after={"request": request.number, "loss_amount": loss},
        )
    recorder.record(
        actor=actor,
        obj=request.order,
        action="change.opinion",
        after={
            "request": request.number,
            "department": locked.department_kind,
            "leader": locked.is_leader,
            "verdict": verdict,
            "comment": locked.comment,
            "conditions": locked.conditions,
        },
    )
    _advance(ChangeRequest.objects.select_related("order").get(pk=request.pk), actor)
    return locked


def _advance(request: ChangeRequest, actor: Any) -> None:
    """I-2: a refusal ends the request; when a stage is done the next opens; the leader's approval
    makes the change take effect."""
    tasks = list(request.tasks.select_related("department", "assignee").order_by("stage", "pk"))
    for t in tasks:
        t.request = request
    refused = [t for t in tasks if t.verdict == Verdict.REJECT]
    if refused:
        _refuse(request, actor, "；".join(f"{t.department}：{t.comment}" for t in refused))
        return
    if any(t.status == TaskStatus.OPEN for t in tasks):
        return
    waiting = [t for t in tasks if t.status == TaskStatus.WAITING]
    if not waiting:
        _approve(request, actor)
        return
    stage = waiting[0].stage
    if waiting[0].is_leader and request.status == RequestStatus.IN_REVIEW:
        request = workflow.apply(states.TO_LEADER, request, actor=actor)
    for t in waiting:
        if t.stage == stage:
            t.request = request
            _open(t, actor)


def _end_tasks(request: ChangeRequest, actor: Any, outcome: str) -> None:
    for t in request.tasks.filter(status__in=[TaskStatus.WAITING, TaskStatus.OPEN]):
        workflow.apply(review_states.SKIP_TASK, t, actor=actor, reason=outcome)
        tracking.close_items(target=t, actor=actor, outcome=outcome)


def _refuse(request: ChangeRequest, actor: Any, reason: str) -> None:
    """I-3: a refused request is explained to the customer by sales; the order is untouched."""
    _end_tasks(request, actor, _("申请未通过"))
    request = workflow.apply(
        states.REJECT,
        request,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now(), "decision_reason": reason},
    )
    order = request.order
    recorder.record(
        actor=actor, obj=order, action="change.refused", after={"request": request.number}, reason=reason
    )
    tracking.open_item(
        target=request,
        kind="change.explain",
        title=_("向客户说明：订单 %(n)s 的申请 %(r)s 未通过") % {"n": order.number, "r": request.number},
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        days=1,
    )
    notify(
        event="changes",
        recipients=list({request.raised_by, order.salesperson}),
        title=_("申请 %(r)s 未通过：%(why)s") % {"r": request.number, "why": reason},
        url=_url(request),
    )


def _approve(request: ChangeRequest, actor: Any) -> None:
    order = SalesOrder.objects.select_for_update().get(pk=request.order_id)
    if request.kind == RequestKind.CANCELLATION:
        _cancel(request, order, actor)
    else:
        _apply_change(request, order, actor)


def _apply_change(request: ChangeRequest, order: SalesOrder, actor: Any) -> None:
    """I-3: the order takes the new terms in place (lines keep their identity, so shipments,
    reservations and purchase orders still point at them), becomes a new version (I-4), gets a
    change agreement, and the affected departments' work is adjusted and their owners told."""
    if order.status not in states.CHANGEABLE:
        raise ActionError(_("订单当前状态为“%(s)s”，变更不能生效。") % {"s": order.get_status_display()})
    shipped = fulfilment.shipped_quantities(order)
    live = {ln.pk: ln for ln in order.lines.select_related("product")}
    wanted = {ln["line"]: ln for ln in request.proposal["lines"] if ln.get("line")}
    for pk, line in live.items():
        gone = shipped.get(pk, Decimal("0"))
        target = Decimal(wanted[pk]["quantity"]) if pk in wanted else Decimal("0")
        if target < gone:
            # Shipped while the request was reviewed: the approval cannot make the line smaller.
            raise ActionError(
                _("第 %(n)s 行在评审期间已发货 %(s)s，超过变更后的数量；请撤回申请后重新提交。")
                % {"n": line.line_no, "s": format_quantity(gone)}
            )
    before_terms = {name: getattr(order, name) for name in TERM_ASPECTS}
    old_delivery = order.delivery_date
    for name, value in request.proposal["terms"].items():
        if name == "delivery_date":
            value = date.fromisoformat(value)
        setattr(order, name, value)
    next_no = (order.lines.model.all_objects.filter(order=order).aggregate(m=Max("line_no"))["m"] or 0) + 1
    kept_lines = []
    for pk, line in live.items():
        if pk not in wanted:
            line.removed = True
            line.save(update_fields=["removed"])
            fulfilment.release_reservations(
                actor=actor, order=order, line_id=pk, keep=Decimal("0"), reason=request.number
            )
            continue
        new = wanted[pk]
        line.quantity, line.unit_price = Decimal(new["quantity"]), Decimal(new["unit_price"])
        line.spec = new["spec"]
        line.amount = (line.quantity * line.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        line.save(update_fields=["quantity", "unit_price", "spec", "amount"])
        fulfilment.release_reservations(
            actor=actor,
            order=order,
            line_id=pk,
            keep=line.quantity - shipped.get(pk, Decimal("0")),
            reason=request.number,
        )
        kept_lines.append(line)
    products = Product.objects.in_bulk(
        [ln["product"] for ln in request.proposal["lines"] if not ln.get("line")]
    )
    for new in (ln for ln in request.proposal["lines"] if not ln.get("line")):
        product = products[new["product"]]
        quantity, price = Decimal(new["quantity"]), Decimal(new["unit_price"])
        kept_lines.append(
            OrderLine.objects.create(
                order=order,
                line_no=next_no,
                product=product,
                spec=new["spec"],
                quantity=quantity,
                unit=product.unit,
                unit_price=price,
                amount=(quantity * price).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
        next_no += 1
    before_total = order.total_amount
    order.total_amount = sum((ln.amount for ln in kept_lines), Decimal("0"))
    order.lines_fingerprint = lines_fingerprint((ln.product_id, ln.quantity) for ln in kept_lines)
    order.version += 1
    order.save()
    version = versions.record_version(
        order=order, actor=actor, reason=_("变更 %(r)s") % {"r": request.number}
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="change.apply",
        before={**before_terms, "total_amount": before_total},
        after={
            **{name: getattr(order, name) for name in TERM_ASPECTS},
            "total_amount": order.total_amount,
            "request": request.number,
            "summary": request.summary,
        },
    )
    policy = order.policy()
    agreement_number = policy_actions.next_number(
        fmt=policy.numbering.change_agreement, when=timezone.localdate(), key="change_agreement"
    )
    request = workflow.apply(
        states.APPROVE,
        request,
        actor=actor,
        changes={
            "decided_at": timezone.now(),
            "result_version": version.number if version else None,
            "agreement_number": agreement_number,
        },
    )
    request.order = order
    with translation.override(settings.LANGUAGE_CODE):  # the agreement is a Chinese legal document
        request.agreement_html = render_to_string(
            "changes/_agreement_body.html", agreement_context(request, when=timezone.localdate())
        )
    request.save(update_fields=["agreement_html"])
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    owners = fulfilment.adjust_for_change(
        actor=actor,
        order=order,
        departments=request.departments,
        reason=_("变更 %(r)s") % {"r": request.number},
        delivery_shift_days=(order.delivery_date - old_delivery).days,
    )
    tracking.open_item(
        target=request,
        kind="change.agreement",
        title=_("与客户签订变更协议 %(a)s（订单 %(n)s）") % {"a": agreement_number, "n": order.number},
        department=order.department,
        assignee=order.salesperson,
        calendar=calendar,
        days=policy.confirmation.confirm_within_days,
    )
    reviewers = [t.assignee for t in request.tasks.select_related("assignee")]
    notify(
        event="changes",
        recipients=list({*owners, *reviewers, order.salesperson, request.raised_by}),
        title=_("订单 %(n)s 变更 %(r)s 已批准：%(s)s")
        % {"n": order.number, "r": request.number, "s": describe(request)},
        url=_url(request),
    )


def _cancel(request: ChangeRequest, order: SalesOrder, actor: Any) -> None:
    """J-1: all open work stops, held stock is released, open purchase orders wait for the
    supplier decision, and the order ends `cancelled` with the loss on record."""
    facts = loss_facts(order)
    order = workflow.apply(
        states.CANCEL_ORDER, order, actor=actor, reason=_("取消申请 %(r)s 已批准") % {"r": request.number}
    )
    owners = fulfilment.stop_work(actor=actor, order=order, reason=_("取消 %(r)s") % {"r": request.number})
    # H-5: every open step of the order ends with it (its change requests' agreements and tasks
    # included); procurement's decisions on its open purchases stay (OUTLIVE_THE_ORDER).
    tracking.end_order_items(
        order=order, actor=actor, reason=_("取消申请 %(r)s 已批准") % {"r": request.number}
    )
    request = workflow.apply(
        states.APPROVE, request, actor=actor, changes={"decided_at": timezone.now(), "loss_facts": facts}
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="change.cancel",
        after={"request": request.number, "loss_amount": request.loss_amount, "loss_facts": facts},
    )
    reviewers = [t.assignee for t in request.tasks.select_related("assignee")]
    notify(
        event="changes",
        recipients=list({*owners, *reviewers, order.salesperson, request.raised_by}),
        title=_("订单 %(n)s 已取消（%(r)s），请停止执行") % {"n": order.number, "r": request.number},
        url=_url(request),
    )


def describe(request: ChangeRequest) -> str:
    """A one-line account of what the request changes, for notifications."""
    parts = []
    for item in request.summary:
        if item["type"] == "term":
            parts.append(term_label(item["field"]))
        elif item["type"] == "changed":
            label = {"quantity": _("数量"), "unit_price": _("单价"), "spec": _("规格型号")}[item["field"]]
            parts.append(
                _("第 %(n)s 行%(f)s %(b)s→%(a)s")
                % {"n": item["line_no"], "f": label, "b": item["before"], "a": item["after"]}
            )
        elif item["type"] == "added":
            parts.append(_("新增 %(p)s") % {"p": item["product"]})
        elif item["type"] == "removed":
            parts.append(_("删除第 %(n)s 行") % {"n": item["line_no"]})
        else:
            parts.append(_("取消订单"))
    return "；".join(parts)[:150]


def agreement_context(request: ChangeRequest, *, when: date) -> dict[str, Any]:
    """The change agreement's content: the parties as in the contract, the changes, the new total."""
    order = request.order
    contract = Contract.objects.filter(order=order).first()
    data = contract_values(order, number=request.agreement_number, date=when)
    return {
        "request": request,
        "order": order,
        "contract": contract,
        "data": data,
        "summary": request.summary,
        "labels": {name: term_label(name) for name in TERM_ASPECTS},
        "when": when,
    }


# --- after the decision --------------------------------------------------------------------------


@transaction.atomic
def withdraw(*, actor: User, request: ChangeRequest, reason: str) -> ChangeRequest:
    """The requester or the order's sales takes an open request back; the order is untouched."""
    request = workflow.apply(
        states.WITHDRAW,
        request,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now(), "decision_reason": reason.strip()},
    )
    _end_tasks(request, actor, _("申请已撤回"))
    recorder.record(
        actor=actor,
        obj=request.order,
        action="change.withdraw",
        after={"request": request.number},
        reason=reason,
    )
    return request


@transaction.atomic
def sign_agreement(*, actor: User, request: ChangeRequest, scan: Any) -> ChangeRequest:
    """I-3: the change agreement signed by both sides is filed with its SHA-256."""
    locked = ChangeRequest.objects.select_for_update().select_related("order").get(pk=request.pk)
    if not can_renegotiate(actor, locked.order):
        raise NotAllowed(_("只有负责该订单的销售可以登记变更协议。"))
    if locked.status != RequestStatus.APPROVED or locked.kind != RequestKind.CHANGE:
        raise ActionError(_("只有已批准的变更才有变更协议。"))
    if locked.agreement_signed_at is not None:
        raise ActionError(_("变更协议已登记为签订。"))
    digest = files.check_upload(
        scan, field="scan", max_mb=locked.order.policy().contracts.max_upload_mb, scan_only=True
    )
    locked.agreement_file, locked.agreement_sha256 = scan, digest
    locked.agreement_signed_at, locked.agreement_signed_by = timezone.now(), actor
    locked.version += 1
    locked.save(
        update_fields=[
            "agreement_file",
            "agreement_sha256",
            "agreement_signed_at",
            "agreement_signed_by",
            "version",
        ]
    )
    tracking.close_items(target=locked, actor=actor, outcome=_("协议已签订"), kinds=("change.agreement",))
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="change.agreement_signed",
        after={"request": locked.number, "agreement": locked.agreement_number, "sha256": digest},
    )
    return locked


@transaction.atomic
def record_explanation(*, actor: User, request: ChangeRequest, text: str) -> ChangeRequest:
    """I-3: sales records how the refusal was explained to the customer."""
    locked = ChangeRequest.objects.select_for_update().select_related("order").get(pk=request.pk)
    if not can_renegotiate(actor, locked.order):
        raise NotAllowed(_("只有负责该订单的销售可以记录向客户的说明。"))
    if locked.status != RequestStatus.REJECTED:
        raise ActionError(_("只有未通过的申请需要向客户说明。"))
    if not text.strip():
        raise FieldErrors({"explanation": _("请填写向客户说明的内容。")})
    locked.explanation, locked.explained_at = text.strip(), timezone.now()
    locked.version += 1
    locked.save(update_fields=["explanation", "explained_at", "version"])
    tracking.close_items(target=locked, actor=actor, outcome=_("已向客户说明"), kinds=("change.explain",))
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="change.explained",
        after={"request": locked.number, "explanation": locked.explanation},
    )
    return locked
