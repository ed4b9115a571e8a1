"""The Edit Customer (EDIT-1/2) and Delete Customer (DELETE-1) dialogs, opened through their states."""

from __future__ import annotations

import reflex as rx

from msc_app.components.customer_form import form_section, tenant_admin_option
from msc_app.components.forms import dialog_actions, field_error, form_error_banner, form_field
from msc_app.state.customer_edit import DeleteCustomerState, EditCustomerState


def _error(key: str) -> rx.Var:
    return EditCustomerState.errors.get(key, "")


def _account_name() -> rx.Component:
    """CREATE-3: the account name is shown, never editable."""
    return rx.vstack(
        rx.text("Account Name", class_name="msc-label"),
        rx.hstack(
            rx.text(EditCustomerState.account_name, size="3", weight="medium"),
            rx.badge(rx.icon("lock", size=12), "Cannot be changed", variant="soft", color_scheme="gray", size="1"),
            rx.cond(
                EditCustomerState.hide_name,
                rx.badge("Customer name hidden from the vendor", variant="soft", color_scheme="violet", size="1"),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
    )


def _stale_banner() -> rx.Component:
    """EDIT-2: someone saved first; offer the newest version instead of overwriting it."""
    return rx.cond(
        EditCustomerState.stale,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.callout.text(EditCustomerState.form_error),
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Load the latest version",
                size="1",
                variant="soft",
                color_scheme="amber",
                type="button",
                on_click=EditCustomerState.reload_latest,
                width="fit-content",
            ),
            color_scheme="amber",
            role="alert",
            width="100%",
        ),
        form_error_banner(EditCustomerState.form_error),
    )


def edit_customer_dialog() -> rx.Component:
    read_only = EditCustomerState.read_only
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(f"Edit Customer · {EditCustomerState.title_name}"),
            rx.dialog.description(
                rx.cond(
                    read_only,
                    "The Sandbox's account details cannot be changed. Its service plan, quota and products are changed on its page.",
                    "Change the account details. The account name stays as it was entered.",
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.form(
                rx.vstack(
                    _stale_banner(),
                    form_section(
                        "Account details",
                        _account_name(),
                        form_field(
                            label="Customer Name",
                            name="customer_name",
                            error=_error("customer_name"),
                            required=True,
                            auto_focus=True,
                            default_value=EditCustomerState.customer_name,
                            read_only=read_only,
                        ),
                        rx.grid(
                            form_field(
                                label="Organization Name",
                                name="organization",
                                error=_error("organization"),
                                default_value=EditCustomerState.organization,
                                read_only=read_only,
                            ),
                            form_field(
                                label="Phone Number",
                                name="phone",
                                type="tel",
                                error=_error("phone"),
                                placeholder="+1 415 555 0100",
                                default_value=EditCustomerState.phone,
                                read_only=read_only,
                            ),
                            columns="2",
                            spacing="3",
                            width="100%",
                        ),
                        form_field(
                            label="Address",
                            name="address",
                            error=_error("address"),
                            default_value=EditCustomerState.address,
                            read_only=read_only,
                        ),
                        rx.cond(
                            EditCustomerState.assigns_admins,
                            rx.vstack(
                                rx.text("Tenant Admins", class_name="msc-label"),
                                rx.vstack(
                                    rx.foreach(
                                        EditCustomerState.tenant_admins,
                                        lambda c: tenant_admin_option(c, checked=c.checked),
                                    ),
                                    spacing="1",
                                ),
                                field_error(_error("tenant_admins")),
                                spacing="1",
                                width="100%",
                            ),
                        ),
                    ),
                    dialog_actions(disabled=read_only | EditCustomerState.stale),
                    spacing="4",
                    padding_top="8px",
                ),
                on_submit=EditCustomerState.submit,
                reset_on_submit=False,
                key=EditCustomerState.form_key,
            ),
            max_width="640px",
        ),
        open=EditCustomerState.open,
        on_open_change=EditCustomerState.set_open,
    )


def delete_customer_dialog() -> rx.Component:
    """DELETE-1: "Yes, Delete" only when the customer may go; otherwise the reason, and Close."""
    refused = DeleteCustomerState.refusal != ""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(refused, f"{DeleteCustomerState.name} cannot be deleted", f"Delete {DeleteCustomerState.name}?")
            ),
            rx.alert_dialog.description(
                rx.cond(
                    refused,
                    rx.callout(DeleteCustomerState.refusal, icon="ban", color_scheme="red", role="alert"),
                    rx.text(
                        "The customer, its contacts, contracts and history will be removed. This cannot be undone.",
                        size="2",
                    ),
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(rx.cond(refused, "Close", "Cancel"), variant="soft", color_scheme="gray"),
                ),
                rx.cond(
                    refused,
                    rx.fragment(),
                    rx.button("Yes, Delete", color_scheme="red", on_click=DeleteCustomerState.confirm),
                ),
                justify="end",
                spacing="3",
                padding_top="16px",
            ),
            max_width="480px",
        ),
        open=DeleteCustomerState.open,
        on_open_change=DeleteCustomerState.set_open,
    )
