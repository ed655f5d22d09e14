# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""Orders over the API (B-8): create with lines (Idempotency-Key), read, list with filters,
update a draft (version check), submit, and the preliminary-check decisions (B-6)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from oms.accounts.models import User
from oms.core.errors import FieldErrors
from oms.core.money import bounded_decimal
from oms.customers.models import Customer
from oms.engine import workflow
from oms.intake import actions, selectors
from oms.orders import states
from oms.orders.models import TERM_FIELDS, OrderLine, SalesOrder
from oms.orders.permissions import can_edit_draft, can_enter_orders, can_renegotiate
from oms.orders.selectors import number_search, orders_for
from oms.policy.visibility import visible_field_groups
from oms.tracking.models import WorkItem, WorkStatus
from oms.web.api import PageNumber, PageSize, RecordId, answered, run_idempotent
from oms.web.api_gate import asks_first, may_take, refuse_unless
from oms.web.listing import capped_count, search_condition

router = Router(tags=["订单"])


# P-1: the same parser as the pages, at the column's digits; refusals name the line's field.
Quantity = bounded_decimal(OrderLine, "quantity", min_value=0, min_exclusive=True)
UnitPrice = bounded_decimal(OrderLine, "unit_price", min_value=0)


class OrderLineIn(Schema):
    product_id: int
    quantity: Quantity  # type: ignore[valid-type]
    unit_price: UnitPrice | None = None  # type: ignore[valid-type]
    spec: str = ""
    unit: str = ""


class OrderIn(Schema):
    customer_id: int
    contact_name: str
    contact_phone: str
    order_date: datetime.date
    channel: str = "api"
    order_class: str = "normal"
    delivery_date: datetime.date
    delivery_place: str
    payment_terms: str
    invoice_requirements: str = ""
    needs_customisation: bool = False
    needs_special_packaging: bool = False
    needs_special_transport: bool = False
    special_requirements: str = ""
    external_ref: str = ""
    duplicate_reason: str = ""
    lines: list[OrderLineIn]


class OrderPatch(Schema):
    version: int
    customer_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    order_date: datetime.date | None = None
    channel: str | None = None
    order_class: str | None = None
    delivery_date: datetime.date | None = None
    delivery_place: str | None = None
    payment_terms: str | None = None
    invoice_requirements: str | None = None
    needs_customisation: bool | None = None
    needs_special_packaging: bool | None = None
    needs_special_transport: bool | None = None
    special_requirements: str | None = None
    external_ref: str | None = None
    duplicate_reason: str | None = None
    lines: list[OrderLineIn] | None = None


class OrderLineOut(Schema):
    line_no: int
    product_id: int
    spec: str
    quantity: Decimal | None  # None: what is stored is no number (P-1: reading never fails)
    unit: str
    unit_price: Decimal | None
    amount: Decimal | None


class OrderPendingOut(Schema):
    kind: str
    title: str
    assignee_id: int | None
    department_id: int
    due_at: datetime.datetime
    overdue: bool


class OrderOut(Schema):
    id: int
    number: str
    status: str
    version: int
    customer_id: int
    contact_name: str | None
    contact_phone: str | None
    order_date: datetime.date
    channel: str
    order_class: str
    delivery_date: datetime.date
    delivery_place: str
    payment_terms: str
    invoice_requirements: str
    needs_customisation: bool
    needs_special_packaging: bool
    needs_special_transport: bool
    special_requirements: str
    currency: str
    total_amount: Decimal | None
    salesperson_id: int
    department_id: int
    external_ref: str
    policy_version: int
    submitted_at: datetime.datetime | None
    lines: list[OrderLineOut]
    pending: list[OrderPendingOut]


class OrderPage(Schema):
    count: int = Field(
        description="Orders matching, counted up to 1000 or to the end of the requested page, whichever "
        "is more; `count_capped` says there are more (issue 21: no unbounded count)."
    )
    count_capped: bool = False
    page: int
    page_size: int
    items: list[OrderOut]


