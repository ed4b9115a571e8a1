"""The Users page's pieces (AUTH-3): the users table, the Invite User dialog, the Deactivate confirmation,
and the invitation page's password card.

Change controls (Invite User, Resend invitation, Deactivate, Reactivate) appear only while
``UsersState.can_manage``; the server refuses anyone else anyway.
"""

from __future__ import annotations

import reflex as rx

from msc_app.components.confirm_dialog import confirm_dialog
from msc_app.components.customer_form import select_field
from msc_app.components.data_table import pager
from msc_app.components.forms import form_dialog, form_error_banner, form_field
from msc_app.services.users import ROLE_CHOICES
from msc_app.state.users import InviteState, UsersState

S = UsersState
STATUS_COLORS = {"Pending": "amber", "Active": "green", "Deactivated": "gray"}


def user_status_badge(status_label: rx.Var | str) -> rx.Component:
    """Pending amber, Active green, Deactivated grey."""
    return rx.badge(
        status_label,
        color_scheme=rx.match(status_label, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        white_space="nowrap",
    )


# ---------------------------------------------------------------- the table


def _row_actions(user) -> rx.Component:
    return rx.hstack(
        rx.cond(
            user.status == "pending",
            rx.button(
                rx.icon("send", size=14),
                "Resend invitation",
                variant="ghost",
                size="1",
                on_click=S.resend(user.id),
                aria_label=f"Resend invitation to {user.name}",
            ),
        ),
        rx.cond(
            ~user.is_self,
            rx.cond(
                user.status == "deactivated",
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Reactivate",
                    variant="ghost",
                    size="1",
                    on_click=S.reactivate(user.id),
                    aria_label=f"Reactivate {user.name}",
                ),
                rx.button(
                    rx.icon("user-x", size=14),
                    "Deactivate",
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                    on_click=S.open_deactivate(user.id),
                    aria_label=f"Deactivate {user.name}",
                ),
            ),
        ),
        spacing="4",
        justify="end",
        white_space="nowrap",
    )


def _user_row(user) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(user.name, weight="medium"),
                rx.cond(user.is_self, rx.badge("You", variant="outline", color_scheme="indigo", size="1")),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(rx.text(user.email, size="2")),
        rx.table.cell(rx.text(user.role_label, size="2", white_space="nowrap")),
        rx.table.cell(rx.text(user.account_name, size="2")),
        rx.table.cell(user_status_badge(user.status_label)),
        rx.cond(S.can_manage, rx.table.cell(_row_actions(user), width="1%")),
        key=user.id,
        align="center",
        data_testid="user-row",
    )


def users_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Name"),
                rx.table.column_header_cell("Email"),
                rx.table.column_header_cell("Role"),
                rx.table.column_header_cell("Account"),
                rx.table.column_header_cell("Status"),
                rx.cond(
                    S.can_manage,
                    rx.table.column_header_cell(rx.el.span("Actions", class_name="msc-sr-only")),
                ),
            ),
        ),
        rx.table.body(rx.foreach(S.rows, _user_row)),
        variant="ghost",
        size="2",
        width="100%",
        aria_label="Users",
    )


def users_card() -> rx.Component:
    return rx.card(
        rx.cond(
            S.loaded,
            rx.cond(
                S.total > 0,
                users_table(),
                rx.center(rx.text("No users yet.", color=rx.color("gray", 11)), padding="48px"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%", aria_label="Loading users"),
        ),
        pager(
            page=S.page,
            page_count=S.page_count,
            first=S.first_row_number,
            last=S.last_row_number,
            total=S.total,
            on_previous=S.previous_page,
            on_next=S.next_page,
            noun="users",
        ),
        width="100%",
        size="2",
    )


def no_users_page() -> rx.Component:
    """Tenant admins have no Users page."""
    return rx.callout(S.no_access, icon="lock", color_scheme="gray", role="status", width="100%")


# ---------------------------------------------------------------- the dialogs


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "")


def invite_dialog() -> rx.Component:
    """Invite User: Email, Name, Role, Account; errors under their fields; nothing saved on error."""
    return form_dialog(
        form_field(
            label="Email",
            name="email",
            type="email",
            error=_error("email"),
            required=True,
            auto_focus=True,
            autocomplete="off",
            placeholder="name@example.com",
        ),
        form_field(label="Name", name="name", error=_error("name"), required=True, autocomplete="off"),
        select_field(
            label="Role",
            name="role",
            options=[rx.select.item(r.label, value=r.value) for r in ROLE_CHOICES],
            error=_error("role"),
            default="viewer",
        ),
        select_field(
            label="Account",
            name="account_id",
            options=rx.foreach(S.account_choices, lambda a: rx.select.item(a.label, value=a.value)),
            error=_error("account_id"),
            default=S.default_account,
        ),
        title="Invite User",
        description="The user receives an email with a link to set a password. Until then it is pending.",
        form_error=S.form_error,
        on_submit=S.submit_invite,
        form_key=S.form_key,
        open=S.invite_open,
        on_open_change=S.set_invite_open,
        submit_label="Send invitation",
    )


def deactivate_dialog() -> rx.Component:
    return confirm_dialog(
        title=f"Deactivate {S.target_name}?",
        description=(
            f"{S.target_name} is signed out everywhere and can no longer sign in. "
            "Any open invitation stops working. You can reactivate the user later."
        ),
        confirm_label="Yes, Deactivate",
        on_confirm=S.confirm_deactivate,
        open=S.deactivate_open,
        on_open_change=S.set_deactivate_open,
        error=S.deactivate_error,
    )


def users_header() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading("Users", size="7", as_="h1"),
            rx.text(
                rx.cond(
                    S.loaded,
                    rx.cond(S.can_manage, f"{S.total} in your scope", f"{S.total} in your scope · read-only"),
                    "Loading…",
                ),
                color=rx.color("gray", 11),
                size="2",
                data_testid="user-total",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(
            S.can_manage,
            rx.button(rx.icon("user-plus", size=16), "Invite User", size="3", on_click=S.open_invite),
        ),
        align="end",
        width="100%",
    )


# ---------------------------------------------------------------- /invite/[token]


def invite_password_form() -> rx.Component:
    """'Welcome, <name>': password and confirmation, errors next to the fields."""
    errors = InviteState.errors
    return rx.form(
        rx.vstack(
            form_error_banner(InviteState.form_error),
            form_field(
                label="Email",
                name="email",
                type="email",
                autocomplete="username",
                default_value=InviteState.invitee_email,
                read_only=True,
            ),
            form_field(
                label="Password",
                name="password",
                type="password",
                error=errors.get("password", ""),
                required=True,
                auto_focus=True,
                autocomplete="new-password",
                hint="At least 10 characters.",
            ),
            form_field(
                label="Confirm password",
                name="password_confirm",
                type="password",
                error=errors.get("password_confirm", ""),
                required=True,
                autocomplete="new-password",
            ),
            rx.button("Set password and sign in", type="submit", size="3", width="100%"),
            spacing="4",
            width="100%",
        ),
        on_submit=InviteState.accept,
        reset_on_submit=False,
        no_validate=True,
        width="100%",
    )


def invalid_invitation() -> rx.Component:
    return rx.vstack(
        rx.callout(InviteState.invite_message, icon="link-2-off", color_scheme="red", role="alert", width="100%"),
        rx.text(
            "Ask your administrator for a new invitation. If you already set your password, sign in.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.link("Go to sign in", href="/signin", weight="medium"),
        spacing="3",
        width="100%",
    )
