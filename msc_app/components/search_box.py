"""A list's search box: Enter applies it (a form submit), Clear empties it."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx


def search_box(
    *, value: rx.Var, on_submit: Callable, on_clear: Callable, label: str, placeholder: str, width: str = "280px"
) -> rx.Component:
    """``value``: the applied search (re-keys the input when it changes); ``on_submit`` gets ``{"search": ...}``."""
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="search",
                placeholder=placeholder,
                default_value=value,
                key=value,
                aria_label=label,
                type="search",
                size="3",
                width=width,
            ),
            rx.cond(
                value != "",
                rx.button("Clear", variant="ghost", color_scheme="gray", type="button", on_click=on_clear),
            ),
            spacing="2",
            align="center",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        flex="0 0 auto",
    )
