"""Bulk actions on the customers list (issue 8): the row checkboxes, the selection bar and the dialog."""

from __future__ import annotations

import reflex as rx

from msc_app.components.customer_form import plan_items, select_field
from msc_app.services.bulk import BulkAction
from msc_app.state.customer_bulk import EXPORT_REPORT_FORM_ID, PRODUCT_TYPE_CHOICES, BulkState

B = BulkState


def _selectable(row, own_account_id) -> rx.Var:
    """Customers only: not context rows (LIST-6), resellers, nor the tenant the user works as."""
    return ~row.is_context & ~row.is_reseller & (row.id != own_account_id)


def row_checkbox(row) -> rx.Component:
    """The leading cell of a row: its checkbox, for those who may change products."""
    return rx.cond(
        B.can_select & _selectable(row, B.current_account_id),
        rx.checkbox(
            checked=B.selection.all_matching | B.selection.ids.contains(row.id),
            on_change=lambda checked: B.toggle_row(row.id, checked),
            aria_label=f"Select {row.name}",
            data_testid="select-row",
        ),
    )


def page_checkbox() -> rx.Component:
    """The header's checkbox: every selectable row of this page (mixed when some are)."""
    state = B.selection.page
    return rx.checkbox(
        checked=rx.cond(state == "all", True, rx.cond(state == "some", "indeterminate", False)).to(bool),
        on_change=B.toggle_page,
        disabled=B.selection.page_selectable == 0,
        aria_label="Select all customers on this page",
        data_testid="select-page",
    )


LEADING = (("Select", row_checkbox, page_checkbox),)


def _count_text() -> rx.Component:
    sel = B.selection
    return rx.text(
        rx.cond(
            sel.all_matching,
            rx.fragment("All ", rx.el.strong(B.matching_count), " matching customers are selected."),
            rx.cond(
                sel.count == 1,
                rx.fragment(rx.el.strong("1"), " customer selected."),
                rx.fragment(rx.el.strong(sel.count), " customers selected."),
            ),
        ),
        size="2",
        role="status",
    )


def _select_all_offer() -> rx.Component:
    """Gmail's pattern: the whole page is ticked, offer every customer the view matches."""
    sel = B.selection
    return rx.cond(
        ~sel.all_matching & (sel.page == "all") & (B.matching_count > sel.count),
        rx.hstack(
            rx.text(f"All {sel.page_selectable} on this page are selected.", size="2", color=rx.color("gray", 11)),
            rx.button(
                f"Select all {B.matching_count} matching customers",
                variant="ghost",
                size="2",
                on_click=B.select_all_matching,
            ),
            spacing="2",
            align="center",
        ),
    )


def _action_button(label: str, icon: str, action: str, color: str = "indigo") -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        label,
        variant="soft",
        color_scheme=color,
        size="2",
        on_click=B.open_action(action),
        aria_haspopup="dialog",
        high_contrast=color != "indigo",  # amber and green soft text is too light otherwise (axe)
    )


def _export_button() -> rx.Component:
    button = rx.button(
        rx.cond(B.export_running, rx.spinner(size="1"), rx.icon("download", size=14)),
        "Export",
        variant="soft",
        color_scheme="gray",
        size="2",
        on_click=B.export_selection,
        disabled=B.export_running | ~B.selection.all_matching,
    )
    return rx.cond(
        B.selection.all_matching,
        button,
        rx.tooltip(button, content="Select all matching customers to export them"),
    )


def _export_report_form() -> rx.Component:
    """The hidden form assets/msc-export.js reports the download's progress through."""
    return rx.form(
        rx.el.input(type="hidden", name="rows"),
        rx.el.input(type="hidden", name="total"),
        rx.el.input(type="hidden", name="done"),
        rx.el.input(type="hidden", name="error"),
        id=EXPORT_REPORT_FORM_ID,
        on_submit=B.export_report,
        reset_on_submit=False,
        display="none",
    )


def bulk_bar() -> rx.Component:
    """The selection bar above the table: how many are selected, "Select all N matching", the actions."""
    sel = B.selection
    return rx.box(
        _export_report_form(),
        rx.cond(
            B.can_select & (sel.count > 0),
            rx.hstack(
                rx.hstack(
                    rx.icon("square-check", size=18, color=rx.color("indigo", 11)),
                    _count_text(),
                    _select_all_offer(),
                    rx.button("Clear selection", variant="ghost", color_scheme="gray", size="2", on_click=B.clear_selection),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    data_testid="bulk-selection",
                ),
                rx.spacer(),
                rx.hstack(
                    _action_button("Assign service plan", "layers", BulkAction.ASSIGN_PLAN),
                    _action_button("Suspend products", "pause", BulkAction.SUSPEND, "amber"),
                    _action_button("Activate products", "play", BulkAction.ACTIVATE, "green"),
                    _export_button(),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    B.export_running | (B.export_message != ""),
                    rx.text(
                        rx.cond(B.export_running, f"Exporting… {B.export_rows} of {B.export_total}", B.export_message),
                        size="1",
                        color=rx.color("gray", 11),
                        role="status",
                    ),
                ),
                align="center",
                width="100%",
                wrap="wrap",
                spacing="3",
                padding="10px 14px",
                border_radius="var(--radius-3)",
                background=rx.color("indigo", 2),
                border=f"1px solid {rx.color('indigo', 6)}",
            ),
        ),
        width="100%",
        on_mount=B.prepare,
    )


