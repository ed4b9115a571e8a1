"""/customers, the home page: the customers in scope, paged on the server (LIST-1, LIST-4)."""

from __future__ import annotations

import reflex as rx

from msc_app.components import bulk as bulk_ui
from msc_app.components.contracts import contracts_popover
from msc_app.components.create_customer import create_customer_dialog
from msc_app.components.data_table import Column, column_width_form, data_table, pager
from msc_app.components.edit_customer import delete_customer_dialog, edit_customer_dialog
from msc_app.components.export_dialog import export_dialog
from msc_app.components.filter_panel import filter_chips, filter_panel
from msc_app.components.forms import dialog_actions
from msc_app.components.onboarding import task_list_dialog
from msc_app.components.saved_views import saved_views_menu
from msc_app.components.search_box import search_box
from msc_app.components.status import contract_counts, source_data_badge, status_ring
from msc_app.components.text import value_or_dash
from msc_app.pages.shell import app_page
from msc_app.services.preferences import CUSTOMER_COLUMNS, DENSITIES
from msc_app.state.contracts import ContractPreviewState
from msc_app.state.customer_edit import DeleteCustomerState, EditCustomerState
from msc_app.state.customers import CustomersState
from msc_app.state.onboarding import OnboardingState
from msc_app.state.saved_views import SavedViewsState
from msc_app.state.tenants import TenantSwitchState


def _expiry(row) -> rx.Component:
    """The licence expiry date, flagged when it has passed or is within 30 days."""
    return rx.hstack(
        value_or_dash(row.license_expiry),
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


def _name_cell(row) -> rx.Component:
    """The account name; LIST-6: nested under its reseller, or marked as context."""
    return rx.hstack(
        rx.cond(
            row.depth > 0,
            rx.icon("corner-down-right", size=14, color=rx.color("gray", 8), flex_shrink="0", margin_top="3px"),
        ),
        rx.vstack(
            rx.text(
                row.name,
                weight="medium",
                size="2",
                color=rx.cond(row.is_context, rx.color("gray", 11), rx.color("gray", 12)),
            ),
            rx.hstack(
                rx.cond(row.is_reseller, rx.badge("Reseller", color_scheme="violet", variant="soft", size="1")),
                rx.cond(row.is_sandbox, rx.badge("Sandbox", color_scheme="amber", variant="soft", size="1")),
                rx.cond(
                    row.is_context,
                    rx.tooltip(
                        rx.badge("Context", color_scheme="gray", variant="outline", size="1"),
                        content="Shown because customers below it match",
                    ),
                ),
                rx.cond(
                    (row.parent_name != "") & (row.depth == 0),
                    rx.text(row.parent_name, size="1", color=rx.color("gray", 10)),
                ),
                spacing="2",
                align="center",
            ),
            spacing="0",
            align="start",
        ),
        spacing="2",
        align="start",
        padding_left=rx.cond(row.depth > 0, "12px", "0"),
    )


def _may_switch(row) -> rx.Var:
    return (
        CustomersState.can_switch
        & (row.id != CustomersState.home_account_id)
        & (row.id != CustomersState.current_account_id)
    )


def _may_change(row) -> rx.Var:
    """Edit and Delete apply to tenants below the one the admin works as (the server decides again)."""
    return CustomersState.is_admin & (row.id != CustomersState.current_account_id)


def _row_actions(row) -> rx.Component:
    """TENANT-1 switcher, LIST-2 settings gear, LIST-8 More options."""
    return rx.hstack(
        rx.tooltip(
            rx.link(
                rx.icon("settings", size=16),
                href=f"/customers/{row.id}",
                aria_label=f"Open {row.name}",
                data_testid="customer-settings",
                class_name="msc-icon-link",
            ),
            content="Open the details page",
        ),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label=f"More options for {row.name}",
                    data_testid="row-more-options",
                ),
            ),
            rx.menu.content(
                rx.cond(
                    _may_change(row),
                    rx.fragment(
                        rx.menu.item(rx.icon("pencil", size=14), "Edit", on_select=EditCustomerState.open_for(row.id)),
                        rx.menu.item(
                            rx.icon("trash-2", size=14),
                            "Delete",
                            color_scheme="red",
                            on_select=DeleteCustomerState.open_for(row.id),
                        ),
                    ),
                ),
                rx.cond(
                    _may_switch(row),
                    rx.menu.item(
                        rx.icon("arrow-right-left", size=14),
                        "Switch to tenant",
                        on_select=TenantSwitchState.switch_into(row.id),
                    ),
                ),
                rx.menu.item(
                    rx.icon("file-text", size=14),
                    "View contracts",
                    on_select=rx.redirect(f"/contracts?account={row.id}"),
                ),
                size="2",
            ),
        ),
        rx.cond(
            _may_switch(row),
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
        spacing="3",
        align="center",
        justify="end",
    )


