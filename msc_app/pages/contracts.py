"""/contracts and /contracts/<id>: the contracts in scope, paged on the server, and one contract (CONTRACT-2)."""

from __future__ import annotations

import reflex as rx

from msc_app.components.contracts import contract_status_badge
from msc_app.components.data_table import Column, data_table, pager
from msc_app.components.search_box import search_box
from msc_app.components.text import value_or_dash
from msc_app.pages.shell import app_page
from msc_app.state.contracts import ALL_STATUSES, STATUS_CHOICES, ContractDetailState, ContractsState


def _number_cell(row) -> rx.Component:
    return rx.link(row.number, href=f"/contracts/{row.id}", weight="medium", size="2", white_space="nowrap")


def _customer_cell(row) -> rx.Component:
    return rx.link(row.account_name, href=f"/customers/{row.account_id}", size="2", color_scheme="gray", high_contrast=True)


COLUMNS = [
    Column("number", "Number", render=_number_cell, min_width="110px", row_header=True),
    Column("title", "Title", render=lambda row: rx.text(row.title, size="2"), min_width="200px"),
    Column("customer", "Customer", render=_customer_cell, min_width="170px"),
    Column("status", "Status", render=lambda row: contract_status_badge(row.status), min_width="100px"),
    Column("start", "Start", render=lambda row: value_or_dash(row.start), min_width="110px"),
    Column("end", "End", render=lambda row: value_or_dash(row.end), min_width="110px"),
    Column(
        "value",
        "Value",
        render=lambda row: rx.text(row.value, size="2", white_space="nowrap", style={"font-variant-numeric": "tabular-nums"}),
        min_width="110px",
    ),
]
VISIBLE = rx.Var.create([c.key for c in COLUMNS])


def _search_box() -> rx.Component:
    return search_box(
        value=ContractsState.search,
        on_submit=ContractsState.apply_search,
        on_clear=ContractsState.clear_search,
        label="Search contracts",
        placeholder="Number or title, then Enter",
        width="260px",
    )


def _status_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Status", variant="soft", color_scheme="gray"),
        rx.select.content(
            rx.select.item("All statuses", value=ALL_STATUSES),
            rx.select.separator(),
            *[rx.select.item(status, value=status) for status in STATUS_CHOICES],
        ),
        value=ContractsState.status_choice,
        on_change=ContractsState.set_status,
        size="3",
    )


def _account_chip() -> rx.Component:
    """The customer filter from "View all contracts", with a way to drop it."""
    return rx.cond(
        ContractsState.account_id != 0,
        rx.hstack(
            rx.badge(
                rx.icon("building", size=14),
                rx.text("Customer: "),
                rx.text.strong(rx.cond(ContractsState.account_missing, "not found", ContractsState.account_name)),
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="indigo",
                    radius="full",
                    aria_label="Clear customer filter",
                    on_click=ContractsState.clear_account,
                    margin_left="2px",
                ),
                variant="soft",
                color_scheme="indigo",
                size="2",
                radius="full",
                padding_right="4px",
                data_testid="account-filter",
            ),
            rx.cond(
                ~ContractsState.account_missing,
                rx.link(
                    "Open customer",
                    href=f"/customers/{ContractsState.account_id}",
                    size="2",
                ),
            ),
            align="center",
            spacing="3",
        ),
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(rx.cond(ContractsState.filtered, "search-x", "file-text"), size=32, color=rx.color("gray", 9)),
            rx.text(
                rx.cond(
                    ContractsState.account_missing,
                    "This customer was not found.",
                    rx.cond(ContractsState.filtered, "No contracts match these filters.", "No contracts yet."),
                ),
                color=rx.color("gray", 11),
            ),
            rx.cond(
                ContractsState.filtered,
                rx.button("Show all contracts", variant="soft", on_click=ContractsState.clear_filters),
            ),
            align="center",
            spacing="3",
        ),
        padding="48px",
    )


