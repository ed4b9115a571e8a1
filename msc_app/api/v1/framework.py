"""The REST API's plumbing: operations, bearer-token authentication, input checks, problem answers.

Each endpoint is an ``Operation``: its method and path, what it reads (path ids, query parameters, a
JSON body model), what it answers (a response model and status) and a plain function that calls one
service with a database session and the token's actor. The same table builds the Starlette routes
and the OpenAPI document (``openapi.py``), so the two cannot drift apart.

A request goes: method allowed? (405) -> token (401) -> path ids (404) -> query parameters (422) ->
body (415/413/422) -> the service, in a worker thread, in one transaction (``session_scope``) ->
response. The token is resolved in its own short transaction first, so noting its use
(``last_used_at``) survives a refused change.

No input may cause a 5xx: path ids are parsed here (a non-number or one beyond the INTEGER range is
"not found", as a missing id), text may not hold NUL characters (PostgreSQL refuses them), bodies are
bounded, and the services' refusals become 4xx problems. A database error that still slips through
on a value (``DataError``) or a concurrent duplicate (``IntegrityError``) is answered as a 4xx too
and logged, since it means a service let a bad value through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pydantic
import sqlalchemy as sa
from pydantic import BaseModel, TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from sqlmodel import Session

from msc_app.api.v1.problems import UNAUTHORIZED, ApiError, from_domain_error, problem_response, validation_error
from msc_app.db import session_scope
from msc_app.services import api_tokens
from msc_app.services.errors import DomainError, NotFound
from msc_app.services.forms import _MESSAGES as FORM_MESSAGES
from msc_app.services.permissions import Actor

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_BODY_BYTES = 1 << 20  # 1 MiB: far above any real request
MAX_QUERY_VALUE = 1000  # characters in one query parameter's value
ID_MAX = 2**31 - 1  # the INTEGER columns' upper bound
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]
REALM = 'Bearer realm="MSC API"'
NO_TOKEN = "Send a personal API token in the Authorization header: Bearer <token>."
BAD_TOKEN = "The API token is invalid, expired or revoked."
NUL_MESSAGE = "Text cannot contain NUL characters."


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class QueryParam:
    name: str
    schema: dict
    description: str = ""


@dataclass(frozen=True)
class Call:
    """What an operation's function gets: a session in a transaction, the actor and the parsed input."""

    session: Session
    actor: Actor
    ids: dict[str, int]
    query: QueryParams
    body: BaseModel | None


@dataclass(frozen=True)
class Result:
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # e.g. "/api/v1/customers/{customer_id}"
    function: Callable[[Call], Any]
    operation_id: str
    summary: str
    tag: str
    description: str = ""
    # path parameter -> the noun of its NotFound ("Customer" -> "Customer not found.")
    path_ids: dict[str, str] = field(default_factory=dict)
    query: tuple[QueryParam, ...] = ()
    body: type[BaseModel] | None = None
    response: Any = None  # a pydantic model or a type (list[Model]); None: no content
    status: int = 200
    # the 4xx answers this operation may give besides 401 (and 422 for a body or query)
    problems: tuple[int, ...] = ()

    @property
    def adapter(self) -> TypeAdapter | None:
        return _adapter(self.response) if self.response is not None else None


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(kind) -> TypeAdapter:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


# ---------------------------------------------------------------- input


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer <token>``; 401 when there is none."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, NO_TOKEN, type=UNAUTHORIZED, headers={"WWW-Authenticate": REALM})
    return token


def _authenticate(token: str) -> Actor:
    try:
        with session_scope() as session:
            actor = api_tokens.actor_for_api_token(session=session, token=token)
    except sa.exc.OperationalError:
        log.exception("API authentication: the database is unavailable")
        raise ApiError(503, "The database is unavailable. Try again shortly.") from None
    if actor is None:
        raise ApiError(
            401, BAD_TOKEN, type=UNAUTHORIZED, headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'}
        )
    return actor


