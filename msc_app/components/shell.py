"""The app shell: top bar with navigation and the avatar menu, around a page's content."""

from __future__ import annotations

import reflex as rx

from msc_app.components.brand import logo
from msc_app.components.tenant_switcher import perspective_banner, switch_dialog
from msc_app.state.session import SessionState
from msc_app.state.tenants import TenantSwitchState


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.url.path.startswith(href)
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2", weight="medium"), spacing="2", align="center"),
        href=href,
        underline="none",
        padding_x="12px",
        padding_y="6px",
        border_radius="6px",
        color=rx.cond(active, rx.color("indigo", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("indigo", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        aria_current=rx.cond(active, "page", "false"),
    )


def avatar_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.user_name.to(str)[:1], size="2", radius="full", color_scheme="indigo"),
                rx.vstack(
                    rx.text(SessionState.user_name, size="2", weight="medium", line_height="1.1"),
                    rx.text(SessionState.role_label, size="1", color=rx.color("gray", 11), line_height="1.1"),
                    spacing="0",
                    align="start",
                ),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                color_scheme="gray",
                aria_label="Account menu",
                height="auto",
                padding="4px 8px",
            ),
        ),
        rx.menu.content(
            rx.box(
                rx.text(SessionState.user_name, weight="bold", size="2"),
                rx.text(SessionState.user_email, size="1", color=rx.color("gray", 11)),
                rx.text(SessionState.tenant_name, size="1", color=rx.color("gray", 11)),
                padding="8px 12px",
            ),
            rx.menu.separator(),
            rx.cond(
                SessionState.can_switch,
                rx.menu.item(
                    rx.hstack(rx.icon("repeat", size=14), rx.text("Switch tenant"), spacing="2", align="center"),
                    on_select=TenantSwitchState.open_dialog,
                ),
            ),
            rx.menu.item(
                rx.hstack(rx.icon("circle-user", size=14), rx.text("Profile and API tokens"), spacing="2", align="center"),
                on_select=rx.redirect("/profile"),
            ),
            rx.menu.item(
                rx.hstack(rx.icon("shield-check", size=14), rx.text("Security"), spacing="2", align="center"),
                on_select=rx.redirect("/security"),
            ),
            rx.menu.item(
                rx.hstack(rx.icon("log-out", size=14), rx.text("Sign out"), spacing="2", align="center"),
                on_select=SessionState.sign_out,
            ),
            rx.menu.item(
                rx.hstack(
                    rx.icon("monitor-off", size=14), rx.text("Sign out everywhere"), spacing="2", align="center"
                ),
                on_select=SessionState.sign_out_everywhere,
            ),
            align="end",
        ),
    )


def top_bar() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(logo(size="4"), href="/customers", underline="none", color="inherit"),
            rx.el.nav(
                rx.hstack(
                    _nav_link("Customers", "/customers", "users"),
                    _nav_link("Contracts", "/contracts", "file-text"),
                    # Admins and viewers (AUTH-3); tenant admins have no Users page.
                    rx.cond(SessionState.role_label != "Tenant admin", _nav_link("Users", "/users", "user-cog")),
                    spacing="1",
                ),
                aria_label="Main",
            ),
            rx.spacer(),
            rx.badge(SessionState.tenant_name, variant="soft", color_scheme="gray", size="2"),
            avatar_menu(),
            align="center",
            spacing="5",
            width="100%",
            max_width="1600px",
            margin="0 auto",
            padding_x="24px",
            height="60px",
        ),
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        position="sticky",
        top="0",
        z_index="10",
    )


def app_shell(content: rx.Component) -> rx.Component:
    """Top bar and content; nothing of the page renders until the session is confirmed."""
    return rx.box(
        rx.cond(
            SessionState.signed_in,
            rx.fragment(
                top_bar(),
                perspective_banner(),
                switch_dialog(),
                rx.el.main(
                    content,
                    max_width="1600px",
                    margin="0 auto",
                    padding="24px",
                ),
            ),
            rx.center(rx.spinner(size="3"), height="100vh", aria_label="Loading"),
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )
