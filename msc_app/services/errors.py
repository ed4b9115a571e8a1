"""Domain errors: a field name (or None) and a message a person can read."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Several field errors at once: ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = errors


class NotFound(DomainError):
    """The object does not exist, or is outside the actor's scope (AUTH-4: the same answer)."""

    def __init__(self, what: str = "Customer"):
        super().__init__(f"{what} not found.")


class PermissionDenied(DomainError):
    """The actor can see the object but its role may not do this."""

    def __init__(self, message: str = "You do not have permission to do this."):
        super().__init__(message)


class AuthenticationFailed(DomainError):
    """Sign-in failed; the message never says whether the email exists (AUTH-5)."""

    def __init__(self):
        super().__init__("Incorrect email or password.", field="password")
