"""The contract's text drawn up from the template (E-1, E-2): the reads `oms.contracts.actions`
needs to write a version; the template's edits are the actions' (`save_template`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.contracts import rendering
from oms.contracts.models import Contract, ContractTemplate
from oms.core.errors import ActionError
from oms.orders.models import SalesOrder


def taken_refusal() -> str:
    return _("该订单已有合同；如需修改请新建版本。")


def current_template_with(**columns: Any) -> Any:
    """The active template (the latest edited), with `columns` read by the same statement."""
    return ContractTemplate.objects.filter(active=True).annotate(**columns).order_by("-updated_at").first()


def current_template() -> ContractTemplate:
    template = current_template_with()
    if template is None:
        raise ActionError(_("还没有合同模板，请管理员先在“合同模板”中维护。"))
    return template


def render(order: SalesOrder, number: str, template: ContractTemplate | None = None) -> str:
    body = (template or current_template()).body
    rendering.check_placeholders(body)
    return rendering.fill(body, rendering.values(order, number=number, date=timezone.localdate()))


def template_unless_taken(order: SalesOrder) -> ContractTemplate:
    """E-2: the template to draw the order's contract from, refused when the order has a contract
    already: both with one statement, read after the order's lock (issue 21), so that on
    PostgreSQL it sees a contract another generation committed while this one waited for the
    lock (a column of the locked read itself would see the rows as of before the wait)."""
    taken = Exists(Contract.objects.filter(order=order))
    template = current_template_with(taken=taken)
    if template is None:  # no template: which refusal comes first is the order's contract
        if Contract.objects.filter(order=order).exists():
            raise ActionError(taken_refusal())
        return current_template()
    if template.taken:
        raise ActionError(taken_refusal())
    return template
