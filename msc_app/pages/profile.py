"""/profile: who the user is, and its personal API tokens (issue 8)."""

from __future__ import annotations

import reflex as rx

from msc_app.components.confirm_dialog import confirm_dialog
from msc_app.components.customer_form import select_field
from msc_app.components.forms import form_dialog, form_field
from msc_app.pages.shell import app_page
from msc_app.state.api_tokens import EXPIRY_CHOICES, ApiTokensState as S
from msc_app.state.session import SessionState


def _fact(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="2", weight="medium"),
        spacing="1",
        min_width="180px",
    )


def _account() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your account", size="4", as_="h2"),
            rx.flex(
                _fact("Name", SessionState.user_name),
                _fact("Email", SessionState.user_email),
                _fact("Role", SessionState.role_label),
                _fact("Tenant", SessionState.home_tenant_name),
                wrap="wrap",
                gap="20px",
            ),
            spacing="4",
        ),
        size="3",
        width="100%",
    )


def _new_token() -> rx.Component:
    return rx.cond(
        S.new_token != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text(
                    "Copy the token “", S.new_token_name, "” now. It will not be shown again.",
                    weight="bold", size="2",
                ),
                rx.hstack(
                    rx.code(S.new_token, size="2", data_testid="new-api-token", word_break="break-all"),
                    rx.button(
                        rx.icon("copy", size=14), "Copy",
                        size="1", variant="soft",
                        on_click=[rx.set_clipboard(S.new_token), rx.toast.success("Copied the token.")],
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.button("Done", size="1", variant="ghost", on_click=S.dismiss_new_token),
                spacing="2",
                align="start",
            ),
            color_scheme="green",
            role="status",
            width="100%",
        ),
    )


def _token_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.name, weight="medium")),
        rx.table.cell(rx.code(row.prefix, size="1")),
        rx.table.cell(row.tenant),
        rx.table.cell(row.created),
        rx.table.cell(row.expires),
        rx.table.cell(row.last_used),
        rx.table.cell(
            rx.badge(
                row.status,
                color_scheme=rx.match(row.status, ("Active", "green"), ("Expired", "amber"), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(
            rx.cond(
                row.active,
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label=f"Revoke token {row.name}",
                    on_click=S.ask_revoke(row.id),
                ),
            ),
            text_align="right",
        ),
        align="center",
        data_testid="api-token-row",
    )


def _tokens_table() -> rx.Component:
    return rx.cond(
        S.tokens.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(text)
                            for text in ("Name", "Token", "Acts in", "Created", "Expires", "Last used", "Status")
                        ],
                        rx.table.column_header_cell(rx.el.span("Actions", class_name="msc-sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(S.tokens, _token_row)),
                variant="surface",
                size="2",
                width="100%",
                aria_label="API tokens",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(
            rx.cond(S.loaded, "No API tokens yet.", "Loading…"),
            size="2",
            color=rx.color("gray", 11),
        ),
    )


def _create_dialog() -> rx.Component:
    return form_dialog(
        form_field(
            label="Name", name="name", error=S.errors.get("name", ""), required=True, auto_focus=True,
            hint="What uses it, e.g. “PSA sync”.",
        ),
        select_field(
            label="Expires after",
            name="expires_days",
            options=[rx.select.item(label, value=value) for value, label in EXPIRY_CHOICES],
            error=S.errors.get("expires_days", ""),
            default="90",
        ),
        title="New API token",
        description=(
            f"The token acts as you, in {SessionState.tenant_name}, with exactly your permissions. "
            "Treat it like a password."
        ),
        form_error=S.form_error,
        on_submit=S.create,
        open=S.create_open,
        on_open_change=S.set_create_open,
        submit_label="Create token",
    )


def _tokens() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("API tokens", size="4", as_="h2"),
                    rx.text(
                        "Personal tokens for the REST API at /api/v1 (see /api/v1/openapi.json). "
                        "Each acts as you, in the tenant you work in when you create it.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.button(rx.icon("plus", size=14), "New token", on_click=S.open_create),
                align="start",
                width="100%",
                spacing="4",
            ),
            _new_token(),
            _tokens_table(),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


@app_page(route="/profile", title="Profile", on_load=[S.on_load])
def profile_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Profile", size="7", as_="h1"),
        _account(),
        _tokens(),
        _create_dialog(),
        confirm_dialog(
            title=f"Revoke the token “{S.revoke_name}”?",
            description="Anything that uses it stops working at once. This cannot be undone.",
            confirm_label="Yes, Revoke",
            on_confirm=S.revoke,
            open=S.revoke_open,
            on_open_change=S.set_revoke_open,
            error=S.revoke_error,
        ),
        spacing="5",
        width="100%",
        max_width="1000px",
    )
