# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""Read-only regions for integrations: a customer's `region_id` must be one of these (A-1)."""

from django.http import HttpRequest
from ninja import Router, Schema

from oms.customers import selectors

router = Router(tags=["区域"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    country: str


@router.get("/", response=list[RegionOut], operation_id="list_regions")
def list_regions(request: HttpRequest) -> list[RegionOut]:
    return [RegionOut(id=r.pk, code=r.code, name=r.name, country=r.country) for r in selectors.regions()]
