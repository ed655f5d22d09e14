"""S-1 (issue 23), E-2, E-3: a contract step posted by someone who may not take it is refused before
its input is parsed: the refusal (400) with what they typed, never the form's field errors, and
nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import refused_form
from oms.contracts import actions
from oms.contracts.models import Contract, ContractVersion
from oms.core.errors import ActionError
from oms.intake.tests.fixtures import confirmed_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_contract_review_by_production_is_refused_before_its_points_are_read(client, org) -> None:
    """E-3: production may not review a contract; no point ticked is not what they are told."""
    contract = actions.generate_contract(actor=org["sales"], order=confirmed_order(org))
    client.force_login(org["prod"])
    response = client.post(
        reverse("contracts:contract_action", args=[contract.order_id, "review"]), {"note_price": "价格待确认"}
    )
    page = refused_form(response, "价格待确认", status=400)
    assert "只有销售部门负责人、订单确认部门或分管领导可以评审合同。" in page and "form-errors" not in page
    assert Contract.objects.values_list("status", flat=True).get(pk=contract.pk) == "drafting"


def test_a_new_contract_version_by_production_is_refused_before_its_reason_is_read(client, org) -> None:
    """E-2: production may not add a contract version."""
    contract = actions.generate_contract(actor=org["sales"], order=confirmed_order(org))
    client.force_login(org["prod"])
    response = client.post(
        reverse("contracts:contract_action", args=[contract.order_id, "version"]), {"kind": "nonsense"}
    )
    page = refused_form(response, status=400)
    assert "只有订单的销售或合同评审人可以办理合同。" in page and "form-errors" not in page
    assert ContractVersion.objects.filter(contract=contract).count() == 1


def test_a_second_contract_for_the_order_is_refused(org) -> None:
    """E-2, issue 21: one contract per order; the second generation is refused by name (read with
    the template) and adds nothing."""
    order = confirmed_order(org)
    actions.generate_contract(actor=org["sales"], order=order)
    with pytest.raises(ActionError) as info:
        actions.generate_contract(actor=org["sales"], order=order)
    assert str(info.value) == "该订单已有合同；如需修改请新建版本。"
    assert (Contract.objects.count(), ContractVersion.objects.count()) == (1, 1)
