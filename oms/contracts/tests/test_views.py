"""Contract and document pages: generate, review, sign, print (HTML and PDF), download logged,
distribution sign-off, template editing (E-1..E-4, M-4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.contracts.models import Contract, ContractStatus, Distribution
from oms.intake.tests.fixtures import confirmed_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_contract_through_the_pages(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["sales"])
    client.post(reverse("contracts:contract_action", args=[order.pk, "generate"]))
    contract = Contract.objects.get(order=order)
    client.force_login(org["head"])
    page = client.get(reverse("contracts:documents", args=[order.pk])).content.decode()
    assert 'data-testid="contract-review"' in page and "生产部：同意" in page
    client.post(
        reverse("contracts:contract_action", args=[order.pk, "review"]),
        {f"ok_{k}": "on" for k in ("capacity", "process", "quantity", "price", "delivery")},
    )
    client.force_login(org["sales"])
    client.post(
        reverse("contracts:contract_action", args=[order.pk, "sign"]),
        {"scan": SimpleUploadedFile("s.pdf", b"%PDF-1.4 x")},
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    pdf = client.get(reverse("contracts:contract_print", args=[order.pk]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_order_print_has_qr_code_and_seal_area(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["sales"])
    html = client.get(reverse("contracts:order_print", args=[order.pk])).content.decode()
    assert "<svg" in html and "盖章处" in html and order.number in html
    assert client.get(reverse("contracts:order_print", args=[order.pk]) + "?format=pdf").content.startswith(
        b"%PDF"
    )


def test_download_is_logged_and_permission_checked(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["tech_head"])
    client.post(
        reverse("contracts:document_action", args=[order.pk, "upload"]),
        {"doc_type": "drawing", "title": "总装图", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 drawing")},
    )
    document = order.documents.get()
    response = client.get(reverse("contracts:download", args=[document.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 drawing"
    assert AuditEvent.objects.filter(action="document.download", actor=org["tech_head"]).count() == 1
    client.force_login(org["cs"])  # customer service does not see this order
    assert client.get(reverse("contracts:download", args=[document.pk])).status_code == 404


def test_recipient_signs_off_once_through_the_page(client, org) -> None:
    order = confirmed_order(org)
    client.force_login(org["tech_head"])
    client.post(
        reverse("contracts:document_action", args=[order.pk, "upload"]),
        {"doc_type": "procedure", "title": "作业指导书", "file": SimpleUploadedFile("p.pdf", b"%PDF-1.4 p")},
    )
    client.post(
        reverse("contracts:document_action", args=[order.pk, "distribute"]),
        {"document": order.documents.get().pk, "recipients": [org["prod_head"].pk]},
    )
    distribution = Distribution.objects.get()
    client.force_login(org["prod_head"])
    assert (
        'data-testid="to-acknowledge"'
        in client.get(reverse("contracts:documents", args=[order.pk])).content.decode()
    )
    client.post(
        reverse("contracts:document_action", args=[order.pk, "acknowledge"]),
        {"distribution": distribution.pk},
    )
    again = client.post(
        reverse("contracts:document_action", args=[order.pk, "acknowledge"]),
        {"distribution": distribution.pk},
        follow=True,
    )
    assert "已经签收过了" in again.content.decode()
    assert Distribution.objects.filter(acknowledged_at__isnull=False).count() == 1


def test_template_page_refuses_an_unknown_placeholder(admin_client) -> None:
    response = admin_client.post(
        reverse("contracts:template"), {"body": "{{ contract_number }} {{ foo }}", "version": 1}
    )
    assert response.status_code == 400 and "{{ foo }}" in response.content.decode()
