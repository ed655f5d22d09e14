"""An order entered and edited (B-3..B-5, B-9, S-1): the one place its content is validated,
whichever way it arrives (page, API, portal, spreadsheet import, a customer's modification)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core import inserts
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.params import MAX_DB_INT
from oms.customers.models import Customer
from oms.customers.selectors import customers_for
from oms.engine import records
from oms.orders import permissions, versions
from oms.orders.actions.lines import Errors, build_lines, fingerprint, lines_snapshot
from oms.orders.models import EDITABLE_STATUSES, HEADER_FIELDS, Inquiry, OrderLine, OrderStatus, SalesOrder
from oms.orders.rules import delivery_date_error
from oms.orders.selectors import possible_duplicates
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors


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


def _clean_header(order: SalesOrder, errors: Errors, *, customer_known: bool = False) -> None:
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
    if late := delivery_date_error(order.order_date, order.delivery_date):
        errors.setdefault("delivery_date", []).append(late)
    customer: Customer | None = getattr(order, "customer", None) if order.customer_id else None
    if customer is not None and customer.blocked:
        errors.setdefault("customer", []).append(
            _("客户已冻结，不能下单：%(r)s") % {"r": customer.blocked_reason or "—"}
        )
    if customer is not None and not customer.active:
        errors.setdefault("customer", []).append(_("客户已停用。"))


def _refuse_unknown(data: Mapping[str, Any], known: Sequence[str]) -> None:
    unknown = set(data) - set(known)
    if unknown:
        raise FieldErrors(dict.fromkeys(sorted(unknown), _("不认识的字段。")))


def customer_out_of_scope(actor: User, customer: Customer | None) -> bool:
    """S-1: staff enter orders only for customers their data scope shows them — the rule the order
    page's customer picker applies (`customers_for`). A customer they may not see is answered
    like a missing one, so the answer reveals nothing about it."""
    return customer is not None and not customers_for(actor).filter(pk=customer.pk).exists()


_CUSTOMER_STANDING = ("blocked", "blocked_reason", "active")


def _standing_row(actor: User, pk: int) -> tuple[Any, ...] | None:
    """The customer's standing and the policy version in force, if the actor's scope shows it.

    The scope is `customers_for`'s own condition (the customer picker's rule, S-1), compiled by
    the ORM; the statement around it is written out (issue 21: building the whole query through
    the ORM was a fifth of a create's CPU, and on SQLite all of it under the write lock). A rule
    that needs a join is left to the ORM whole."""
    scoped = customers_for(actor).select_related(None).query
    if sum(1 for used in scoped.alias_refcount.values() if used) > 1:  # a join the SQL would need
        return _standing_row_by_orm(actor, pk)
    try:
        condition, params = scoped.get_compiler(connection.alias).compile(scoped.where)
    except EmptyResultSet:  # a scope that shows no customer
        return None
    except FullResultSet:  # a scope that shows every customer (the "all" data scope)
        condition, params = "", ()
    columns = policy_selectors.in_force_columns()
    # The audit chain's tail (or, on PostgreSQL, its guess) with it: one read less (issue 21).
    tail = recorder.tail_column()
    sql = (
        'SELECT "id", "blocked", "blocked_reason", "active", '  # noqa: S608 - constant SQL and the ORM's
        f"({columns[policy_selectors.IN_FORCE_PK].sql}), ({columns[policy_selectors.IN_FORCE_NUMBER].sql})"
        + (f", ({tail.sql})" if tail is not None else "")
        + ' FROM "customers_customer" WHERE "customers_customer"."id" = %s'
        + (f" AND ({condition})" if condition else "")
        + " LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, *params])
        row = cursor.fetchone()
    if tail is not None and row is not None:
        recorder.take_tail(row[-1])
        row = row[:-1]
    # SQLite answers booleans as 0 and 1.
    return None if row is None else (row[0], bool(row[1]), row[2], bool(row[3]), row[4], row[5])


def _standing_row_by_orm(actor: User, pk: int) -> tuple[Any, ...] | None:
    found = (
        customers_for(actor)
        .select_related(None)
        .filter(pk=pk)
        .annotate(**policy_selectors.in_force_columns())
        .order_by()
        .values_list(
            "pk", *_CUSTOMER_STANDING, policy_selectors.IN_FORCE_PK, policy_selectors.IN_FORCE_NUMBER
        )[:1]
    )
    return next(iter(found), None)


def _scoped_customer(actor: User, customer: Customer | int) -> Customer | None:
    """S-1: the customer if the actor's data scope shows it, else None — missing and out of scope
    are one answer. Its standing (blocked, active) is read afresh, so a customer blocked since the
    caller read it is seen blocked; given an id (the API), the customer is read here. The same
    statement reads the policy version in force (issue 21: the create's first two reads in one
    round trip, and only the columns the create checks)."""
    pk = customer.pk if isinstance(customer, Customer) else customer
    if not isinstance(pk, int) or not 0 < pk <= MAX_DB_INT:
        return None  # no customer has that id (as the ORM answers an id no integer column holds)
    row = _standing_row(actor, pk)
    if row is None:
        return None
    policy_selectors.note_in_force(row[-2], row[-1])
    read = dict(zip(("id", *_CUSTOMER_STANDING), row[:-2], strict=True))
    if not isinstance(customer, Customer):
        # The rest of the row is read only if something asks for it. (`from_db` takes the values
        # in the model's field order.)
        names = [f.attname for f in Customer._meta.concrete_fields if f.attname in read]
        return Customer.from_db(Customer.objects.db, names, [read[n] for n in names])
    for name in _CUSTOMER_STANDING:
        setattr(customer, name, read[name])
    return customer


# B-9: the suspected duplicates a refusal names, the newest first.
DUPLICATES_NAMED = 10


def _check_duplicates(order: SalesOrder, lines: list[OrderLine], reason: str) -> None:
    """B-9: the same lines for the same customer within the window need a reason. Given one, the
    order is saved whatever the lookup would find, so it is not made (issue 21)."""
    if reason.strip():
        return
    window = policy_selectors.policy().intake.duplicate_window_hours
    found = possible_duplicates(
        customer_id=order.customer_id,
        lines=[(ln.product_id, ln.quantity) for ln in lines],
        window_hours=window,
        exclude=order.pk,
        limit=DUPLICATES_NAMED,
    )
    if found:
        raise DuplicateSuspected([o.number for o in found])


# --- create -------------------------------------------------------------------------------


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
    customer in the actor's data scope (S-1) — on every path: page, API, import, inquiry.
    `data["customer"]` is the customer or its id (the API's); either is read through the scope."""
    records.require(permissions.can_enter_orders(actor))
    customer = data.get("customer")
    if customer is not None:
        scoped = _scoped_customer(actor, customer)
        if scoped is None:
            raise FieldErrors({"customer": _("客户不存在或不在您的数据范围内。")})
        data = {**data, "customer": scoped}
    return save_new_order(
        actor=actor,
        data=data,
        lines=lines,
        duplicate_reason=duplicate_reason,
        salesperson=salesperson,
        inquiry=inquiry,
        # The scope check has just read the customer's row.
        customer_known=customer is not None,
    )


def save_new_order(
    *,
    actor: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    duplicate_reason: str,
    salesperson: User | None,
    inquiry: Inquiry | None,
    customer_known: bool = False,
) -> SalesOrder:
    """B-3, B-4: validate and save a new draft. The caller has checked who may enter it for whom:
    `create_order` for staff (S-1), the portal for a customer's own company (B-8)."""
    _refuse_unknown(data, HEADER_FIELDS)
    seller = salesperson or actor
    order = SalesOrder(
        **data, salesperson=seller, created_by=actor, duplicate_reason=duplicate_reason[:200], inquiry=inquiry
    )
    if seller.department_id is None:
        raise FieldErrors({"salesperson": _("销售员没有所属部门。")})
    order.department_id = seller.department_id
    errors: Errors = {}
    _clean_header(order, errors, customer_known=customer_known)
    built = build_lines(order, lines, errors)
    if errors:
        raise FieldErrors(errors)
    _check_duplicates(order, built, duplicate_reason)
    _number_and_save(order, built)
    after = records.snapshot(order, [f for f in HEADER_FIELDS if f != "original_document"])
    recorder.record(
        actor=actor,
        obj=order,
        action="order.create",
        after={
            **after,
            "number": order.number,
            "total_amount": order.total_amount,
            "lines": lines_snapshot(built),
        },
        reason=duplicate_reason,
    )
    _keep_as_stored(order, built)
    return order


# What the database gives back for each figure of a line: its column's decimal places.
_PLACES = {
    name: Decimal(1).scaleb(-(getattr(OrderLine._meta.get_field(name), "decimal_places", 0) or 0))
    for name in ("quantity", "unit_price", "amount")
}


def _keep_as_stored(order: SalesOrder, built: list[OrderLine]) -> None:
    """The saved lines kept with the new order as a read of them would give them (the figures at
    their columns' places, in line order), for `saved_lines`. The audit record above keeps the
    figures as entered. Not the order's `lines` (its prefetch cache): a caller holding the
    instance would go on seeing them after a later edit."""
    for line in built:
        for name, places in _PLACES.items():
            setattr(line, name, getattr(line, name).quantize(places))
    order.__dict__[_SAVED_LINES] = built


_SAVED_LINES = "_oms_saved_lines"


def saved_lines(order: SalesOrder) -> list[OrderLine] | None:
    """The lines `create_order` has just written for `order`, as stored, or None for an order it
    did not create in this instance: whoever answers with the order just created (the API's
    201) does not read back what the action has just written (issue 21)."""
    found = order.__dict__.get(_SAVED_LINES)
    return list(found) if found is not None else None


def _number_and_save(order: SalesOrder, built: list[OrderLine]) -> None:
    """B-4: the order keeps the policy in force, its currency and the next number in its format."""
    order.pin_current_policy()
    policy = order.policy()
    order.currency = policy.currency
    order.total_amount = sum((ln.amount for ln in built), Decimal("0"))
    order.number = policy_actions.next_number(
        fmt=policy.numbering.order, when=timezone.localdate(), key="order", lock_audit_chain=True
    )
    order.lines_fingerprint = fingerprint(built)
    # Issue 21: the two INSERTs' text kept per table and row count, not built anew per order.
    inserts.insert([order])
    for ln in built:
        ln.order = order
    inserts.insert(built)


# --- update -------------------------------------------------------------------------------


def _lock_for_edit(actor: User, order: SalesOrder, version: int, allow_confirmed: bool) -> SalesOrder:
    """B-5, D-3: who may edit, in which state, and only the version they read."""
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
    return locked


def _refuse_customer_out_of_scope(actor: User, locked: SalesOrder, data: Mapping[str, Any]) -> None:
    new_customer = data.get("customer")
    if (
        isinstance(new_customer, Customer)
        and new_customer.pk != locked.customer_id
        and customer_out_of_scope(actor, new_customer)
    ):
        # S-1: changing the order to a customer outside the actor's scope is refused like creating one.
        raise FieldErrors({"customer": _("客户不存在或不在您的数据范围内。")})


def _replace_lines(
    locked: SalesOrder, old_lines: list[OrderLine], built: list[OrderLine], reason: str
) -> None:
    """B-5, B-9: the old lines are kept, marked removed; the new ones are checked for duplicates."""
    _check_duplicates(locked, built, reason)
    OrderLine.objects.filter(pk__in=[ln.pk for ln in old_lines]).update(removed=True)
    OrderLine.objects.bulk_create(built)
    locked.total_amount = sum((ln.amount for ln in built), Decimal("0"))
    locked.lines_fingerprint = fingerprint(built)


def _changes(
    before: dict[str, Any],
    locked: SalesOrder,
    keys: Any,
    old: list[OrderLine],
    new: list[OrderLine] | None,
    total: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """B-5: what changed, header fields and (when they differ) the lines and the total."""
    changed_before, changed_after = recorder.diff(before, records.snapshot(locked, keys))
    if new is not None and lines_snapshot(old) != lines_snapshot(new):
        changed_before["lines"], changed_after["lines"] = lines_snapshot(old), lines_snapshot(new)
        changed_before["total_amount"], changed_after["total_amount"] = total, locked.total_amount
    return changed_before, changed_after


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
    locked = _lock_for_edit(actor, order, version, allow_confirmed)
    _refuse_unknown(data, HEADER_FIELDS)
    _refuse_customer_out_of_scope(actor, locked, data)
    before = records.snapshot(locked, data.keys())
    old_lines = list(locked.lines.order_by("line_no"))
    for name, value in data.items():
        setattr(locked, name, value)
    errors: Errors = {}
    _clean_header(locked, errors)
    built = build_lines(locked, lines, errors) if lines is not None else None
    if errors:
        raise FieldErrors(errors)
    if built is not None:
        _replace_lines(locked, old_lines, built, duplicate_reason or locked.duplicate_reason)
    if duplicate_reason:
        locked.duplicate_reason = duplicate_reason[:200]
    changed_before, changed_after = _changes(
        before, locked, data.keys(), old_lines, built, order.total_amount
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
