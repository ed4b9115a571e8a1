"""/users: the users in scope, inviting and deactivating them (AUTH-3)."""

from __future__ import annotations

import reflex as rx

from msc_app.components.users import deactivate_dialog, invite_dialog, no_users_page, users_card, users_header
from msc_app.pages.shell import app_page
from msc_app.state.users import UsersState


@app_page(route="/users", title="Users", on_load=[UsersState.on_load])
def users_page() -> rx.Component:
    return rx.vstack(
        rx.cond(
            UsersState.no_access != "",
            rx.fragment(rx.heading("Users", size="7", as_="h1"), no_users_page()),
            rx.fragment(users_header(), users_card(), invite_dialog(), deactivate_dialog()),
        ),
        spacing="5",
        width="100%",
    )
