"""Dunning (L-5): reminders at the policy's days overdue, the salesperson's contact step, the
overdue list for sales and finance, finance's decision on legal action; and the steps people record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.billing import states
from oms.billing.models import DunningKind, DunningStep, Invoice
from oms.billing.receivables import outstanding
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.notifications.actions import notify
from oms.orders.links import order_url
from oms.orders.permissions import can_renegotiate
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem


@dataclass
class _Run:
    """One pass of the dunning check: what is already done, who decides, what is to be told."""

    now: datetime
    done: set[tuple[int, int]]
    legal_open: set[int]
    finance: Any
    finance_head: Any
    lists: dict[Any, list[str]] = field(default_factory=dict)


@transaction.atomic
def check_dunning(now: datetime) -> int:
    """L-5: at each of the policy's reminder days overdue, an unpaid invoice gets a reminder step,
    the salesperson a step to contact the customer, and sales and finance the overdue list; past
    the legal threshold finance decides on legal action. Idempotent; returns the steps taken."""
    today = timezone.localdate(now)
    finance = department_of_kind(DepartmentKind.FINANCE)
    run = _Run(
        now=now,
        done=set(
            DunningStep.objects.filter(kind=DunningKind.REMINDER).values_list("invoice_id", "days_overdue")
        ),
        legal_open=set(WorkItem.objects.filter(kind="dunning.legal").values_list("object_id", flat=True)),
        finance=finance,
        finance_head=head_of(finance) if finance else None,
    )
    late = (
        Invoice.objects.filter(due_date__lt=today)
        .select_related(
            "statement__order__salesperson",
            "statement__order__department",
            "statement__order__policy_version",
            "statement__order__customer",
        )
        .order_by("due_date", "pk")
    )
    taken = 0
    for invoice in late:
        owed = outstanding(invoice)
        if owed > 0:
            days = (today - invoice.due_date).days
            taken += _remind(run, invoice, days, owed) + _escalate(run, invoice, days)
    for person, entries in run.lists.items():
        notify(
            event="billing",
            recipients=[person],
            title=phrase("逾期应收清单：%(n)s 张发票需要催款", n=len(entries)),
            url=reverse("billing:receivables") + "?overdue=1",
        )
    return taken


def _remind(run: _Run, invoice: Invoice, days: int, owed: Any) -> int:
    """At the highest reminder day reached and not yet reminded: the reminder step, a fresh contact
    step for the salesperson, a line on the overdue lists. Returns the steps taken (0 or 1)."""
    order = invoice.statement.order
    due_steps = [
        d for d in order.policy().dunning.reminder_days if d <= days and (invoice.pk, d) not in run.done
    ]
    if not due_steps:
        return 0
    DunningStep.objects.create(
        invoice=invoice,
        kind=DunningKind.REMINDER,
        days_overdue=max(due_steps),
        note=_("系统提醒：未收 %(o)s") % {"o": owed},
    )
    run.done.update((invoice.pk, d) for d in due_steps)
    tracking.close_items(target=invoice, actor=None, outcome=_("新的催款提醒"), kinds=("dunning.contact",))
    tracking.open_item(
        target=invoice,
        order_id=order.pk,
        kind="dunning.contact",
        title=phrase(
            "催款：订单 %(n)s 发票 %(i)s 逾期 %(d)s 天，未收 %(o)s",
            n=order.number,
            i=invoice.number,
            d=days,
            o=owed,
        ),
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        days=1,
        start=run.now,
    )
    line = _("%(c)s 订单 %(n)s 发票 %(i)s 逾期 %(d)s 天 未收 %(o)s") % {
        "c": order.customer.name,
        "n": order.number,
        "i": invoice.number,
        "d": days,
        "o": owed,
    }
    run.lists.setdefault(order.salesperson, []).append(line)
    if run.finance_head is not None:
        run.lists.setdefault(run.finance_head, []).append(line)
    return 1


def _escalate(run: _Run, invoice: Invoice, days: int) -> int:
    """Past the policy's legal threshold, finance decides once whether to go to law."""
    order = invoice.statement.order
    threshold = order.policy().dunning.legal_after_days
    if days < threshold or invoice.pk in run.legal_open or run.finance is None:
        return 0
    title = phrase("发票 %(i)s 逾期超过 %(d)s 天：决定是否转法务", i=invoice.number, d=threshold)
    tracking.open_item(
        target=invoice,
        order_id=order.pk,
        kind="dunning.legal",
        title=title,
        department=run.finance,
        assignee=run.finance_head,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        days=2,
        start=run.now,
    )
    # T-1: whoever decides on legal action is told (the head, or finance when it has none).
    notify(
        event="billing.legal",
        recipients=[run.finance_head]
        if run.finance_head is not None
        else tracking.department_staff(run.finance),
        title=title,
        url=order_url(order),
    )
    run.legal_open.add(invoice.pk)
    return 1


@transaction.atomic
def record_dunning(*, actor: User, invoice: Invoice, kind: str, note: str) -> DunningStep:
    """L-5: sales or finance record a dunning step (reminder sent, call, visit, legal action)."""
    order = invoice.statement.order
    if not (can_renegotiate(actor, order) or states.in_finance(actor)):
        raise NotAllowed(_("只有销售或财务可以登记催收。"))
    errors: dict[str, str] = {}
    if kind not in DunningKind.values:
        errors["kind"] = _("请选择催收方式。")
    if not note.strip():
        errors["note"] = _("请说明催收情况。")
    if errors:
        raise FieldErrors(errors)
    if outstanding(invoice) <= 0:
        raise ActionError(_("发票 %(i)s 已收清，不需要催收。") % {"i": invoice.number})
    days = max((timezone.localdate() - invoice.due_date).days, 0)
    step = DunningStep.objects.create(
        invoice=invoice, kind=kind, days_overdue=days, note=note.strip()[:300], actor=actor
    )
    kinds = ("dunning.legal",) if kind == DunningKind.LEGAL else ("dunning.contact",)
    tracking.close_items(target=invoice, actor=actor, outcome=str(DunningKind(kind).label), kinds=kinds)
    recorder.record(
        actor=actor,
        obj=order,
        action="billing.dunning",
        after={"invoice": invoice.number, "kind": kind, "days_overdue": days, "note": step.note},
    )
    return step
