"""Issue 22: the pages of customers' voice parse their input through one form per action; a
refused form shows the page again with what the user typed, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from oms.feedback.models import Complaint, Survey

pytestmark = pytest.mark.django_db


def test_a_bad_claim_amount_keeps_the_typed_complaint(client) -> None:
    client.force_login(make_user("cs1", kind="customer_service"))
    response = client.post(
        reverse("feedback:complaint_new"),
        {
            "order": "SO-0001",
            "category": "quality",
            "description": "外壳有划痕，共三台",
            "complainant": "张伟",
            "claim_amount": "NaN",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "外壳有划痕，共三台" in body and 'value="张伟"' in body and 'value="SO-0001"' in body
    assert 'value="NaN"' in body and "索赔金额" in body
    assert not Complaint.objects.exists()


def test_a_bad_survey_date_keeps_the_typed_survey(client) -> None:
    client.force_login(make_user("cs1", kind="customer_service"))
    response = client.post(
        reverse("feedback:survey_new"),
        {"title": "2026 年度满意度调查", "period_start": "2026-13-01", "period_end": "2026-12-31"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="2026 年度满意度调查"' in body and 'value="2026-13-01"' in body
    assert "请填写调查期间。" in body
    assert not Survey.objects.exists()


def test_a_step_without_its_required_answer_is_refused(client) -> None:
    """N-2: the step form names the missing field; the complaint stays where it was."""
    from oms.feedback.forms import step_form

    form = step_form("check_receipt", {"receipt_signed": "maybe", "receipt_note": " "})
    assert not form.is_valid()
    assert set(form.errors) == {"receipt_signed", "receipt_note"}
    form = step_form("gather_materials", {"materials": "合同\n\n质检报告 "})
    assert form.is_valid() and form.cleaned_data["materials"] == ["合同", "质检报告"]
