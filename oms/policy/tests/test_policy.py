"""DESIGN 5: policy settings are versioned data with defaults from the seeds (B-7, D-3, M-2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import FieldErrors, StaleVersion
from oms.policy import actions, selectors
from oms.policy.models import PolicyVersion
from oms.policy.schema import PolicyData

pytestmark = pytest.mark.django_db


def test_defaults_come_from_the_seeds() -> None:
    """B-7: normal 24 h, special 12 h, urgent 2 h; D-3: 24 h window; M-2: 3 years."""
    policy = selectors.policy()
    assert [(c.code, c.time_limit_hours) for c in policy.order_classes] == [
        ("normal", Decimal("24")),
        ("special", Decimal("12")),
        ("urgent", Decimal("2")),
    ]
    assert (policy.confirmation.modification_window_hours, policy.archive.retention_years) == (
        Decimal("24"),
        3,
    )
    assert selectors.time_limit_hours(order_class="urgent") == Decimal("2")


def test_publishing_makes_a_new_version_and_keeps_the_old(admin_user) -> None:
    data = PolicyData().model_dump(mode="json")
    data["archive"]["retention_years"] = 5
    version = actions.publish_policy(actor=admin_user, data=data, note="保存五年", based_on=1)
    assert (version.number, selectors.policy().archive.retention_years) == (2, 5)
    assert selectors.policy(version=1).archive.retention_years == 3
    event = AuditEvent.objects.get(action="policy.publish")
    assert (
        event.before["archive"]["retention_years"],
        event.after["archive"]["retention_years"],
        event.reason,
    ) == (3, 5, "保存五年")


def test_a_wrong_value_refuses_the_whole_policy_naming_the_field(admin_user) -> None:
    data = PolicyData().model_dump(mode="json")
    data["review"]["board_time_limit_days"] = "two"
    data["order_classes"][0]["time_limit_hours"] = -1
    with pytest.raises(FieldErrors) as info:
        actions.publish_policy(actor=admin_user, data=data)
    assert info.value.errors == {
        "review.board_time_limit_days": ["应为整数"],
        "order_classes.0.time_limit_hours": ["必须大于 0"],
    }
    assert PolicyVersion.objects.count() == 1


def test_a_stale_edit_is_refused(admin_user) -> None:
    data = PolicyData().model_dump(mode="json")
    actions.publish_policy(actor=admin_user, data=data, based_on=1)
    with pytest.raises(StaleVersion):
        actions.publish_policy(actor=admin_user, data=data, based_on=1)
    assert PolicyVersion.objects.count() == 2


def test_toml_round_trip_keeps_every_value(admin_user) -> None:
    text = actions.policy_to_toml(selectors.current_version())
    version = actions.import_policy_toml(actor=admin_user, text=text)
    assert version.data == selectors.policy(version=1).model_dump(mode="json")


def test_toml_missing_value_is_refused_whole(admin_user) -> None:
    text = actions.policy_to_toml(selectors.current_version()).replace("retention_years = 3\n", "")
    text = text.replace("board_time_limit_days = 2", 'board_time_limit_days = "2 days"')
    with pytest.raises(FieldErrors) as info:
        actions.import_policy_toml(actor=admin_user, text=text)
    assert info.value.errors["review.board_time_limit_days"] == ["应为整数"]
    assert PolicyVersion.objects.count() == 1


def test_toml_with_an_unknown_key_is_refused(admin_user) -> None:
    text = actions.policy_to_toml(selectors.current_version()) + "\n[surprise]\nx = 1\n"
    with pytest.raises(FieldErrors) as info:
        actions.import_policy_toml(actor=admin_user, text=text)
    assert info.value.errors == {"surprise": ["不认识的设置项"]}


def test_toml_syntax_error_is_refused(admin_user) -> None:
    with pytest.raises(FieldErrors) as info:
        actions.import_policy_toml(actor=admin_user, text="currency = ")
    assert list(info.value.errors) == ["toml"]
    assert PolicyVersion.objects.count() == 1


def test_unknown_department_in_review_board_is_refused(admin_user) -> None:
    data = PolicyData().model_dump(mode="json")
    data["review"]["board"] = ["sales", "kitchen"]
    with pytest.raises(FieldErrors) as info:
        actions.publish_policy(actor=admin_user, data=data)
    assert info.value.errors == {"review.board": ["无效：unknown department kind(s): kitchen"]}


def test_order_number_format_needs_a_sequence(admin_user) -> None:
    data = PolicyData().model_dump(mode="json")
    data["numbering"]["order"] = "SO{yyyy}"
    with pytest.raises(FieldErrors) as info:
        actions.publish_policy(actor=admin_user, data=data)
    assert list(info.value.errors) == ["numbering.order"]


def test_next_number_follows_the_format_and_restarts_per_period() -> None:
    from datetime import date

    fmt = "SO{yyyy}{mm}{dd}{seq:04d}"
    assert actions.next_number(fmt=fmt, when=date(2026, 11, 22), key="order") == "SO202611220001"
    assert actions.next_number(fmt=fmt, when=date(2026, 11, 22), key="order") == "SO202611220002"
    assert actions.next_number(fmt=fmt, when=date(2026, 11, 23), key="order") == "SO202611230001"


def test_a_running_record_keeps_its_policy_version(admin_user) -> None:
    """DESIGN 5: a change of policy applies to new records; running ones keep theirs."""
    from oms.core.tests.machine.models import Job

    job = Job(title="running")
    job.pin_current_policy()
    job.save()
    data = PolicyData().model_dump(mode="json")
    data["order_classes"][2]["time_limit_hours"] = "4"
    actions.publish_policy(actor=admin_user, data=data)
    new_job = Job(title="new")
    new_job.pin_current_policy()
    job.refresh_from_db()
    assert job.policy().order_classes[2].time_limit_hours == Decimal("2")
    assert new_job.policy().order_classes[2].time_limit_hours == Decimal("4")


def test_every_setting_title_is_listed_for_translation() -> None:
    import typing

    from pydantic import BaseModel

    from oms.policy.labels import TITLES

    def titles(model: type[BaseModel]) -> set[str]:
        found = set()
        for info in model.model_fields.values():
            found.add(info.title)
            for t in (info.annotation, *typing.get_args(info.annotation)):
                if isinstance(t, type) and issubclass(t, BaseModel):
                    found |= titles(t)
        return found

    assert titles(PolicyData) - set(TITLES) == set()


def test_only_an_administrator_publishes(sales_staff) -> None:
    from oms.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        actions.publish_policy(actor=sales_staff, data=PolicyData().model_dump(mode="json"))
    assert PolicyVersion.objects.count() == 1
