from __future__ import annotations

from decimal import Decimal

import factory

from oms.customers.models import Customer, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "east"
    name = "华东"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"上海恒信机械{n}有限公司")
    region = factory.SubFactory(RegionFactory)
    credit_limit = Decimal("100000.00")
    phone = "021-58001234"
