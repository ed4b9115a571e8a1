"""Small status displays for list cells: onboarding ring, source-data badge, contract counts."""

from __future__ import annotations

import reflex as rx

from msc_app.components.text import dash

SOURCE_DATA_COLORS = {"Success": "green", "Warning": "amber", "Failed": "red", "Not available": "gray"}


def tag(text, tone: str, **props) -> rx.Component:
    """A small coloured label drawn by CSS (assets/msc.css .msc-tag-*), not a widget: the list shows
    many of them per page. ``tone``: violet, amber, red, green, gray or outline."""
    return rx.el.span(text, class_name=f"msc-tag msc-tag-{tone}", **props)


def status_ring(*, done: rx.Var, total: rx.Var, percent: rx.Var, complete: rx.Var) -> rx.Component:
    """STATUS-1/2: a circular progress ring with done/total; ``---`` once onboarding is complete."""
    return rx.cond(
        complete,
        rx.text("---", size="2", color=rx.color("gray", 10), aria_label="Onboarding complete"),
        rx.hstack(
            rx.box(
                rx.box(
                    width="14px",
                    height="14px",
                    border_radius="50%",
                    background=rx.color("gray", 1),
                ),
                width="22px",
                height="22px",
                border_radius="50%",
                display="flex",
                align_items="center",
                justify_content="center",
                background=f"conic-gradient({rx.color('indigo', 9)} calc({percent} * 1%), {rx.color('gray', 5)} 0)",
                role="progressbar",
                aria_valuenow=done,
                aria_valuemax=total,
                aria_label="Onboarding progress",
            ),
            rx.text(f"{done}/{total}", size="2"),
            spacing="2",
            align="center",
        ),
    )


def source_data_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *SOURCE_DATA_COLORS.items(), "gray"),
        variant="soft",
        size="1",
    )


def source_data_tag(status: rx.Var) -> rx.Component:
    """The list's source-data cell: the same colours as ``source_data_badge``, as plain text + CSS."""
    return rx.el.span(
        status,
        class_name=rx.match(
            status, *[(k, f"msc-tag msc-tag-{v}") for k, v in SOURCE_DATA_COLORS.items()], "msc-tag msc-tag-gray"
        ),
    )


def contract_counts(labels: rx.Var) -> rx.Component:
    return rx.cond(
        labels.length() > 0,
        rx.el.span(
            rx.foreach(labels, lambda label: rx.el.span(label, class_name="msc-tag msc-tag-outline")),
            class_name="msc-cell-line",
        ),
        dash(),
    )