class OrderCheckIn(Schema):
    decision: Literal["pass", "request_info", "escalate"]
    reason: str = ""


class OrderDecisionIn(Schema):
    accept: bool
    reason: str


class OrderReasonIn(Schema):
    reason: str = ""


class OrderFilters(Schema):
    q: str = ""
    status: str = ""
    customer_id: RecordId | None = None
    order_class: str = ""
    channel: str = ""
    salesperson_id: RecordId | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    overdue: bool = False
    page: PageNumber = 1
    page_size: PageSize = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _out(
    order: SalesOrder,
    groups: frozenset[str],
    pending: list[WorkItem],
    lines: list[OrderLine] | None = None,
) -> dict[str, Any]:
    """S-1: prices and contact data are null for roles that may not see them. `lines`: the
    order's live lines when the caller has them already (else they are read)."""
    prices, contacts = "price" in groups, "contact" in groups
    return {
        **{
            f: getattr(order, f)
            for f in (
                "id",
                "number",
                "status",
                "version",
                "customer_id",
                *TERM_FIELDS,
                "currency",
                "salesperson_id",
                "department_id",
                "external_ref",
                "submitted_at",
            )
        },
        "contact_name": order.contact_name if contacts else None,
        "contact_phone": order.contact_phone if contacts else None,
        "total_amount": order.total_amount if prices else None,
        "policy_version": order.policy_version.number,
        "lines": [
            {
                "line_no": ln.line_no,
                "product_id": ln.product_id,
                "spec": ln.spec,
                "quantity": ln.quantity,
                "unit": ln.unit,
                "unit_price": ln.unit_price if prices else None,
                "amount": ln.amount if prices else None,
            }
            for ln in (order.lines.all() if lines is None else lines)
        ],
        "pending": [
            {
                "kind": i.kind,
                "title": i.title,
                "assignee_id": i.assignee_id,
                "department_id": i.department_id,
                "due_at": i.due_at,
                "overdue": i.overdue,
            }
            for i in pending
        ],
    }


def _with_related(qs: Any) -> Any:
    # Not the policy version: joined, each row parsed the whole policy document from JSON (17 ms
    # for 50 orders, issue 21); the pinned version's row comes from the per-process cache.
    return qs.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_no")))


def _pending(orders: list[SalesOrder]) -> dict[int, list[WorkItem]]:
    result: dict[int, list[WorkItem]] = {}
    if orders:
        ct = ContentType.objects.get_for_model(SalesOrder)
        for item in WorkItem.objects.filter(
            content_type=ct, object_id__in=[o.pk for o in orders], status=WorkStatus.OPEN
        ).order_by("due_at", "pk"):
            result.setdefault(item.object_id, []).append(item)
    return result


