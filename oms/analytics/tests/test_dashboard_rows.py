"""Q-1, issue 21: the dashboard's tables are printed in Python (`Table.shown_html`), cell for
cell what the template's loops printed: a date as Y-m-d, nothing for None, numbers localised,
text escaped; the customers' labels come with their kept sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from oms.analytics import dashboard

# What dashboard.html printed for a table's rows before issue 21 (round 6).
_TEMPLATE = Template(
    "{% for row in rows %}<tr>{% for c in row %}<td>{% if c.year %}{{ c|date:'Y-m-d' }}"
    '{% else %}{{ c|default_if_none:"" }}{% endif %}</td>{% endfor %}</tr>{% endfor %}'
)


def _table(rows: list[list[object]]) -> dashboard.Table:
    return dashboard.Table("abc", "t", ["a"] * len(rows[0]), rows)


def test_the_rows_are_what_the_template_printed() -> None:
    rows: list[list[object]] = [
        ["<华东> & \"机械\" '厂'", "A", 12, Decimal("1234567.50"), Decimal("12.3"), date(2026, 11, 5), "A"],
        ["—", "C", 0, None, Decimal("0"), None, ""],
    ]
    with translation.override("zh-hans"):
        assert _table(rows).shown_html == _TEMPLATE.render(Context({"rows": rows}))
    with translation.override("en"):
        assert _table(rows).shown_html == _TEMPLATE.render(Context({"rows": rows}))


def test_only_the_shown_rows_are_printed() -> None:
    rows: list[list[object]] = [[f"客户{i}", i] for i in range(dashboard.Table.SHOWN + 5)]
    html = _table(rows).shown_html
    assert html.count("<tr>") == dashboard.Table.SHOWN
    assert "客户99<" in html and "客户100<" not in html
