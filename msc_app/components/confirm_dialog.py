"""Confirmation before a change that cannot be taken back (delete, suspend, ...)."""

from __future__ import annotations

import reflex as rx


def confirm_dialog(
    *,
    title,
    description,
    confirm_label,
    on_confirm,
    open,
    on_open_change,
    color_scheme="red",
    error="",
) -> rx.Component:
    """An alert dialog: what will happen, Cancel (focused first, Escape closes), and the confirming button.

    ``error`` (a Var) shows the server's refusal inside the dialog, so the user sees why nothing happened.
    """
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.cond(
                error != "",
                rx.callout(error, icon="ban", color_scheme="red", role="alert", margin_top="12px"),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(confirm_label, color_scheme=color_scheme, on_click=on_confirm),
                justify="end",
                spacing="3",
                padding_top="16px",
            ),
            max_width="480px",
        ),
        open=open,
        on_open_change=on_open_change,
    )