# ---------------------------------------------------------------- the dialog


def _choose_plan() -> rx.Component:
    return rx.vstack(
        select_field(
            label="Service plan",
            name="bulk_plan",
            options=plan_items(B.plans),
            error=B.errors.get("service_plan_id", ""),
            placeholder="Choose a service plan",
            value=B.plan_id,
            on_change=B.set_plan_id,
        ),
        select_field(
            label="Products",
            name="bulk_product_type",
            options=[rx.select.item(label, value=value) for value, label in PRODUCT_TYPE_CHOICES],
            error=B.errors.get("product_type", ""),
            value=B.product_type,
            on_change=B.set_product_type,
        ),
        rx.text(
            "Each customer's products are checked like a change made on its page: a plan its reseller does not "
            "sell, or that does not include a product, is refused for that customer only.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
            rx.button("Continue", on_click=B.review, disabled=B.plan_id == ""),
            justify="end",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _what() -> rx.Component:
    return rx.match(
        B.action,
        (
            BulkAction.ASSIGN_PLAN,
            rx.text(
                "Assign ",
                rx.el.strong(B.plan_name),
                " to ",
                rx.cond(B.product_type == "all", "all products", f"the {B.product_type} products"),
                " of the selected customers.",
                size="2",
            ),
        ),
        (BulkAction.SUSPEND, rx.text("Suspend every active product of the selected customers.", size="2")),
        (BulkAction.ACTIVATE, rx.text("Activate every suspended product of the selected customers.", size="2")),
        rx.fragment(),
    )


def _confirm() -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.callout.text(
                "This changes ",
                rx.el.strong(f"{B.affected} ", rx.cond(B.affected == 1, "customer", "customers")),
                ".",
                data_testid="bulk-confirm-count",
            ),
            color_scheme="amber",
            high_contrast=True,
            width="100%",
        ),
        _what(),
        rx.text(
            "Customers a rule protects (such as the Sandbox) are left unchanged and listed afterwards; the others proceed. "
            "Every change is recorded in each customer's activity.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            rx.cond(
                B.action == BulkAction.ASSIGN_PLAN,
                rx.button("Back", variant="soft", color_scheme="gray", on_click=B.back),
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
            ),
            rx.button(
                rx.cond(B.affected == 1, f"{B.action_label} for 1 customer", f"{B.action_label} for {B.affected} customers"),
                on_click=B.run,
                color_scheme=rx.cond(B.action == BulkAction.SUSPEND, "amber", "indigo"),
                auto_focus=True,
            ),
            justify="end",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _running() -> rx.Component:
    return rx.vstack(
        rx.progress(value=B.percent, max=100, aria_label="Bulk action progress", width="100%"),
        rx.text(
            f"Processed {B.processed} of {B.affected} customers…",
            size="2",
            color=rx.color("gray", 11),
            role="status",
            data_testid="bulk-progress",
        ),
        spacing="3",
        width="100%",
    )


def _failure(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name),
        rx.table.cell(row.message),
        key=row.key,
    )


def _done() -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check")),
            rx.callout.text(
                "Changed ",
                rx.el.strong(f"{B.changed} ", rx.cond(B.changed == 1, "customer", "customers")),
                f" ({B.products_changed} products).",
                rx.cond(B.unchanged > 0, f" {B.unchanged} had nothing to change.", ""),
            ),
            color_scheme="green",
            high_contrast=True,
            width="100%",
            role="status",
            data_testid="bulk-summary",
        ),
        rx.cond(
            B.failure_count > 0,
            rx.vstack(
                rx.heading(
                    rx.cond(B.failure_count == 1, "1 customer was not changed", f"{B.failure_count} customers were not changed"),
                    size="3",
                    as_="h3",
                ),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(rx.table.column_header_cell("Customer"), rx.table.column_header_cell("Reason"))
                        ),
                        rx.table.body(rx.foreach(B.failures, _failure)),
                        size="1",
                        variant="surface",
                        width="100%",
                        aria_label="Customers not changed",
                    ),
                    max_height="240px",
                    overflow_y="auto",
                    width="100%",
                ),
                rx.cond(
                    B.failure_count > B.failures.length(),
                    rx.text(f"Showing the first {B.failures.length()}.", size="1", color=rx.color("gray", 11)),
                ),
                spacing="2",
                width="100%",
                data_testid="bulk-failures",
            ),
        ),
        rx.hstack(
            rx.dialog.close(rx.button("Close", auto_focus=True)),
            justify="end",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def bulk_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(B.action_label),
            rx.dialog.description(
                rx.match(
                    B.step,
                    ("choose", "Choose the plan for the selected customers' products."),
                    ("confirm", "Check what will change before you confirm."),
                    ("running", "Changing the selected customers…"),
                    "Done.",
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.cond(
                    B.error != "",
                    rx.callout(B.error, icon="ban", color_scheme="red", role="alert", width="100%"),
                ),
                rx.match(
                    B.step,
                    ("choose", _choose_plan()),
                    ("confirm", _confirm()),
                    ("running", _running()),
                    _done(),
                ),
                spacing="3",
                padding_top="12px",
                width="100%",
            ),
            max_width="560px",
        ),
        open=B.dialog_open,
        on_open_change=B.set_dialog_open,
    )


# For data_table(leading=LEADING, leading_visible=LEADING_VISIBLE): only those who may change products see checkboxes.
LEADING_VISIBLE = B.can_select
