"""Tenant switcher pieces: the dialog behind the avatar menu's "Switch tenant", the banner."""

from __future__ import annotations

import reflex as rx

from msc_app.state.tenants import TenantSwitchState


def _choice(choice) -> rx.Component:
    return rx.button(
        rx.hstack(
            rx.icon(rx.cond(choice.kind == "reseller", "building-2", "building"), size=16),
            rx.text(choice.name, size="2"),
            rx.spacer(),
            rx.badge(rx.cond(choice.kind == "reseller", "Reseller", "Customer"), variant="soft", size="1",
                     color_scheme=rx.cond(choice.kind == "reseller", "violet", "gray")),
            width="100%",
            align="center",
        ),
        variant="ghost",
        color_scheme="gray",
        width="100%",
        justify="start",
        on_click=TenantSwitchState.switch_into(choice.id),
        key=choice.id,
    )


def switch_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Switch tenant"),
            rx.dialog.description(
                "Work in a tenant's perspective: you see exactly what its own admin sees.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.cond(
                    TenantSwitchState.in_perspective,
                    rx.button(
                        rx.icon("undo-2", size=16),
                        f"Back to {TenantSwitchState.home_tenant_name}",
                        on_click=TenantSwitchState.switch_back,
                        variant="soft",
                        width="100%",
                    ),
                ),
                rx.form(
                    rx.input(
                        rx.input.slot(rx.icon("search", size=16)),
                        name="tenant_search",
                        placeholder="Find a reseller or customer, then press Enter",
                        aria_label="Find a tenant",
                        type="search",
                        width="100%",
                    ),
                    on_submit=TenantSwitchState.search,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.vstack(
                    rx.foreach(TenantSwitchState.choices, _choice),
                    rx.cond(
                        TenantSwitchState.choices.length() == 0,
                        rx.text("No tenants to switch into.", size="2", color=rx.color("gray", 11)),
                    ),
                    spacing="1",
                    width="100%",
                    max_height="320px",
                    overflow_y="auto",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                padding_top="12px",
            ),
            max_width="480px",
        ),
        open=TenantSwitchState.dialog_open,
        on_open_change=TenantSwitchState.set_dialog_open,
    )


def perspective_banner() -> rx.Component:
    return rx.cond(
        TenantSwitchState.in_perspective,
        rx.box(
            rx.hstack(
                rx.icon("eye", size=16),
                rx.text(
                    "You are working in the perspective of ",
                    rx.text.strong(TenantSwitchState.tenant_name),
                    f" ({TenantSwitchState.perspective_kind}). Everything shown is what its own admin sees.",
                    size="2",
                ),
                rx.spacer(),
                rx.button(
                    "Switch back",
                    size="1",
                    variant="solid",
                    color_scheme="amber",
                    on_click=TenantSwitchState.switch_back,
                ),
                align="center",
                spacing="2",
                max_width="1600px",
                margin="0 auto",
                padding_x="24px",
                padding_y="8px",
            ),
            background=rx.color("amber", 3),
            border_bottom=f"1px solid {rx.color('amber', 6)}",
            color=rx.color("amber", 12),
            role="status",
            data_testid="perspective-banner",
        ),
    )
