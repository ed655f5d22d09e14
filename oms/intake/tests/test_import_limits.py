"""B-9 (issue 20 point 5): an Excel import is checked against its limits (upload size, unpacked
size, rows; settings IMPORT_MAX_*) before it is parsed, and a hostile or broken file is refused
with a message, never a 500; nothing is saved."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.core.errors import FieldErrors
from oms.intake import actions
from oms.intake.models import ImportBatch
from oms.intake.tests.test_import import _row, _xlsx

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
UNREADABLE = {"file": ["无法读取文件：请上传 Excel 文件（.xlsx）。"]}


def _bomb(unpacked_mb: int = 64) -> bytes:
    """A real workbook whose sheet holds, after the header, one cell of `unpacked_mb` MB of one
    repeated character: a few hundred KB on disk. Written in 1 MB pieces to stay light on memory."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != SHEET:
                target.writestr(entry, source.read(entry))
        head, tail = source.read(SHEET).split(b"</sheetData>")
        with target.open(SHEET, "w") as stream:
            stream.write(head + b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(unpacked_mb):
                stream.write(chunk)
            stream.write(b"</t></is></c></row></sheetData>" + tail)
    return out.getvalue()


def _understate(content: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s declared unpacked size replaced by `size` (local header and
    central directory), as a crafted bomb would claim."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == name.encode():
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def _refused(org: dict[str, Any], content: bytes) -> FieldErrors:
    events = AuditEvent.objects.count()
    with pytest.raises(FieldErrors) as info:
        actions.preview_import(actor=org["sales"], file_name="o.xlsx", content=content)
    assert (ImportBatch.objects.count(), AuditEvent.objects.count()) == (0, events)
    return info.value


def test_a_zip_bomb_is_refused_before_parsing(org) -> None:
    """B-9: a small file that unpacks past the limit (default 50 MB) is refused from its
    declared sizes, in well under a second, without unpacking it."""
    content = _bomb(64)
    assert len(content) < 1024 * 1024
    started = time.perf_counter()
    error = _refused(org, content)
    assert time.perf_counter() - started < 1
    assert error.errors == {
        "file": ["文件解压后过大（64.0 MB）：最多 50.0 MB，请删除多余的工作表、图片或格式后重试。"]
    }


def test_a_bomb_that_understates_its_size_is_refused_as_unreadable(org) -> None:
    """B-9: an entry that holds more than it declares is cut at the declared size; its checksum
    then fails and the file is refused, quickly, as unreadable."""
    content = _understate(_bomb(64), SHEET, 2000)
    started = time.perf_counter()
    error = _refused(org, content)
    assert time.perf_counter() - started < 1
    assert error.errors == UNREADABLE


def test_too_many_rows_are_refused(org) -> None:
    """B-9: more data rows than the limit (default 2,000) are refused by the sheet's declared size."""
    error = _refused(org, _xlsx([_row(org, ref=f"PO-{i}") for i in range(2001)]))
    assert error.errors == {"file": ["行数过多：一次最多导入 2000 行（不含表头）。"]}


@override_settings(IMPORT_MAX_ROWS=3)
def test_too_many_rows_are_refused_when_the_sheet_does_not_declare_its_size(org) -> None:
    """B-9: without a declared size the stream stops at the first row past the limit."""
    content = _xlsx([_row(org, ref=f"PO-{i}") for i in range(4)])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == SHEET:
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
                assert b"<dimension" not in data
            target.writestr(entry, data)
    error = _refused(org, out.getvalue())
    assert error.errors == {"file": ["行数过多：一次最多导入 3 行（不含表头）。"]}


@override_settings(IMPORT_MAX_ROWS=3)
def test_rows_up_to_the_limit_are_accepted(org) -> None:
    """B-9: exactly the limit passes."""
    batch = actions.preview_import(
        actor=org["sales"], file_name="o.xlsx", content=_xlsx([_row(org, ref=f"PO-{i}") for i in range(3)])
    )
    assert (batch.row_errors, len(batch.payload)) == ([], 3)


def test_an_oversized_upload_is_refused(client, org) -> None:
    """B-9: a file over the upload limit (default 5 MB) is refused on the page, before it is
    read, and by the action on any other path."""
    content = _xlsx([_row(org)]) + b"\0" * (5 * 1024 * 1024)
    client.force_login(org["sales"])
    response = client.post(reverse("intake:import"), {"file": SimpleUploadedFile("o.xlsx", content)})
    assert response.status_code == 400
    assert "文件过大（5.0 MB）：一次最多上传 5.0 MB。" in response.content.decode()
    error = _refused(org, content)
    assert error.errors == {"file": ["文件过大（5.0 MB）：一次最多上传 5.0 MB。"]}


@pytest.mark.parametrize(
    "content",
    [
        b"garbage",
        b"PK\x03\x04 not really a zip",
        "truncated",
        "not a workbook",
        "broken sheet",
    ],
)
def test_a_corrupt_or_foreign_file_is_refused_with_a_message(client, org, content) -> None:
    """B-9: something that is not a readable .xlsx (garbage, a cut-off file, another zip, a
    workbook with broken XML) gets the message on the page (400) and from the action."""
    good = _xlsx([_row(org)])
    if content == "truncated":
        content = good[: len(good) // 2]
    elif content == "not a workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        content = out.getvalue()
    elif content == "broken sheet":
        source = zipfile.ZipFile(io.BytesIO(good))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for entry in source.infolist():
                data = source.read(entry)
                target.writestr(entry, data[:-40] if entry.filename == SHEET else data)
        content = out.getvalue()
    assert _refused(org, content).errors == UNREADABLE
    client.force_login(org["sales"])
    response = client.post(reverse("intake:import"), {"file": SimpleUploadedFile("o.xlsx", content)})
    assert response.status_code == 400
    assert "无法读取文件" in response.content.decode()


def test_a_normal_import_still_works_through_the_page(client, org) -> None:
    """B-9: a file within the limits is previewed as before."""
    client.force_login(org["sales"])
    response = client.post(
        reverse("intake:import"),
        {"file": SimpleUploadedFile("o.xlsx", _xlsx([_row(org), _row(org, ref="PO-2")]))},
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("intake:import_preview", args=[batch.pk])
    assert (batch.row_errors, len(batch.payload)) == ([], 2)
