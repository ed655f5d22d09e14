"""The list rows printed in Python (`oms.web.listing.pages._rows_html`, issue 21): each distinct
value printed once per page, escaped and localised as the template printed it; the header cells
and the menu printed as the template loops they replaced printed them."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.test import override_settings

from oms.web.context_processors import _menu_html
from oms.web.listing import Column, ListSpec
from oms.web.listing.pages import _head_html, _rows_html


def _spec() -> ListSpec:
    return ListSpec(
        model=Any,  # type: ignore[arg-type]  # not read by _rows_html
        prefix="workbench:order",
        title="t",
        columns=[Column("a"), Column("b")],
        selector=lambda user: None,  # type: ignore[arg-type,return-value]
        detail_url_name="workbench:order_detail",
    )


def _as_template(value: Any) -> str:
    return Template("{{ v }}").render(Context({"v": value}))


@override_settings(LANGUAGE_CODE="zh-hans")
def test_repeated_values_are_printed_as_the_template_prints_each() -> None:
    day = datetime.date(2026, 3, 4)
    rows = [
        (SimpleNamespace(pk=7), ['<b>"x"</b> & y', day]),
        (SimpleNamespace(pk=8), ['<b>"x"</b> & y', day]),
        (SimpleNamespace(pk=9), [True, 1]),
    ]
    html = _rows_html(_spec(), rows, editable=False)
    text, shown_day = _as_template('<b>"x"</b> & y'), _as_template(day)
    assert html[0] == (
        f'<td title="{text}"><a href="/orders/7/">{text}</a></td><td title="{shown_day}">{shown_day}</td>'
    )
    assert html[1] == html[0].replace("/orders/7/", "/orders/8/")
    # True and 1 are equal in Python, but printed as themselves.
    assert html[2] == '<td title="True"><a href="/orders/9/">True</a></td><td title="1">1</td>'


# The header loop `core/list_rows.html` had before its cells were printed in Python (issue 21).
_HEAD_LOOP = (
    '{% for c in columns %}<th scope="col">{% if c.sortable %}<a href="?{{ querystring }}&sort={% if state.sort'
    ' == c.name %}-{% endif %}{{ c.name }}" class="text-reset text-decoration-none">{{ c.label }}{% if state.sort'
    ' == c.name %} ↑{% elif state.sort|slice:"1:" == c.name %} ↓{% endif %}</a>{% else %}{{ c.label }}{% endif %}'
    "</th>{% endfor %}"
)


@pytest.mark.parametrize("sort", ["", "number", "-number", "-customer__name", "unknown"])
def test_the_header_is_printed_as_the_template_loop_printed_it(sort: str) -> None:
    columns = [
        Column("number", "单号"),
        Column("customer__name", '<客户> & "名"'),
        Column("salesperson", "业务员", sortable=False),
    ]
    querystring = "q=%3Cb%3E&status=a&b"
    expected = Template(_HEAD_LOOP).render(
        Context({"columns": columns, "querystring": querystring, "state": {"sort": sort}})
    )
    assert _head_html(columns, querystring, sort) == expected


# The menu loop `base.html` had before the menu was printed by the context processor (issue 21).
_MENU_LOOP = """      {% for section in menu %}
        <div class="oms-menu-title">{{ section.title }}</div>
        {% for item in section.items %}<a class="oms-menu-item{% if item.active %} active{% endif %}" href="{{ item.url }}">{{ item.label }}</a>{% endfor %}
      {% endfor %}
"""


def test_the_menu_is_printed_as_the_template_loop_printed_it() -> None:
    menu = [
        {
            "title": "订单 <&>",
            "items": [
                {"label": "录入", "url": "/orders/new/", "active": False},
                {"label": '"全部" 订单', "url": "/orders/?a=1&b=2", "active": True},
            ],
        },
        {"title": "客户", "items": [{"label": "客户", "url": "/master/customers/", "active": False}]},
    ]
    expected = Template(_MENU_LOOP).render(Context({"menu": menu}))
    assert f"      {_menu_html(menu)}\n" == expected
