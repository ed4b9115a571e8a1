"""/customers, the home page: the customers in scope, paged on the server (LIST-1, LIST-4)."""

from __future__ import annotations

import reflex as rx

from msc_app.components import bulk as bulk_ui
from msc_app.components.contracts import contracts_popover
from msc_app.components.create_customer import create_customer_dialog
from msc_app.components.data_table import Column, column_width_form, data_table, pager, popup_anchor
from msc_app.components.edit_customer import delete_customer_dialog, edit_customer_dialog
from msc_app.components.export_dialog import export_dialog
from msc_app.components.filter_panel import filter_chips, filter_panel
from msc_app.components.forms import dialog_actions
from msc_app.components.onboarding import task_list_dialog
from msc_app.components.saved_views import saved_views_menu
from msc_app.components.search_box import search_box
from msc_app.components.status import contract_counts, source_data_tag, status_ring, tag
from msc_app.components.text import cell_text
from msc_app.pages.shell import app_page
from msc_app.services.preferences import CUSTOMER_COLUMNS, DENSITIES
from msc_app.state.contracts import ContractPreviewState
from msc_app.state.customer_edit import DeleteCustomerState, EditCustomerState
from msc_app.state.customers import CustomersState
from msc_app.state.onboarding import OnboardingState
from msc_app.state.tenants import TenantSwitchState


def _expiry(row) -> rx.Component:
    """The licence expiry date, flagged when it has passed or is within 30 days."""
    return rx.el.span(
        cell_text(row.license_expiry),
        rx.match(
            row.license_state,
            ("expired", tag("Expired", "red")),
            ("soon", tag("Soon", "amber")),
            rx.fragment(),
        ),
        class_name="msc-cell-line",
    )


def _name_cell(row) -> rx.Component:
    """The account name on one line; LIST-6: nested under its reseller, or marked as context.
    Plain spans and CSS (assets/msc.css): no widget per row."""
    return rx.el.span(
        rx.cond(row.depth > 0, rx.icon("corner-down-right", size=14, class_name="msc-nest-icon")),
        rx.el.span(row.name, class_name="msc-name msc-trunc", title=row.name),
        rx.cond(row.is_reseller, tag("Reseller", "violet")),
        rx.cond(row.is_sandbox, tag("Sandbox", "amber")),
        rx.cond(row.is_context, tag("Context", "outline", title="Shown because customers below it match")),
        rx.cond(
            (row.parent_name != "") & (row.depth == 0),
            rx.el.span(row.parent_name, class_name="msc-parent msc-trunc", title=row.parent_name),
        ),
        class_name=rx.cond(row.depth > 0, "msc-name-cell msc-nested", "msc-name-cell"),
    )


def _may_switch(account_id) -> rx.Var:
    return (
        CustomersState.can_switch
        & (account_id != CustomersState.home_account_id)
        & (account_id != CustomersState.current_account_id)
    )


def _may_change(account_id) -> rx.Var:
    """Edit and Delete apply to tenants below the one the admin works as (the server decides again)."""
    return CustomersState.is_admin & (account_id != CustomersState.current_account_id)


ROW_MENU_ANCHOR = "msc-row-menu-anchor"
CONTRACTS_ANCHOR = "msc-contracts-anchor"


def _row_actions(row) -> rx.Component:
    """TENANT-1 switcher, LIST-2 settings gear, LIST-8 More options: plain buttons; More options
    opens the one shared menu (``_row_menu``) for this row."""
    return rx.el.div(
        rx.link(
            rx.icon("settings", size=16),
            href=f"/customers/{row.id}",
            aria_label=f"Open {row.name}",
            title="Open the details page",
            data_testid="customer-settings",
            class_name="msc-icon-link",
        ),
        rx.el.button(
            rx.icon("ellipsis", size=16),
            type="button",
            class_name="msc-icon-button",
            aria_label=f"More options for {row.name}",
            aria_haspopup="menu",
            title="More options",
            data_testid="row-more-options",
            data_msc_opens=ROW_MENU_ANCHOR,
            on_click=CustomersState.open_row_menu(row.id),
        ),
        rx.cond(
            _may_switch(row.id),
            rx.el.button(
                rx.icon("arrow-right-left", size=16),
                type="button",
                class_name="msc-icon-button",
                aria_label=f"Switch to {row.name}",
                title="Switch to this tenant",
                data_testid="switch-tenant",
                on_click=TenantSwitchState.switch_into(row.id),
            ),
        ),
        class_name="msc-row-actions",
    )


