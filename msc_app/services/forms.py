"""Turning form input (text) into a service schema, with field errors a person can read.

A form sends text: ``parse_form(CustomerCreate, values)`` builds the schema,
treating empty text as "no value", and reports every field that is not a
valid number, date or choice at once as a ``ValidationError`` keyed by field
name, so the UI can show each message next to its field (CREATE-2).
"""

from __future__ import annotations

from typing import TypeVar

import pydantic

from msc_app.services.errors import ValidationError

Schema = TypeVar("Schema", bound=pydantic.BaseModel)

_MESSAGES = {
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "date_from_datetime_parsing": "Enter a date like 2025-06-30.",
    "date_parsing": "Enter a date like 2025-06-30.",
    "date_type": "Enter a date like 2025-06-30.",
    "bool_parsing": "Choose yes or no.",
}


def _blank_to_none(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


def parse_form(schema: type[Schema], values: dict) -> Schema:
    """``schema`` built from ``values``; empty text counts as None (or the field's default)."""
    cleaned = {}
    for name, value in values.items():
        value = _blank_to_none(value)
        field = schema.model_fields.get(name)
        if value is None and field is not None and not field.is_required():
            default = field.get_default(call_default_factory=True)
            if default is not None:
                continue  # leave a non-null field at its default
        cleaned[name] = value
    try:
        return schema.model_validate(cleaned)
    except pydantic.ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, _MESSAGES.get(error["type"], error["msg"]))
        raise ValidationError(errors) from None
