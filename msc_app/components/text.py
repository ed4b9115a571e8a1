"""Small text pieces every page shares: a value or a dash for "none", and a labelled fact."""

from __future__ import annotations

import reflex as rx


def dash() -> rx.Component:
    """What an empty value shows: a dash, dark enough to pass the contrast check (gray 11)."""
    return rx.text("—", size="2", color=rx.color("gray", 11))


def value_or_dash(value) -> rx.Component:
    return rx.cond(value != "", rx.text(value, size="2"), dash())


def cell_text(value) -> rx.Component:
    """A table cell's text on one line: cut with an ellipsis (assets/msc.css .msc-trunc), the full
    text in its title (hover) and shown whole while the row has focus (UX-1); a dash for none."""
    return rx.cond(
        value != "",
        rx.el.span(value, class_name="msc-trunc", title=value),
        rx.el.span("—", class_name="msc-dash"),
    )


def fact(label: str, value, **props) -> rx.Component:
    """A small grey label above its value (Account Details, Service Plan)."""
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 10), weight="medium"),
        value_or_dash(value),
        spacing="1",
        align="start",
        **props,
    )