def _row_menu() -> rx.Component:
    """LIST-8: the one More options menu of the list, outside the rows. A row's button notes itself
    (assets/msc-table.js places the hidden anchor over it, and focus goes back to it on close) and
    opens this menu for its row (``CustomersState.row_menu_id``)."""
    account_id = CustomersState.row_menu_id
    return rx.menu.root(
        rx.menu.trigger(popup_anchor(ROW_MENU_ANCHOR)),
        rx.menu.content(
            rx.cond(
                _may_change(account_id),
                rx.fragment(
                    rx.menu.item(rx.icon("pencil", size=14), "Edit", on_select=EditCustomerState.open_for(account_id)),
                    rx.menu.item(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        color_scheme="red",
                        on_select=DeleteCustomerState.open_for(account_id),
                    ),
                ),
            ),
            rx.cond(
                _may_switch(account_id),
                rx.menu.item(
                    rx.icon("arrow-right-left", size=14),
                    "Switch to tenant",
                    on_select=TenantSwitchState.switch_into(account_id),
                ),
            ),
            rx.menu.item(
                rx.icon("file-text", size=14),
                "View contracts",
                on_select=rx.redirect(f"/contracts?account={account_id}"),
            ),
            size="2",
            align="end",
        ),
        open=CustomersState.row_menu_open,
        on_open_change=CustomersState.set_row_menu_open,
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
        rx.el.button(
            ring,
            type="button",
            class_name="msc-cell-button",
            aria_label=f"Onboarding tasks of {row.name}",
            data_testid="onboarding-trigger",
            on_click=OnboardingState.open_for(row.id),
        ),
    )


def _contracts_cell(row) -> rx.Component:
    """CONTRACT-1: the counts by status; a click opens the one shared pop-up (``_contracts_popup``)."""
    return rx.cond(
        row.contract_labels.length() > 0,
        rx.el.button(
            contract_counts(row.contract_labels),
            type="button",
            class_name="msc-cell-button",
            aria_label=f"Contracts of {row.name}",
            aria_haspopup="dialog",
            data_testid="contracts-trigger",
            data_msc_opens=CONTRACTS_ANCHOR,
            data_msc_toggles="true",
            on_click=ContractPreviewState.load(row.id),
        ),
        contract_counts(row.contract_labels),
    )


def _contracts_popup() -> rx.Component:
    return contracts_popover(
        anchor_id=CONTRACTS_ANCHOR,
        items=ContractPreviewState.items,
        total=ContractPreviewState.total,
        account_id=ContractPreviewState.account_id,
        account_name=ContractPreviewState.account_name,
        loading=ContractPreviewState.loading,
        error=ContractPreviewState.error,
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
    "customer_name": (lambda row: cell_text(row.customer_name), "130px"),
    "organization": (lambda row: cell_text(row.organization), "140px"),
    "products": (lambda row: cell_text(row.products), "150px"),
    "service_plan": (lambda row: cell_text(row.service_plan), "140px"),
    "edition": (lambda row: cell_text(row.edition), "100px"),
    "storage_regions": (lambda row: cell_text(row.storage_regions), "130px"),
    "tenant_type": (lambda row: cell_text(row.tenant_type), "100px"),
    "tenant_admin": (lambda row: cell_text(row.tenant_admins), "140px"),
    "admin": (lambda row: cell_text(row.admin), "130px"),
    "status": (_status_cell, "90px"),
    "source_data": (lambda row: source_data_tag(row.source_data), "110px"),
    "contracts": (_contracts_cell, "120px"),
    "credit_quota": (lambda row: cell_text(row.credit_quota), "100px"),
    "quota_effective": (lambda row: cell_text(row.quota_effective), "120px"),
    "quota_end": (lambda row: cell_text(row.quota_end), "120px"),
    "license_expiry": (_expiry, "140px"),
    "consumption": (lambda row: cell_text(row.consumption), "120px"),
    "created": (lambda row: cell_text(row.created), "110px"),
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
        _row_menu(),
        _contracts_popup(),
        edit_customer_dialog(),
        delete_customer_dialog(),
        _onboarding_dialog(),
        bulk_ui.bulk_dialog(),
        spacing="5",
        width="100%",
    )
