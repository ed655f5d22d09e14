"""Pinyin initials know polyphonic characters (A-1, issue 23): every reading is stored."""

from __future__ import annotations

import pytest

from oms.core.models import PINYIN_LIMIT, pinyin_initials, recompute_pinyin


def test_polyphonic_characters_give_every_reading_usual_first() -> None:
    assert pinyin_initials("伺服电机") == "CFDJ SFDJ CBDJ CFDW SBDJ SFDW CBDW SBDW"


def test_a_name_without_polyphonic_characters_has_one_reading() -> None:
    assert pinyin_initials("长沙重型") == "CSZX"


def test_letters_and_digits_are_kept_without_spaces() -> None:
    assert pinyin_initials("ABC-1 行") == "ABC-1X ABC-1H"


def test_a_long_name_stays_within_the_column() -> None:
    stored = pinyin_initials("江苏长江重工机械股份有限公司常州分公司第一车间" * 3)
    assert (len(stored) <= PINYIN_LIMIT, " " in stored) == (True, False)


@pytest.mark.django_db
def test_recompute_rewrites_stored_initials() -> None:
    from oms.catalog.models import Product

    product = Product.objects.create(code="P9", name="伺服电机", unit="台", pinyin="CFDJ")
    recompute_pinyin(Product, batch=1)
    product.refresh_from_db()
    assert "SFDJ" in product.pinyin.split()


@pytest.mark.django_db
def test_the_product_picker_finds_a_polyphonic_name_by_either_reading(admin_user, client) -> None:
    from django.urls import reverse

    from oms.catalog import actions

    actions.create_product(actor=admin_user, data={"code": "P9", "name": "伺服电机", "unit": "台"})
    client.force_login(admin_user)
    found = [
        "伺服电机" in client.get(reverse("catalog:product_picker"), {"q": q}).content.decode()
        for q in ("sfdj", "cfdj")
    ]
    assert found == [True, True]