@app_page(route="/contracts", title="Contracts", on_load=[ContractsState.on_load])
def contracts_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading("Contracts", size="7", as_="h1"),
                rx.text(
                    rx.cond(
                        ContractsState.loaded,
                        rx.cond(
                            ContractsState.filtered,
                            f"{ContractsState.total} matching",
                            f"{ContractsState.total} in your scope",
                        ),
                        "Loading…",
                    ),
                    color=rx.color("gray", 11),
                    size="2",
                    data_testid="contract-total",
                ),
                spacing="1",
            ),
            rx.spacer(),
            _search_box(),
            _status_select(),
            align="end",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        _account_chip(),
        rx.card(
            data_table(
                columns=COLUMNS,
                visible=VISIBLE,
                rows=ContractsState.rows,
                row_props=lambda row: {"key": row.id, "data_testid": "contract-row", "align": "center"},
                density=rx.Var.create("standard"),
                sort=ContractsState.sort,
                descending=ContractsState.descending,
                on_sort=ContractsState.sort_by,
                empty=_empty(),
                label="Contracts",
            ),
            pager(
                page=ContractsState.page,
                page_count=ContractsState.page_count,
                first=ContractsState.first_row_number,
                last=ContractsState.last_row_number,
                total=ContractsState.total,
                on_previous=ContractsState.previous_page,
                on_next=ContractsState.next_page,
                noun="contracts",
            ),
            width="100%",
            size="2",
        ),
        spacing="5",
        width="100%",
    )


# ---------------------------------------------------------------- details


def _field(label: str, value: rx.Component) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="140px"),
        rx.data_list.value(value),
    )


def _details_card() -> rx.Component:
    contract = ContractDetailState.contract
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.heading(contract.number, size="6", as_="h1"),
                        contract_status_badge(contract.status, size="2"),
                        spacing="3",
                        align="center",
                    ),
                    rx.text(contract.title, size="3", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                rx.spacer(),
                rx.vstack(
                    rx.text("Value", size="1", color=rx.color("gray", 10), weight="medium"),
                    rx.text(contract.value, size="6", weight="bold", style={"font-variant-numeric": "tabular-nums"}),
                    spacing="0",
                    align="end",
                ),
                width="100%",
                align="start",
            ),
            rx.separator(size="4"),
            rx.data_list.root(
                _field("Contract number", rx.code(contract.number, variant="ghost")),
                _field("Title", rx.text(contract.title)),
                _field("Status", contract_status_badge(contract.status)),
                _field(
                    "Customer",
                    rx.link(contract.account_name, href=f"/customers/{contract.account_id}"),
                ),
                _field(
                    "Customer name",
                    value_or_dash(contract.customer_name),
                ),
                _field("Start date", rx.text(contract.start)),
                _field("End date", rx.cond(contract.end != "", rx.text(contract.end), rx.text("Open-ended", color=rx.color("gray", 10)))),
                _field("Value", rx.text(contract.value)),
                _field("Currency", rx.text(contract.currency)),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                size="2",
            ),
            rx.separator(size="4"),
            rx.link(
                rx.hstack(
                    rx.text(f"All contracts of {contract.account_name}", size="2"),
                    rx.icon("arrow-right", size=14),
                    spacing="1",
                    align="center",
                ),
                href=f"/contracts?account={contract.account_id}",
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        max_width="760px",
        data_testid="contract-details",
    )


def _not_found() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("file-x", size=32, color=rx.color("gray", 9)),
            rx.heading("Contract not found", size="5", as_="h1"),
            rx.text(
                "It does not exist, or it belongs to a customer outside your scope.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.link("Back to contracts", href="/contracts", size="2", weight="medium"),
            align="center",
            spacing="3",
            padding="32px",
        ),
        width="100%",
        max_width="760px",
    )


@app_page(route="/contracts/[contract_id]", title="Contract", on_load=[ContractDetailState.on_load])
def contract_detail_page() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), rx.text("Contracts", size="2"), spacing="1", align="center"),
            href="/contracts",
            color_scheme="gray",
        ),
        rx.cond(
            ContractDetailState.loaded,
            rx.cond(ContractDetailState.found, _details_card(), _not_found()),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%", aria_label="Loading"),
        ),
        spacing="4",
        width="100%",
    )
