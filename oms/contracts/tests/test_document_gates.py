"""H-1, M-4, F-3, S-1 (issue 23): sharing a document with the customer, signing for a distributed
document and recording the technical briefing ask who may before their input is read. Someone
without the right posts complete, valid input and is refused with the reason, nothing changed;
posting malformed input they are told the same, not what the form expects."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.contracts import actions
from oms.contracts.models import Briefing, Distribution, Document
from oms.intake.tests.fixtures import confirmed_order

pytestmark = pytest.mark.django_db

SHARING = "只有订单的销售可以决定客户能看到哪些资料。"
ACKNOWLEDGING = "只能签收发给自己的资料。"
BRIEFING = "技术交底由技术部门记录。"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _document(org: dict[str, Any]) -> Document:
    return actions.upload_document(
        actor=org["tech_head"],
        order=confirmed_order(org),
        doc_type="drawing",
        title="总装图",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 drawing"),
    )


def state() -> tuple[Any, ...]:
    return (
        list(Document.objects.order_by("pk").values_list("pk", "shared_with_customer")),
        list(Distribution.objects.order_by("pk").values_list("pk", "acknowledged_at")),
        Briefing.objects.count(),
        AuditEvent.objects.count(),
    )


def _post(client: Any, order_id: int, verb: str, data: dict[str, Any]) -> str:
    response = client.post(reverse("contracts:document_action", args=[order_id, verb]), data, follow=True)
    return str(response.content.decode())


@pytest.mark.parametrize("who", ["prod_head", "auditor"])
def test_sharing_is_refused_to_someone_not_selling_the_order(
    client: Any, org: dict[str, Any], auditor: Any, who: str
) -> None:
    """H-1, B-8: a valid share posted by the production head or the auditor changes nothing."""
    document = _document(org)
    client.force_login(auditor if who == "auditor" else org[who])
    before = state()
    page = _post(client, document.order_id, "share", {"document": document.pk, "shared": "1"})
    assert SHARING in page
    assert state() == before


def test_sharing_is_refused_before_its_input_is_read(client: Any, org: dict[str, Any]) -> None:
    """S-1: malformed input from someone who may not share says why they may not, not what is wrong."""
    document = _document(org)
    client.force_login(org["prod_head"])
    response = client.post(
        reverse("contracts:document_action", args=[document.order_id, "share"]),
        {"document": "x", "shared": "yes"},
    )
    assert response.status_code == 400
    assert SHARING in response.content.decode()


def test_signing_is_refused_to_someone_it_was_not_sent_to(
    client: Any, org: dict[str, Any], auditor: Any
) -> None:
    """M-4: the auditor posts the production head's distribution: refused, still unsigned."""
    document = _document(org)
    actions.distribute(actor=org["tech_head"], document=document, recipients=[org["prod_head"]])
    distribution = Distribution.objects.get()
    client.force_login(auditor)
    before = state()
    page = _post(client, document.order_id, "acknowledge", {"distribution": distribution.pk})
    assert ACKNOWLEDGING in page
    assert state() == before


@pytest.mark.parametrize("who", ["sales", "auditor"])
def test_the_briefing_is_refused_outside_the_technical_department(
    client: Any, org: dict[str, Any], auditor: Any, who: str
) -> None:
    """F-3: a complete briefing posted by the salesperson or the auditor is not recorded."""
    order = confirmed_order(org)
    client.force_login(auditor if who == "auditor" else org[who])
    before = state()
    page = _post(
        client,
        order.pk,
        "briefing",
        {
            "held_on": "2026-12-01",
            "topic": "热处理要求",
            "notes": "HRC 58",
            "attendees": [org["prod_head"].pk],
        },
    )
    assert BRIEFING in page
    assert state() == before


def test_the_briefing_is_refused_before_its_input_is_read(client: Any, org: dict[str, Any]) -> None:
    """S-1: a malformed date from the salesperson is answered with who may record it (400)."""
    order = confirmed_order(org)
    client.force_login(org["sales"])
    response = client.post(
        reverse("contracts:document_action", args=[order.pk, "briefing"]), {"held_on": "2026-13-01"}
    )
    assert response.status_code == 400
    assert BRIEFING in response.content.decode()
