"""Typed input of change and cancellation requests: one form per decision (I-1..I-3, J-1).

The staff's request form, the customer's (through the one-time link and in the portal) and the
API all turn what was typed into typed values here: dates, Decimals at the column's digits (P-1),
choices, bounded text. The rules that need the order (what was shipped, the price floor, which
lines are its own, who may ask) stay with the actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from oms.changes.models import ChangeRequest, RequestKind, Source
from oms.core.errors import FieldErrors
from oms.core.forms import ColumnDecimalField, cleaned
from oms.core.money import plain_number
from oms.customers.models import PaymentTerms
from oms.orders.models import OrderLine, SalesOrder
from oms.review.forms import OpinionForm as ReviewOpinionForm
from oms.review.forms import message, text_field


def _choice(label: Any, choices: Any, coerce: Any, refusal: Any, *, required: bool = True) -> forms.Field:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=coerce,
        required=required,
        error_messages={"required": refusal, "invalid_choice": refusal},
    )


class TermsForm(forms.Form):
    """I-1: the new terms; only those given are changed."""

    delivery_date = forms.DateField(
        label=_("交货日期"), required=False, error_messages={"invalid": _("请填写正确的交货日期。")}
    )
    delivery_place = text_field(_("交货地点"), limit=255)
    payment_terms = _choice(
        _("付款方式"), PaymentTerms.choices, PaymentTerms, _("请选择付款方式。"), required=False
    )
    invoice_requirements = text_field(_("发票要求"), limit=255)
    special_requirements = text_field(_("特殊要求说明"))
    needs_customisation = forms.BooleanField(label=_("定制要求"), required=False)
    needs_special_packaging = forms.BooleanField(label=_("特殊包装"), required=False)
    needs_special_transport = forms.BooleanField(label=_("特殊运输"), required=False)


# I-1: the terms a change may touch (oms.changes.actions.proposal.TERM_ASPECTS names their aspects).
TERMS = tuple(TermsForm.base_fields)
_FLAGS = {name for name, field in TermsForm.base_fields.items() if isinstance(field, forms.BooleanField)}


class RequestForm(forms.Form):
    """I-1, J-1: who asks for what, why, with what impact; a cancellation's estimated loss."""

    kind = _choice(_("申请类型"), RequestKind.choices, RequestKind, _("请选择变更或取消。"))
    source = _choice(_("提出方"), Source.choices, Source, _("请选择提出方。"), required=False)
    reason = text_field(_("原因"))
    impact = text_field(_("预计影响"))
    customer_notice = forms.FileField(label=_("客户书面通知"), required=False)
    loss_amount = ColumnDecimalField(ChangeRequest, "loss_amount", label=_("估算损失"))
    loss_notes = text_field(_("损失说明"))


class LineForm(forms.Form):
    """I-1: one line of the order as it is to be: an existing line (`line`) or a new product."""

    line = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages=dict.fromkeys(("invalid", "min_value"), _("不是这个订单的明细。")),
    )
    product = forms.IntegerField(
        required=False, min_value=1, error_messages=dict.fromkeys(("invalid", "min_value"), _("请选择产品。"))
    )
    quantity = ColumnDecimalField(OrderLine, "quantity", label=_("数量"))
    unit_price = ColumnDecimalField(OrderLine, "unit_price", label=_("单价"))
    spec = forms.CharField(
        label=_("规格型号"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": message(_("%(f)s过长（最多 %(n)s 字）。"), {"f": _("规格型号"), "n": 200})
        },
    )


class OpinionForm(ReviewOpinionForm):
    """I-2: a department's opinion on a request (a review task in all but name, C-5); finance may
    set the assessed loss of a cancellation (J-1)."""

    attachment = None  # type: ignore[assignment]  # a change opinion has no attachment
    assessed_loss = ColumnDecimalField(ChangeRequest, "loss_amount", label=_("核定损失"))


class WithdrawForm(forms.Form):
    reason = text_field(_("撤回原因"))


class ExplanationForm(forms.Form):
    explanation = text_field(_("向客户说明的内容"))


class AgreementForm(forms.Form):
    scan = forms.FileField(label=_("签订的变更协议"), required=False)


# --- turning input into typed values --------------------------------------------------------------


def request_values(data: Mapping[str, Any], files: Any = None) -> dict[str, Any]:
    """The request's header as typed values, or FieldErrors naming each refused field."""
    values = cleaned(RequestForm(data, files))
    return {
        "kind": values["kind"],
        "source": values["source"],
        "reason": values["reason"],
        "impact": values["impact"],
        "notice": values["customer_notice"],
        "loss_amount": values["loss_amount"],
        "loss_notes": values["loss_notes"],
    }


def terms_values(terms: Mapping[str, Any]) -> dict[str, Any]:
    """The terms given, typed; a term a change may not touch is refused by name."""
    errors: dict[str, list[str]] = {
        name: [str(_("不能通过变更申请修改这一项。"))] for name in sorted(set(terms) - set(TERMS))
    }
    # A flag is on only when ticked or sent as true (I-1: as the page and the API always did).
    given = {
        k: (v in {True, "on", "true", "1"}) if k in _FLAGS else v for k, v in terms.items() if k in TERMS
    }
    form = TermsForm(given)
    if not form.is_valid():
        errors.update({name: [str(m) for m in msgs] for name, msgs in form.errors.items()})
    if errors:
        raise FieldErrors(errors)
    return {name: form.cleaned_data[name] for name in TERMS if name in terms}


