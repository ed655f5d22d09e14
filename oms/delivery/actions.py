"""Every write of acceptance (K-3): recorded by staff with the signed delivery note, or by the
customer through a one-time link; a rejection opens a problem for customer service; the order is
received when every shipment is accepted."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.contracts import files
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.core.tokens import Refusals, expires_after, find, new_token, redeem
from oms.delivery import states
from oms.delivery.models import ACCEPTING, CHECKS, Acceptance, AcceptanceLink, AcceptanceResult
from oms.delivery.permissions import can_record
from oms.engine import workflow
from oms.fulfilment.models import Shipment
from oms.notifications.actions import notify
from oms.orders.models import OrderStatus, SalesOrder
from oms.orders.permissions import CustomerActor, is_customer_of
from oms.tracking import actions as tracking
from oms.tracking.actions import outcomes
from oms.tracking.models import ExceptionKind


def latest(shipment: Shipment) -> Acceptance | None:
    return shipment.acceptances.order_by("-created_at", "-pk").first()


def _accept(
    *,
    actor: Any,
    shipment: Shipment,
    result: str,
    checks: dict[str, bool],
    remarks: str,
    received_on: date | None,
    accepted_by_name: str,
    method: str,
    signed_note: Any,
) -> Acceptance:
    """K-3: one acceptance of a shipment not yet accepted; a rejection opens a problem, an
    acceptance may complete the order's receipt."""
    shipment = Shipment.objects.select_for_update().select_related("order").get(pk=shipment.pk)
    order = shipment.order
    previous = latest(shipment)
    if previous is not None and previous.result in ACCEPTING:
        raise ActionError(_("第 %(n)s 批已验收，不能重复登记。") % {"n": shipment.number})
    errors = _finding_errors(shipment, result, checks, remarks, received_on, accepted_by_name)
    digest = _signed_note_digest(order, method, result, signed_note, errors)
    if errors:
        raise FieldErrors(errors)
    assert received_on is not None
    acceptance = Acceptance.objects.create(
        shipment=shipment,
        order=order,
        result=result,
        remarks=remarks.strip(),
        received_on=received_on,
        accepted_by_name=accepted_by_name.strip()[:100],
        method=method,
        signed_note=signed_note or "",
        signed_sha256=digest,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{c: bool(checks.get(c)) for c in CHECKS},
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="delivery.acceptance",
        after={
            "shipment": shipment.number,
            "result": result,
            "checks": {c: bool(checks.get(c)) for c in CHECKS},
            "remarks": acceptance.remarks,
            "accepted_by": acceptance.accepted_by_name,
            "method": method,
        },
    )
    # O-1 order accuracy, kept per month (issue 21)
    outcomes.delivered(order, received_on, accepted=result == AcceptanceResult.ACCEPTED)
    if result == AcceptanceResult.REJECTED:
        _open_problem(acceptance, order, actor)
    else:
        _maybe_received(order, actor)
    return acceptance


def _finding_errors(
    shipment: Shipment,
    result: str,
    checks: dict[str, bool],
    remarks: str,
    received_on: date | None,
    accepted_by_name: str,
) -> dict[str, str]:
    """K-3: accepted only when every check passed, otherwise the problem is written down; who
    signed, and when, not before the goods left."""
    errors: dict[str, str] = {}
    if result not in AcceptanceResult.values:
        errors["result"] = _("请选择验收结论。")
    elif result == AcceptanceResult.ACCEPTED and not all(checks.get(c) for c in CHECKS):
        errors["result"] = _("外观、数量、规格、质量都合格才能登记为验收合格；否则请选有保留意见接收或拒收。")
    elif result != AcceptanceResult.ACCEPTED and not remarks.strip():
        errors["remarks"] = _("有保留意见或拒收时请写明问题。")
    if not accepted_by_name.strip():
        errors["accepted_by_name"] = _("请填写客户签收人。")
    if received_on is None:
        errors["received_on"] = _("请填写签收日期。")
    elif received_on < shipment.shipped_on:
        errors["received_on"] = _("签收日期不能早于发货日期。")
    return errors


def _signed_note_digest(
    order: SalesOrder, method: str, result: str, signed_note: Any, errors: dict[str, str]
) -> str:
    """K-3: staff attach the customer's signed note to an acceptance; the upload is checked like
    every upload and its digest kept. Problems are added to `errors`."""
    if method == "staff" and result in ACCEPTING and signed_note is None:
        errors["signed_note"] = _("请上传客户签字的送货单或验收报告。")
    if signed_note is None or "signed_note" in errors:
        return ""
    try:
        return files.check_upload(
            signed_note,
            field="signed_note",
            max_mb=order.policy().contracts.max_upload_mb,
            scan_only=True,
        )
    except FieldErrors as exc:
        errors.update({k: v[0] for k, v in exc.errors.items()})
        return ""


