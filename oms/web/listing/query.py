"""Lists of master data (and any list page): what a list shows (`ListSpec`, `Column`), how the
query string narrows it (search, filters, sort, all in the database) and how far it is counted
(issue 21)."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partialmethod
from typing import Any, cast

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.hashable import make_hashable
from django.utils.translation import gettext as _

from oms.core import params
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
    return capped(qs[: limit + 1].count(), limit)


def capped(found: int, limit: int | None = None) -> tuple[int, bool]:
    """A count of at most `limit + 1` rows (`COUNT_CAP` unless given) as `capped_count` gives
    it: (rows, whether there are more)."""
    limit = COUNT_CAP if limit is None else limit
    return min(found, limit), found > limit


def first_keys_and_count(qs: QuerySet[Any], size: int, cap: int | None = None) -> tuple[RawSQL, RawSQL]:
    """The keys of the first `size` rows of `qs` in its order (for `pk__in=`) and its rows
    counted as `capped_count` counts them, as a column of another statement (read it with
    `capped`): a page that reads its rows anyway learns how many more there are without a
    statement of its own, and the list's filter is compiled once for both (issue 21: building
    and compiling it twice was most of a list's Python). Raises EmptyResultSet for a filter
    nothing can match (an `__in` of no values), which has no SQL."""
    cap = COUNT_CAP if cap is None else cap
    sql, params = qs.values("pk").query.sql_with_params()
    return (
        RawSQL(f"{sql} LIMIT {int(size)}", params),  # noqa: S611 - the ORM's SQL
        RawSQL(f"SELECT COUNT(*) FROM ({sql} LIMIT {int(cap) + 1}) oms_capped", params),  # noqa: S608, S611
    )


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

    def page(self, number: Any) -> Any:
        """The page's rows are read first: a page that is not full (a search's few results, the
        end of a list) tells the count without counting (issue 21: one statement fewer)."""
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        if wanted < 1 or "count" in self.__dict__:
            return super().page(number)
        bottom = (wanted - 1) * self.per_page
        rows = list(cast(QuerySet[Any], self.object_list)[bottom : bottom + self.per_page])
        if 0 < len(rows) < self.per_page or (wanted == 1 and not rows):
            self.__dict__["count"] = bottom + len(rows)  # the cached_property's value
        if not rows:
            return super().page(number)  # past the end: validated (and counted) as before
        self.validate_number(wanted)
        return self._get_page(rows, wanted, self)  # type: ignore[attr-defined]

    @property
    def count_label(self) -> str:
        return f"{self.count - 1}+" if self.capped else str(self.count)

    @property
    def pages_label(self) -> str:
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)


def search_condition(
    model: type[models.Model],
    fields: Sequence[str],
    q: str,
    own: Mapping[str, Callable[[str], Q]] | None = None,
) -> Q:
    """`q` in any of `fields` (icontains, or the field's `own` condition). A field across a
    relation (`customer__name`) is looked up on the related table first and becomes
    `customer_id IN (ids)`: an `ILIKE` ORed across the join could use no index and read every
    order (20 s at 10^6, issue 21), whereas the ids probe the orders' own index on the relation."""
    cond = Q()
    related: dict[str, list[str]] = {}
    for name in fields:
        head, _sep, rest = name.partition("__")
        model_field = model._meta.get_field(head)
        if own and name in own:
            cond |= own[name](q)
        elif rest and model_field.many_to_one and "__" not in rest:
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
    # A search field's own condition instead of icontains (the order number's prefix, issue 21).
    search_conditions: Mapping[str, Callable[[str], Q]] = field(default_factory=dict)
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
    # Filters over a large table (customers, salespeople): `load(user, only)` gives the options
    # the user may see (`only`: just that value's, to print the one chosen). The page fetches
    # them after it is shown instead of printing hundreds into every page (issue 21).
    scoped_choices: Mapping[str, Callable[[Any, str | None], list[tuple[str, str]]]] = field(
        default_factory=dict
    )
    # The fields a page's rows print, when far fewer than the rows and their joined records hold
    # (`a__b` joins `a`): only these are read for a page (issue 21: 25 orders with their customer,
    # salesperson and department were a hundred rows of every column). Exports read whole rows.
    page_fields: Sequence[str] = ()

    def for_page(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """`qs` reading what a page prints (`page_fields`), joined to those relations only."""
        if not self.page_fields:
            return qs
        joined = {name.rsplit("__", 1)[0] for name in self.page_fields if "__" in name}
        return qs.select_related(None).select_related(*sorted(joined)).only(*self.page_fields)

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


@functools.cache
def _choices_of(cls: type, part: str) -> tuple[str, dict[Any, Any]] | None:
    """A model field's choices as a dict (its attribute name and value -> label), when the
    model's `get_<part>_display` is Django's own and the choices are fixed. Django's builds the
    dict anew on every call: 25 rows × three choice columns of it were a tenth of the orders
    list's time (issue 21)."""
    display = inspect.getattr_static(cls, f"get_{part}_display", None)
    if not isinstance(display, partialmethod):
        return None
    model_field = display.keywords.get("field")
    if model_field is None or not isinstance(model_field.choices, list | tuple):
        return None
    return model_field.attname, dict(make_hashable(model_field.flatchoices))


def cell(obj: Any, name: str) -> Any:
    """The display value of a column: choices by label, relations by their text."""
    value: Any = obj
    for part in name.split("__"):
        if value is None:
            return ""
        fixed = _choices_of(type(value), part)  # type: ignore[arg-type]
        if fixed is not None:
            raw = getattr(value, fixed[0])
            value = force_str(fixed[1].get(make_hashable(raw), raw), strings_only=True)
            continue
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


def filtered(spec: ListSpec, request: HttpRequest) -> tuple[QuerySet[Any], dict[str, Any]]:
    """Apply search, filters and sort from the query string, in the database."""
    qs = spec.selector(request.user)
    q = params.text_param(request, "q").strip()
    if q:
        qs = qs.filter(search_condition(spec.model, spec.search_fields, q, spec.search_conditions))
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
        if name in spec.scoped_choices:
            continue  # fetched by the page when shown (`ListPage._choices`)
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


def coded_labels(spec: ListSpec, filters: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Columns holding a code whose names the company defines (an order class of the policy):
    code -> label, from the filter choices already read for the page."""
    return {
        f["name"]: {str(k): str(v) for k, v in f["choices"]} for f in filters if f["name"] in spec.choices
    }


def labelled(value: Any, labels: Mapping[str, str] | None) -> Any:
    """A code shown by its label (普通 for normal), in lists and exports alike."""
    return labels.get(value, value) if labels and isinstance(value, str) else value