def lines_values(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each line typed; an unset value is left out (an existing line keeps its spec and price).
    Errors are named `lines.<i>.<field>`."""
    found: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for i, raw in enumerate(lines):
        form = LineForm({k: v for k, v in raw.items() if v is not None})
        if not form.is_valid():
            errors.update({f"lines.{i}.{k}": [str(m) for m in msgs] for k, msgs in form.errors.items()})
            continue
        given = {k: v for k, v in form.cleaned_data.items() if k in raw and raw[k] is not None}
        found.append({"line": None, **given})
    if errors:
        raise FieldErrors(errors)
    return found


def change_values(
    data: Mapping[str, Any],
    terms: Mapping[str, Any] | None,
    lines: Sequence[Mapping[str, Any]] | None,
    files: Any = None,
) -> dict[str, Any]:
    """A whole request typed (header, terms, lines), every refused field named at once. Terms or
    lines not given (None) stay None: a cancellation has none, and an API client may send only
    the terms."""
    errors: dict[str, list[str]] = {}

    def collect(parse: Any, *given: Any) -> Any:
        try:
            return parse(*given)
        except FieldErrors as exc:
            errors.update(exc.errors)
            return None

    header = collect(request_values, data, files)
    typed_terms = collect(terms_values, terms) if terms is not None else None
    typed_lines = collect(lines_values, lines) if lines is not None else None
    if errors:
        raise FieldErrors(errors)
    return {**header, "terms": typed_terms, "lines": typed_lines}


# --- the staff's page -----------------------------------------------------------------------------


def posted_lines(
    post: QueryDict, order: SalesOrder, show_prices: bool
) -> tuple[list[dict[str, Any]], list[int]]:
    """The lines as submitted (removed ones left out, empty new rows ignored) and, for each, the
    row of the form it came from, so that errors land beside the right row."""
    existing = {ln.pk: ln for ln in order.lines.all()}
    found, rows = [], []
    i = 0
    while f"lines-{i}-quantity" in post or f"lines-{i}-product" in post:
        prefix = f"lines-{i}-"
        raw = None if post.get(prefix + "remove") else _posted_line(post, prefix, existing, show_prices)
        if raw is not None:
            found.append(raw)
            rows.append(i)
        i += 1
    return found, rows


def _posted_line(
    post: QueryDict, prefix: str, existing: Mapping[int, OrderLine], show_prices: bool
) -> dict[str, Any] | None:
    line_id = post.get(prefix + "line", "")
    if line_id.isdigit():
        line = existing.get(int(line_id))
        return {
            "line": int(line_id),
            "quantity": post.get(prefix + "quantity", ""),
            "spec": post.get(prefix + "spec", line.spec if line else ""),
            # S-1: who may not see prices cannot change them; the price stays as it is.
            "unit_price": post.get(prefix + "unit_price", "")
            if show_prices
            else (line.unit_price if line else ""),
        }
    product = post.get(prefix + "product", "")
    if not product.isdigit():
        return None
    return {
        "line": None,
        "product": int(product),
        "quantity": post.get(prefix + "quantity", ""),
        "spec": post.get(prefix + "spec", ""),
        "unit_price": post.get(prefix + "unit_price", "") if show_prices else "",
    }


def posted_terms(post: QueryDict) -> dict[str, Any]:
    """Every term as the page posts it (an unticked box is not posted: it is off)."""
    return {name: bool(post.get(name)) if name in _FLAGS else post.get(name, "") for name in TERMS}


# --- the customer's form (the one-time link and the portal) ---------------------------------------


class CustomerNameForm(forms.Form):
    """I-1: who asks for the change through the one-time link."""

    name = text_field(_("提交人姓名"), limit=100)


def customer_name(post: QueryDict) -> str:
    return str(cleaned(CustomerNameForm(post))["name"])


def customer_input(order: SalesOrder, post: QueryDict) -> dict[str, Any]:
    """I-1: what the customer asked for, typed: new delivery terms and each line's quantity and
    specification. Refused input raises FieldErrors naming the field (`lines.<i>.quantity`)."""
    values = change_values(
        {"kind": RequestKind.CHANGE, "reason": post.get("reason", ""), "impact": post.get("impact", "")},
        {"delivery_date": post.get("delivery_date", ""), "delivery_place": post.get("delivery_place", "")},
        [
            {
                "line": ln.pk,
                "quantity": post.get(f"quantity-{ln.pk}", ""),
                "spec": post.get(f"spec-{ln.pk}", ln.spec),
            }
            for ln in order.lines.all()
        ],
    )
    return {key: values[key] for key in ("reason", "impact", "terms", "lines")}


def customer_form(order: SalesOrder, given: QueryDict) -> dict[str, Any]:
    """The form filled with the order as it is, or with what the customer typed."""
    return {
        "rows": [
            (
                ln,
                given.get(f"quantity-{ln.pk}", plain_number(ln.quantity)),
                given.get(f"spec-{ln.pk}", ln.spec),
            )
            for ln in order.lines.select_related("product").order_by("line_no")
        ],
        "delivery_date": given.get("delivery_date", f"{order.delivery_date:%Y-%m-%d}"),
        "delivery_place": given.get("delivery_place", order.delivery_place),
        "post": given or None,
    }
