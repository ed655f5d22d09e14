"""Master-data pages: list with search, filters, sort, pagination and Excel export; create and
edit forms with version checks. One implementation serves every master-data model; each app
describes its pages with a `ListSpec` (columns, filters, its selector and its actions).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from oms.core import params
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.money import format_amount, format_price, format_quantity
from oms.policy.visibility import visible_field_groups

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000
# A list counts its rows up to here and then says "1,000+" (issue 21): counting a scope of 10^6
# orders cost 275 ms on every request, while nobody pages past the first few hundred rows.
COUNT_CAP = 1000
# A related-field search collects the matching ids first (customers, then their orders) up to
# this many; beyond, the ids are a subquery.
SEARCH_IDS = 2000


def capped_count(qs: QuerySet[Any], *, at_least: int = 0, cap: int | None = None) -> tuple[int, bool]:
    """The rows of a list, counted up to `max(cap, at_least)`, and whether there are more
    (issue 21: no unbounded `COUNT(*)` on a list). The count reads the first rows in the list's
    own order, so it walks the same index as the page and stops."""
    limit = max(COUNT_CAP if cap is None else cap, at_least)
    found = qs[: limit + 1].count()
    return min(found, limit), found > limit


class CappedPaginator(Paginator):
    """Pages over a count that stops at `COUNT_CAP` rows beyond what the requested page needs
    (issue 21). When there are more, `count` is one past the limit so that the next page can be
    opened, and `count_label` / `pages_label` read "1,000+" / "41+"."""

    def __init__(self, object_list: Any, per_page: int, *, number: int = 1, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self._wanted = max(1, number)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows = cast(QuerySet[Any], self.object_list)
        found, self.capped = capped_count(rows, at_least=self._wanted * self.per_page, cap=self.cap)
        return found + 1 if self.capped else found

    @property
    def count_label(self) -> str:
        return f"{self.count - 1}+" if self.capped else str(self.count)

    @property
    def pages_label(self) -> str:
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)


def search_condition(model: type[models.Model], fields: Sequence[str], q: str) -> Q:
    """`q` in any of `fields` (icontains). A field across a relation (`customer__name`) is
    looked up on the related table first and becomes `customer_id IN (ids)`: an `ILIKE` ORed
    across the join could use no index and read every order (20 s at 10^6, issue 21), whereas
    the ids probe the orders' own index on the relation."""
    cond = Q()
    related: dict[str, list[str]] = {}
    for name in fields:
        head, _sep, rest = name.partition("__")
        model_field = model._meta.get_field(head)
        if rest and model_field.many_to_one and "__" not in rest:
            related.setdefault(head, []).append(rest)
        else:
            cond |= Q(**{f"{name}__icontains": q})
    for head, rest_fields in related.items():
        target = model._meta.get_field(head).related_model
        assert target is not None and not isinstance(target, str)
        inner = Q()
        for rest in rest_fields:
            inner |= Q(**{f"{rest}__icontains": q})
        matches = target._default_manager.filter(inner).values_list("pk", flat=True)
        ids = list(matches[: SEARCH_IDS + 1])
        cond |= Q(**{f"{head}_id__in": ids if len(ids) <= SEARCH_IDS else matches})
    return cond


@dataclass(frozen=True)
class Column:
    """One column of a list and its export; `group` names the confidential field group (S-1)."""

    name: str
    label: Any = ""
    group: str | None = None
    sortable: bool = True


