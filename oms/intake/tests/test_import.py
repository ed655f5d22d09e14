"""B-9: orders imported from Excel; every row's errors listed before anything is saved."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from oms.core.errors import ActionError, FieldErrors
from oms.intake import actions
from oms.intake.importing import template_headers
from oms.intake.models import ImportBatch, ImportStatus
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


def _xlsx(rows, headers=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or template_headers())
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _row(org, ref="PO-1", product="P1", qty=2, delivery="2027-01-20"):
    return [
        org["customer"].code,
        ref,
        "2026-11-23",
        delivery,
        "上海",
        "张伟",
        "13812345678",
        "月结",
        "normal",
        product,
        qty,
        1000,
    ]


def test_preview_groups_rows_into_orders_and_saves_none(org) -> None:
    content = _xlsx([_row(org), _row(org, product="P2", qty=3), _row(org, ref="PO-2")])
    batch = actions.preview_import(actor=org["sales"], file_name="orders.xlsx", content=content)
    assert (batch.row_errors, len(batch.payload), [len(g["lines"]) for g in batch.payload]) == ([], 2, [2, 1])
    assert SalesOrder.objects.count() == 0


def test_confirm_creates_every_order(org) -> None:
    batch = actions.preview_import(
        actor=org["sales"],
        file_name="o.xlsx",
        content=_xlsx([_row(org), _row(org, ref="PO-2", product="P2")]),
    )
    numbers = actions.confirm_import(actor=org["sales"], batch=batch)
    assert len(numbers) == 2 and SalesOrder.objects.count() == 2
    assert set(SalesOrder.objects.values_list("channel", flat=True)) == {"import"}


def test_every_bad_row_is_listed(org) -> None:
    content = _xlsx(
        [
            _row(org),
            _row(org, ref="PO-2", product="NOPE"),
            _row(org, ref="PO-3", qty=0),
            _row(org, ref="PO-4", delivery="2026-01-01"),
        ]
    )
    batch = actions.preview_import(actor=org["sales"], file_name="o.xlsx", content=content)
    assert [e["row"] for e in batch.row_errors] == [3, 4, 5]
    assert "产品编码 NOPE 不存在" in batch.row_errors[0]["messages"]
    with pytest.raises(ActionError):
        actions.confirm_import(actor=org["sales"], batch=batch)
    assert SalesOrder.objects.count() == 0


def test_wrong_columns_are_refused(org) -> None:
    with pytest.raises(FieldErrors) as info:
        actions.preview_import(
            actor=org["sales"], file_name="o.xlsx", content=_xlsx([], headers=["客户", "数量"])
        )
    assert info.value.errors["file"][0].startswith("缺少列：客户代码")
    assert ImportBatch.objects.count() == 0


def test_corrupted_file_is_refused(org) -> None:
    with pytest.raises(FieldErrors) as info:
        actions.preview_import(actor=org["sales"], file_name="o.xlsx", content=b"PK\x03\x04 not really a zip")
    assert info.value.errors == {"file": ["无法读取文件：请上传 Excel 文件（.xlsx）。"]}


def test_cancel_saves_nothing(client, org) -> None:
    client.force_login(org["sales"])
    response = client.post(
        reverse("intake:import"), {"file": SimpleUploadedFile("o.xlsx", _xlsx([_row(org)]))}
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("intake:import_preview", args=[batch.pk])
    client.post(reverse("intake:import_preview", args=[batch.pk]), {"verb": "cancel"})
    batch.refresh_from_db()
    assert (batch.status, SalesOrder.objects.count()) == (ImportStatus.CANCELLED, 0)


def test_upload_page_shows_the_file_error(client, org) -> None:
    client.force_login(org["sales"])
    response = client.post(reverse("intake:import"), {"file": SimpleUploadedFile("o.xlsx", b"garbage")})
    assert response.status_code == 400
    assert "无法读取文件" in response.content.decode()
