"""Policy and calendar pages: edit in the app, import/export TOML, refused whole on bad input."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.policy import actions, selectors
from oms.policy.forms import sections
from oms.policy.models import CalendarDay, PolicyVersion

pytestmark = pytest.mark.django_db


def _form_from_current() -> dict[str, object]:
    """What the edit page posts when nothing is changed."""
    data: dict[str, object] = {"based_on": "1", "note": ""}
    for section in sections(selectors.policy()):
        for leaf in section.leaves:
            if leaf.kind == "bool":
                if leaf.value:
                    data[leaf.path] = "on"
            elif leaf.kind == "departments":
                data[leaf.path] = list(leaf.value)
            elif leaf.kind == "list":
                data[leaf.path] = ", ".join(str(v) for v in leaf.value)
            else:
                data[leaf.path] = str(leaf.value)
    return data


def test_edit_page_publishes_a_new_version(admin_client) -> None:
    form = _form_from_current()
    form["archive.retention_years"] = "5"
    form["review.board"] = ["sales", "finance"]
    response = admin_client.post(reverse("policy:edit"), form)
    assert response.status_code == 302
    policy = selectors.policy()
    assert (selectors.current_version().number, policy.archive.retention_years, policy.review.board) == (
        2,
        5,
        ["sales", "finance"],
    )


def test_edit_page_refuses_a_bad_value_whole_and_names_the_field(admin_client) -> None:
    form = _form_from_current()
    form["archive.retention_years"] = "5"
    form["review.board_time_limit_days"] = "-3"
    response = admin_client.post(reverse("policy:edit"), form)
    assert response.status_code == 400
    assert "review.board_time_limit_days：必须大于或等于 1".encode() in response.content
    assert PolicyVersion.objects.count() == 1


def test_edit_page_refuses_a_stale_form(admin_client, admin_user) -> None:
    actions.publish_policy(actor=admin_user, data=selectors.policy().model_dump(mode="json"))
    response = admin_client.post(reverse("policy:edit"), _form_from_current())
    assert (response.status_code, PolicyVersion.objects.count()) == (409, 2)


def test_import_page_refuses_a_wrong_typed_file(admin_client) -> None:
    text = actions.policy_to_toml(selectors.current_version()).replace(
        "retention_years = 3", 'retention_years = "three"'
    )
    response = admin_client.post(
        reverse("policy:import"), {"file": SimpleUploadedFile("p.toml", text.encode())}
    )
    assert response.status_code == 400
    assert "archive.retention_years：应为整数".encode() in response.content
    assert PolicyVersion.objects.count() == 1


def test_export_downloads_the_version_in_force(admin_client) -> None:
    response = admin_client.get(reverse("policy:export"))
    assert response["Content-Disposition"] == 'attachment; filename="policy-v1.toml"'
    assert b"retention_years = 3" in response.content


def test_non_admin_cannot_edit_policy(client, sales_staff) -> None:
    client.force_login(sales_staff)
    assert client.get(reverse("policy:edit")).status_code == 404


def test_calendar_page_lists_make_up_workdays(admin_client) -> None:
    response = admin_client.get(reverse("policy:calendar"), {"year": 2025})
    assert "调休上班（Spring Festival）".encode() in response.content


def test_calendar_day_form_marks_a_company_holiday(admin_client) -> None:
    response = admin_client.post(
        reverse("policy:calendar_day"), {"date": "2025-03-03", "is_workday": "0", "name": "公司年假"}
    )
    day = CalendarDay.objects.get(date=date(2025, 3, 3))
    assert (response.status_code, day.is_workday, day.name) == (302, False, "公司年假")


def test_calendar_day_form_refuses_a_bad_date(admin_client) -> None:
    admin_client.post(reverse("policy:calendar_day"), {"date": "2025-02-30", "is_workday": "0"}, follow=True)
    assert CalendarDay.objects.filter(source="manual").count() == 0


def test_posting_the_form_unchanged_keeps_every_value(admin_client) -> None:
    """Order of the sequential review stages and exact decimals survive a round trip through the form."""
    response = admin_client.post(reverse("policy:edit"), _form_from_current())
    assert response.status_code == 302
    assert PolicyVersion.objects.get(number=2).data == PolicyVersion.objects.get(number=1).data


def test_the_reporting_cadences_are_edited_on_the_policy_page(admin_client) -> None:
    """H-3: the administrator sets procurement's cadence and how much more often important
    orders report; the new version carries them."""
    page = admin_client.get(reverse("policy:edit")).content.decode()
    assert 'name="reporting.procurement_report_days"' in page
    assert 'name="reporting.important_cadence_percent"' in page
    form = _form_from_current()
    form["reporting.procurement_report_days"] = "5"
    form["reporting.important_cadence_percent"] = "40"
    form.pop("reporting.important_key_customers", None)
    assert admin_client.post(reverse("policy:edit"), form).status_code == 302
    rules = selectors.policy().reporting
    assert (
        rules.procurement_report_days,
        rules.important_cadence_percent,
        rules.important_key_customers,
    ) == (
        5,
        40,
        False,
    )
    assert rules.cadence_days(5, important=True) == 2
