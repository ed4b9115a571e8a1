"""HTTP routes beside the Reflex event socket, mounted through ``rx.App(api_transformer=...)``."""

from starlette.applications import Starlette


def build_api() -> Starlette:
    from msc_app.api import export, health, session, v1

    return Starlette(routes=[*export.routes, *session.routes, *health.routes, *v1.routes])