def _status_cell(row) -> rx.Component:
    """STATUS-1/2: the progress ring opens the onboarding task list; --- once complete."""
    ring = status_ring(
        done=row.onboarding_done,
        total=row.onboarding_total,
        percent=row.onboarding_percent,
        complete=row.onboarding_complete,
    )
    return rx.cond(
        row.onboarding_complete,
        ring,
        rx.button(
            ring,
            variant="ghost",
            color_scheme="gray",
            size="1",
            height="auto",
            padding="4px",
            aria_label=f"Onboarding tasks of {row.name}",
            data_testid="onboarding-trigger",
            on_click=OnboardingState.open_for(row.id),
        ),
    )


def _contracts_cell(row) -> rx.Component:
    """CONTRACT-1: the counts by status open a pop-up with up to three contracts."""
    return rx.cond(
        row.contract_labels.length() > 0,
        contracts_popover(
            trigger=contract_counts(row.contract_labels),
            items=ContractPreviewState.items,
            total=ContractPreviewState.total,
            account_id=ContractPreviewState.account_id,
            account_name=ContractPreviewState.account_name,
            loading=ContractPreviewState.loading,
            error=ContractPreviewState.error,
            on_open_change=lambda is_open: ContractPreviewState.toggle(row.id, is_open),
            trigger_label=f"Contracts of {row.name}",
        ),
        contract_counts(row.contract_labels),
    )


def _onboarding_dialog() -> rx.Component:
    return task_list_dialog(
        customer_name=OnboardingState.customer_name,
        tasks=OnboardingState.tasks,
        done=OnboardingState.done,
        total=OnboardingState.total,
        can_change=OnboardingState.can_change,
        on_start=OnboardingState.start,
        on_complete=OnboardingState.complete,
        open=OnboardingState.open,
        on_open_change=OnboardingState.set_open,
        error=OnboardingState.error,
    )


# Display details per column; which exist and which are default columns: services.preferences.
_RENDER = {
    "name": (_name_cell, "180px"),
    "customer_name": (lambda row: value_or_dash(row.customer_name), "130px"),
    "organization": (lambda row: value_or_dash(row.organization), "140px"),
    "products": (lambda row: value_or_dash(row.products), "150px"),
    "service_plan": (lambda row: value_or_dash(row.service_plan), "140px"),
    "edition": (lambda row: value_or_dash(row.edition), "100px"),
    "storage_regions": (lambda row: value_or_dash(row.storage_regions), "130px"),
    "tenant_type": (lambda row: value_or_dash(row.tenant_type), "100px"),
    "tenant_admin": (lambda row: value_or_dash(row.tenant_admins), "140px"),
    "admin": (lambda row: value_or_dash(row.admin), "130px"),
    "status": (_status_cell, "90px"),
    "source_data": (lambda row: source_data_badge(row.source_data), "110px"),
    "contracts": (_contracts_cell, "120px"),
    "credit_quota": (lambda row: value_or_dash(row.credit_quota), "100px"),
    "quota_effective": (lambda row: value_or_dash(row.quota_effective), "120px"),
    "quota_end": (lambda row: value_or_dash(row.quota_end), "120px"),
    "license_expiry": (_expiry, "140px"),
    "consumption": (lambda row: value_or_dash(row.consumption), "120px"),
    "created": (lambda row: value_or_dash(row.created), "110px"),
}
COLUMNS = [
    Column(c.key, c.label, render=_RENDER[c.key][0], min_width=_RENDER[c.key][1], row_header=c.key == "name")
    for c in CUSTOMER_COLUMNS
]


