"""Issue 8: bad input through the API is a 4xx RFC 9457 problem, never a 5xx: malformed JSON, wrong types,
unknown fields, NUL characters, ids beyond the database's range, unknown paths and methods."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from msc_app.api import build_api, v1
from msc_app.api.v1 import framework
from tests.api.conftest import bearer, problem

# Every operation that takes a body, with the ids of the world it needs filled in.
BODY_OPERATIONS = [
    ("post", "/api/v1/customers"),
    ("patch", "/api/v1/customers/{r1_cust1}"),
    ("post", "/api/v1/customers/{r1_cust1}/products"),
    ("patch", "/api/v1/products/{product}"),
    ("post", "/api/v1/customers/{r1_cust1}/contacts"),
    ("patch", "/api/v1/contacts/{contact}"),
]


def _url(template: str, world, extras) -> str:
    return template.format(r1_cust1=world.accounts["r1_cust1"], product=extras.products["r1_cust1"],
                           contact=extras.contacts["r1_cust1"])


@pytest.mark.parametrize(("method", "template"), BODY_OPERATIONS)
@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (b"", "body", "Send a JSON object."),
        (b"{not json", "body", "Send valid JSON."),
        (b"[1, 2]", "body", "Send a JSON object."),
        (b'"text"', "body", "Send a JSON object."),
        (b"null", "body", "Send a JSON object."),
        (b'{"a": "\\ud800"}', "body", "Send valid JSON."),
        (b'{"no_such_field": 1, "version": 1}', "no_such_field", "Unknown field."),
        (b'{"x": ' + b"1" * 5000 + b"}", "body", "Send valid JSON."),
        (b"\xff\xfe", "body", "Send valid JSON."),
    ],
)
def test_malformed_bodies_are_422_problems(client, world, tokens, extras, method, template, raw, field, message):
    response = client.request(method.upper(), _url(template, world, extras), content=raw,
                              headers={**bearer(tokens["r1_admin"]), "Content-Type": "application/json"})
    body = problem(response, 422)
    assert body["errors"][field] == message


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"customer_name": 5}, {"customer_name": "Enter text."}),
        ({"customer_name": "X", "credit_quota": "5"}, {"credit_quota": "Enter a whole number."}),
        ({"customer_name": "X", "credit_quota": 1.5}, {"credit_quota": "Enter a whole number."}),
        ({"customer_name": "X", "credit_quota": True}, {"credit_quota": "Enter a whole number."}),
        ({"customer_name": "X", "credit_quota": 2**64}, {"credit_quota": "The number is too large."}),
        ({"customer_name": "X", "hide_name": "yes"}, {"hide_name": "Choose yes or no."}),
        ({"customer_name": "X", "quota_end_date": "31/12/2025"}, {"quota_end_date": "Enter a date like 2025-06-30."}),
        ({"customer_name": "X", "tenant_admin_user_ids": "1"}, {"tenant_admin_user_ids": "Send a list."}),
        ({"customer_name": "X", "tenant_admin_user_ids": list(range(1, 200))},
         {"tenant_admin_user_ids": "Send at most 100 items."}),
        ({"customer_name": "X\u0000Y"}, {"customer_name": "Text cannot contain NUL characters."}),
        ({"customer_name": "X", "storage_regions": ["US East\u0000"]},
         {"storage_regions": "Text cannot contain NUL characters."}),
    ],
)
def test_wrong_types_are_422_with_the_forms_messages(client, session, tokens, payload, errors):
    body = problem(client.post("/api/v1/customers", headers=bearer(tokens["r1_admin"]), json=payload), 422)
    assert body["errors"] == errors


@pytest.mark.parametrize("params", [{"q": "a\u0000b"}, {"plan": "1\u0000"}, {"q": "x" * 1001},
                                    {"plan": "9" * 999}, {"admin": ",".join(["9" * 20] * 40)}])
def test_query_parameters_cannot_break_the_list(client, tokens, params):
    response = client.get("/api/v1/customers", headers=bearer(tokens["dist_admin"]), params=params)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        problem(response, 422)


@pytest.mark.parametrize("params", [{"q": "\u0000"}, {"page": "9" * 900}, {"size": "-5"}, {"sort": "\u00e9"},
                                    {"account": "1" * 30}, {"status": "Nope"}])
def test_query_parameters_cannot_break_the_contracts_list(client, tokens, params):
    response = client.get("/api/v1/contracts", headers=bearer(tokens["dist_admin"]), params=params)
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code != 200:
        problem(response, response.status_code)


@pytest.mark.parametrize("raw", ["0", "-3", "2147483648", "99999999999999999999999", "1" * 5000, "x", "1.0"])
@pytest.mark.parametrize(("template", "noun"), [
    ("/api/v1/customers/{}", "Customer"), ("/api/v1/products/{}/suspend", "Product"),
    ("/api/v1/contacts/{}", "Contact"), ("/api/v1/contracts/{}", "Contract"),
    ("/api/v1/customers/{}/consumption", "Customer"),
])
def test_ids_beyond_the_database_are_simply_not_found(client, tokens, raw, template, noun):
    method = "POST" if template.endswith("suspend") else "GET"
    body = problem(client.request(method, template.format(raw), headers=bearer(tokens["dist_admin"])), 404)
    assert body["detail"] == f"{noun} not found."


def test_a_body_larger_than_the_limit_is_413(client, tokens):
    raw = b'{"customer_name": "' + b"x" * (framework.MAX_BODY_BYTES + 10) + b'"}'
    problem(client.post("/api/v1/customers", content=raw, headers=bearer(tokens["r1_admin"])), 413)


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/api/v1/customers", "GET, POST"),
    ("DELETE", "/api/v1/contracts", "GET"),
    ("GET", "/api/v1/products/1/suspend", "POST"),
    ("POST", "/api/v1/customers/1", "DELETE, GET, PATCH"),
])
def test_a_method_the_path_does_not_take_is_405_with_allow(client, tokens, method, path, allow):
    response = client.request(method, path, headers=bearer(tokens["r1_admin"]))
    problem(response, 405)
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing", "/api/v1/customers/1/nothing", "/api/v1/openapi"])
def test_an_unknown_path_is_a_404_problem(client, path):
    body = problem(client.get(path), 404)
    assert body["detail"] == "There is no such API endpoint."


def test_a_value_the_database_refuses_is_a_422_not_a_500(client, tokens, database):
    """Safety net for a service that lets a value through that the database refuses (reported as a bug):
    a phone number with a long extension formats to more than the column's 40 characters."""
    response = client.post("/api/v1/customers", headers=bearer(tokens["r1_admin"]),
                           json={"customer_name": "Ext", "phone": "+14155550100;ext=12345678901234567890"})
    if database.backend == "postgresql":
        problem(response, 422)
    else:  # SQLite does not enforce VARCHAR lengths
        assert response.status_code == 201


