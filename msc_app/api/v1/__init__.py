"""The REST API, ``/api/v1`` (issue 8): customers, products, contacts, contracts and consumption.

Authenticated with personal API tokens (``Authorization: Bearer msc_...``, services/api_tokens.py),
served by the same services as the UI, errors as RFC 9457 problem details, described by the
OpenAPI document at ``/api/v1/openapi.json`` (no token needed for the document).

``routes`` is mounted on the Reflex backend by ``msc_app/api/__init__.py``.
"""

from __future__ import annotations

from starlette.routing import Route

from msc_app.api.v1 import consumption, contacts, contracts, customers, products
from msc_app.api.v1.framework import PREFIX, build_routes
from msc_app.api.v1.openapi import build_document, openapi_endpoint

OPENAPI_PATH = PREFIX + "/openapi.json"

operations = [
    *customers.operations,
    *products.operations,
    *contacts.operations,
    *contracts.operations,
    *consumption.operations,
]


def openapi_document() -> dict:
    return build_document(operations)


routes = build_routes(operations, [Route(OPENAPI_PATH, openapi_endpoint(operations), methods=["GET"])])

__all__ = ["OPENAPI_PATH", "PREFIX", "openapi_document", "operations", "routes"]
