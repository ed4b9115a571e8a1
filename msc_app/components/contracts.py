"""Contract pieces: the status badge and the customers list's Contracts pop-up (CONTRACT-1).

State-agnostic and keyword-only: callers pass the vars to show and the event
handlers to call, so the pop-up can sit in any table cell.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from msc_app.components.data_table import popup_anchor

PREVIEW_LIMIT = 3
STATUS_COLORS = {"Active": "green", "Pending": "amber", "Expired": "gray", "Cancelled": "red"}


def contract_status_badge(status: rx.Var | str, *, size: str = "1") -> rx.Component:
    """Active green, Pending amber, Expired grey, Cancelled red."""
    return rx.badge(
        status,
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        size=size,
        white_space="nowrap",
    )


def _preview_item(item) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(item.number, size="2", weight="medium"),
            rx.text(item.title, size="1", color=rx.color("gray", 11), trim="both"),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        contract_status_badge(item.status),
        rx.link(
            "View",
            href=f"/contracts/{item.id}",
            size="2",
            weight="medium",
            aria_label=f"View contract {item.number}",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        key=item.id,
        data_testid="contract-preview-item",
    )


def _preview_body(*, items: rx.Var, total: rx.Var, account_id: rx.Var, loading: Any, error: Any) -> rx.Component:
    listing = rx.cond(
        total == 0,
        rx.text("No contracts yet.", size="2", color=rx.color("gray", 11)),
        rx.vstack(
            rx.foreach(items[:PREVIEW_LIMIT], _preview_item),
            rx.cond(
                total > PREVIEW_LIMIT,
                rx.link(
                    rx.hstack(
                        rx.text(f"View all contracts ({total})", size="2", weight="medium"),
                        rx.icon("arrow-right", size=14),
                        spacing="1",
                        align="center",
                    ),
                    href=f"/contracts?account={account_id}",
                    padding_top="4px",
                ),
            ),
            spacing="1",
            width="100%",
        ),
    )
    if error is not None:
        listing = rx.cond(
            error != "",
            rx.callout(error, icon="triangle_alert", color_scheme="red", size="1", role="alert"),
            listing,
        )
    if loading is not None:
        listing = rx.cond(
            loading,
            rx.center(rx.spinner(size="2"), padding="12px", aria_label="Loading contracts"),
            listing,
        )
    return listing


def _trigger_button(trigger, anchor_id, trigger_label) -> rx.Component:
    if anchor_id is not None:
        return popup_anchor(anchor_id)
    return rx.button(
        trigger,
        variant="ghost",
        color_scheme="gray",
        size="1",
        height="auto",
        padding="4px",
        aria_label=trigger_label,
        aria_haspopup="dialog",
        data_testid="contracts-trigger",
        cursor="pointer",
    )


def contracts_popover(
    *,
    trigger: rx.Component | None = None,
    anchor_id: str | None = None,
    items: rx.Var,
    total: rx.Var,
    account_id: rx.Var,
    account_name: rx.Var | str | None = None,
    loading: rx.Var | None = None,
    error: rx.Var | None = None,
    on_open_change: Any = None,
    open: rx.Var | None = None,
    trigger_label: rx.Var | str = "Show contracts",
) -> rx.Component:
    """CONTRACT-1: the Contracts cell's pop-up.

    ``trigger``: what the cell shows (e.g. the counts by status), wrapped in a
    button that opens the pop-up. ``items``: a list var of objects with ``id``,
    ``number``, ``title`` and ``status`` (``state.contracts.ContractItem``);
    at most three are shown, each with its status and a View link to
    ``/contracts/<id>``. ``total``: how many contracts the account has; above
    three a "View all contracts" link opens ``/contracts?account=<account_id>``.
    ``loading`` / ``error`` (optional vars) show a spinner or a message instead
    of the list. ``on_open_change`` receives the open flag, e.g.
    ``lambda is_open: ContractPreviewState.toggle(row.id, is_open)``;
    ``open`` makes the pop-up controlled.

    ``anchor_id`` instead of ``trigger``: ONE pop-up shared by every row of a table. Its trigger is a
    hidden button with that id; a row's own button carries ``data-msc-opens=<anchor_id>`` and
    ``data-msc-toggles``, and assets/msc-table.js places the anchor over it and opens the pop-up
    (focus goes back to the row's button on close), while the row's click loads its contracts.
    """
    heading = [rx.text("Contracts", size="2", weight="bold")]
    if account_name is not None:
        heading.append(rx.text(account_name, size="1", color=rx.color("gray", 11), trim="both"))
    root_props: dict[str, Any] = {}
    if on_open_change is not None:
        root_props["on_open_change"] = on_open_change
    if open is not None:
        root_props["open"] = open
    return rx.popover.root(
        rx.popover.trigger(_trigger_button(trigger, anchor_id, trigger_label)),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.vstack(*heading, spacing="0", min_width="0"),
                    rx.spacer(),
                    rx.popover.close(
                        rx.icon_button(
                            rx.icon("x", size=14),
                            variant="ghost",
                            color_scheme="gray",
                            size="1",
                            aria_label="Close",
                        ),
                    ),
                    align="start",
                    width="100%",
                ),
                _preview_body(items=items, total=total, account_id=account_id, loading=loading, error=error),
                spacing="2",
                width="100%",
            ),
            width="340px",
            side="bottom",
            align="start",
            aria_label="Contracts",
            data_testid="contracts-popover",
        ),
        **root_props,
    )
