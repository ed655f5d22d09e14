"""The customer asks for a change themselves: through a one-time link or in the portal (I-1, B-8).

Either way the request is raised in the salesperson's name, marked as the customer's, and
reviewed like any other; the customer's own submission is the written notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oms.accounts.models import User
from oms.audit import recorder
from oms.changes import states
from oms.changes.actions.notices import tell
from oms.changes.actions.raising import raise_request
from oms.changes.models import ChangeRequest, CustomerChannel, CustomerLink, RequestKind, Source
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.core.tokens import Refusals, expires_after, find, new_token, redeem
from oms.orders.models import SalesOrder
from oms.orders.permissions import CustomerActor, can_renegotiate, is_customer_of


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
        expires_at=expires_after(hours=order.policy().confirmation.link_valid_hours),
        created_by=actor,
    )
    recorder.record(actor=actor, obj=order, action="change.link", after={"expires_at": link.expires_at})
    return token


def customer_link(token: str) -> CustomerLink | None:
    return find(CustomerLink.objects.select_related("order", "order__customer"), token)


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
    refusals = Refusals(
        invalid=_("变更链接无效。"),
        used=_("该变更链接已使用过。"),
        expired=_("变更链接已过期，请联系销售重新发送。"),
    )
    link = redeem(CustomerLink.objects.select_related("order"), token, refusals)
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
        title=gettext_noop("客户 %(c)s 通过链接申请变更订单 %(n)s（%(r)s）"),
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
        title=gettext_noop("客户 %(c)s 在客户门户申请变更订单 %(n)s（%(r)s）"),
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
    tell([order.salesperson], phrase(title, c=name, n=order.number, r=request.number), request)
    return request
