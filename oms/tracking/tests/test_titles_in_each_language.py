"""Issue 23.12: to-do titles and inbox messages read in the reader's language, whoever wrote them."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from oms.core.phrases import Phrase, phrase, shown, stored
from oms.core.tests.test_translations import MO
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header
from oms.notifications.models import Notification
from oms.tracking.models import WorkItem


def _submitted(org: dict[str, Any], language: str) -> Any:
    with translation.override(language):
        order = intake.create_order(
            actor=org["sales"],
            data=header(org),
            lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
            duplicate_reason="test",
        )
        return intake.submit_order(actor=org["sales"], order=order)


def test_a_phrase_reads_in_the_active_language() -> None:
    title = phrase("初审订单 %(n)s", n="SO1")
    with translation.override("en"):
        english = str(title)
    with translation.override("zh-hans"):
        chinese = str(title)
    assert (chinese, english) == ("初审订单 SO1", "Preliminary check of SO1")


def test_a_stored_phrase_keeps_the_source_text_and_reads_back_in_english() -> None:
    with translation.override("en"):
        text, data = stored(phrase("初审订单 %(n)s", n="SO1"), 200)
        assert shown(text, data) == "Preliminary check of SO1"
    assert text == "初审订单 SO1"


def test_a_nested_phrase_and_a_label_argument_are_translated_when_read() -> None:
    inner = phrase("初审订单 %(n)s", n="SO1")
    outer = Phrase("即将到期：%(t)s（截止 %(d)s）", {"t": inner, "d": "2026-12-07 10:00"})
    _text, data = stored(outer, 200)
    with translation.override("en"):
        assert shown("", data) == str(outer)
        assert "Preliminary check of SO1" in shown("", data)


@pytest.mark.django_db
def test_a_to_do_written_in_english_reads_in_chinese_for_a_chinese_reader(org: dict[str, Any]) -> None:
    order = _submitted(org, "en")
    item = WorkItem.objects.get(order=order, kind="order.check")
    with translation.override("zh-hans"):
        assert item.shown_title == f"初审订单 {order.number}"
    assert item.title == f"初审订单 {order.number}"


@pytest.mark.django_db
def test_my_work_in_english_shows_the_to_do_title_in_english(org: dict[str, Any], client: Any) -> None:
    order = _submitted(org, "zh-hans")
    client.force_login(org["head"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("workbench:work"))
    page = response.content.decode()
    assert f"Preliminary check of {order.number}" in page
    assert f"初审订单 {order.number}" not in page


@pytest.mark.django_db
def test_an_inbox_message_reads_in_the_readers_language(org: dict[str, Any], client: Any) -> None:
    from oms.notifications.actions import notify

    notify(recipients=[org["head"]], title=phrase("初审订单 %(n)s", n="SO9"), event="test")
    message = Notification.objects.get(recipient=org["head"])
    client.force_login(org["head"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert (message.title, "Preliminary check of SO9" in page) == ("初审订单 SO9", True)


def test_every_phrase_in_the_code_has_an_english_translation() -> None:
    """A phrase is read in English later, so its message id must be in the catalogue now; so must
    every other marked string (issue 23.12: English mode is complete)."""
    with MO.open("rb") as compiled:
        entries = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    missing = []
    for path in Path(settings.BASE_DIR, "oms").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"phrase", "gettext_noop", "_", "gettext", "gettext_lazy"}
                and node.args
            ):
                first = node.args[0]
                options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                for option in options:
                    if isinstance(option, ast.Constant) and isinstance(option.value, str):
                        if option.value not in entries:
                            missing.append(f"{path.name}: {option.value}")
    assert sorted(missing) == []


@pytest.mark.django_db
def test_a_seeded_department_reads_in_english_and_a_typed_one_as_typed(org: dict[str, Any]) -> None:
    from oms.accounts.models import Department

    seeded = org["sales"].department
    seeded.name = "销售部"
    typed = Department(name="华东大客户组", kind="sales")
    with translation.override("en"):
        assert (str(seeded), str(typed)) == ("Sales", "华东大客户组")


@pytest.mark.django_db
def test_the_order_list_in_english_shows_the_order_class_by_its_english_label(
    org: dict[str, Any], client: Any
) -> None:
    order = _submitted(org, "zh-hans")
    client.force_login(org["head"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("workbench:order_list")).content.decode()
    assert (order.number in page, "Normal order" in page, "普通订单" in page) == (True, True, False)


@pytest.mark.django_db
def test_the_edit_page_in_english_names_one_record(admin_client: Any) -> None:
    """ "Edit Customer: C1 …", not "EditCustomers：C1 …" (the list's name was glued on)."""
    from oms.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(code="C1", name="宁波海天")
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin_client.get(reverse("customers:customer_edit", args=[customer.pk])).content.decode()
    new = admin_client.get(reverse("customers:customer_create")).content.decode()
    assert ("Edit Customer: C1 宁波海天" in page, "New Customer" in new) == (True, True)
