"""Issue 22: supervision's pages parse their input through one form per action; a refused form
shows the page again with what the user typed, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from oms.supervision.models import SpotCheck, ViolationReport

pytestmark = pytest.mark.django_db


def test_a_seed_that_is_not_a_whole_number_keeps_the_typed_check(client) -> None:
    client.force_login(make_user("sup1", kind="supervision"))
    response = client.post(
        reverse("supervision:check_new"),
        {
            "title": "第四季度抽查",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
            "sample_size": "5",
            "seed": "12a",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="第四季度抽查"' in body and 'value="2026-10-01"' in body and 'value="12a"' in body
    assert "样本量和随机种子须为整数。" in body
    assert not SpotCheck.objects.exists()


def test_a_report_without_its_subject_keeps_what_was_typed(client) -> None:
    client.force_login(make_user("p1", kind="production"))
    response = client.post(
        reverse("supervision:report_new"),
        {"subject": " ", "description": "仓库私下调换批次", "order_number": "SO-0009"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "仓库私下调换批次" in body and 'value="SO-0009"' in body
    assert "请填写举报事项。" in body
    assert not ViolationReport.objects.exists()
