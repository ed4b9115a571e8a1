"""/ : the customers list is the home page."""

from __future__ import annotations

import reflex as rx

from msc_app.pages.shell import public_page


@public_page(route="/", title="MSC", on_load=[rx.redirect("/customers", replace=True)])
def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")
