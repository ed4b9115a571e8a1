"""/security: the signed-in user's two-factor sign-in (issue 6)."""

from __future__ import annotations

import reflex as rx

from msc_app.pages.shell import app_page
from msc_app.state.security import SecurityState


def _code_field(*, label: str = "Authentication code") -> rx.Component:
    return rx.box(
        rx.el.label(label, html_for="security-code", class_name="msc-label"),
        rx.input(
            id="security-code",
            name="code",
            type="text",
            auto_complete="one-time-code",
            required=True,
            size="3",
            max_width="260px",
            aria_invalid=rx.cond(SecurityState.error != "", "true", "false"),
            aria_describedby="security-code-error",
        ),
        rx.cond(
            SecurityState.error != "",
            rx.text(SecurityState.error, id="security-code-error", color=rx.color("red", 11), size="2", role="alert"),
            rx.text(
                "A 6-digit code from your authenticator app, or a recovery code.",
                id="security-code-error",
                color=rx.color("gray", 10),
                size="1",
            ),
        ),
        display="flex",
        flex_direction="column",
        gap="6px",
    )


def _beside_input(*buttons) -> rx.Component:
    """Buttons level with the code input, not with the hint under it (the label above is ~26 px)."""
    return rx.hstack(*buttons, spacing="3", padding_top="26px")


def _code_form(*, submit: str, on_submit, color_scheme: str = "indigo") -> rx.Component:
    return rx.form(
        rx.hstack(
            _code_field(),
            _beside_input(rx.button(submit, type="submit", size="3", color_scheme=color_scheme)),
            align="start",
            spacing="3",
            wrap="wrap",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
    )


def _required_notice() -> rx.Component:
    return rx.cond(
        SecurityState.must_enrol,
        rx.callout(
            "Your organisation requires two-factor sign-in. Set it up to continue using MSC.",
            icon="shield-alert",
            color_scheme="amber",
            role="status",
            width="100%",
        ),
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        SecurityState.recovery_codes.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text("Save your recovery codes", weight="bold"),
                rx.text(
                    "Each code signs you in once if you lose your authenticator app. "
                    "They are shown only now: store them somewhere safe.",
                    size="2",
                ),
                rx.el.ul(
                    rx.foreach(
                        SecurityState.recovery_codes,
                        lambda code: rx.el.li(rx.code(code, size="3", variant="ghost")),
                    ),
                    aria_label="Recovery codes",
                    style={"columns": "2", "listStyle": "none", "padding": "0", "margin": "0"},
                ),
                rx.button("I have saved them", variant="soft", on_click=SecurityState.dismiss_codes),
                spacing="3",
            ),
            color_scheme="green",
            width="100%",
        ),
    )


def _enrolment() -> rx.Component:
    return rx.vstack(
        rx.text("1. Scan this QR code with your authenticator app, or enter the key by hand.", size="2"),
        rx.hstack(
            rx.image(
                src=SecurityState.qr_src,
                alt="QR code to add MSC to your authenticator app",
                width="200px",
                height="200px",
                background="white",
                border_radius="8px",
            ),
            rx.vstack(
                rx.text("Setup key", size="1", color=rx.color("gray", 11)),
                rx.code(SecurityState.secret, size="3", id="totp-secret", style={"wordBreak": "break-all"}),
                spacing="1",
                max_width="320px",
            ),
            spacing="5",
            align="center",
            wrap="wrap",
        ),
        rx.text("2. Enter the 6-digit code the app shows.", size="2"),
        rx.form(
            rx.hstack(
                _code_field(),
                _beside_input(
                    rx.button("Turn on", type="submit", size="3"),
                    rx.button(
                        "Cancel", type="button", variant="soft", color_scheme="gray", size="3",
                        on_click=SecurityState.cancel_enrolment,
                    ),
                ),
                align="start",
                spacing="3",
                wrap="wrap",
            ),
            on_submit=SecurityState.confirm_enrolment,
            reset_on_submit=True,
        ),
        spacing="4",
        width="100%",
    )


def _off() -> rx.Component:
    return rx.cond(
        SecurityState.enrolling,
        _enrolment(),
        rx.vstack(
            rx.text(
                "Two-factor sign-in is off. Turn it on so that a password alone cannot sign in as you.",
                size="2",
            ),
            rx.cond(
                SecurityState.error != "",
                rx.text(SecurityState.error, color=rx.color("red", 11), size="2", role="alert"),
            ),
            rx.button(
                rx.icon("smartphone", size=16), "Set up authenticator app", on_click=SecurityState.start_enrolment
            ),
            spacing="3",
        ),
    )


def _on() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("On", color_scheme="green", size="2"),
            rx.text("since ", SecurityState.enabled_on, size="2", color=rx.color("gray", 11)),
            rx.text("·", size="2", color=rx.color("gray", 9)),
            rx.text(SecurityState.recovery_left, " recovery codes left", size="2", color=rx.color("gray", 11)),
            spacing="2",
            align="center",
        ),
        rx.heading("New recovery codes", size="3", as_="h3"),
        rx.text("Makes ten new codes; the old ones stop working.", size="2", color=rx.color("gray", 11)),
        _code_form(submit="Make new codes", on_submit=SecurityState.regenerate_codes),
        rx.cond(
            SecurityState.required,
            rx.text(
                "Your organisation requires two-factor sign-in, so it cannot be turned off.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.heading("Turn off", size="3", as_="h3"),
                _code_form(submit="Turn off two-factor", on_submit=SecurityState.turn_off, color_scheme="red"),
                spacing="2",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _requirement() -> rx.Component:
    return rx.cond(
        SecurityState.can_require,
        rx.card(
            rx.vstack(
                rx.heading("Everyone in your organisation", size="4", as_="h2"),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=SecurityState.require_on,
                            on_change=SecurityState.set_requirement,
                        ),
                        rx.text("Require two-factor sign-in for every user", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                rx.text(
                    "Users without it are asked to set it up when they next sign in.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.cond(
                    SecurityState.require_error != "",
                    rx.text(SecurityState.require_error, color=rx.color("red", 11), size="2", role="alert"),
                ),
                spacing="3",
            ),
            size="3",
            width="100%",
        ),
    )


@app_page(route="/security", title="Security", on_load=[SecurityState.on_load])
def security_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Security", size="7", as_="h1"),
        _required_notice(),
        _recovery_codes(),
        rx.card(
            rx.vstack(
                rx.heading("Two-factor sign-in", size="4", as_="h2"),
                rx.cond(SecurityState.enabled, _on(), _off()),
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        _requirement(),
        spacing="5",
        width="100%",
        max_width="760px",
    )