def parse_id(text: str) -> int | None:
    """A positive database id from a URL, or None (signs, words, zero and huge numbers are not ids)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


def _path_ids(operation: Operation, request: Request) -> dict[str, int]:
    ids = {}
    for name, noun in operation.path_ids.items():
        value = parse_id(request.path_params.get(name, ""))
        if value is None:
            raise ApiError(404, NotFound(noun).message)
        ids[name] = value
    return ids


def _check_query(query: QueryParams) -> None:
    errors = {}
    for key, value in query.multi_items():
        if "\x00" in key or "\x00" in value:
            errors[key.replace("\x00", "")] = NUL_MESSAGE
        elif len(value) > MAX_QUERY_VALUE:
            errors[key] = f"At most {MAX_QUERY_VALUE} characters."
    if errors:
        raise validation_error(errors)


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_media_type(request: Request) -> None:
    """A body is JSON: another declared media type is 415 (none declared: read as JSON)."""
    declared = request.headers.get("content-type", "")
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415, "Send the request body as application/json.")


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _pydantic_message(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "missing":
        return "This field is required."
    if kind == "string_type":
        return "Enter text."
    if kind == "list_type":
        return "Send a list."
    if kind == "bool_type":
        return FORM_MESSAGES["bool_parsing"]
    if kind == "less_than_equal":
        return "The number is too large."
    if kind == "greater_than_equal":
        return "The number is too small."
    if kind == "too_long":
        return f"Send at most {error.get('ctx', {}).get('max_length')} items."
    # The UI's own messages for numbers, dates and yes/no (services/forms.py).
    return FORM_MESSAGES.get(kind, error["msg"])


def parse_body(model: type[BaseModel], raw: bytes) -> BaseModel:
    """``model`` from a strict JSON body, or 422 with a message per field."""
    if not raw.strip():
        raise validation_error({"body": "Send a JSON object."}, "The request body is empty: send a JSON object.")
    try:
        body = model.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            if error["type"] == "json_invalid":
                raise validation_error(
                    {"body": "Send valid JSON."}, f"The request body is not valid JSON ({error['msg']})."
                ) from None
            if not error["loc"]:
                raise validation_error({"body": "Send a JSON object."}, "The request body must be a JSON object.") from None
            errors.setdefault(str(error["loc"][0]), _pydantic_message(error))
        raise validation_error(errors) from None
    nul = {
        name: NUL_MESSAGE
        for name in body.model_fields_set
        if any("\x00" in text for text in _strings(getattr(body, name)))
    }
    if nul:
        raise validation_error(nul)
    return body


# ---------------------------------------------------------------- running an operation


def _run(operation: Operation, actor: Actor, ids: dict[str, int], query: QueryParams, body: BaseModel | None):
    try:
        with session_scope() as session:
            result = operation.function(Call(session=session, actor=actor, ids=ids, query=query, body=body))
            if not isinstance(result, Result):
                result = Result(body=result)
            payload = operation.adapter.dump_python(result.body, mode="json") if operation.adapter else None
        return payload, result.headers
    except DomainError as exc:
        raise from_domain_error(exc) from None
    except sa.exc.IntegrityError:
        log.exception("API %s %s: integrity error", operation.method, operation.path)
        raise ApiError(409, "The change conflicts with data saved at the same time. Try again.") from None
    except sa.exc.DataError:
        log.exception("API %s %s: the database refused a value", operation.method, operation.path)
        raise validation_error({"body": "The database refused a value."}, "A value is not accepted.") from None
    except sa.exc.OperationalError:
        log.exception("API %s %s: the database is unavailable", operation.method, operation.path)
        raise ApiError(503, "The database is unavailable. Try again shortly.") from None


def _method_not_allowed(allowed: list[str]) -> Response:
    return problem_response(
        405,
        f"Use {', '.join(allowed)} on this path.",
        headers={"Allow": ", ".join(allowed)},
    )


def _endpoint(operations: dict[str, Operation]):
    allowed = sorted(operations)

    async def endpoint(request: Request) -> Response:
        operation = operations.get(request.method)
        if operation is None:
            return _method_not_allowed(allowed)
        try:
            token = bearer_token(request)
            actor = await run_in_threadpool(_authenticate, token)
            ids = _path_ids(operation, request)
            _check_query(request.query_params)
            body = None
            if operation.body is not None:
                _check_media_type(request)
                body = parse_body(operation.body, await _read_body(request))
            payload, headers = await run_in_threadpool(_run, operation, actor, ids, request.query_params, body)
        except ApiError as exc:
            return exc.response()
        except Exception:  # a bug: still a problem document, and in the log
            log.exception("API %s %s failed", request.method, request.url.path)
            return problem_response(500, "Something went wrong on our side.")
        headers = {"Cache-Control": "no-store", **headers}
        if operation.response is None:
            return Response(status_code=operation.status, headers=headers)
        return JSONResponse(payload, status_code=operation.status, headers=headers)

    return endpoint


async def _unknown_path(request: Request) -> Response:
    return problem_response(404, "There is no such API endpoint.")


def build_routes(operations: list[Operation], extra: list[Route]) -> list[Route]:
    """One route per path (dispatching by method, 405 for the others) and a 404 problem for the rest."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        by_path.setdefault(operation.path, {})[operation.method] = operation
    routes = [*extra]
    routes += [Route(path, _endpoint(ops), methods=ALL_METHODS) for path, ops in by_path.items()]
    routes.append(Route(PREFIX + "/{rest:path}", _unknown_path, methods=ALL_METHODS))
    return routes
