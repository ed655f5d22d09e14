"""The list page and the create/edit form page of a `ListSpec`, and their URLs: one
implementation serves every master-data model; the form validates, the app's action saves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from oms.core import params
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.core.forms import bootstrap_css
from oms.web import downloads
from oms.web.downloads.actions import queue_page
from oms.web.listing import query as list_query  # its limits, read when used (tests lower them)
from oms.web.listing.export import export_xlsx, watermark
from oms.web.listing.query import (
    CappedPaginator,
    ListSpec,
    capped_count,
    cell,
    coded_labels,
    filter_choices,
    filtered,
    labelled,
    shown,
)


class SpecMixin(LoginRequiredMixin):
    spec: ListSpec = cast(ListSpec, None)  # given to as_view(spec=...)


class ListPage(SpecMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.spec.can_view(request.user):
            raise PermissionDenied
        wanted = request.GET.get("choices", "")
        if wanted:
            return self._choices(request, wanted)
        qs, state = filtered(self.spec, request)
        columns = self.spec.visible_columns(request.user)
        filters = filter_choices(self.spec)
        labels = coded_labels(self.spec, filters)
        if request.GET.get("export") == "xlsx":
            if not downloads.in_background(request) and capped_count(qs, cap=downloads.inline_rows())[1]:
                # Issue 24.2: a long list is written by the worker; the user waits on its page.
                row = queue_page(request, kind="list.xlsx", title=self.spec.title)
                return redirect("core:download_status", pk=row.pk)
            return export_xlsx(
                self.spec.title, columns, qs[: list_query.EXPORT_LIMIT], viewer=request.user, labels=labels
            )
        number = params.page_param(request)
        page = CappedPaginator(self.spec.for_page(qs), list_query.PAGE_SIZE, number=number).get_page(number)
        can_edit = self.spec.can_edit(request.user)
        rows = [
            (obj, [shown(labelled(cell(obj, c.name), labels.get(c.name)), c.name) for c in columns])
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        querystring = query.urlencode()
        context = {
            "spec": self.spec,
            "columns": columns,
            "rows": rows,
            "rows_html": _rows_html(self.spec, rows, editable=can_edit and self.spec.update is not None),
            "head_html": _head_html(columns, querystring, state["sort"]),
            "page": page,
            "state": state,
            "filters": _filters(self.spec, filters, request, state),
            "querystring": querystring,
            # Booleans, not the callables: templates would call them.
            "can_edit": can_edit and self.spec.update is not None,
            "create_url": reverse(f"{self.spec.prefix}_create") if self.spec.create and can_edit else "",
            "flags": [(name, label) for name, (label, _fn) in self.spec.flag_filters.items()],
            # S-1: a list showing prices, costs or contact data is confidential.
            "watermark": watermark(request.user) if any(c.group for c in columns) else "",
        }
        template = "core/list_rows.html" if request.headers.get("HX-Request") else "core/list.html"
        return render(request, template, context)

    def _choices(self, request: HttpRequest, name: str) -> HttpResponse:
        """Issue 21: the options of a filter over a large table (customers, salespeople), asked
        for by the page after it is shown rather than printed into every page: only those the
        user may see (S-1), the one in the query string selected."""
        load = self.spec.scoped_choices.get(name)
        if load is None:
            raise Http404
        response = HttpResponse(_options(load(request.user, None), request.GET.get(name, "")))
        # The page asks again on each visit; a browser may reuse the answer for a minute.
        response["Cache-Control"] = "private, max-age=60"
        return response


def _filters(
    spec: ListSpec, filters: list[dict[str, Any]], request: HttpRequest, state: dict[str, Any]
) -> list[dict[str, Any]]:
    """The page's filters in the spec's order, each with its options as HTML."""
    printed = {f["name"]: f for f in filters}
    result = []
    for name in spec.filters:
        if name in spec.scoped_choices:
            result.append(_scoped_filter(spec, name, request, state))
        elif name in printed:
            f = printed[name]
            result.append({**f, "options": _options(f["choices"], state["filters"].get(name, ""))})
    return result


def _scoped_filter(spec: ListSpec, name: str, request: HttpRequest, state: dict[str, Any]) -> dict[str, Any]:
    """A filter whose options are fetched by the page (`ListPage._choices`): printed with the
    chosen one only (one lookup, in the user's scope), so that the filter reads and stays applied
    without scripts; the search box finds customers by name without them."""
    selected = state["filters"].get(name, "")
    choices = spec.scoped_choices[name](request.user, selected) if selected else []
    if selected and not choices:
        choices = [(selected, selected)]  # out of scope or gone: still applied, shown as asked
    url = f"?{urlencode({'choices': name, name: selected})}"
    return {
        "name": name,
        "label": spec.label(name),
        "options": _options(choices, selected),
        "choices_url": url,
    }


def _rows_html(spec: ListSpec, rows: list[tuple[Any, list[Any]]], *, editable: bool) -> list[SafeString]:
    """The table's rows as HTML, built here rather than by the template: a template renders
    several nodes per cell, 25 rows × 10 columns of them on every list page (issue 21). The
    output is what `core/list_rows.html` printed: values as the template shows them (dates and
    numbers localised, escaped), the first cell linked to the record."""
    detail = str(conditional_escape(_pattern(spec.detail_url_name))) if spec.detail_url_name else ""
    links: list[tuple[Any, str]] = []
    if editable:
        links = [(_("编辑"), _pattern(f"{spec.prefix}_edit"))]
        links += [(label, _pattern(name)) for label, name in spec.row_links]
    result = []
    # A page repeats its values (dates, statuses, people): each is printed once (issue 21).
    printed: dict[tuple[type, Any], str] = {}
    for obj, values in rows:
        cells = []
        for i, value in enumerate(values):
            try:
                key = (type(value), value)
                text = printed.get(key)
            except TypeError:  # an unhashable value: printed each time
                key, text = None, None
            if text is None:
                text = str(_as_template_shows(value))
                if key is not None:
                    printed[key] = text
            # `text` and `detail` are escaped, the key an integer: format_html's output, without it.
            if i == 0 and detail:
                cells.append(f'<td title="{text}"><a href="{detail.format(int(obj.pk))}">{text}</a></td>')
            else:
                cells.append(f'<td title="{text}">{text}</td>')
        if links:
            actions = mark_safe(  # noqa: S308 - each part is escaped by format_html
                " · ".join(
                    format_html('<a href="{}">{}</a>', url.format(obj.pk), label) for label, url in links
                )
            )
            cells.append(format_html('<td class="text-nowrap">{}</td>', actions))
        result.append(mark_safe("".join(cells)))  # noqa: S308 - cells escaped above
    return result


def _head_html(columns: Sequence[Any], querystring: str, sort: str) -> SafeString:
    """The table's header cells as `core/list_rows.html`'s loop printed them: each sortable
    column links to its sort, the sorted one marked (issue 21: a template's nodes per column)."""
    query = conditional_escape(querystring)
    cells = []
    for c in columns:
        label = conditional_escape(c.label)
        if not c.sortable:
            cells.append(f'<th scope="col">{label}</th>')
            continue
        mark = " ↑" if sort == c.name else " ↓" if sort[1:] == c.name else ""
        cells.append(
            f'<th scope="col"><a href="?{query}&sort={"-" if sort == c.name else ""}{conditional_escape(c.name)}"'
            f' class="text-reset text-decoration-none">{label}{mark}</a></th>'
        )
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped above


# A key no record has, reversed once per page and replaced by each row's key (as "my work" does).
_KEY_MARK = 987654321


def _pattern(url_name: str) -> str:
    return (
        reverse(url_name, args=[_KEY_MARK])
        .replace("{", "{{")
        .replace("}", "}}")
        .replace(str(_KEY_MARK), "{}")
    )


def _as_template_shows(value: Any) -> SafeString:
    """`{{ value }}` in a template: local time, localised dates and numbers, escaped."""
    if isinstance(value, str):
        return conditional_escape(value)  # most cells: nothing to localise
    return conditional_escape(localize(template_localtime(value)))


def _options(choices: Sequence[tuple[Any, Any]], selected: str) -> str:
    """A filter's options as HTML, printed once: a list page offers hundreds of customers, and
    one template loop per option was most of the page's time at size (issue 21)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == selected else "", label) for value, label in choices),
    )


class StyledModelForm(forms.ModelForm):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            widget = form_field.widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {bootstrap_css(widget)}".strip()


def _form_field(field: Any, **kwargs: Any) -> Any:
    """An address typed without its scheme is taken as https:// (robots' webhooks are HTTPS; Django
    6 makes it the default and warns until then)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def model_form(spec: ListSpec, user: Any) -> type[forms.ModelForm[Any]]:
    fields = spec.editable_fields(user)
    meta = type(
        "Meta",
        (),
        {
            "model": spec.model,
            "fields": fields,
            "widgets": dict(spec.form_widgets),
            "formfield_callback": _form_field,
        },
    )
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
            {
                "spec": self.spec,
                "noun": one_of(self.spec.model),
                "form": form,
                "object": obj,
                "list_url": reverse(f"{self.spec.prefix}_list"),
            },
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


def one_of(model: type[models.Model]) -> str:
    """The name of one record of the model, for "Edit customer: …" (issue 23.12). Chinese has no
    plural, so one message id named both the list (Customers) and its record; the record's name
    is the same id under the context "one of", falling back to the shared one."""
    name = model._meta.verbose_name
    with translation.override(settings.LANGUAGE_CODE):
        source = str(name)
    one = pgettext("one of", source)
    return one if one != source else str(name)
