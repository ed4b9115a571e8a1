"""LIST-5: the Filters button, its panel (Apply / Reset) and the chips of the applied filters."""

from __future__ import annotations

import reflex as rx

from msc_app.state.customer_filters import ANY, FilterPanelState
from msc_app.state.customers import CustomersState

P = FilterPanelState


def _check(kind: str, value, label) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=P.draft.get(kind, []).contains(value),
                on_change=lambda checked: P.toggle(kind, value, checked),
                aria_label=label,
            ),
            rx.text(label, size="2"),
            align="center",
            spacing="2",
        ),
        key=f"{kind}-{value}",
    )


def _group(title: str, *children, columns: str = "2") -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text(title, size="2", weight="bold"), padding_bottom="6px"),
        rx.grid(*children, columns=columns, spacing="2", width="100%"),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def _strings(kind: str, values) -> rx.Component:
    return rx.foreach(values, lambda v: _check(kind, v, v))


def _narrow(label: str, value, options, on_change) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.select.root(
            rx.select.trigger(aria_label=f"Narrow plans by {label}", width="100%"),
            rx.select.content(
                rx.select.item(f"Any {label.lower()}", value=ANY),
                rx.foreach(options, lambda o: rx.select.item(o, value=o)),
            ),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
        width="100%",
    )


def _plans() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text("Service Plans", size="2", weight="bold"), padding_bottom="6px"),
        rx.grid(
            _narrow("Product", P.narrow_product, P.products, P.set_narrow_product),
            _narrow("Edition", P.narrow_edition, P.editions, P.set_narrow_edition),
            _narrow("Workload", P.narrow_workload, P.workloads, P.set_narrow_workload),
            columns="3",
            spacing="2",
            width="100%",
        ),
        rx.box(
            rx.cond(
                P.shown_plans.length() > 0,
                rx.grid(
                    rx.foreach(P.shown_plans, lambda p: _check("service_plans", p.value, p.label)),
                    columns="2",
                    spacing="2",
                    width="100%",
                ),
                rx.text("No service plan matches.", size="2", color=rx.color("gray", 11)),
            ),
            max_height="160px",
            overflow_y="auto",
            padding_top="8px",
            width="100%",
        ),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def _status() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text("Status", size="2", weight="bold"), padding_bottom="6px"),
        rx.radio_group.root(
            rx.hstack(
                rx.el.label(rx.hstack(rx.radio_group.item(value=ANY), rx.text("Any", size="2"), spacing="2", align="center")),
                rx.foreach(
                    P.statuses,
                    lambda s: rx.el.label(
                        rx.hstack(rx.radio_group.item(value=s.value), rx.text(s.label, size="2"), spacing="2", align="center"),
                        key=s.value,
                    ),
                ),
                spacing="4",
            ),
            value=rx.cond(P.draft_status == "", ANY, P.draft_status),
            on_change=P.set_draft_status,
            aria_label="Onboarding status",
        ),
        border="none",
        padding="0",
        margin="0",
    )


def filter_panel() -> rx.Component:
    """The Filters button (with the number of applied filters) and its panel."""
    return rx.fragment(
        rx.button(
            rx.icon("list-filter", size=16),
            "Filters",
            rx.cond(
                CustomersState.filter_count > 0,
                rx.badge(CustomersState.filter_count, variant="solid", radius="full", size="1"),
            ),
            variant="soft",
            color_scheme="gray",
            size="3",
            on_click=P.open_panel,
            aria_haspopup="dialog",
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Filters"),
                rx.dialog.description(
                    "Show only the customers that match. Within a group any choice matches; across groups all must.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.scroll_area(
                    rx.vstack(
                        _group("Products", _strings("products", P.products), columns="3"),
                        _plans(),
                        _group("Storage Regions", _strings("storage_regions", P.regions), columns="3"),
                        _group("Tenant Type", _strings("tenant_types", P.tenant_types), columns="3"),
                        rx.cond(
                            P.admins.length() > 0,
                            _group(
                                "Tenant Admin",
                                rx.foreach(P.admins, lambda a: _check("tenant_admins", a.value, a.label)),
                                columns="3",
                            ),
                        ),
                        rx.grid(
                            _status(),
                            _group("Source Data", _strings("source_data", P.source_data), columns="2"),
                            columns="2",
                            spacing="4",
                            width="100%",
                        ),
                        spacing="5",
                        width="100%",
                        padding_right="12px",
                    ),
                    type="auto",
                    scrollbars="vertical",
                    max_height="60vh",
                    padding_top="12px",
                ),
                rx.hstack(
                    rx.button("Reset", variant="ghost", color_scheme="gray", on_click=P.reset_filters),
                    rx.spacer(),
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(rx.icon("check", size=16), "Apply", on_click=P.apply),
                    width="100%",
                    align="center",
                    padding_top="16px",
                ),
                max_width="760px",
            ),
            open=P.panel_open,
            on_open_change=P.set_panel_open,
        ),
    )


def filter_chips() -> rx.Component:
    """The applied filters, each removable; Clear all removes them together."""
    return rx.cond(
        CustomersState.chips.length() > 0,
        rx.hstack(
            rx.text("Filtered by", size="2", color=rx.color("gray", 11)),
            rx.foreach(
                CustomersState.chips,
                lambda chip: rx.badge(
                    chip.label,
                    rx.el.button(
                        rx.icon("x", size=12),
                        on_click=CustomersState.remove_filter(chip.kind, chip.value),
                        aria_label=f"Remove filter {chip.label}",
                        class_name="msc-chip-remove",
                        type="button",
                    ),
                    variant="soft",
                    color_scheme="indigo",
                    size="2",
                    radius="full",
                    key=f"{chip.kind}-{chip.value}",
                    data_testid="filter-chip",
                ),
            ),
            rx.button("Clear all", variant="ghost", size="1", color_scheme="gray", on_click=CustomersState.clear_filters),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
    )
