"""The customer's confirmation, and their modification inside the window after it (D-2, D-3).

The chain's last signature sends the order to the customer for confirmation; a confirmed order
may be modified only inside the policy's window.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.accounts.selectors import head_of
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.core.tokens import Refusals, expires_after, find, new_token, redeem
from oms.engine import workflow
from oms.notifications.actions import notify
from oms.orders import actions as order_actions  # the one place order content is validated
from oms.orders import states
from oms.orders.models import ConfirmationMethod, OrderStatus, SalesOrder
from oms.orders.permissions import CustomerActor, can_renegotiate, is_customer_of
from oms.review.actions.people import order_url
from oms.review.models import ConfirmationLink, ModificationRecord
from oms.tracking import actions as tracking
from oms.tracking.actions import confirmed, outcomes
from oms.tracking.models import WorkItem
from oms.tracking.selectors import open_items_of


def _confirm(
    order: SalesOrder, actor: Any, *, name: str, method: str, evidence: UploadedFile | None
) -> SalesOrder:
    changes: dict[str, Any] = {
        "confirmed_at": timezone.now(),
        "confirmed_by_name": name[:100],
        "confirmation_method": method,
        # D-2: who acted (the salesperson recording, or the customer's portal login; none by link).
        "confirmed_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
    }
    if evidence is not None:
        changes["confirmation_evidence"] = evidence
    # O-1, Q-1 (ADR 0019): what the order counted for, from its locked row, not from the caller's
    # copy (which may be stale); `apply` uses the row locked here without reading it again.
    order = workflow.lock(states.CONFIRM, order)
    before, counted = order.confirmed_at, confirmed.share(order)
    order = workflow.apply(states.CONFIRM, order, actor=actor, changes=changes)
    # O-1 confirmation accuracy (issue 21, ADR 0019), and Q-1 the dashboard's sums (ADR 0019)
    # with it: one statement on PostgreSQL.
    outcomes.confirmed(order, before, also=confirmed.moving(counted, confirmed.share(order)))
    done = tracking.Closing(
        target=order,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        outcome=_("客户已确认"),
        kinds=("order.confirmation",),
    )
    _hand_on(order, done)
    return order


def _hand_on(order: SalesOrder, done: tracking.Closing) -> None:
    """T-1, E-1, F-1 (issue 23): the confirmed order waits on its salesperson to generate the
    contract, or, for a class the policy releases without one, on its department head to release."""
    if order.order_class in order.policy().contracts.release_without_contract_classes:
        head = head_of(order.department)
        kind, person = "order.release", head
        title = phrase("客户已确认订单 %(n)s，请下达", n=order.number)
    else:
        kind, person = "contract.generate", order.salesperson
        title = phrase("客户已确认订单 %(n)s，请生成合同", n=order.number)
    tracking.hand_off(
        closing=done,
        target=order,
        order=order,
        kind=kind,
        title=title,
        department=order.department,
        assignee=person,
        url=order_url(order),
        event="review",
    )


@transaction.atomic
@recorder.batched
def record_confirmation(
    *, actor: User, order: SalesOrder, confirmed_by_name: str, evidence: UploadedFile | None = None
) -> SalesOrder:
    """D-2: sales records who confirmed for the customer, with the evidence attached."""
    if not confirmed_by_name.strip():
        raise FieldErrors({"confirmed_by_name": _("请填写客户确认人。")})
    return _confirm(
        order, actor, name=confirmed_by_name.strip(), method=ConfirmationMethod.SALES, evidence=evidence
    )


@transaction.atomic
@recorder.batched
def issue_confirmation_link(*, actor: User, order: SalesOrder) -> str:
    """D-2: a one-time link for the customer; returns the token (only its hash is stored)."""
    # S-1: who may is asked before the order's state, so that nobody else learns the state.
    if not can_renegotiate(actor, order):
        raise NotAllowed(_("只有销售可以发送确认链接。"))
    if order.status != OrderStatus.AWAITING_CONFIRMATION:
        raise ActionError(_("订单不在待客户确认状态。"))
    token, hashed = new_token()
    hours = order.policy().confirmation.link_valid_hours
    link = ConfirmationLink.objects.create(
        order=order,
        token_hash=hashed,
        expires_at=expires_after(hours=hours),
        created_by=actor,
    )
    recorder.record(actor=actor, obj=order, action="confirmation.link", after={"expires_at": link.expires_at})
    return token


def link_for(token: str) -> ConfirmationLink | None:
    return find(ConfirmationLink.objects.select_related("order", "order__customer"), token)


@transaction.atomic
@recorder.batched
def confirm_by_link(*, token: str, name: str) -> SalesOrder:
    """D-2: the customer confirms through the link; an expired, used or forged token is refused."""
    refusals = Refusals(
        invalid=_("确认链接无效。"),
        used=_("该确认链接已使用过。"),
        expired=_("确认链接已过期，请联系销售重新发送。"),
    )
    link = redeem(ConfirmationLink.objects.all(), token, refusals)
    if not name.strip():
        raise FieldErrors({"name": _("请填写确认人姓名。")})
    order = _confirm(
        link.order,
        CustomerActor(name.strip()),
        name=name.strip(),
        method=ConfirmationMethod.LINK,
        evidence=None,
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return order


@transaction.atomic
@recorder.batched
def confirm_in_portal(*, actor: User, order: SalesOrder) -> SalesOrder:
    """D-2, B-8: the customer's contact confirms their order in the portal; their own login is
    the evidence, and the confirmation names them."""
    if not is_customer_of(actor, order):
        raise NotAllowed(_("只能确认本公司的订单。"))
    name = actor.get_full_name() or actor.get_username()
    return _confirm(order, actor, name=name, method=ConfirmationMethod.PORTAL, evidence=None)


def modification_deadline(order: SalesOrder) -> Any:
    hours = order.policy().confirmation.modification_window_hours
    return order.confirmed_at + timedelta(seconds=int(hours * 3600)) if order.confirmed_at else None


@transaction.atomic
@recorder.batched
def apply_customer_modification(
    *,
    actor: User,
    order: SalesOrder,
    description: str,
    data: dict[str, Any],
    lines: list[dict[str, Any]] | None,
    version: int,
) -> SalesOrder:
    """D-3: inside the window after confirmation, sales applies the customer's change and the
    departments are told; after it only a formal change request changes the order."""
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != OrderStatus.CONFIRMED:
        raise ActionError(_("只有已确认的订单才能按客户要求修改。"))
    if not can_renegotiate(actor, locked):
        raise NotAllowed(_("只有销售可以录入客户的修改。"))
    deadline = modification_deadline(locked)
    if deadline is None or timezone.now() > deadline:
        when = f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}" if deadline else "—"
        raise ActionError(_("已超过确认后的修改期限（%(d)s），请提交订单变更申请。") % {"d": when})
    if not description.strip():
        raise FieldErrors({"description": _("请说明客户要求修改的内容。")})
    counted = confirmed.share(locked)
    updated = order_actions.update_order(
        actor=actor,
        order=locked,
        data=data,
        lines=lines,
        version=version,
        allow_confirmed=True,
        reason=description.strip(),
    )
    confirmed.moved(counted, confirmed.share(updated))  # Q-1 the dashboard's sums (ADR 0019)
    ModificationRecord.objects.create(
        order=updated, description=description.strip(), requested_at=timezone.now(), applied_by=actor
    )
    recorder.record(
        actor=actor, obj=updated, action="confirmation.modify", after={"description": description.strip()}
    )
    reviewers = User.objects.filter(review_tasks__round__order=updated).distinct()
    notify(
        event="review",
        recipients=list(reviewers),
        title=phrase("订单 %(n)s 按客户要求已修改：%(d)s", n=updated.number, d=description.strip()),
        url=order_url(updated),
    )
    return updated


def open_items(obj: Any) -> list[WorkItem]:
    return list(open_items_of(obj))
