"""Field validators shared by every form and the API (phone, email, required)."""

from __future__ import annotations

import email_validator
import phonenumbers


def required(value: str | None, label: str) -> str | None:
    if value is None or not str(value).strip():
        return f"{label} is required."
    return None


def email_error(value: str) -> str | None:
    if not value or not value.strip():
        return "Email is required."
    try:
        email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError:
        return "Enter a valid email address, like name@example.com."
    return None


def normalise_email(value: str) -> str:
    return email_validator.validate_email(
        value.strip(), check_deliverability=False
    ).normalized.lower()


def phone_error(value: str, *, region: str = "US") -> str | None:
    """An international or US number; empty is allowed (the caller checks 'required')."""
    if not value or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return "Enter a valid phone number, like +1 415 555 0100."
    if not phonenumbers.is_valid_number(number):
        return "Enter a valid phone number, like +1 415 555 0100."
    return None


def format_phone(value: str, *, region: str = "US") -> str:
    if not value or not value.strip():
        return ""
    number = phonenumbers.parse(value, region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
