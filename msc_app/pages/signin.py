"""/signin and /setup (first run): AUTH-1, AUTH-2."""

from __future__ import annotations

import reflex as rx

from msc_app.components.brand import logo
from msc_app.components.forms import form_error_banner, form_field
from msc_app.pages.shell import public_page
from msc_app.state.signin import FirstRunState, SignInState


def _auth_card(*children: rx.Component, heading: str, subheading: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            logo(),
            rx.card(
                rx.vstack(
                    rx.heading(heading, size="6", as_="h1"),
                    rx.text(subheading, color=rx.color("gray", 11), size="2"),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
            ),
            rx.text("© MSC · Managed Services Center", size="1", color=rx.color("gray", 10)),
            spacing="5",
            align="center",
            width="100%",
            max_width="440px",
        ),
        min_height="100vh",
        padding="24px",
        background=f"radial-gradient(circle at 20% 0%, {rx.color('indigo', 3)}, {rx.color('gray', 2)} 60%)",
    )


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                SignInState.notice != "",
                rx.callout(SignInState.notice, icon="info", color_scheme="green", role="status", width="100%"),
            ),
            form_error_banner(SignInState.error),
            form_field(
                label="Email", name="email", type="email", autocomplete="username", required=True, auto_focus=True
            ),
            form_field(
                label="Password", name="password", type="password", autocomplete="current-password", required=True
            ),
            rx.button("Sign in", type="submit", size="3", width="100%", loading=SignInState.submitting),
            spacing="4",
            width="100%",
        ),
        on_submit=SignInState.sign_in,
        reset_on_submit=False,
        width="100%",
    )


def _code_input(*, label: str, hint: str, numeric: bool) -> rx.Component:
    """The code field: a 6-digit TOTP code (one-time-code autofill) or a recovery code."""
    extra = {"input_mode": "numeric", "pattern": "[0-9 ]*", "max_length": 7} if numeric else {"max_length": 20}
    return rx.box(
        rx.el.label(label, html_for="field-code", class_name="msc-label"),
        rx.input(
            id="field-code",
            name="code",
            type="text",
            auto_complete="one-time-code" if numeric else "off",
            required=True,
            auto_focus=True,
            size="3",
            width="100%",
            aria_describedby="field-code-hint",
            **extra,
        ),
        rx.text(hint, id="field-code-hint", color=rx.color("gray", 10), size="1"),
        display="flex",
        flex_direction="column",
        gap="6px",
        width="100%",
    )


def _code_form() -> rx.Component:
    """Two-factor: the second step, after a correct password (issue 6)."""
    return rx.form(
        rx.vstack(
            form_error_banner(SignInState.error),
            rx.cond(
                SignInState.use_recovery,
                _code_input(
                    label="Recovery code",
                    hint="One of the recovery codes you saved when you set up two-factor sign-in.",
                    numeric=False,
                ),
                _code_input(
                    label="Authentication code",
                    hint="The 6-digit code from your authenticator app.",
                    numeric=True,
                ),
            ),
            rx.button("Verify", type="submit", size="3", width="100%", loading=SignInState.submitting),
            rx.hstack(
                rx.button(
                    rx.cond(SignInState.use_recovery, "Use your authenticator app", "Use a recovery code"),
                    type="button",
                    variant="ghost",
                    size="2",
                    on_click=SignInState.toggle_recovery,
                ),
                rx.spacer(),
                rx.button(
                    "Back",
                    type="button",
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    on_click=SignInState.cancel_code,
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=SignInState.submit_code,
        reset_on_submit=True,
        width="100%",
    )


@public_page(route="/signin", title="Sign in", on_load=[SignInState.on_load])
def signin() -> rx.Component:
    return rx.cond(
        SignInState.needs_code,
        _auth_card(
            _code_form(),
            heading="Two-factor sign-in",
            subheading="Enter the code from your authenticator app to finish signing in.",
        ),
        _auth_card(
            _password_form(),
            heading="Sign in",
            subheading="Welcome back. Sign in to manage your customers.",
        ),
    )


@public_page(route="/setup", title="Set up MSC", on_load=[FirstRunState.on_load])
def setup() -> rx.Component:
    errors = FirstRunState.errors
    return _auth_card(
        rx.form(
            rx.vstack(
                form_error_banner(FirstRunState.form_error),
                form_field(label="Company name", name="distributor_name", error=errors.get("distributor_name", ""), required=True, auto_focus=True, autocomplete="organization"),
                form_field(label="Your name", name="admin_name", error=errors.get("admin_name", ""), required=True, autocomplete="name"),
                form_field(label="Email", name="email", type="email", error=errors.get("email", ""), required=True, autocomplete="email"),
                form_field(label="Password", name="password", type="password", error=errors.get("password", ""), required=True, autocomplete="new-password", hint="At least 10 characters."),
                form_field(label="Confirm password", name="password_confirm", type="password", error=errors.get("password_confirm", ""), required=True, autocomplete="new-password"),
                rx.button("Create administrator", type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=FirstRunState.create_admin,
            reset_on_submit=False,
            width="100%",
        ),
        heading="Set up your MSC",
        subheading="Create your distributor account and its first administrator. A Sandbox customer on the Default Service Plan is created with it.",
    )
