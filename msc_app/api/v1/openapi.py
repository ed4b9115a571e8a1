"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the REST API, built from the operations table.

Request and response schemas come from the pydantic models (``schemas.py``, the services' read models);
every operation lists every status it may answer, each error as an RFC 9457 problem document.
"""

from __future__ import annotations

import typing
from functools import cache
from http import HTTPStatus

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse

from msc_app.api.v1.framework import ID_MAX, Operation
from msc_app.api.v1.problems import PROBLEM_MEDIA_TYPE, Problem

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

DESCRIPTION = """\
The MSC REST API: customers, their products, contacts, contracts and consumption, with the same
rules, scope and messages as the web app.

**Authentication.** Create a personal API token on your profile page (it is shown once) and send it
as `Authorization: Bearer <token>`. A token acts exactly as you: your role, your scope, and the tenant
perspective you were working in when you made it. Viewers' tokens are read-only.

**Errors** are RFC 9457 problem details (`application/problem+json`): `detail` is the message the web
app shows for the same rule; `errors` maps request fields to messages (422). An id outside your scope
is answered exactly like a missing one (404).
"""


def _models(operations: list[Operation]) -> tuple[list[type[BaseModel]], list[type[BaseModel]]]:
    bodies, responses = [], [Problem]
    for operation in operations:
        if operation.body is not None and operation.body not in bodies:
            bodies.append(operation.body)
        model = _model_of(operation.response)
        if model is not None and model not in responses:
            responses.append(model)
    return bodies, responses


def _model_of(kind) -> type[BaseModel] | None:
    if kind is None:
        return None
    if typing.get_origin(kind) is list:
        return typing.get_args(kind)[0]
    return kind


def _problem_response(status: int, refs: dict) -> dict:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": refs[(Problem, "serialization")]}},
    }


def _operation(operation: Operation, refs: dict) -> dict:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": f"The {noun.lower()}'s id.",
            "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
        }
        for name, noun in operation.path_ids.items()
    ]
    parameters += [
        {"name": p.name, "in": "query", "required": False, "description": p.description, "schema": p.schema}
        for p in operation.query
    ]
    responses: dict = {}
    if operation.response is None:
        responses[str(operation.status)] = {"description": HTTPStatus(operation.status).phrase}
    else:
        model = _model_of(operation.response)
        schema = refs[(model, "serialization")]
        if typing.get_origin(operation.response) is list:
            schema = {"type": "array", "items": schema}
        responses[str(operation.status)] = {
            "description": HTTPStatus(operation.status).phrase,
            "content": {"application/json": {"schema": schema}},
        }
        if operation.status == 201:
            responses["201"]["headers"] = {
                "Location": {"description": "The new resource's URL.", "schema": {"type": "string"}}
            }
    statuses = {401, *operation.problems}
    if operation.body is not None or operation.query:
        statuses.add(422)
    for status in sorted(statuses):
        responses[str(status)] = _problem_response(status, refs)
    responses["401"]["headers"] = {
        "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}
    }
    document = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if operation.description:
        document["description"] = operation.description
    if operation.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
        }
    return document


def build_document(operations: list[Operation]) -> dict:
    bodies, responses = _models(operations)
    refs, definitions = models_json_schema(
        [(m, "validation") for m in bodies] + [(m, "serialization") for m in responses], ref_template=REF
    )
    paths: dict[str, dict] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, refs)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "MSC REST API", "version": API_VERSION, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (msc_...), made on the profile page.",
                }
            },
        },
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in dict.fromkeys(o.tag for o in operations)],
    }


def openapi_endpoint(operations: list[Operation]):
    @cache
    def document() -> dict:
        return build_document(operations)

    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse(document(), headers={"Cache-Control": "no-cache"})

    return endpoint
