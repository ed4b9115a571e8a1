"""Issue 8: ``/api/v1/openapi.json`` describes every endpoint the API serves, with its errors as problem details."""

from __future__ import annotations

import schemathesis
from schemathesis.core.result import Ok
from starlette.routing import Route

from msc_app.api import v1
from msc_app.api.v1.framework import ALL_METHODS, PREFIX


def _document(client) -> dict:
    response = client.get(v1.OPENAPI_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_the_document_is_served_without_a_token_as_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "MSC REST API"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearerAuth"]
        ["description"],
    }
    assert document["security"] == [{"bearerAuth": []}]


def test_every_served_endpoint_is_documented_and_nothing_else(client):
    document = _document(client)
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = {(o.path, o.method) for o in v1.operations}
    assert documented == served
    routed = {r.path for r in v1.routes if isinstance(r, Route)} - {v1.OPENAPI_PATH, PREFIX + "/{rest:path}"}
    assert routed == set(document["paths"])
    assert len(served) == 20


def test_every_operation_documents_its_errors_as_problem_details(client):
    document = _document(client)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "401" in responses, (method, path)
            assert "WWW-Authenticate" in responses["401"]["headers"]
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"413", "415", "422"} <= set(responses), (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"] == {"application/problem+json": {"schema": problem_ref}}
                elif status != "204":
                    assert list(response["content"]) == ["application/json"]
            assert operation["operationId"] and operation["summary"] and operation["tags"]


def test_request_bodies_refuse_unknown_fields_and_path_ids_are_bounded(client):
    document = _document(client)
    schemas = document["components"]["schemas"]
    for name in ("CustomerCreateBody", "CustomerUpdateBody", "ProductCreateBody", "ProductUpdateBody",
                 "ContactCreateBody", "ContactUpdateBody"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["CustomerUpdateBody"]["required"] == ["version"]
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation["parameters"]:
                if parameter["in"] == "path":
                    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_schemathesis_reads_every_operation(client):
    schema = schemathesis.openapi.from_dict(_document(client))
    operations = list(schema.get_all_operations())
    assert len(operations) == 20 and all(isinstance(result, Ok) for result in operations)


def test_the_document_is_the_same_as_the_module_builds(client):
    assert _document(client) == v1.openapi_document()


def test_every_http_method_reaches_the_api_not_a_plain_text_405(client):
    for method in ALL_METHODS:
        response = client.request(method, PREFIX + "/contracts")
        assert response.status_code in (401, 405), method
        if method != "HEAD":
            assert response.headers["content-type"] == "application/problem+json"