def _open_problem(acceptance: Acceptance, order: SalesOrder, actor: Any) -> None:
    """K-3: problems go to customer service, as an exception with a deadline and escalation."""
    service = department_of_kind(DepartmentKind.CUSTOMER_SERVICE)
    responsible = (head_of(service) if service else None) or order.salesperson
    # The customer who rejected through their portal login raised it (the audit names them); a
    # rejection through the one-time link has no login, so the salesperson's name stands.
    raiser = actor if getattr(actor, "is_authenticated", False) else order.salesperson
    problem = tracking.open_exception(
        actor=raiser,
        order=order,
        kind=ExceptionKind.ACCEPTANCE,
        description=_("第 %(n)s 批客户拒收（%(c)s）：%(r)s")
        % {"n": acceptance.shipment.number, "c": acceptance.accepted_by_name, "r": acceptance.remarks},
        responsible=responsible,
        customer_informed=True,
    )
    acceptance.problem = problem
    acceptance.save(update_fields=["problem"])


def _maybe_received(order: SalesOrder, actor: Any) -> None:
    """K-3: the order is received when it has shipped in full and every shipment is accepted."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.SHIPPED:
        return
    for shipment in order.shipments.all():
        last = latest(shipment)
        if last is None or last.result not in ACCEPTING:
            return
    workflow.apply(states.RECEIVE, order, actor=actor, reason=_("全部发货批次已验收"))
    notify(
        event="delivery",
        recipients=[order.salesperson],
        title=phrase("订单 %(n)s 客户已全部签收", n=order.number),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )


@transaction.atomic
def record_acceptance(
    *,
    actor: User,
    shipment: Shipment,
    result: str,
    checks: dict[str, bool],
    remarks: str = "",
    received_on: date | None,
    accepted_by_name: str,
    signed_note: Any = None,
) -> Acceptance:
    """K-3: staff record the customer's acceptance with the signed delivery note attached."""
    if not can_record(actor, shipment.order):
        raise NotAllowed(_("只有销售、客服或物流可以登记客户验收。"))
    return _accept(
        actor=actor,
        shipment=shipment,
        result=result,
        checks=checks,
        remarks=remarks,
        received_on=received_on,
        accepted_by_name=accepted_by_name,
        method="staff",
        signed_note=signed_note,
    )


@transaction.atomic
def accept_in_portal(
    *,
    actor: User,
    shipment: Shipment,
    result: str,
    checks: dict[str, bool],
    remarks: str = "",
    received_on: date | None,
) -> Acceptance:
    """K-3, B-8: the customer's contact accepts (or rejects) a shipment in the portal; their
    submission under their own login is the acceptance report."""
    if not is_customer_of(actor, shipment.order):
        raise NotAllowed(_("只能验收本公司订单的发货。"))
    acceptance = _accept(
        actor=actor,
        shipment=shipment,
        result=result,
        checks=checks,
        remarks=remarks,
        received_on=received_on,
        accepted_by_name=actor.get_full_name() or actor.get_username(),
        method="portal",
        signed_note=None,
    )
    _tell_sales(acceptance)
    return acceptance


def _tell_sales(acceptance: Acceptance) -> None:
    order = acceptance.shipment.order
    notify(
        event="delivery",
        recipients=[order.salesperson],
        title=phrase(
            "客户已验收订单 %(n)s 第 %(b)s 批：%(r)s",
            n=order.number,
            b=acceptance.shipment.number,
            r=acceptance.get_result_display(),
        ),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )


@transaction.atomic
def issue_acceptance_link(*, actor: User, shipment: Shipment) -> str:
    """K-3: a one-time link for the customer to accept this shipment; only its hash is kept."""
    if not can_record(actor, shipment.order):
        raise NotAllowed(_("只有销售、客服或物流可以发送验收链接。"))
    previous = latest(shipment)
    if previous is not None and previous.result in ACCEPTING:
        raise ActionError(_("第 %(n)s 批已验收，不能重复登记。") % {"n": shipment.number})
    token, hashed = new_token()
    hours = shipment.order.policy().confirmation.link_valid_hours
    AcceptanceLink.objects.create(
        shipment=shipment,
        token_hash=hashed,
        expires_at=expires_after(hours=hours),
        created_by=actor,
    )
    recorder.record(
        actor=actor, obj=shipment.order, action="delivery.link", after={"shipment": shipment.number}
    )
    return token


def link_for(token: str) -> AcceptanceLink | None:
    return find(
        AcceptanceLink.objects.select_related("shipment", "shipment__order", "shipment__order__customer"),
        token,
    )


@transaction.atomic
def accept_by_link(
    *,
    token: str,
    name: str,
    result: str,
    checks: dict[str, bool],
    remarks: str = "",
    received_on: date | None,
) -> Acceptance:
    """K-3: the customer accepts (or rejects) through the link; their submission is the acceptance
    report. An expired, used or forged link is refused."""
    refusals = Refusals(
        invalid=_("验收链接无效。"),
        used=_("该验收链接已使用过。"),
        expired=_("验收链接已过期，请联系销售重新发送。"),
    )
    link = redeem(AcceptanceLink.objects.all(), token, refusals)
    acceptance = _accept(
        actor=CustomerActor(name.strip()),
        shipment=link.shipment,
        result=result,
        checks=checks,
        remarks=remarks,
        received_on=received_on,
        accepted_by_name=name,
        method="link",
        signed_note=None,
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    _tell_sales(acceptance)
    return acceptance
