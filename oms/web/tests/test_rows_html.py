"""The list rows printed in Python (`oms.web.listing.pages._rows_html`, issue 21): each distinct
value printed once per page, escaped and localised as the template printed it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.template import Context, Template
from django.test import override_settings

from oms.web.listing import Column, ListSpec
from oms.web.listing.pages import _rows_html


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
