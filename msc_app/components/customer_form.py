"""Pieces shared by the customer dialogs: Create and Edit Customer, and the Add/Edit Product dialog.

The service details (plan, tenant type, quota and its dates, licence expiry)
are asked the same way when a customer is created (CREATE-1) and when one of
its products is added or edited (DETAIL-5), so both dialogs build them here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import reflex as rx

from msc_app.components.forms import field_error, form_field
from msc_app.models import TenantType

# The service details' date and number fields: (label, form name), in the order they are shown.
QUOTA_FIELDS = (
    ("Credit Quota", "credit_quota"),
    ("Quota Effective Date", "quota_effective_date"),
    ("Quota End Date", "quota_end_date"),
    ("License Expiry Date", "license_expiry"),
)


def tenant_admin_option(choice, checked: rx.Var | None = None) -> rx.Component:
    """A tenant admin's checkbox (named ``tenant_admin_<id>``), flagged when still pending (CREATE-4)."""
    extra = {} if checked is None else {"default_checked": checked}
    return rx.el.label(
        rx.hstack(
            rx.checkbox(name=f"tenant_admin_{choice.value}", aria_label=choice.label, **extra),
            rx.text(choice.label, size="2"),
            rx.cond(choice.pending, rx.badge("Pending", color_scheme="amber", variant="soft", size="1")),
            align="center",
            spacing="2",
        ),
        key=choice.value,
    )


def form_section(title: str, *children) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h3", color=rx.color("gray", 12)),
        *children,
        spacing="3",
        width="100%",
    )


def select_field(
    *,
    label: str,
    name: str,
    options: list[rx.Component] | rx.Component,
    error: rx.Var | str = "",
    default: rx.Var | str = "",
    placeholder: str = "",
    value: rx.Var | None = None,
    on_change: rx.EventHandler | None = None,
) -> rx.Component:
    """A labelled select (submitted as ``name``) with its error under it, like ``form_field``'s inputs.
    With ``value`` and ``on_change`` it is controlled by the state instead of starting from ``default``."""
    field_id = f"field-{name}"
    chosen = {"default_value": default} if value is None else {"value": value, "on_change": on_change}
    return rx.box(
        rx.el.label(label, html_for=field_id, class_name="msc-label"),
        rx.select.root(
            rx.select.trigger(id=field_id, placeholder=placeholder, width="100%", aria_label=label),
            rx.select.content(*options) if isinstance(options, list) else rx.select.content(options),
            name=name,
            size="3",
            **chosen,
        ),
        field_error(rx.Var.create(error)),
        display="flex",
        flex_direction="column",
        gap="6px",
        width="100%",
    )


def plan_items(plans: rx.Var) -> rx.Component:
    """The Service Plan select's options, from a list var of choices with ``value`` and ``label``."""
    return rx.foreach(plans, lambda p: rx.select.item(p.label, value=p.value))


def tenant_type_items() -> list[rx.Component]:
    """The Tenant Type select's options: Evaluation, Commercial, Not for Resale."""
    return [rx.select.item(t.value, value=t.value) for t in TenantType]


def quota_fields(
    *,
    error: Callable[[str], rx.Var],
    values: Mapping[str, rx.Var] | None = None,
    read_only: Mapping[str, rx.Var | bool] | None = None,
) -> list[rx.Component]:
    """Credit Quota, Quota Effective Date, Quota End Date and License Expiry Date (CREATE-1, DETAIL-2).

    ``error(name)`` is the field's error var; ``values`` the inputs' starting values (an edit form),
    ``read_only`` the fields shown but not changeable (the Sandbox's licence expiry, SANDBOX-2).
    """
    values = values or {}
    read_only = read_only or {}
    fields = []
    for label, name in QUOTA_FIELDS:
        extra = {}
        if name in values:
            extra["default_value"] = values[name]
        if name in read_only:
            extra["read_only"] = read_only[name]
        fields.append(
            form_field(
                label=label,
                name=name,
                type="number" if name == "credit_quota" else "date",
                error=error(name),
                placeholder="0" if name == "credit_quota" else "",
                **extra,
            )
        )
    return fields
