"""The MSC logo mark and word."""

from __future__ import annotations

import reflex as rx


def logo(*, size: str = "5") -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("shield-check", size=18, color="white"),
            width="32px",
            height="32px",
            border_radius="8px",
            background=f"linear-gradient(135deg, {rx.color('indigo', 9)}, {rx.color('cyan', 9)})",
        ),
        rx.vstack(
            rx.text("MSC", weight="bold", size=size, line_height="1"),
            rx.text("Managed Services Center", size="1", color=rx.color("gray", 11), line_height="1"),
            spacing="1",
        ),
        align="center",
        spacing="3",
    )
