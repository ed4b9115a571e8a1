"""What a user sees when an event fails on the server (issue 7: the database or Redis went away).

Services raise ``DomainError`` for everything a user can fix, and the states show those next to
the field; anything reaching this handler is unexpected. A lost database or Redis connection is
told apart: the user reads that MSC is temporarily unavailable and that nothing was saved (every
change is one transaction, rolled back on error: ``db.session_scope``), and the next action after
the outage works again by itself (the pool checks connections before use). Anything else gets
Reflex's generic message, with the details only in the server log.
"""

from __future__ import annotations

import logging

import reflex as rx
import sqlalchemy.exc as sa_exc
from reflex.app import default_backend_exception_handler

log = logging.getLogger(__name__)

UNAVAILABLE_TITLE = "MSC is temporarily unavailable."
UNAVAILABLE_DESCRIPTION = "The database is not answering. Nothing was saved. Try again in a moment."


def _is_outage(exception: BaseException) -> bool:
    for error in _chain(exception):
        if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        module = type(error).__module__
        if module.startswith(("psycopg", "redis")) and type(error).__name__ in (
            "OperationalError",
            "InterfaceError",
            "ConnectionError",
            "TimeoutError",
        ):
            return True
        if isinstance(error, (ConnectionError, TimeoutError)):
            return True
    return False


def _chain(exception: BaseException):
    seen = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def backend_exception_handler(exception: Exception):
    if _is_outage(exception):
        log.warning("event failed during an outage: %s", exception)
        return rx.toast.error(
            UNAVAILABLE_TITLE,
            description=UNAVAILABLE_DESCRIPTION,
            id="msc-unavailable",
            position="top-center",
            duration=8000,
        )
    return default_backend_exception_handler(exception)
