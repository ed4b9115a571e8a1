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


def form_dialog(
    *fields: rx.Component,
    title: rx.Var | str,
    description: rx.Var | str,
    form_error: rx.Var,
    on_submit: rx.EventHandler,
    open: rx.Var,
    on_open_change: rx.EventHandler,
    submit_label: rx.Var | str = "Save",
    form_key: rx.Var | str | None = None,
    max_width: str = "480px",
) -> rx.Component:
    """A dialog that is one form: title, description, the form's error banner, ``fields``, then
    Cancel / ``submit_label``; Enter submits. The server checks every field and shows its message next
    to it (CREATE-2), the same way in every browser, instead of the browser's own bubbles
    (``no_validate``). ``form_key``, where fields start from values the state read, re-creates the
    inputs when it reads new ones."""
    keyed = {} if form_key is None else {"key": form_key}
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", color=rx.color("gray", 11)),
            rx.form(
                rx.vstack(
                    form_error_banner(form_error),
                    *fields,
                    dialog_actions(submit_label=submit_label),
                    spacing="4",
                    padding_top="8px",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
                no_validate=True,
                **keyed,
            ),
            max_width=max_width,
        ),
        open=open,
        on_open_change=on_open_change,
    )
