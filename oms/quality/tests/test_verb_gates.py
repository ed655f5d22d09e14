"""S-1 (issue 23), G-3: a quality step posted by someone outside quality is refused before its
input is parsed: the refusal (400) with what they typed, never the form's field errors, and
nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import refused_form
from oms.intake.tests.fixtures import confirmed_order
from oms.quality.models import Inspection, InspectionPlan

pytestmark = pytest.mark.django_db


def test_an_inspection_by_sales_is_refused_before_it_is_read(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["sales"])
    response = client.post(
        reverse("quality:quality", args=[order.pk, "inspect"]), {"stage": "nonsense", "notes": "外观良好"}
    )
    page = refused_form(response, "外观良好", status=400)
    assert "只有质量部门可以做这件事。" in page and "form-errors" not in page
    assert not Inspection.objects.exists()


def test_an_inspection_plan_by_production_is_refused_before_it_is_read(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["prod"])
    response = client.post(reverse("quality:quality", args=[order.pk, "plan"]), {"item-0": "尺寸"})
    page = refused_form(response, status=400)
    assert "只有质量部门可以做这件事。" in page and "form-errors" not in page
    assert not InspectionPlan.objects.exists()
