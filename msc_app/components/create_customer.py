"""The Create Customer dialog (CREATE-1): account details, then service details."""

from __future__ import annotations

import reflex as rx

from msc_app.components.customer_form import form_section as _section
from msc_app.components.customer_form import plan_items, quota_fields, select_field, tenant_type_items
from msc_app.components.customer_form import tenant_admin_option as _tenant_admin_option
from msc_app.components.forms import dialog_actions, field_error, form_error_banner, form_field
from msc_app.models import STORAGE_REGIONS, TenantType
from msc_app.state.customer_create import CreateCustomerState


def _error(key: str) -> rx.Var:
    return CreateCustomerState.errors.get(key, "")


def _field_error(key: str) -> rx.Component:
    return field_error(_error(key))


def _select(
    *, label: str, name: str, options, default: str = "", placeholder: str = "", error_key: str | None = None
) -> rx.Component:
    return select_field(
        label=label,
        name=name,
        options=options,
        error=_error(error_key or name),
        default=default,
        placeholder=placeholder,
    )


def create_customer_dialog() -> rx.Component:
    """The button and its dialog; the dialog opens through the state, which loads the choices first."""
    return rx.fragment(
        rx.button(
            rx.icon("plus", size=16),
            "Create Customer",
            size="3",
            on_click=CreateCustomerState.open_dialog,
            aria_haspopup="dialog",
        ),
        _dialog(),
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Create Customer"),
            rx.form(
                rx.vstack(
                    form_error_banner(CreateCustomerState.form_error),
                    _section(
                        "Account details",
                        form_field(label="Customer Name", name="customer_name", error=_error("customer_name"), required=True, auto_focus=True),
                        rx.el.label(
                            rx.hstack(
                                rx.checkbox(
                                    checked=CreateCustomerState.hide_name,
                                    on_change=CreateCustomerState.set_hide_name,
                                    aria_label="Hide customer name from the vendor",
                                ),
                                rx.text("Hide customer name from the vendor", size="2"),
                                align="center",
                                spacing="2",
                            )
                        ),
                        rx.cond(
                            CreateCustomerState.hide_name,
                            form_field(
                                label="Account Name",
                                name="account_name",
                                error=_error("account_name"),
                                hint="The name the vendor sees. It cannot be changed later.",
                            ),
                        ),
                        rx.grid(
                            form_field(label="Organization Name", name="organization", error=_error("organization")),
                            form_field(label="Phone Number", name="phone", type="tel", error=_error("phone"), placeholder="+1 415 555 0100"),
                            columns="2",
                            spacing="3",
                            width="100%",
                        ),
                        form_field(label="Address", name="address", error=_error("address")),
                        rx.vstack(
                            rx.text("Tenant Admins", class_name="msc-label"),
                            rx.cond(
                                CreateCustomerState.tenant_admins.length() > 0,
                                rx.vstack(rx.foreach(CreateCustomerState.tenant_admins, lambda c: _tenant_admin_option(c)), spacing="1"),
                                rx.text("No tenant admins yet: invite them from Users.", size="2", color=rx.color("gray", 11)),
                            ),
                            _field_error("tenant_admins"),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.separator(),
                    _section(
                        "Service details",
                        rx.grid(
                            _select(
                                label="Service Plan",
                                name="service_plan_id",
                                options=plan_items(CreateCustomerState.plans),
                                placeholder="No product yet",
                            ),
                            _select(
                                label="Tenant Type",
                                name="tenant_type",
                                options=tenant_type_items(),
                                default=TenantType.EVALUATION.value,
                            ),
                            _select(
                                label="Storage Region",
                                name="storage_region",
                                options=[rx.select.item(r, value=r) for r in STORAGE_REGIONS],
                                placeholder="Choose a region",
                                error_key="storage_regions",
                            ),
                            *quota_fields(error=_error),
                            columns="2",
                            spacing="3",
                            width="100%",
                        ),
                    ),
                    dialog_actions(),
                    spacing="4",
                    padding_top="8px",
                ),
                on_submit=CreateCustomerState.submit,
                reset_on_submit=False,
            ),
            max_width="720px",
        ),
        open=CreateCustomerState.open,
        on_open_change=CreateCustomerState.set_open,
    )