def _columns_dialog() -> rx.Component:
    def option(column) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(
                    name=column.key,
                    default_checked=CustomersState.visible_columns.contains(column.key),
                    disabled=column.locked,
                    aria_label=column.label,
                ),
                rx.text(column.label, size="2"),
                rx.cond(
                    column.locked,
                    rx.badge(rx.icon("lock", size=12), "Default", variant="soft", color_scheme="gray", size="1"),
                ),
                align="center",
                spacing="2",
            ),
        )

    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("columns-3", size=16), "Columns", variant="soft", color_scheme="gray", size="3"),
        ),
        rx.dialog.content(
            rx.dialog.title("Edit Columns"),
            rx.dialog.description(
                "Choose the columns you see. Name, Products and Service Plan are default columns and always shown.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.form(
                rx.vstack(
                    rx.grid(*[option(c) for c in CUSTOMER_COLUMNS], columns="3", spacing="3", width="100%"),
                    rx.text(
                        "Drag a column header's right border to resize it.",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("rotate-ccw", size=14),
                            "Reset column widths",
                            variant="ghost",
                            color_scheme="gray",
                            type="button",
                            on_click=CustomersState.reset_column_widths,
                            disabled=CustomersState.column_widths.length() == 0,
                        ),
                        rx.spacer(),
                        dialog_actions(),
                        width="100%",
                        align="center",
                    ),
                    spacing="4",
                    padding_top="12px",
                ),
                on_submit=CustomersState.save_columns,
                reset_on_submit=False,
                key=CustomersState.visible_columns.join(","),
            ),
            max_width="640px",
        ),
        open=CustomersState.columns_dialog_open,
        on_open_change=CustomersState.set_columns_dialog_open,
    )


def _density_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Density", variant="soft", color_scheme="gray"),
        rx.select.content(
            *[rx.select.item(d.capitalize(), value=d) for d in DENSITIES],
        ),
        value=CustomersState.density,
        on_change=CustomersState.set_density,
        size="3",
    )


def _search_box() -> rx.Component:
    return search_box(
        value=CustomersState.search,
        on_submit=CustomersState.apply_search,
        on_clear=CustomersState.clear_search,
        label="Search customers",
        placeholder="Search by name and press Enter",
        width="280px",
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


@app_page(route="/customers", title="Customers", on_load=[CustomersState.on_load, SavedViewsState.load_views])
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
            rx.cond(CustomersState.can_create, create_customer_dialog()),
            align="end",
            width="100%",
        ),
        rx.hstack(
            _search_box(),
            filter_panel(),
            rx.spacer(pointer_events="none"),
            saved_views_menu(),
            _density_picker(),
            _columns_dialog(),
            export_dialog(),
            align="center",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        filter_chips(),
        bulk_ui.bulk_bar(),
        rx.card(
            data_table(
                columns=COLUMNS,
                visible=CustomersState.visible_columns,
                rows=CustomersState.rows,
                row_props=lambda row: {
                    "key": row.id,
                    "data_testid": rx.cond(row.is_context, "context-row", "customer-row"),
                    "data_context": rx.cond(row.is_context, "true", "false"),
                    "align": "center",
                },
                density=CustomersState.density,
                widths=CustomersState.column_widths,
                resize_form="msc-column-width",
                trailing=(("Actions", _row_actions),),
                leading=bulk_ui.LEADING,
                leading_visible=bulk_ui.LEADING_VISIBLE,
                sort=CustomersState.sort,
                descending=CustomersState.descending,
                on_sort=CustomersState.sort_by,
                empty=_empty(),
                label="Customers",
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
        column_width_form(form_id="msc-column-width", on_submit=CustomersState.save_column_width),
        edit_customer_dialog(),
        delete_customer_dialog(),
        _onboarding_dialog(),
        bulk_ui.bulk_dialog(),
        spacing="5",
        width="100%",
    )