@dataclass
class ListSpec:
    model: type[models.Model]
    prefix: str  # URL name prefix, e.g. "customers:customer"
    title: Any
    columns: Sequence[Column]
    selector: Callable[[Any], QuerySet[Any]]
    search_fields: Sequence[str] = ("code", "name", "pinyin")
    filters: Sequence[str] = ()
    form_fields: Sequence[str] = ()
    field_groups: Mapping[str, str] = field(default_factory=dict)  # form field -> group
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    can_edit: Callable[[Any], bool] = lambda user: False
    can_view: Callable[[Any], bool] = lambda user: True  # a list only some roles may open (403 otherwise)
    form_widgets: Mapping[str, Any] = field(default_factory=dict)
    actions_template: str = ""  # extra buttons beside the list's title
    row_links: Sequence[tuple[Any, str]] = ()  # (label, url name taking the row's pk)
    detail_url_name: str = ""  # the first column links here (url name taking the row's pk)
    date_field: str = ""  # filter by a date range on this field (?date_from=&date_to=)
    flag_filters: Mapping[str, tuple[Any, Callable[[QuerySet[Any], Any], QuerySet[Any]]]] = field(
        default_factory=dict
    )
    choices: Mapping[str, Callable[[], list[tuple[str, str]]]] = field(
        default_factory=dict
    )  # filter choices not on the model

    def label(self, name: str) -> str:
        model_field = self.model._meta.get_field(name.split("__")[0])
        return str(getattr(model_field, "verbose_name", name))

    def visible_columns(self, user: Any) -> list[Column]:
        groups = visible_field_groups(user)
        return [
            Column(c.name, c.label or self.label(c.name), c.group, c.sortable)
            for c in self.columns
            if c.group is None or c.group in groups
        ]

    def editable_fields(self, user: Any) -> list[str]:
        groups = visible_field_groups(user)
        return [
            f for f in self.form_fields if self.field_groups.get(f) is None or self.field_groups[f] in groups
        ]


def cell(obj: Any, name: str) -> Any:
    """The display value of a column: choices by label, relations by their text."""
    value: Any = obj
    for part in name.split("__"):
        if value is None:
            return ""
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return "" if value is None else value


def shown(value: Any, name: str) -> Any:
    """P-1: a list cell as people read figures: prices and amounts with thousands separators and
    two decimals (43,750.00), quantities without trailing zeros (12,800)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return value
    if "price" in name:
        return format_price(value)
    if value.as_tuple().exponent == -2:  # the money columns keep two decimals
        return format_amount(value)
    return format_quantity(value)


def excel_number_format(value: Decimal) -> str:
    """P-1: the same rule in Excel, where the cell stays a number: amounts #,##0.00, quantities
    with separators and only the decimals they have."""
    if value.as_tuple().exponent == -2:
        return "#,##0.00"
    return "#,##0" if value == value.to_integral_value() else "#,##0.0###"


def filtered(spec: ListSpec, request: HttpRequest) -> tuple[QuerySet[Any], dict[str, Any]]:
    """Apply search, filters and sort from the query string, in the database."""
    qs = spec.selector(request.user)
    q = params.text_param(request, "q").strip()
    if q:
        qs = qs.filter(search_condition(spec.model, spec.search_fields, q))
    active_filters: dict[str, str] = {}
    for name in spec.filters:
        value = request.GET.get(name, "")
        if value:
            # P-1: a value of the wrong type is refused naming the filter (400), not a 500.
            typed = params.field_value(spec.model, name, value)
            active_filters[name] = value
            qs = qs.filter(**{name: typed})
    for name, (_label, apply_flag) in spec.flag_filters.items():
        if request.GET.get(name) == "1":
            active_filters[name] = "1"
            qs = apply_flag(qs, request.user)
    if spec.date_field:
        for param, lookup in (("date_from", "gte"), ("date_to", "lte")):
            day = params.date_param(request, param)
            if day is not None:
                qs = qs.filter(**{f"{spec.date_field}__{lookup}": day})
                active_filters[param] = request.GET[param]
    sort = request.GET.get("sort", "")
    sortable = {c.name for c in spec.visible_columns(request.user) if c.sortable}
    if sort.lstrip("-") in sortable:
        qs = qs.order_by(sort, "pk")
    return qs, {"q": q, "filters": active_filters, "sort": sort}


def filter_choices(spec: ListSpec) -> list[dict[str, Any]]:
    result = []
    for name in spec.filters:
        model_field = spec.model._meta.get_field(name.split("__")[0])
        if name in spec.choices:
            choices = spec.choices[name]()
        elif getattr(model_field, "choices", None):
            choices = [(str(k), str(v)) for k, v in model_field.choices]  # type: ignore[union-attr]
        elif isinstance(model_field, models.BooleanField):
            choices = [("true", _("是")), ("false", _("否"))]
        elif isinstance(model_field, models.ForeignKey):
            related = model_field.related_model._default_manager.all()
            choices = [(str(o.pk), str(o)) for o in related[:200]]
        else:
            continue
        result.append({"name": name, "label": spec.label(name), "choices": choices})
    return result


class SpecMixin(LoginRequiredMixin):
    spec: ListSpec = cast(ListSpec, None)  # given to as_view(spec=...)


class ListPage(SpecMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.spec.can_view(request.user):
            raise PermissionDenied
        qs, state = filtered(self.spec, request)
        columns = self.spec.visible_columns(request.user)
        filters = filter_choices(self.spec)
        labels = coded_labels(self.spec, filters)
        if request.GET.get("export") == "xlsx":
            return export_xlsx(
                self.spec.title, columns, qs[:EXPORT_LIMIT], viewer=request.user, labels=labels
            )
        number = params.page_param(request)
        page = CappedPaginator(qs, PAGE_SIZE, number=number).get_page(number)
        rows = [
            (obj, [shown(labelled(cell(obj, c.name), labels.get(c.name)), c.name) for c in columns])
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context = {
            "spec": self.spec,
            "columns": columns,
            "rows": rows,
            "page": page,
            "state": state,
            "filters": [
                {**f, "options": _options(f["choices"], state["filters"].get(f["name"], ""))} for f in filters
            ],
            "querystring": query.urlencode(),
            # Booleans, not the callables: templates would call them.
            "can_edit": self.spec.can_edit(request.user) and self.spec.update is not None,
            "create_url": reverse(f"{self.spec.prefix}_create")
            if self.spec.create and self.spec.can_edit(request.user)
            else "",
            "edit_url_name": f"{self.spec.prefix}_edit",
            "flags": [(name, label) for name, (label, _fn) in self.spec.flag_filters.items()],
            # S-1: a list showing prices, costs or contact data is confidential.
            "watermark": watermark(request.user) if any(c.group for c in columns) else "",
        }
        template = "core/list_rows.html" if request.headers.get("HX-Request") else "core/list.html"
        return render(request, template, context)


def _options(choices: Sequence[tuple[Any, Any]], selected: str) -> str:
    """A filter's options as HTML, printed once: a list page offers hundreds of customers, and
    one template loop per option was most of the page's time at size (issue 21)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == selected else "", label) for value, label in choices),
    )


