"""The details page's Service Plan card (DETAIL-2) and Products card (DETAIL-5), with their dialogs.

The page places ``service_plan_card()`` and ``products_card()``; the Add/Edit
Product dialog and the Delete/Suspend/Activate confirmation live inside the
Products card. Controls follow ``ProductsState``'s answers (viewers get none;
the Sandbox gets no Delete, Suspend or Activate), and the server decides
again on every change.
"""

from __future__ import annotations

import reflex as rx

from msc_app.components.confirm_dialog import confirm_dialog
from msc_app.components.customer_form import plan_items, quota_fields, select_field, tenant_type_items
from msc_app.components.forms import dialog_actions, field_error, form_error_banner, form_field
from msc_app.components.text import fact
from msc_app.state.customer_products import REGION_PREFIX, ProductsState

S = ProductsState
STATUS_COLORS = {"Active": "green", "Suspended": "amber"}


def _error(key: str) -> rx.Var:
    return S.errors.get(key, "")


def product_status_badge(status: rx.Var | str) -> rx.Component:
    """Active green, Suspended amber."""
    return rx.badge(
        status,
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        size="1",
        white_space="nowrap",
    )


def _add_button(*, variant: str = "solid") -> rx.Component:
    """DETAIL-5: only while the actor may add and a product type is still missing."""
    return rx.cond(
        S.can_add_product,
        rx.button(
            rx.icon("plus", size=14),
            "Add Product",
            variant=variant,
            size="2",
            on_click=S.open_add,
            aria_haspopup="dialog",
        ),
    )


def _card_header(title: str, *trailing) -> rx.Component:
    return rx.hstack(rx.heading(title, size="4", as_="h2"), rx.spacer(), *trailing, width="100%", align="center")


def _empty(text: str) -> rx.Component:
    return rx.vstack(
        rx.icon("package", size=24, color=rx.color("gray", 9)),
        rx.text(text, size="2", color=rx.color("gray", 11)),
        _add_button(variant="soft"),
        align="center",
        spacing="2",
        padding="16px",
        width="100%",
    )


# ---------------------------------------------------------------- DETAIL-2: Service Plan




def _plan_block(row) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.heading(row.product_type, size="3", as_="h3"),
                rx.cond(row.suspended, product_status_badge(row.status)),
                rx.spacer(),
                rx.cond(
                    S.can_manage,
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Edit",
                        variant="soft",
                        size="1",
                        on_click=S.open_edit(row.id),
                        aria_label=f"Edit service plan of {row.product_type}",
                        aria_haspopup="dialog",
                    ),
                ),
                align="center",
                width="100%",
            ),
            rx.grid(
                fact("Plan", row.plan_name),
                fact("Edition", row.edition),
                fact("Storage Regions", row.regions),
                fact("License Expiry Date", row.license_expiry),
                fact("Credit Quota", row.quota, grid_column="1 / -1"),  # the longest: a line of its own
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="4",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        padding="16px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-3)",
        width="100%",
        key=row.id,
        role="group",
        aria_label=f"Service plan of {row.product_type}",
        data_testid="service-plan-block",
    )


