"""RFC 9457 problem details: every error of the REST API, as ``application/problem+json``.

``{type, title, status, detail, errors?}``: ``detail`` is the message a person reads (the same text the
UI shows for the same rule); ``errors`` maps request fields to their messages (422 only).

How service errors map (``from_domain_error``):

- ``ValidationError`` -> 422 with ``errors``; a ``DomainError`` that names a field -> 422 too;
- ``NotFound`` -> 404 (a foreign id looks exactly like a missing one, AUTH-4);
- ``PermissionDenied`` -> 403;
- ``ConcurrentChange`` (EDIT-2) -> 409 with its own type;
- any other ``DomainError`` (a rule about the resource's state: the Sandbox, a delete guard, an
  already suspended product) -> 409.
"""

from __future__ import annotations

from http import HTTPStatus

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from msc_app.services.customer_changes import ConcurrentChange
from msc_app.services.errors import DomainError, NotFound, PermissionDenied, ValidationError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_BASE = "urn:msc:problem:"

# Problem types with their own meaning; the plain HTTP ones use "about:blank" (RFC 9457 §4.2.1).
VALIDATION = _BASE + "validation-error"
RULE = _BASE + "rule-violation"
CONCURRENT_CHANGE = _BASE + "concurrent-change"
PERMISSION_DENIED = _BASE + "permission-denied"
UNAUTHORIZED = _BASE + "unauthorized"
BLANK = "about:blank"

# Field names whose service name differs from the request body's.
_BODY_FIELDS = {"tenant_admins": "tenant_admin_user_ids"}


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="A URI reference that identifies the problem type.")
    title: str = Field(description="A short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, in words a person can act on (the UI's message).")
    errors: dict[str, str] | None = Field(
        default=None, description="Validation errors: request field name -> message (422 only)."
    )


class ApiError(Exception):
    """Raised inside the API to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str = BLANK,
        title: str | None = None,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type
        self.title = title or HTTPStatus(status).phrase
        self.errors = errors
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return problem_response(
            self.status, self.detail, type=self.type, title=self.title, errors=self.errors, headers=self.headers
        )


def problem_response(
    status: int,
    detail: str,
    *,
    type: str = BLANK,
    title: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict = {"type": type, "title": title or HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def validation_error(errors: dict[str, str], detail: str | None = None) -> ApiError:
    errors = {_BODY_FIELDS.get(k, k): v for k, v in errors.items()}
    return ApiError(
        422,
        detail or next(iter(errors.values())),
        type=VALIDATION,
        title="Validation failed",
        errors=errors,
    )


def from_domain_error(exc: DomainError) -> ApiError:
    """The problem for a service's refusal, with the service's own message as ``detail``."""
    if isinstance(exc, ValidationError):
        return validation_error(dict(exc.errors), exc.message)
    if isinstance(exc, NotFound):
        return ApiError(404, exc.message)
    if isinstance(exc, PermissionDenied):
        return ApiError(403, exc.message, type=PERMISSION_DENIED, title="Permission denied")
    if isinstance(exc, ConcurrentChange):
        return ApiError(409, exc.message, type=CONCURRENT_CHANGE, title="Changed by someone else")
    if exc.field:
        return validation_error({exc.field: exc.message}, exc.message)
    return ApiError(409, exc.message, type=RULE, title="Refused by a business rule")
