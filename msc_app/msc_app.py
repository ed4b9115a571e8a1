"""Builds the Reflex app; pages register themselves through ``pages.shell``."""

import reflex as rx

from msc_app.api import build_api
from msc_app.exception_handler import backend_exception_handler
from msc_app.live import live_updates
from msc_app.mail_sender import outbox_sender
from msc_app.pages import (  # noqa: F401  (registers the routes)
    contracts,
    customer_detail,
    customers,
    index,
    invite,
    profile,
    security,
    signin,
    users,
)

app = rx.App(
    api_transformer=build_api(),
    backend_exception_handler=backend_exception_handler,
    stylesheets=["/msc.css"],
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.script(src="/msc-resize.js", defer=True),
        rx.script(src="/msc-export.js", defer=True),
        rx.script(src="/msc-table.js", defer=True),
    ],
)
app.register_lifespan_task(outbox_sender)
app.register_lifespan_task(live_updates)
