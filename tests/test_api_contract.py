"""The OpenAPI document tells the truth (DESIGN 2, B-8): every operation's documented request
body and answers are the schemas of the classes the endpoint really reads and writes.

django-ninja names each component after its pydantic class (qualified name, fixed when the class
is created) and lets the last class of a name overwrite the others, so two `OrderIn` classes made
`POST /api/orders/` carry the portal's body. These tests walk the routers' operations, rebuild
each real class's JSON schema the way the document does, and compare."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from ninja.openapi.schema import REF_TEMPLATE
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import TypeAdapter

from config.api import api

REF_PREFIX = REF_TEMPLATE.split("{", 1)[0]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document as clients fetch it, from `/api/openapi.json` (public, needs no database)."""
    from django.test import Client

    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations() -> Iterator[Operation]:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.include_in_schema:
                    yield operation


def _operation_id(operation: Operation) -> str:
    return operation.operation_id or api.get_openapi_operation_id(operation)


def _documented(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for methods in document["paths"].values() for op in methods.values()}


def _body_type(operation: Operation) -> Any:
    """The class the endpoint validates its JSON body with (ninja wraps it as the `payload` field)."""
    bodies = [m for m in operation.models if m.__ninja_param_source__ == "body"]
    if not bodies:
        return None
    (wrapper,) = bodies
    (field,) = wrapper.model_fields.values()
    return field.annotation


def _response_types(operation: Operation) -> dict[str, Any]:
    """Status code -> the type the endpoint's answer is serialised with."""
    result = {}
    for status, wrapper in operation.response_models.items():
        if status is Ellipsis or wrapper is None:
            continue
        result[str(status)] = wrapper.model_fields["response"].annotation
    return result


def _real_schema(annotation: Any, mode: str, by_alias: bool) -> dict[str, Any]:
    """The JSON schema of the real class, generated as django-ninja reads and writes it: request
    bodies validate by alias (`region_id`), answers serialise as the operation does (by field
    name unless the operation says `by_alias`)."""
    return TypeAdapter(annotation).json_schema(
        ref_template=REF_TEMPLATE,
        schema_generator=NinjaGenerateJsonSchema,
        mode=mode,  # type: ignore[arg-type]
        by_alias=by_alias,
    )


def _resolve(schema: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """The schema with every `$ref` replaced by its definition, so that two documents that name
    their parts differently compare by what they accept."""
    if isinstance(schema, list):
        return [_resolve(s, definitions, seen) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF_PREFIX)
        if name in seen:  # a recursive schema: compare the name, not an endless tree
            return {"$recursive": name}
        return _resolve(definitions[name], definitions, (*seen, name))
    return {k: _resolve(v, definitions, seen) for k, v in schema.items() if k != "$defs"}


def _without_title(schema: dict[str, Any]) -> dict[str, Any]:
    # The title of the outermost schema is the field's or class's label, not part of the contract.
    return {k: v for k, v in schema.items() if k != "title"}


def _pairs(document: dict[str, Any]) -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    """(operation id, part, documented schema, real schema) for each body and each answer."""
    documented = _documented(document)
    for operation in _operations():
        op_id = _operation_id(operation)
        doc_op = documented[op_id]
        body = _body_type(operation)
        if body is not None:
            media = doc_op["requestBody"]["content"]["application/json"]
            yield op_id, "request body", media["schema"], _real_schema(body, "validation", True)
        for status, annotation in _response_types(operation).items():
            media = doc_op["responses"][status]["content"]["application/json"]
            real = _real_schema(annotation, "serialization", operation.by_alias)
            yield op_id, f"answer {status}", media["schema"], real


def test_every_operation_of_the_routers_is_documented(document) -> None:
    """B-8: the document lists every operation the routers serve, each once."""
    real = sorted(_operation_id(op) for op in _operations())
    documented = sorted(_documented(document))
    assert len(real) == len(set(real))
    assert real == documented


def test_no_two_schema_classes_share_a_component_name(document) -> None:
    """B-8: a component name stands for one schema. Each real class's schema (and every class
    nested in it, under the names pydantic gives them) is collected by name over all operations;
    two different schemas under one name would overwrite each other in the document."""
    by_name: dict[str, dict[str, set[str]]] = {}

    def note(name: str, definition: dict[str, Any], where: str) -> None:
        key = json.dumps(definition, sort_keys=True, default=str)
        by_name.setdefault(name, {}).setdefault(key, set()).add(where)

    for op_id, part, doc_schema, real in _pairs(document):
        where = f"{op_id} {part}"
        for name, definition in real.get("$defs", {}).items():
            note(name, definition, where)
        if "$ref" in doc_schema:  # the document names the outermost class too
            note(doc_schema["$ref"].removeprefix(REF_PREFIX), _without_defs(real), where)
    collisions = {
        name: sorted(w for ws in shapes.values() for w in ws)
        for name, shapes in by_name.items()
        if len(shapes) > 1
    }
    assert collisions == {}
    components = document["components"]["schemas"]
    differing = [
        name
        for name, shapes in by_name.items()
        if json.loads(next(iter(shapes))) != json.loads(json.dumps(components.get(name), default=str))
    ]
    assert differing == []


def _without_defs(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "$defs"}


def test_each_documented_body_and_answer_is_the_real_schema(document) -> None:
    """B-8: for every operation, the documented request body and each documented answer accept
    exactly what the endpoint's input and output classes accept (every `$ref` resolved)."""
    components = document["components"]["schemas"]
    checked, wrong = 0, []
    for op_id, part, doc_schema, real in _pairs(document):
        expected = _without_title(_resolve(real, real.get("$defs", {})))
        actual = _without_title(_resolve(doc_schema, components))
        checked += 1
        if json.dumps(actual, sort_keys=True, default=str) != json.dumps(
            expected, sort_keys=True, default=str
        ):
            wrong.append(f"{op_id} {part}")
    assert wrong == []
    assert checked > 100  # bodies and answers of the 55 operations, not a vacuous pass
