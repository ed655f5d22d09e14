"""Issue 24.2 with L-4: a receivables ledger longer than OMS_EXPORT_INLINE_ROWS is written by the
worker with the same rows (and totals) as the export in the request."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from oms.billing.tests.test_billing import _invoiced
from oms.web.models import GeneratedFile

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_a_long_ledger_is_generated_by_the_worker(client, more_heads, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    url = reverse("billing:receivables") + "?export=xlsx"
    with time_machine.travel(timezone.now(), tick=False):
        inline = _rows(client.get(url).content)
        settings.OMS_EXPORT_INLINE_ROWS = 0
        response = client.get(url)
    row = GeneratedFile.objects.get()
    assert response["Location"] == reverse("core:download_status", args=[row.pk])
    assert (row.kind, row.status) == ("receivables.xlsx", "done")
    fetched = client.get(reverse("core:download_file", args=[row.pk]))
    assert _rows(b"".join(fetched.streaming_content)) == inline
    assert len(inline) == 3  # header, the customer, the totals