def service_plan_card() -> rx.Component:
    """DETAIL-2: per product, its Plan, Edition, Storage Regions, License Expiry Date and Credit Quota; Edit."""
    return rx.card(
        rx.vstack(
            _card_header("Service Plan"),
            rx.cond(
                S.products.length() > 0,
                rx.grid(
                    rx.foreach(S.products, _plan_block),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="3",
                    width="100%",
                ),
                _empty("No products yet"),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        role="region",
        aria_label="Service Plan",
    )


# ---------------------------------------------------------------- DETAIL-5: Products


def _row_actions(row) -> rx.Component:
    """Edit, Suspend or Activate, Delete; on the Sandbox only Edit (SANDBOX-3)."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                aria_label=f"Actions for {row.product_type}",
                data_testid="product-actions",
            ),
        ),
        rx.menu.content(
            rx.menu.item(rx.icon("pencil", size=14), "Edit", on_select=S.open_edit(row.id)),
            rx.cond(
                S.can_remove_products,
                rx.fragment(
                    rx.cond(
                        row.suspended,
                        rx.menu.item(rx.icon("play", size=14), "Activate", on_select=S.ask("activate", row.id)),
                        rx.menu.item(rx.icon("pause", size=14), "Suspend", on_select=S.ask("suspend", row.id)),
                    ),
                    rx.menu.separator(),
                    rx.menu.item(
                        rx.icon("trash-2", size=14), "Delete", color_scheme="red", on_select=S.ask("delete", row.id)
                    ),
                ),
            ),
            size="2",
        ),
    )


def _product_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.product_type, weight="medium")),
        rx.table.cell(
            rx.vstack(
                rx.text(row.plan_name),
                rx.text(row.edition, size="1", color=rx.color("gray", 10)),
                spacing="0",
            )
        ),
        rx.table.cell(row.tenant_type),
        rx.table.cell(row.regions),
        rx.table.cell(row.user_count, text_align="right"),
        rx.table.cell(row.preserved_user_count, text_align="right"),
        rx.table.cell(product_status_badge(row.status)),
        rx.cond(S.can_manage, rx.table.cell(_row_actions(row), width="1%", white_space="nowrap")),
        key=row.id,
        data_testid="product-row",
        align="center",
    )


def _header_cell(text: str, **props) -> rx.Component:
    return rx.table.column_header_cell(text, white_space="nowrap", **props)


def _products_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    _header_cell("Product"),
                    _header_cell("Service Plan"),
                    _header_cell("Tenant Type"),
                    _header_cell("Storage Regions"),
                    _header_cell("Users", text_align="right"),
                    _header_cell("Preserved Users", text_align="right"),
                    _header_cell("Status"),
                    rx.cond(
                        S.can_manage,
                        rx.table.column_header_cell(rx.el.span("Actions", class_name="msc-sr-only"), width="1%"),
                    ),
                )
            ),
            rx.table.body(rx.foreach(S.products, _product_row)),
            variant="surface",
            size="2",
            width="100%",
            aria_label="Products",
        ),
        overflow_x="auto",
        width="100%",
    )


def products_card() -> rx.Component:
    """DETAIL-5: the customer's products (tenants), Add Product, and each row's actions; with the dialogs."""
    return rx.card(
        rx.vstack(
            _card_header("Products", _add_button()),
            rx.cond(S.products.length() > 0, _products_table(), _empty("No products yet")),
            spacing="4",
            width="100%",
        ),
        product_form_dialog(),
        product_confirm_dialog(),
        size="3",
        width="100%",
        role="region",
        aria_label="Products",
    )


# ---------------------------------------------------------------- the Add / Edit Product dialog


def _locked_value(label: str, value: rx.Var, why: str) -> rx.Component:
    """A value shown in the form but not changeable here (the Sandbox's tenant type, SANDBOX-3)."""
    return rx.vstack(
        rx.text(label, class_name="msc-label"),
        rx.hstack(
            rx.text(value, size="3", weight="medium"),
            rx.badge(rx.icon("lock", size=12), why, variant="soft", color_scheme="gray", size="1"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
        data_testid="locked-tenant-type",
    )


def _product_type_field() -> rx.Component:
    """Adding: a select of the types the customer lacks; editing: the type, which never changes."""
    return rx.cond(
        S.adding,
        select_field(
            label="Product",
            name="product_type",
            options=rx.foreach(S.missing_types, lambda t: rx.select.item(t, value=t)),
            error=_error("product_type"),
            default=S.product_type,
        ),
        rx.fragment(),
    )


def _tenant_type_field() -> rx.Component:
    return rx.cond(
        S.tenant_type_locked,
        _locked_value("Tenant Type", S.tenant_type, "Cannot be changed on the Sandbox"),
        select_field(
            label="Tenant Type",
            name="tenant_type",
            options=tenant_type_items(),
            error=_error("tenant_type"),
            default=S.tenant_type,
        ),
    )


def _region_option(choice) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                name=f"{REGION_PREFIX}{choice.name}",
                default_checked=choice.checked,
                disabled=choice.locked,
                aria_label=choice.name,
            ),
            rx.text(choice.name, size="2", color=rx.cond(choice.locked, rx.color("gray", 11), rx.color("gray", 12))),
            rx.cond(choice.locked, rx.icon("lock", size=12, color=rx.color("gray", 10), aria_hidden="true")),
            align="center",
            spacing="2",
        ),
        key=choice.name,
    )


def _regions_field() -> rx.Component:
    return rx.vstack(
        rx.text("Storage Regions", class_name="msc-label", id="product-storage-regions-label"),
        rx.grid(
            rx.foreach(S.regions, _region_option),
            columns=rx.breakpoints(initial="2", sm="3"),
            spacing="2",
            width="100%",
        ),
        rx.cond(
            S.products_on_sandbox & ~S.adding,
            rx.text(
                "Storage regions can be added to the Sandbox's products, never removed.",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        field_error(_error("storage_regions")),
        spacing="2",
        width="100%",
        role="group",
        aria_labelledby="product-storage-regions-label",
    )


def _form_body() -> rx.Component:
    return rx.vstack(
        form_error_banner(S.form_error),
        rx.grid(
            _product_type_field(),
            select_field(
                label="Service Plan",
                name="service_plan_id",
                options=plan_items(S.plans),
                error=_error("service_plan_id"),
                default=S.service_plan_id,
                placeholder="Choose a service plan",
            ),
            _tenant_type_field(),
            columns="2",
            spacing="3",
            width="100%",
        ),
        _regions_field(),
        rx.grid(
            *quota_fields(
                error=_error,
                values={
                    "credit_quota": S.credit_quota,
                    "quota_effective_date": S.quota_effective_date,
                    "quota_end_date": S.quota_end_date,
                    "license_expiry": S.license_expiry,
                },
                read_only={"license_expiry": S.license_locked},
            ),
            form_field(
                label="User Count",
                name="user_count",
                type="number",
                error=_error("user_count"),
                placeholder="0",
                default_value=S.user_count,
            ),
            form_field(
                label="Preserved User Count",
                name="preserved_user_count",
                type="number",
                error=_error("preserved_user_count"),
                placeholder="0",
                default_value=S.preserved_user_count,
            ),
            columns="2",
            spacing="3",
            width="100%",
        ),
        dialog_actions(submit_label=rx.cond(S.adding, "Add Product", "Save")),
        spacing="4",
        padding_top="8px",
    )


def product_form_dialog() -> rx.Component:
    """Add Product / Edit <product type>: one form; opened through ProductsState.open_add / open_edit."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.form_title),
            rx.dialog.description(
                rx.cond(
                    S.adding,
                    "Choose the product, its service plan, tenant type and storage regions.",
                    rx.cond(
                        S.products_on_sandbox,
                        "On the Sandbox the service plan, quota and its dates, storage regions (added, never "
                        "removed) and user counts can change; the rest is shown as it is.",
                        "Change the product's service plan, tenant type, storage regions, quota and user counts.",
                    ),
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.form(
                _form_body(),
                on_submit=S.submit,
                reset_on_submit=False,
                key=S.form_key,
            ),
            max_width="680px",
        ),
        open=S.form_open,
        on_open_change=S.set_form_open,
    )


# ---------------------------------------------------------------- Delete / Suspend / Activate


def product_confirm_dialog() -> rx.Component:
    """Delete, Suspend or Activate a product, after saying what it does."""
    return confirm_dialog(
        title=S.confirm_title,
        description=S.confirm_text,
        confirm_label=S.confirm_button,
        on_confirm=S.confirm,
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
        color_scheme=rx.match(S.confirm_action, ("delete", "red"), ("suspend", "amber"), "indigo"),
        error=S.confirm_error,
    )
