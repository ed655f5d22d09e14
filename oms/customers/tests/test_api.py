"""The master-data API: token auth, typed errors naming the field, idempotent creates,
version-checked updates, no hard delete, confidential fields masked (A-1, S-1, DESIGN 6)."""

from __future__ import annotations

import json

import pytest

from oms.accounts.actions import issue_api_token
from oms.customers.models import Customer
from oms.customers.tests.factories import CustomerFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_token(admin_user) -> str:
    return issue_api_token(actor=admin_user, user=admin_user, name="erp")


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _payload(region_id: int, **overrides) -> str:
    data = {
        "code": "C100",
        "name": "深圳华通",
        "region_id": region_id,
        "grade": "B",
        "is_key": False,
        "credit_limit": "5000.00",
        "credit_rating": "A",
        "payment_terms": "monthly",
        "phone": "0755-26012345",
        "address": "",
        "invoice_title": "",
        "tax_number": "",
        "bank_name": "",
        "bank_account": "",
        "owner_id": None,
        "department_id": None,
        "notes": "",
        "active": True,
    }
    data.update(overrides)
    return json.dumps(data)


def test_without_credentials_the_api_answers_401(client) -> None:
    response = client.get("/api/customers/")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_create_with_idempotency_key_makes_one_customer(client, admin_token) -> None:
    region = RegionFactory()
    first = client.post(
        "/api/customers/",
        _payload(region.pk),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        **_auth(admin_token),
    )
    again = client.post(
        "/api/customers/",
        _payload(region.pk),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        **_auth(admin_token),
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Customer.objects.count() == 1


def test_duplicate_code_is_422_naming_the_field(client, admin_token) -> None:
    region = RegionFactory()
    CustomerFactory(code="C100")
    response = client.post(
        "/api/customers/", _payload(region.pk), content_type="application/json", **_auth(admin_token)
    )
    body = response.json()
    assert (response.status_code, body["code"], list(body["fields"])) == (422, "invalid", ["code"])


def test_unknown_region_is_422_naming_the_field(client, admin_token) -> None:
    response = client.post(
        "/api/customers/", _payload(987654), content_type="application/json", **_auth(admin_token)
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["region_id"])
    assert Customer.objects.count() == 0


def test_wrong_type_is_422_naming_the_field(client, admin_token) -> None:
    region = RegionFactory()
    response = client.post(
        "/api/customers/",
        _payload(region.pk, credit_limit="lots"),
        content_type="application/json",
        **_auth(admin_token),
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["credit_limit"])


def test_patch_with_current_version_updates(client, admin_token) -> None:
    customer = CustomerFactory(name="甲")
    response = client.patch(
        f"/api/customers/{customer.pk}",
        json.dumps({"name": "乙", "version": 1}),
        content_type="application/json",
        **_auth(admin_token),
    )
    assert (response.status_code, response.json()["name"], response.json()["version"]) == (200, "乙", 2)


def test_patch_with_stale_version_is_409_and_changes_nothing(client, admin_token) -> None:
    customer = CustomerFactory(name="甲", version=3)
    response = client.patch(
        f"/api/customers/{customer.pk}",
        json.dumps({"name": "乙", "version": 2}),
        content_type="application/json",
        **_auth(admin_token),
    )
    customer.refresh_from_db()
    assert (response.status_code, response.json()["code"], customer.name) == (409, "stale", "甲")


def test_there_is_no_delete(client, admin_token) -> None:
    customer = CustomerFactory()
    response = client.delete(f"/api/customers/{customer.pk}", **_auth(admin_token))
    assert response.status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_confidential_fields_are_null_for_roles_without_them(client, production_staff) -> None:
    """S-1: production sees neither credit limits nor phone numbers, in the API either."""
    CustomerFactory(owner=production_staff, credit_limit=5000, phone="13812345678")
    token = issue_api_token(actor=production_staff, user=production_staff, name="t")
    item = client.get("/api/customers/", **_auth(token)).json()["items"][0]
    assert (item["credit_limit"], item["phone"], item["code"] != "") == (None, None, True)


def test_staff_create_is_403_and_saves_nothing(client, sales_staff) -> None:
    region = RegionFactory()
    token = issue_api_token(actor=sales_staff, user=sales_staff, name="t")
    response = client.post(
        "/api/customers/", _payload(region.pk), content_type="application/json", **_auth(token)
    )
    assert (response.status_code, Customer.objects.count()) == (403, 0)


def test_list_makes_a_bounded_number_of_queries(client, admin_token, django_assert_max_num_queries) -> None:
    for _ in range(40):
        CustomerFactory()
    with django_assert_max_num_queries(8):
        response = client.get("/api/customers/?page_size=40", **_auth(admin_token))
    assert len(response.json()["items"]) == 40


def test_openapi_schema_is_served(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/customers/" in response.json()["paths"]


def test_regions_are_listed_for_integrations(client, admin_token) -> None:
    region = RegionFactory(code="east", name="华东")
    response = client.get("/api/regions/", **_auth(admin_token))
    assert response.json() == [{"id": region.pk, "code": "east", "name": "华东", "country": "中国"}]


def test_contact_phone_is_hidden_from_production(client, production_staff) -> None:
    from oms.customers.models import Contact

    customer = CustomerFactory(owner=production_staff)
    Contact.objects.create(customer=customer, name="张伟", phone="13912345678")
    token = issue_api_token(actor=production_staff, user=production_staff, name="t")
    item = client.get("/api/contacts/", **_auth(token)).json()["items"][0]
    assert (item["name"], item["phone"]) == ("张伟", None)


def test_every_endpoint_of_the_openapi_document_has_examples(client) -> None:
    """Integrations: each request body and each answer in the document carries an example, with
    plausible values (a customer's code and name, a valid payment term)."""
    schema = client.get("/api/openapi.json").json()
    missing = [
        (path, method, part)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for part, body in [
            ("request", operation.get("requestBody", {})),
            *operation.get("responses", {}).items(),
        ]
        for media in body.get("content", {}).values()
        if "example" not in media
    ]
    assert missing == []
    create = schema["paths"]["/api/customers/"]["post"]["requestBody"]["content"]["application/json"][
        "example"
    ]
    assert (create["code"], create["name"], create["payment_terms"]) == (
        "C0001",
        "上海恒信机械有限公司",
        "monthly",
    )
