"""/customers, the home page: the customers in scope, paged on the server (LIST-1, LIST-4)."""

from __future__ import annotations

import reflex as rx

from msc_app.components.data_table import Column, data_table, pager
from msc_app.pages.shell import app_page
from msc_app.state.customers import CustomersState
from msc_app.state.tenants import TenantSwitchState

COLUMNS = [
    Column("name", "Name", "200px"),
    Column("customer_name", "Customer Name", "150px"),
    Column("organization", "Organization", "140px"),
    Column("products", "Products", "170px"),
    Column("service_plan", "Service Plan", "150px"),
    Column("tenant_type", "Tenant Type", "100px"),
    Column("storage_regions", "Storage Regions", "130px"),
    Column("license_expiry", "License Expiry", "150px"),
]


def _muted(text) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="2"), rx.text("—", size="2", color=rx.color("gray", 9)))


def _expiry(row) -> rx.Component:
    """The licence expiry date, flagged when it has passed or is within 30 days."""
    return rx.hstack(
        _muted(row.license_expiry),
        rx.match(
            row.license_state,
            ("expired", rx.badge("Expired", color_scheme="red", variant="soft", size="1")),
            ("soon", rx.badge("Soon", color_scheme="amber", variant="soft", size="1")),
            rx.fragment(),
        ),
        spacing="2",
        align="center",
        white_space="nowrap",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.text(row.name, weight="medium", size="2"),
            rx.hstack(
                rx.cond(row.is_reseller, rx.badge("Reseller", color_scheme="violet", variant="soft", size="1")),
                rx.cond(row.is_sandbox, rx.badge("Sandbox", color_scheme="amber", variant="soft", size="1")),
                rx.cond(
                    row.parent_name != "",
                    rx.text(row.parent_name, size="1", color=rx.color("gray", 10)),
                ),
                spacing="2",
                align="center",
            ),
        ),
        rx.table.cell(_muted(row.customer_name)),
        rx.table.cell(_muted(row.organization)),
        rx.table.cell(_muted(row.products)),
        rx.table.cell(_muted(row.service_plan)),
        rx.table.cell(_muted(row.tenant_type)),
        rx.table.cell(_muted(row.storage_regions)),
        rx.table.cell(_expiry(row)),
        rx.table.cell(
            rx.cond(
                CustomersState.can_switch
                & (row.id != CustomersState.home_account_id)
                & (row.id != CustomersState.current_account_id),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("arrow-right-left", size=16),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=f"Switch to {row.name}",
                        data_testid="switch-tenant",
                        on_click=TenantSwitchState.switch_into(row.id),
                    ),
                    content="Switch to this tenant",
                ),
            ),
            width="48px",
        ),
        key=row.id,
        data_testid="customer-row",
        align="center",
    )


def _search_box() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="search",
                placeholder="Search by name and press Enter",
                default_value=CustomersState.search,
                key=CustomersState.search,
                aria_label="Search customers",
                type="search",
                size="3",
                width="340px",
            ),
            rx.cond(
                CustomersState.search != "",
                rx.button("Clear", variant="ghost", color_scheme="gray", type="button", on_click=CustomersState.clear_search),
            ),
            spacing="2",
            align="center",
        ),
        on_submit=CustomersState.apply_search,
        reset_on_submit=False,
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=32, color=rx.color("gray", 9)),
            rx.text(
                rx.cond(CustomersState.search != "", "No customers match your search.", "No customers yet."),
                color=rx.color("gray", 11),
            ),
            align="center",
            spacing="2",
        ),
        padding="48px",
    )


@app_page(route="/customers", title="Customers", on_load=[CustomersState.on_load])
def customers_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading("Customers", size="7", as_="h1"),
                rx.text(
                    rx.cond(
                        CustomersState.loaded,
                        f"{CustomersState.total} in your scope",
                        "Loading…",
                    ),
                    color=rx.color("gray", 11),
                    size="2",
                    data_testid="customer-total",
                ),
                spacing="1",
            ),
            rx.spacer(),
            _search_box(),
            align="end",
            width="100%",
        ),
        rx.card(
            data_table(
                columns=COLUMNS,
                rows=CustomersState.rows,
                render_row=_row,
                sort=CustomersState.sort,
                descending=CustomersState.descending,
                on_sort=CustomersState.sort_by,
                empty=_empty(),
                label="Customers",
                trailing_headers=("Actions",),
            ),
            pager(
                page=CustomersState.page,
                page_count=CustomersState.page_count,
                first=CustomersState.first_row_number,
                last=CustomersState.last_row_number,
                total=CustomersState.total,
                on_previous=CustomersState.previous_page,
                on_next=CustomersState.next_page,
                noun="customers",
            ),
            width="100%",
            size="2",
        ),
        spacing="5",
        width="100%",
    )
