"""Pieces shared by the Create and Edit Customer dialogs."""

from __future__ import annotations

import reflex as rx


def tenant_admin_option(choice, checked: rx.Var | None = None) -> rx.Component:
    """A tenant admin's checkbox (named ``tenant_admin_<id>``), flagged when still pending (CREATE-4)."""
    extra = {} if checked is None else {"default_checked": checked}
    return rx.el.label(
        rx.hstack(
            rx.checkbox(name=f"tenant_admin_{choice.value}", aria_label=choice.label, **extra),
            rx.text(choice.label, size="2"),
            rx.cond(choice.pending, rx.badge("Pending", color_scheme="amber", variant="soft", size="1")),
            align="center",
            spacing="2",
        ),
        key=choice.value,
    )


def form_section(title: str, *children) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h3", color=rx.color("gray", 12)),
        *children,
        spacing="3",
        width="100%",
    )
