"""Form fields with their label and the error shown right next to them."""

from __future__ import annotations

import reflex as rx


def form_field(
    *,
    label: str,
    name: str,
    error: rx.Var | str = "",
    type: str = "text",
    placeholder: str = "",
    autocomplete: str = "off",
    required: bool = False,
    auto_focus: bool = False,
    hint: str = "",
    default_value: rx.Var | str | None = None,
    read_only: rx.Var | bool = False,
) -> rx.Component:
    """A labelled input; ``error`` (a Var) appears under it in red and marks it invalid."""
    field_id = f"field-{name}"
    error_id = f"{field_id}-error"
    error_var = rx.Var.create(error)
    extra = {} if default_value is None else {"default_value": default_value}
    return rx.box(
        rx.el.label(
            label,
            html_for=field_id,
            class_name="msc-label",
        ),
        rx.input(
            id=field_id,
            name=name,
            type=type,
            placeholder=placeholder,
            auto_complete=autocomplete,
            required=required,
            auto_focus=auto_focus,
            read_only=read_only,
            size="3",
            width="100%",
            aria_invalid=rx.cond(error_var != "", "true", "false"),
            aria_describedby=error_id,
            color_scheme=rx.cond(error_var != "", "red", "indigo"),
            **extra,
        ),
        rx.cond(
            error_var != "",
            rx.text(error_var, id=error_id, color=rx.color("red", 11), size="2", role="alert"),
            rx.cond(hint != "", rx.text(hint, id=error_id, color=rx.color("gray", 10), size="1")),
        ),
        display="flex",
        flex_direction="column",
        gap="6px",
        width="100%",
    )


def form_error_banner(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def dialog_actions(*, submit_label: str = "Save", disabled: rx.Var | bool = False) -> rx.Component:
    """A dialog form's footer: Cancel closes without saving, the submit button saves."""
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
        rx.button(submit_label, type="submit", disabled=disabled),
        justify="end",
        width="100%",
    )


def field_error(message: rx.Var) -> rx.Component:
    """An error under a field that is not a plain input (checkbox groups, selects)."""
    return rx.cond(message != "", rx.text(message, color=rx.color("red", 11), size="2", role="alert"))
