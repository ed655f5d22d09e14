"""E-2, E-4, M-4, S-1: an order's controlled documents are filed and distributed by the departments
working on the order. An auditor sees every order and writes nothing; a warehouse clerk who can
open the order files no drawings. Refused on the page (before the upload is read) and in the
action, leaving nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from oms.accounts.models import DepartmentKind, Role
from oms.contracts import actions
from oms.contracts.models import Distribution, Document
from oms.core.errors import NotAllowed
from oms.intake.tests.fixtures import confirmed_order
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db

REFUSED = "只有参与订单的业务部门可以上传或分发资料。"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.pdf", b"%PDF-1.4 drawing", content_type="application/pdf")


def _upload(actor: Any, order: SalesOrder) -> Document:
    return actions.upload_document(
        actor=actor, order=order, doc_type="drawing", title="总装图", upload=_pdf()
    )


def test_an_auditor_cannot_upload_a_document_on_the_page(
    client: Any, org: dict[str, Any], auditor: Any
) -> None:
    order = confirmed_order(org)
    client.force_login(auditor)
    response = client.post(
        reverse("contracts:document_action", args=[order.pk, "upload"]),
        {"doc_type": "drawing", "title": "总装图", "file": _pdf()},
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Document.objects.exists()


def test_an_auditor_cannot_upload_a_document_through_the_action(org: dict[str, Any], auditor: Any) -> None:
    order = confirmed_order(org)
    with pytest.raises(NotAllowed, match=REFUSED):
        _upload(auditor, order)
    assert not Document.objects.exists()


def test_a_warehouse_clerk_cannot_upload_a_drawing(org: dict[str, Any]) -> None:
    clerk = make_user("wh_doc", kind=DepartmentKind.WAREHOUSE, role=Role.STAFF)
    with pytest.raises(NotAllowed, match=REFUSED):
        _upload(clerk, confirmed_order(org))
    assert not Document.objects.exists()


def test_an_auditor_cannot_distribute_a_document(org: dict[str, Any], auditor: Any) -> None:
    document = _upload(org["tech_head"], confirmed_order(org))
    with pytest.raises(NotAllowed, match=REFUSED):
        actions.distribute(actor=auditor, document=document, recipients=[org["prod_head"]])
    assert not Distribution.objects.exists()


def test_the_technical_department_files_and_distributes_a_drawing(org: dict[str, Any]) -> None:
    document = _upload(org["tech_head"], confirmed_order(org))
    sent = actions.distribute(actor=org["tech_head"], document=document, recipients=[org["prod_head"]])
    assert (document.version_no, [d.recipient for d in sent]) == (1, [org["prod_head"]])


def test_the_auditor_is_not_offered_the_upload_form(client: Any, org: dict[str, Any], auditor: Any) -> None:
    order = confirmed_order(org)
    client.force_login(auditor)
    page = client.get(reverse("contracts:documents", args=[order.pk])).content.decode()
    assert "'upload'" not in page
    assert reverse("contracts:document_action", args=[order.pk, "upload"]) not in page
