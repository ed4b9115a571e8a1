"""/customers/<id>: the Summary tab (DETAIL-1..5 and the Activity) and the Health tab (HEALTH-1..3)."""

from __future__ import annotations

import reflex as rx

from msc_app.components.consumption import consumption_card
from msc_app.components.contacts import contacts_card
from msc_app.components.edit_customer import delete_customer_dialog, edit_customer_dialog
from msc_app.components.health import health_tab
from msc_app.components.products import products_card, service_plan_card
from msc_app.components.text import dash, fact
from msc_app.pages.shell import app_page
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.customer_edit import DeleteCustomerState, EditCustomerState
from msc_app.state.customer_page import CustomerPageState

S = CustomerDetailState




def _tenant_admins() -> rx.Component:
    return rx.vstack(
        rx.text("Tenant Admins", size="1", color=rx.color("gray", 10), weight="medium"),
        rx.cond(
            S.tenant_admins.length() > 0,
            rx.vstack(rx.foreach(S.tenant_admins, lambda a: rx.text(a, size="2")), spacing="1"),
            dash(),
        ),
        spacing="1",
        align="start",
    )


def _account_details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Account Details", size="4", as_="h2"),
                rx.spacer(),
                rx.cond(
                    S.can_edit | (S.is_sandbox & S.is_admin),
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Edit",
                        variant="soft",
                        size="2",
                        on_click=EditCustomerState.open_for(S.account_id),
                        aria_label="Edit account details",
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.grid(
                fact("Name", S.name),
                fact("Customer Name", S.customer_name),
                fact("Organization", S.organization),
                fact("Phone Number", S.phone),
                fact("Address", S.address),
                _tenant_admins(),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="5",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        role="region",
        aria_label="Account Details",
    )


def _event(row) -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon("history", size=16, color=rx.color("indigo", 10)),
            padding="6px",
            border_radius="50%",
            background=rx.color("indigo", 3),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(row.what, weight="medium", size="2"),
                rx.text("by", size="2", color=rx.color("gray", 10)),
                rx.text(row.who, size="2"),
                rx.cond(
                    row.perspective != "",
                    rx.badge(f"as {row.perspective}", variant="soft", color_scheme="violet", size="1"),
                ),
                spacing="1",
                align="center",
                wrap="wrap",
            ),
            rx.foreach(row.changes, lambda line: rx.text(line, size="1", color=rx.color("gray", 11))),
            rx.text(row.when, size="1", color=rx.color("gray", 10)),
            spacing="1",
            align="start",
        ),
        spacing="3",
        align="start",
        key=row.id,
        data_testid="activity-event",
        width="100%",
    )


def _activity() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Activity", size="4", as_="h2"),
            rx.cond(
                S.activity.length() > 0,
                rx.vstack(rx.foreach(S.activity, _event), spacing="4", width="100%"),
                rx.text("No activity recorded yet.", size="2", color=rx.color("gray", 11)),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        role="region",
        aria_label="Activity",
    )


def _header() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), rx.text("Customers", size="2"), spacing="1", align="center"),
                href="/customers",
                color=rx.color("gray", 11),
            ),
            rx.hstack(
                rx.heading(S.display_name, size="7", as_="h1"),
                rx.cond(S.is_reseller, rx.badge("Reseller", color_scheme="violet", variant="soft")),
                rx.cond(S.is_sandbox, rx.badge("Sandbox", color_scheme="amber", variant="soft")),
                spacing="3",
                align="center",
            ),
            rx.text(
                rx.cond(S.parent_name != "", f"Under {S.parent_name} · ", ""),
                f"Created {S.created}",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(
            S.can_delete,
            rx.button(
                rx.icon("trash-2", size=14),
                "Delete",
                variant="outline",
                color_scheme="red",
                on_click=DeleteCustomerState.open_for(S.account_id),
            ),
        ),
        width="100%",
        align="end",
    )


def _not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=32, color=rx.color("gray", 9)),
            rx.heading("Customer not found", size="5", as_="h1"),
            rx.text("It does not exist, or it is not in your scope.", color=rx.color("gray", 11)),
            rx.link("Back to customers", href="/customers"),
            align="center",
            spacing="2",
        ),
        padding="64px",
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.vstack(
        _account_details(),
        # A reseller has no products, plans, consumption or contacts of its own: its customers do.
        rx.cond(
            S.is_reseller,
            rx.fragment(),
            rx.fragment(service_plan_card(), consumption_card(), products_card(), contacts_card()),
        ),
        _activity(),
        spacing="5",
        width="100%",
    )


def _tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("Summary", value="summary"),
            rx.cond(~S.is_reseller, rx.tabs.trigger("Health", value="health")),
            size="2",
        ),
        # Both tabs render with the page (their data arrives together), so switching is instant;
        # the inactive one is hidden by CSS (data-state="inactive").
        rx.tabs.content(_summary(), value="summary", padding_top="20px", force_mount=True, class_name="msc-tab"),
        rx.tabs.content(health_tab(), value="health", padding_top="20px", force_mount=True, class_name="msc-tab"),
        # Uncontrolled: switching tabs needs no round trip (both tabs' data comes with the page).
        default_value=S.tab,
        width="100%",
    )


# The browser's path as the page renders. Opening another customer's page renders before its data arrives:
# until then the vars still describe the customer seen before, which must not flash up as this one.
_BROWSER_PATH = rx.Var(
    "(typeof window === 'undefined' ? '' : window.location.pathname.replace(/\\/+$/, ''))", _var_type=str
)


@app_page(route="/customers/[customer_id]", title="Customer", on_load=[CustomerPageState.load_page])
def customer_detail_page() -> rx.Component:
    return rx.cond(
        S.loaded & (S.path == _BROWSER_PATH),
        rx.cond(
            S.found,
            rx.vstack(
                _header(),
                _tabs(),
                edit_customer_dialog(),
                delete_customer_dialog(),
                spacing="5",
                width="100%",
            ),
            _not_found(),
        ),
        rx.center(rx.spinner(size="3"), padding="64px", width="100%"),
    )
