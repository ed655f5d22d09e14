"""I-4: every version of the order is kept; two versions can be compared."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.intake import actions as intake
from oms.intake.tests.fixtures import header, lines
from oms.orders.versions import diff

pytestmark = pytest.mark.django_db


def test_versions_are_kept_from_submission_and_compared(client, org) -> None:
    order = intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    intake.update_order(
        actor=org["sales"], order=order, data={"delivery_place": "苏州"}, lines=None, version=order.version
    )
    order.refresh_from_db()
    assert order.versions.count() == 0  # drafts are edits before submission (B-5), in the audit log
    order = intake.submit_order(actor=org["sales"], order=order)
    order = intake.request_info(actor=org["head"], order=order, reason="数量待确认")
    order = intake.update_order(
        actor=org["sales"],
        order=order,
        data={},
        lines=[
            {"product": org["gear"].pk, "quantity": "5", "unit_price": "1000"},
            {"product": org["motor"].pk, "quantity": "4", "unit_price": "480.50"},
        ],
        version=order.version,
        reason="客户确认数量 5 台",
    )
    assert list(order.versions.values_list("number", "reason")) == [(1, "提交初审"), (2, "客户确认数量 5 台")]
    v1, v2 = order.versions.order_by("number")
    d = diff(v1.snapshot, v2.snapshot)
    assert [(b["quantity"], a["quantity"]) for b, a in d.changed] == [("2.0000", "5.0000")]
    assert ("total_amount", "3922.00", "6922.00") in d.terms
    client.force_login(org["head"])
    page = client.get(reverse("workbench:order_versions", args=[order.pk])).content.decode()
    assert 'data-testid="version-diff"' in page and "客户确认数量 5 台" in page


def test_unchanged_content_makes_no_new_version(org) -> None:
    order = intake.submit_order(
        actor=org["sales"], order=intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    order = intake.request_info(actor=org["head"], order=order, reason="再看看")
    intake.update_order(
        actor=org["sales"],
        order=order,
        data={"delivery_place": order.delivery_place},
        lines=None,
        version=order.version,
    )
    assert order.versions.count() == 1


def test_a_line_changed_in_place_is_one_changed_line() -> None:
    """A change request keeps the line (number and product): a new specification is a change of
    that line, not a removal and an addition."""
    line = {
        "line_no": 1,
        "product": 7,
        "spec": "A",
        "quantity": "2",
        "unit": "台",
        "unit_price": "1",
        "amount": "2",
    }
    old = {"terms": {}, "lines": [line]}
    new = {"terms": {}, "lines": [{**line, "spec": "B"}]}
    result = diff(old, new)
    assert (result.added, result.removed, [(b["spec"], a["spec"]) for b, a in result.changed]) == (
        [],
        [],
        [("A", "B")],
    )


def test_snapshots_without_line_numbers_match_by_product_and_spec() -> None:
    line = {"product": 7, "spec": "A", "quantity": "2", "unit": "台", "unit_price": "1", "amount": "2"}
    result = diff(
        {"terms": {}, "lines": [line]}, {"terms": {}, "lines": [{**line, "line_no": 1, "spec": "B"}]}
    )
    assert ([ln["spec"] for ln in result.added], [ln["spec"] for ln in result.removed]) == (["B"], ["A"])
