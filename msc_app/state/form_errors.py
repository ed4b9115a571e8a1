"""Turning a service's refusal into what a dialog shows: errors under fields, or one banner."""

from __future__ import annotations

from msc_app.services.errors import DomainError, ValidationError

# Service field names that a form shows under another name.
_FORM_NAMES = {"tenant_admin_user_ids": "tenant_admins"}


def form_errors(exc: DomainError) -> tuple[dict[str, str], str]:
    """(errors by form field, banner message) for a refused change."""
    if isinstance(exc, ValidationError):
        return {_FORM_NAMES.get(k, k): v for k, v in exc.errors.items()}, ""
    if exc.field:
        return {_FORM_NAMES.get(exc.field, exc.field): exc.message}, ""
    return {}, exc.message


def checked_ids(form_data: dict, prefix: str) -> list[str]:
    """The ids of the ticked checkboxes named ``<prefix><id>``."""
    return [
        key.removeprefix(prefix)
        for key, value in form_data.items()
        if key.startswith(prefix) and value in ("on", True, "true")
    ]