def watermark(user: Any) -> str:
    """S-1: who is looking and when, printed over confidential pages and into exports so that a
    leaked copy names its source."""
    name = getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "")
    return f"{name} {timezone.localtime().strftime('%Y-%m-%d %H:%M')}"


def export_xlsx(
    title: Any,
    columns: Sequence[Column],
    rows: Any,
    *,
    viewer: Any,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> HttpResponse:
    """Excel export of exactly the columns the user may see (S-1), codes by their labels."""
    labels = labels or {}
    return table_xlsx(
        title,
        [c.label for c in columns],
        ([labelled(cell(obj, c.name), labels.get(c.name)) for c in columns] for obj in rows),
        viewer=viewer,
    )


def coded_labels(spec: ListSpec, filters: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Columns holding a code whose names the company defines (an order class of the policy):
    code -> label, from the filter choices already read for the page."""
    return {
        f["name"]: {str(k): str(v) for k, v in f["choices"]} for f in filters if f["name"] in spec.choices
    }


def labelled(value: Any, labels: Mapping[str, str] | None) -> Any:
    """A code shown by its label (普通 for normal), in lists and exports alike."""
    return labels.get(value, value) if labels and isinstance(value, str) else value


def table_xlsx(title: Any, headers: Sequence[Any], rows: Any, *, viewer: Any) -> HttpResponse:
    """Any table as an Excel file (S-1 marks as in `sheets_xlsx`): every list, report and chart
    offers this."""
    return sheets_xlsx(title, [(title, headers, rows)], viewer=viewer)


def sheets_xlsx(title: Any, sheets: Sequence[tuple[Any, Sequence[Any], Any]], *, viewer: Any) -> HttpResponse:
    """Tables as the sheets of one Excel file, marked with the exporter's name and time in each
    page header and the file's properties (S-1)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook_bytes(sheets, mark=watermark(viewer)), f"{title}-{stamp}.xlsx")


# Excel (and LibreOffice) read a cell whose text begins with one of these as a formula when it is
# typed or edited, and CSV/paste paths evaluate it at once (S-1, issue 20 point 3).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(sheets: Sequence[tuple[Any, Sequence[Any], Any]], *, mark: str | None) -> bytes:
    """The one Excel writer: every export of the system is written here (S-1). Text that an
    outsider may have typed (a customer name, a note, a reason) can never become a live formula:
    such a cell is stored as text with Excel's quote prefix; numbers stay numbers. `mark` (the
    exporter and time) goes into the file's properties and each page header when given."""
    wb = Workbook(write_only=True)
    if mark is not None:
        wb.properties.creator = mark
    for name, headers, rows in sheets:
        ws = wb.create_sheet(title=str(name)[:31])
        if mark is not None:
            ws.oddHeader.right.text = str(_("导出：%(mark)s") % {"mark": mark})
            ws.oddFooter.center.text = str(_("内部资料 注意保密"))
        ws.append([_export_cell(ws, str(h)) for h in headers])
        for row in rows:
            ws.append([_export_cell(ws, v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _export_cell(ws: Any, value: Any) -> Any:
    """One value as an export cell: dates in local time, numbers as numbers, anything else as
    text that is never a formula."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.is_finite():
        number = WriteOnlyCell(ws, value=value)
        number.number_format = excel_number_format(value)
        return number
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters would break the file
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    # openpyxl binds "=..." as a formula; force the type to text and set the quote prefix so
    # that Excel keeps it text even when the cell is edited, without altering the value.
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(file_name)}"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


class StyledModelForm(forms.ModelForm):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            widget = form_field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def model_form(spec: ListSpec, user: Any) -> type[forms.ModelForm[Any]]:
    fields = spec.editable_fields(user)
    meta = type("Meta", (), {"model": spec.model, "fields": fields, "widgets": dict(spec.form_widgets)})
    form_class: type[forms.ModelForm[Any]] = type(
        f"{spec.model.__name__}Form",
        (StyledModelForm,),
        {"Meta": meta, "version": forms.IntegerField(required=False, widget=forms.HiddenInput)},
    )
    return form_class


class FormPage(SpecMixin, View):
    """Create (no pk) or edit (pk) one record through the app's actions."""

    def _object(self, request: HttpRequest, pk: int | None) -> Any:
        if pk is None:
            return None
        obj = self.spec.selector(request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def _render(
        self, request: HttpRequest, form: forms.ModelForm[Any], obj: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "core/form.html",
            {"spec": self.spec, "form": form, "object": obj, "list_url": reverse(f"{self.spec.prefix}_list")},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if not self.spec.can_edit(request.user):
            raise Http404
        obj = self._object(request, pk)
        form = model_form(self.spec, request.user)(
            instance=obj, initial={"version": getattr(obj, "version", None)}
        )
        return self._render(request, form, obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if not self.spec.can_edit(request.user):
            raise Http404
        obj = self._object(request, pk)
        form_class = model_form(self.spec, request.user)
        # Validate against a throwaway copy: the action saves, the form never does.
        form = form_class(request.POST, instance=type(obj)._default_manager.get(pk=obj.pk) if obj else None)
        if not form.is_valid():
            return self._render(request, form, obj, status=400)
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if obj is None:
                assert self.spec.create is not None
                saved = self.spec.create(actor=request.user, data=data)
                messages.success(request, _("已创建：%(o)s") % {"o": saved})
            else:
                assert self.spec.update is not None
                saved = self.spec.update(
                    actor=request.user, obj=obj, data=data, version=form.cleaned_data.get("version") or 0
                )
                messages.success(request, _("已保存：%(o)s") % {"o": saved})
        except FieldErrors as exc:
            for name, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
            return self._render(request, form, obj, status=400)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
            return self._render(request, form, obj, status=409)
        except ActionError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form, obj, status=403)
        return HttpResponseRedirect(reverse(f"{self.spec.prefix}_list"))


def urls_for(spec: ListSpec, slug: str) -> list[Any]:
    name = spec.prefix.split(":", 1)[1]
    patterns = [path(f"{slug}/", ListPage.as_view(spec=spec), name=f"{name}_list")]
    if spec.create:
        patterns.append(path(f"{slug}/new/", FormPage.as_view(spec=spec), name=f"{name}_create"))
    if spec.update:
        patterns.append(path(f"{slug}/<int:pk>/edit/", FormPage.as_view(spec=spec), name=f"{name}_edit"))
    return patterns
