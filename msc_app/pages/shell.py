"""The shared page decorator: app shell plus the sign-in redirect for protected pages."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from msc_app.components.shell import app_shell
from msc_app.state.session import SessionState


def app_page(*, route: str, title: str, on_load: list | None = None):
    """Register a protected page: the session check runs first, then the page's own loaders."""

    def decorator(build: Callable[[], rx.Component]):
        @rx.page(
            route=route,
            title=f"{title} · MSC",
            on_load=[SessionState.require_session, *(on_load or [])],
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
