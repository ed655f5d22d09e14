"""The shared errors block of the pages (DESIGN 5: bad input gets a clear error naming the field)."""

from __future__ import annotations

from django.template.loader import render_to_string


def test_the_errors_block_shows_a_field_named_items() -> None:
    """A form with a field called "items" (a quality plan's inspection items) shows its message
    like any other, rather than breaking the page."""
    html = render_to_string(
        "core/_errors.html", {"errors": {"items": ["检验项目不能重复。"], "qty": ["数量：请输入数字。"]}}
    )
    assert "<div>检验项目不能重复。</div>" in html
    assert "<div>数量：请输入数字。</div>" in html


def test_no_errors_show_no_block() -> None:
    assert render_to_string("core/_errors.html", {"errors": {}}).strip() == ""
