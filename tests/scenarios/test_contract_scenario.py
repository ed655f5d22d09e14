"""Scenario: contract from a confirmed order, review of the five points, signed copy, release
guard; controlled documents distributed and signed off; technical briefing (E-1..E-4, F-3, M-4)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from oms.contracts import actions, rendering, selectors
from oms.contracts.models import ContractStatus, Distribution, DocumentType
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import amount_in_capitals
from oms.intake.tests.fixtures import confirmed_order, set_policy

pytestmark = pytest.mark.django_db
ALL_OK = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdf_text(data: bytes) -> str:
    return (
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        .replace(" ", "")
        .replace("\n", "")
    )


def test_contract_generated_reviewed_signed_and_release_unblocked(org) -> None:
    """E-1, E-2, E-3, F-1: the contract is numbered (HT…), its first version is the offer, and the signed copy is attached (kept with its hash as a controlled document) before release."""
    order = confirmed_order(org)
    contract = actions.generate_contract(actor=org["sales"], order=order)
    assert contract.number.startswith("HT") and contract.versions.get().kind == "offer"
    html = contract.versions.get().html
    assert amount_in_capitals(order.total_amount) in html and order.customer.name in html

    text = _pdf_text(
        rendering.pdf(
            "contracts/contract_print.html",
            {
                "contract": contract,
                "version": contract.versions.get(),
                "company": order.policy().company,
                "qr": rendering.qr_svg(order.number),
            },
        )
    )
    assert (
        order.number in text
        and amount_in_capitals(order.total_amount) in text
        and order.customer.name in text
    )

    assert selectors.contract_signed(None, order) == "合同尚未签订，不能下达。"
    with pytest.raises(FieldErrors) as info:
        actions.review_contract(actor=org["head"], contract=contract, points={**ALL_OK, "price": (False, "")})
    assert "价格" in info.value.errors["points"][0]
    contract = actions.review_contract(actor=org["head"], contract=contract, points=ALL_OK)
    assert contract.status == ContractStatus.REVIEWED
    assert contract.versions.get().review["capacity"]["basis"].startswith("生产部：同意")

    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed copy", content_type="application/pdf")
    contract = actions.sign_contract(actor=org["sales"], contract=contract, scan=scan)
    assert contract.status == ContractStatus.SIGNED and len(contract.signed_sha256) == 64
    assert order.documents.get(doc_type=DocumentType.CONTRACT_COPY).version_no == 1
    assert selectors.contract_signed(None, order) is None


def test_release_without_contract_when_the_policy_allows_the_class(org) -> None:
    set_policy(org, contracts__release_without_contract_classes=["urgent"])
    order = confirmed_order(org, order_class="urgent")
    assert selectors.contract_signed(None, order) is None


def test_a_new_version_needs_a_reason_and_a_new_review(org) -> None:
    """E-2: a counter-offer is a new numbered version of the contract, with its reason, and is reviewed again."""
    order = confirmed_order(org)
    contract = actions.generate_contract(actor=org["sales"], order=order)
    actions.review_contract(actor=org["head"], contract=contract, points=ALL_OK)
    with pytest.raises(FieldErrors):
        actions.add_version(actor=org["sales"], contract=contract, kind="counter_offer", reason="")
    version = actions.add_version(
        actor=org["sales"], contract=contract, kind="counter_offer", reason="客户要求分两批交货"
    )
    contract.refresh_from_db()
    assert (version.number, contract.status) == (2, ContractStatus.DRAFTING)


def test_signed_copy_must_be_a_pdf_or_image_and_not_empty(org) -> None:
    """E-2: the signed copy attached must be a PDF or an image, and not empty."""
    order = confirmed_order(org)
    contract = actions.review_contract(
        actor=org["head"], contract=actions.generate_contract(actor=org["sales"], order=order), points=ALL_OK
    )
    for upload, message in (
        (SimpleUploadedFile("a.docx", b"PK\x03\x04 word"), "只接受 PDF 或图片"),
        (SimpleUploadedFile("a.pdf", b""), "文件是空的"),
    ):
        with pytest.raises(FieldErrors) as info:
            actions.sign_contract(actor=org["sales"], contract=contract, scan=upload)
        assert message in info.value.errors["scan"][0]
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REVIEWED


def test_oversized_upload_is_refused(org) -> None:
    set_policy(org, contracts__max_upload_mb=1)
    order = confirmed_order(org)
    with pytest.raises(FieldErrors) as info:
        actions.upload_document(
            actor=org["sales"],
            order=order,
            doc_type="drawing",
            title="总装图",
            upload=SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (1024 * 1024 + 1)),
        )
    assert info.value.errors["file"] == ["文件超过 1 MB 的上限。"]
    assert order.documents.count() == 0


def test_template_with_an_unknown_placeholder_is_refused(org) -> None:
    from conftest import make_user

    admin = make_user("adm", kind="administration", role="admin")
    with pytest.raises(FieldErrors) as info:
        actions.save_template(actor=admin, body="合同 {{ contract_number }} {{ buyer_nickname }}")
    assert info.value.errors["body"] == ["未知的占位符：{{ buyer_nickname }}"]


def test_documents_are_versioned_distributed_and_signed_off(org) -> None:
    """M-4, E-4, F-3."""
    order = confirmed_order(org)
    first = actions.upload_document(
        actor=org["tech_head"],
        order=order,
        doc_type="drawing",
        title="总装图",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 v1"),
    )
    second = actions.upload_document(
        actor=org["tech_head"],
        order=order,
        doc_type="drawing",
        title="总装图",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 v2"),
    )
    first.refresh_from_db()
    assert (first.superseded, second.version_no, second.superseded) == (True, 2, False)
    with pytest.raises(ActionError):
        actions.distribute(actor=org["tech_head"], document=first, recipients=[org["prod_head"]])
    sent = actions.distribute(
        actor=org["tech_head"], document=second, recipients=[org["prod_head"], org["quality_head"]]
    )
    assert len(sent) == 2
    with pytest.raises(NotAllowed):
        actions.acknowledge(actor=org["quality_head"], distribution=sent[0])
    actions.acknowledge(actor=org["prod_head"], distribution=sent[0])
    with pytest.raises(ActionError, match="已经签收"):
        actions.acknowledge(actor=org["prod_head"], distribution=sent[0])
    assert Distribution.objects.filter(acknowledged_at__isnull=False).count() == 1

    briefing = actions.record_briefing(
        actor=org["tech_head"],
        order=order,
        held_on=date(2026, 11, 24),
        topic="总装图交底",
        attendees=[org["prod_head"], org["quality_head"]],
    )
    assert set(briefing.attendees.values_list("username", flat=True)) == {"prodhead", "qhead"}
