"""An approved change takes effect on the order (I-3, I-4).

The order changes in place, so that shipments, reservations and purchase orders keep pointing at
the same lines; it becomes a new version, a change agreement is drawn up, and the affected
departments' work is adjusted and their owners told.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oms.audit import recorder
from oms.catalog.models import Product
from oms.changes import states
from oms.changes.actions.notices import tell
from oms.changes.actions.proposal import CENT, TERM_ASPECTS, describe, term_label
from oms.changes.models import ChangeRequest, RequestKind, Source
from oms.contracts.models import Contract
from oms.contracts.rendering import values as contract_values
from oms.core.errors import ActionError
from oms.core.money import format_quantity
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import actions as fulfilment
from oms.orders import versions
from oms.orders.fingerprint import lines_fingerprint
from oms.orders.models import OrderLine, SalesOrder
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking
from oms.tracking.actions import confirmed, outcomes


def apply_change(request: ChangeRequest, order: SalesOrder, actor: Any) -> None:
    """I-3: the order takes the new terms in place (lines keep their identity, so shipments,
    reservations and purchase orders still point at them), becomes a new version (I-4), gets a
    change agreement, and the affected departments' work is adjusted and their owners told."""
    if order.status not in states.CHANGEABLE:
        raise ActionError(_("订单当前状态为“%(s)s”，变更不能生效。") % {"s": order.get_status_display()})
    counted = confirmed.share(order)  # Q-1 the dashboard's sums (ADR 0019): before the change
    shipped = fulfilment.shipped_quantities(order)
    live = {ln.pk: ln for ln in order.lines.select_related("product")}
    wanted = {ln["line"]: ln for ln in request.proposal["lines"] if ln.get("line")}
    _refuse_if_shipped_meanwhile(live, wanted, shipped)
    before_terms = {name: getattr(order, name) for name in TERM_ASPECTS}
    old_delivery = order.delivery_date
    for name, value in request.proposal["terms"].items():
        setattr(order, name, date.fromisoformat(value) if name == "delivery_date" else value)
    next_no = (order.lines.model.all_objects.filter(order=order).aggregate(m=Max("line_no"))["m"] or 0) + 1
    kept_lines = _update_lines(request, order, actor, live, wanted, shipped)
    kept_lines += _add_lines(request, order, next_no)
    version_number = _new_version(request, order, actor, kept_lines, before_terms)
    confirmed.moved(counted, confirmed.share(order))
    request = _approve_with_agreement(request, order, actor, version_number)
    _adjust_work(request, order, actor, old_delivery)


def _refuse_if_shipped_meanwhile(
    live: Mapping[int, OrderLine], wanted: Mapping[int, Mapping[str, Any]], shipped: Mapping[int, Decimal]
) -> None:
    """Shipped while the request was reviewed: the approval cannot make a line smaller."""
    for pk, line in live.items():
        gone = shipped.get(pk, Decimal("0"))
        target = Decimal(wanted[pk]["quantity"]) if pk in wanted else Decimal("0")
        if target < gone:
            raise ActionError(
                _("第 %(n)s 行在评审期间已发货 %(s)s，超过变更后的数量；请撤回申请后重新提交。")
                % {"n": line.line_no, "s": format_quantity(gone)}
            )


def _update_lines(
    request: ChangeRequest,
    order: SalesOrder,
    actor: Any,
    live: Mapping[int, OrderLine],
    wanted: Mapping[int, Mapping[str, Any]],
    shipped: Mapping[int, Decimal],
) -> list[OrderLine]:
    """The order's lines take their new values (or are removed); reservations beyond what a line
    still needs are released."""
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
    return kept_lines


def _add_lines(request: ChangeRequest, order: SalesOrder, next_no: int) -> list[OrderLine]:
    """The proposal's new lines, numbered after every line the order ever had."""
    new_lines = [ln for ln in request.proposal["lines"] if not ln.get("line")]
    products = Product.objects.in_bulk([ln["product"] for ln in new_lines])
    added = []
    for new in new_lines:
        product = products[new["product"]]
        quantity, price = Decimal(new["quantity"]), Decimal(new["unit_price"])
        added.append(
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
    return added


def _new_version(
    request: ChangeRequest,
    order: SalesOrder,
    actor: Any,
    kept_lines: list[OrderLine],
    before_terms: dict[str, Any],
) -> int | None:
    """I-4: the changed order is saved as a new version, and the change is on record."""
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
    return version.number if version else None


def _approve_with_agreement(
    request: ChangeRequest, order: SalesOrder, actor: Any, version_number: int | None
) -> ChangeRequest:
    """I-3: the request is approved and its change agreement drawn up, numbered by the policy."""
    agreement_number = policy_actions.next_number(
        fmt=order.policy().numbering.change_agreement, when=timezone.localdate(), key="change_agreement"
    )
    request = workflow.apply(
        states.APPROVE,
        request,
        actor=actor,
        changes={
            "decided_at": timezone.now(),
            "result_version": version_number,
            "agreement_number": agreement_number,
        },
    )
    request.order = order
    if request.kind == RequestKind.CHANGE and request.source == Source.DEPARTMENT:
        outcomes.corrected(order.pk)  # O-1 confirmation accuracy (issue 21, ADR 0019)
    with translation.override(settings.LANGUAGE_CODE):  # the agreement is a Chinese legal document
        request.agreement_html = render_to_string(
            "changes/_agreement_body.html", agreement_context(request, when=timezone.localdate())
        )
    request.save(update_fields=["agreement_html"])
    return request


def _adjust_work(request: ChangeRequest, order: SalesOrder, actor: Any, old_delivery: date) -> None:
    """The affected departments' work follows the change; sales gets the agreement signed, and
    everyone concerned is told."""
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
        title=phrase("与客户签订变更协议 %(a)s（订单 %(n)s）", a=request.agreement_number, n=order.number),
        department=order.department,
        assignee=order.salesperson,
        calendar=calendar,
        days=order.policy().confirmation.confirm_within_days,
    )
    reviewers = [t.assignee for t in request.tasks.select_related("assignee")]
    tell(
        {*owners, *reviewers, order.salesperson, request.raised_by},
        phrase("订单 %(n)s 变更 %(r)s 已批准：%(s)s", n=order.number, r=request.number, s=describe(request)),
        request,
    )


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
