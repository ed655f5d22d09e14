"""Every contract and document form (issue 22): bad input shows the form again with what the user
typed, the field's message beside it, and nothing saved (E-1..E-4, F-3, M-4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import refused_form
from oms.contracts import actions
from oms.contracts.models import Briefing, Contract, ContractVersion, Distribution, Document
from oms.intake.tests.fixtures import confirmed_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _contract(org: dict[str, Any]) -> Contract:
    return actions.generate_contract(actor=org["sales"], order=confirmed_order(org))


def _document(org: dict[str, Any]) -> Document:
    return actions.upload_document(
        actor=org["tech_head"],
        order=confirmed_order(org),
        doc_type="drawing",
        title="总装图",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 drawing"),
    )


def test_contract_review_form_keeps_what_was_typed(client, org) -> None:
    contract = _contract(org)
    client.force_login(org["head"])
    response = client.post(
        reverse("contracts:contract_action", args=[contract.order_id, "review"]),
        {"ok_capacity": "on", "note_capacity": "产能按生产部意见", "note_price": "价格待确认"},
    )
    page = refused_form(response, "产能按生产部意见", "价格待确认", status=422)
    assert (
        "以下要点未确认" in page
        and 'name="ok_capacity" class="form-check-input" id="id_ok_capacity" checked' in page
    )
    assert contract.versions.get().reviewed_at is None


def test_sign_form_without_a_scan_is_refused_beside_the_field(client, org) -> None:
    contract = _contract(org)
    client.force_login(org["sales"])
    page = refused_form(
        client.post(reverse("contracts:contract_action", args=[contract.order_id, "sign"]), {}),
        status=422,
    )
    assert 'id="id_scan_errors"><li>签字盖章扫描件：请选择文件' in page
    contract.refresh_from_db()
    assert contract.status != "signed"


def test_version_form_keeps_what_was_typed(client, org) -> None:
    contract = _contract(org)
    client.force_login(org["sales"])
    response = client.post(
        reverse("contracts:contract_action", args=[contract.order_id, "version"]),
        {"kind": "offer", "reason": "客户还价：单价降 3%"},
    )
    refused_form(response, "客户还价：单价降 3%", status=422)
    assert ContractVersion.objects.filter(contract=contract).count() == 1


def test_upload_form_keeps_what_was_typed(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["tech_head"])
    response = client.post(
        reverse("contracts:document_action", args=[order.pk, "upload"]),
        {"doc_type": "drawing", "title": "总装图 A3"},
    )
    page = refused_form(response, 'value="总装图 A3"', 'value="drawing" selected', status=422)
    assert "请选择文件" in page
    assert not Document.objects.exists()


def test_distribute_form_keeps_what_was_typed(client, org) -> None:
    document = _document(org)
    client.force_login(org["tech_head"])
    response = client.post(
        reverse("contracts:document_action", args=[document.order_id, "distribute"]),
        {"document": document.pk, "recipients": [org["prod_head"].pk, 987654]},
    )
    refused_form(response, f'value="{org["prod_head"].pk}" selected', status=422)
    assert not Distribution.objects.exists()


def test_share_form_refuses_a_value_it_does_not_offer(client, org) -> None:
    document = _document(org)
    client.force_login(org["sales"])
    response = client.post(
        reverse("contracts:document_action", args=[document.order_id, "share"]),
        {"document": document.pk, "shared": "yes"},
    )
    refused_form(response, status=422)
    document.refresh_from_db()
    assert document.shared_with_customer is False


def test_briefing_form_keeps_what_was_typed(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["tech_head"])
    response = client.post(
        reverse("contracts:document_action", args=[order.pk, "briefing"]),
        {
            "held_on": "2026-13-01",
            "topic": "热处理要求",
            "notes": "硬度 HRC 58-62",
            "attendees": [org["prod_head"].pk],
        },
    )
    refused_form(
        response,
        'value="2026-13-01"',
        'value="热处理要求"',
        "硬度 HRC 58-62",
        f'value="{org["prod_head"].pk}" selected',
        status=422,
    )
    assert not Briefing.objects.exists()


def test_refused_signing_shows_the_form_again_with_the_reason(client, org) -> None:
    contract = _contract(org)  # still being drafted: it must be reviewed before it is signed
    client.force_login(org["sales"])
    url = reverse("contracts:contract_action", args=[contract.order_id, "sign"])
    response = client.post(url, {"scan": SimpleUploadedFile("s.pdf", b"%PDF-1.4 x")})
    page = refused_form(response, "上传签字盖章件", f'action="{url}"', status=400)
    assert 'class="alert' in page
    contract.refresh_from_db()
    assert contract.status == "drafting" and not contract.signed_sha256


def test_another_orders_document_is_refused_as_input(client, org) -> None:
    document = _document(org)
    other = confirmed_order(org)
    client.force_login(org["sales"])  # who may share on both orders: the form refuses the document
    response = client.post(
        reverse("contracts:document_action", args=[other.pk, "share"]),
        {"document": document.pk, "shared": "1"},
    )
    refused_form(response, status=422)
    document.refresh_from_db()
    assert document.shared_with_customer is False


def test_template_form_keeps_what_was_typed(admin_client) -> None:
    response = admin_client.post(
        reverse("contracts:template"), {"body": "<p>甲方 {{ buyer_name }} {{ nope }}</p>", "version": "x"}
    )
    assert response.status_code == 400
    assert "{{ nope }}" in response.content.decode()


def test_a_contract_verb_without_a_contract_is_404(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["sales"])
    response = client.post(
        reverse("contracts:contract_action", args=[order.pk, "version"]),
        {"kind": "amendment", "reason": "交期提前"},
    )
    assert response.status_code == 404
    assert not Contract.objects.exists()


def test_signing_for_another_orders_distribution_is_refused_on_the_documents_page(client, org) -> None:
    document = _document(org)
    distribution = actions.distribute(
        actor=org["tech_head"], document=document, recipients=[org["prod_head"]]
    )[0]
    other = confirmed_order(org)
    client.force_login(org["prod_head"])
    response = client.post(
        reverse("contracts:document_action", args=[other.pk, "acknowledge"]),
        {"distribution": distribution.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:documents", args=[other.pk])
    distribution.refresh_from_db()
    assert distribution.acknowledged_at is None