def test_the_api_is_mounted_on_the_backends_routes():
    app = build_api()
    assert isinstance(app, Starlette)
    paths = {getattr(route, "path", None) for route in app.routes}
    assert {"/api/v1/customers", "/api/v1/openapi.json", "/api/v1/products/{product_id}/suspend"} <= paths
    assert all(route in app.routes for route in v1.routes)


def test_a_service_bug_is_a_problem_document_too(client, tokens, monkeypatch):
    """Never an HTML page or a bare text: even an unexpected failure answers problem+json (and is logged)."""
    from msc_app.api.v1 import customers

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(customers.customers, "list_customers", broken)
    body = problem(client.get("/api/v1/customers", headers=bearer(tokens["r1_admin"])), 500)
    assert body["detail"] == "Something went wrong on our side."


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_that_is_not_json_is_415(client, tokens, content_type):
    body = problem(client.post("/api/v1/customers", content=b'{"customer_name": "X"}',
                               headers={**bearer(tokens["r1_admin"]), "Content-Type": content_type}), 415)
    assert body["detail"] == "Send the request body as application/json."


def test_json_media_types_with_parameters_are_json(client, tokens):
    response = client.post("/api/v1/customers", content=b'{"customer_name": "Json Charset"}',
                           headers={**bearer(tokens["r1_admin"]), "Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("big", [2**31, 2**62, 2**63 - 1, -(2**63)])
@pytest.mark.parametrize(("field", "status", "errors"), [
    ("service_plan_id", 422, {"service_plan_id": "Choose one of the service plans offered."}),
    ("parent_account_id", 404, None),
    ("tenant_admin_user_ids", 422, {"tenant_admin_user_ids": "Tenant admin not found."}),
])
def test_ids_in_bodies_beyond_the_database_are_missing_ids(client, session, tokens, big, field, status, errors):
    """The service's answer for an unknown id, on PostgreSQL too (which refuses to compare such ids)."""
    value = [big] if field == "tenant_admin_user_ids" else big
    payload = {"customer_name": "Big Ids", field: value}
    if field == "service_plan_id":
        payload["storage_regions"] = ["US East"]
    body = problem(client.post("/api/v1/customers", headers=bearer(tokens["dist_admin"]), json=payload), status)
    assert body.get("errors") == errors
    if status == 404:
        assert body["detail"] == "Customer not found."
