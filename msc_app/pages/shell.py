"""The shared page decorator: app shell plus the sign-in redirect for protected pages."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from msc_app.components.shell import app_shell
from msc_app.state.session import SessionState, is_page_gate


def app_page(*, route: str, title: str, on_load: list | None = None):
    """Register a protected page: the session check runs first, then the page's own loaders.

    When the page's first loader is a ``guarded(page=True)`` seam it is the session check, so a page load
    is one event with one actor lookup; otherwise ``SessionState.require_session`` runs first."""
    loaders = list(on_load or [])
    if not (loaders and is_page_gate(loaders[0])):
        loaders.insert(0, SessionState.require_session)

    def decorator(build: Callable[[], rx.Component]):
        @rx.page(
            route=route,
            title=f"{title} · MSC",
            on_load=loaders,
        )
        def page() -> rx.Component:
            return app_shell(build())

        page.__name__ = build.__name__
        return page

    return decorator


def public_page(*, route: str, title: str, on_load: list | None = None):
    """Register a page that needs no session (sign-in, first run)."""

    def decorator(build: Callable[[], rx.Component]):
        return rx.page(route=route, title=f"{title} · MSC", on_load=on_load or [])(build)

    return decorator