def _render(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    fresh = _with_related(orders_for(request.user)).get(pk=order.pk)
    return _out(fresh, visible_field_groups(request.user), _pending([fresh]).get(fresh.pk, []))


def _render_created(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """The order `create_order` has just saved, as `_render` would read it back (issue 21: four
    reads and the scoped order query less per API create): the header as saved, the lines the
    action kept as stored (their figures at the columns' places, not read back), and no open
    work items — a new draft has none. The creator is its salesperson, so the scope shows it to
    them."""
    return _out(order, visible_field_groups(request.user), [], actions.saved_lines(order))


def _get(request: HttpRequest, order_id: int) -> SalesOrder:
    order = orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


def _header(data: dict[str, Any]) -> dict[str, Any]:
    header = {
        k: v for k, v in data.items() if k not in {"lines", "duplicate_reason", "version", "customer_id"}
    }
    if "customer_id" in data:
        customer = Customer.objects.filter(pk=data["customer_id"]).first()
        if customer is None:
            # S-1: a missing customer and one outside the actor's scope get the same answer.
            raise FieldErrors({"customer_id": _("客户不存在或不在您的数据范围内。")})
        header["customer"] = customer
    return header


def _lines(lines: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if lines is None:
        return None
    return [
        {
            "product": ln["product_id"],
            "quantity": ln["quantity"],
            "spec": ln.get("spec", ""),
            "unit": ln.get("unit", ""),
            **({"unit_price": ln["unit_price"]} if ln.get("unit_price") is not None else {}),
        }
        for ln in lines
    ]


# S-1 (issue 23): who may, asked before the body is read, with the predicates the pages' gates
# and the engine ask. A decision the body chooses (pass, ask for information or escalate;
# accept or decline) is let in when any of its transitions may be taken.
def _may_enter(request: HttpRequest, ids: Any) -> None:
    refuse_unless(can_enter_orders(request.user), _("您没有权限录入订单。"))


def _may_take(*transitions: workflow.Transition) -> Any:
    def door(request: HttpRequest, ids: Any) -> None:
        may_take(transitions, _get(request, ids["order_id"]), request.user)

    return door


def _edits_draft(request: HttpRequest, order_id: int) -> None:
    order = _get(request, order_id)
    allowed = can_edit_draft(request.user, order) or can_renegotiate(request.user, order)
    refuse_unless(allowed, _("您没有权限执行此操作。"))


@router.get("/", response=OrderPage, operation_id="list_orders")
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> HttpResponse:
    qs = orders_for(request.user)
    f = filters
    if f.q:
        qs = qs.filter(
            search_condition(SalesOrder, ("number", "customer__name"), f.q, {"number": number_search})
        )
    for field, value in (
        ("status", f.status),
        ("customer_id", f.customer_id),
        ("order_class", f.order_class),
        ("channel", f.channel),
        ("salesperson_id", f.salesperson_id),
    ):
        if value not in ("", None):
            qs = qs.filter(**{field: value})
    if f.date_from:
        qs = qs.filter(order_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(order_date__lte=f.date_to)
    if f.overdue:
        late = WorkItem.objects.filter(
            content_type=ContentType.objects.get_for_model(SalesOrder),
            object_id=OuterRef("pk"),
            status=WorkStatus.OPEN,
            overdue=True,
        )
        qs = qs.filter(Exists(late))
    page, size = f.page, f.page_size
    qs = qs.order_by("-created_at", "-id")
    rows = selectors.order_rows(qs, _HEADER_COLUMNS, (page - 1) * size, page * size)
    if 0 < len(rows) < size or (page == 1 and not rows):
        # A page that is not full tells the count without counting (issue 21).
        count, capped = (page - 1) * size + len(rows), False
    else:
        count, capped = capped_count(qs, at_least=page * size)
    body = {
        "count": count,
        "count_capped": capped,
        "page": page,
        "page_size": size,
        "items": _items(rows, visible_field_groups(request.user)),
    }
    return answered(body)


# `OrderOut`'s header in its order, and the order's columns that hold it (the version's key).
_HEADER = tuple(name for name in OrderOut.model_fields if name not in {"lines", "pending"})
_HEADER_COLUMNS = tuple("policy_version_id" if name == "policy_version" else name for name in _HEADER)
_MASKED = {"contact_name": "contact", "contact_phone": "contact", "total_amount": "price"}


def _items(rows: list[tuple[Any, ...]], groups: frozenset[str]) -> list[dict[str, Any]]:
    """The orders as `OrderOut` writes them (`_out`), built from their values in its key order
    and types (issue 21: validating 50 nested orders by their schema was a third of the list's
    Python; a test checks the text against the schema's). S-1: prices and contact data are null
    for roles that may not see them."""
    ids = [row[0] for row in rows]
    lines = selectors.live_lines(ids, _LINE)
    pending = selectors.open_items(ids, _PENDING)
    versions = {pk: selectors.version_number(pk) for pk in {row[_VERSION_AT] for row in rows}}
    masked = [name for name, group in _MASKED.items() if group not in groups]
    masked_line = [name for name in _LINE_PRICES if "price" not in groups]
    items = []
    for row in rows:
        item = dict(zip(_HEADER, row, strict=True))
        item["policy_version"] = versions[row[_VERSION_AT]]
        for name in masked:
            item[name] = None
        item["lines"] = [
            _masked(dict(zip(_LINE, line, strict=True)), masked_line) for line in lines.get(row[0], ())
        ]
        item["pending"] = [dict(zip(_PENDING, i, strict=True)) for i in pending.get(row[0], ())]
        items.append(item)
    return items


def _masked(values: dict[str, Any], names: list[str]) -> dict[str, Any]:
    for name in names:
        values[name] = None
    return values


# The line's and the open item's fields, in their schemas' order; a line's prices (S-1).
_LINE = tuple(OrderLineOut.model_fields)
_PENDING = tuple(OrderPendingOut.model_fields)
_LINE_PRICES = ("unit_price", "amount")
_VERSION_AT = _HEADER.index("policy_version")


@router.get("/{order_id}", response=OrderOut, operation_id="get_order")
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _render(request, _get(request, order_id))


@router.post("/", response={201: OrderOut}, operation_id="create_order")
@asks_first(_may_enter)
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    data = payload.dict()

    def create() -> dict[str, Any]:
        # The action reads the customer through the actor's scope (S-1): a missing one and one
        # outside it are the same refusal, on `customer`.
        header = {k: v for k, v in data.items() if k not in {"lines", "duplicate_reason", "customer_id"}}
        order = actions.create_order(
            actor=_user(request),
            data={**header, "customer": data["customer_id"]},
            lines=_lines(data["lines"]) or [],
            duplicate_reason=data.get("duplicate_reason", ""),
        )
        return _render_created(request, order)

    return run_idempotent(request, "orders", create, schema=OrderOut)


@router.patch("/{order_id}", response=OrderOut, operation_id="update_order")
@asks_first(lambda request, ids: _edits_draft(request, ids["order_id"]))
def update_order(request: HttpRequest, order_id: int, payload: OrderPatch) -> dict[str, Any]:
    order = _get(request, order_id)
    data = payload.dict(exclude_unset=True)
    order = actions.update_order(
        actor=_user(request),
        order=order,
        data=_header(data),
        lines=_lines(data.get("lines")),
        version=data["version"],
        duplicate_reason=data.get("duplicate_reason") or "",
    )
    return _render(request, order)


@router.post("/{order_id}/submit", response=OrderOut, operation_id="submit_order")
def submit_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _render(request, actions.submit_order(actor=_user(request), order=_get(request, order_id)))


# B-6: the checker's three outcomes, as the schema names them (`OrderCheckIn.decision`).
_CHECK_DECISIONS = {
    "pass": actions.pass_check,
    "request_info": actions.request_info,
    "escalate": actions.escalate,
}


@router.post("/{order_id}/check", response=OrderOut, operation_id="check_order")
@asks_first(_may_take(states.PASS_CHECK, states.REQUEST_INFO, states.ESCALATE))
def check_order(request: HttpRequest, order_id: int, payload: OrderCheckIn) -> dict[str, Any]:
    check = _CHECK_DECISIONS[payload.decision]
    return _render(request, check(actor=_user(request), order=_get(request, order_id), reason=payload.reason))


@router.post("/{order_id}/complete-info", response=OrderOut, operation_id="complete_order_info")
@asks_first(_may_take(states.COMPLETE_INFO))
def complete_info(request: HttpRequest, order_id: int, payload: OrderReasonIn) -> dict[str, Any]:
    return _render(
        request,
        actions.complete_info(actor=_user(request), order=_get(request, order_id), reason=payload.reason),
    )


@router.post("/{order_id}/decision", response=OrderOut, operation_id="decide_order")
@asks_first(_may_take(states.ACCEPT, states.DECLINE))
def decide(request: HttpRequest, order_id: int, payload: OrderDecisionIn) -> dict[str, Any]:
    return _render(
        request,
        actions.decide(
            actor=_user(request), order=_get(request, order_id), accept=payload.accept, reason=payload.reason
        ),
    )
