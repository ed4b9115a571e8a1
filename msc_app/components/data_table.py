"""A server-paged, sortable table: one page of rows, sort headers, pager."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    min_width: str = "120px"


def sort_header(*, column: Column, sort: rx.Var, descending: rx.Var, on_sort: Callable) -> rx.Component:
    active = sort == column.key
    return rx.table.column_header_cell(
        rx.el.button(
            rx.hstack(
                rx.text(column.label),
                rx.cond(
                    active,
                    rx.cond(descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                    rx.icon("arrow-up-down", size=14, opacity="0.35"),
                ),
                spacing="1",
                align="center",
            ),
            on_click=on_sort(column.key),
            class_name="msc-sort-button",
            type="button",
        ),
        aria_sort=rx.cond(active, rx.cond(descending, "descending", "ascending"), "none"),
        min_width=column.min_width,
        white_space="nowrap",
    )


def data_table(
    *,
    columns: list[Column],
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    sort: rx.Var,
    descending: rx.Var,
    on_sort: Callable,
    empty: rx.Component,
    label: str,
    trailing_headers: tuple[str, ...] = (),
) -> rx.Component:
    """``trailing_headers``: unsortable action columns after the data columns (label for screen readers)."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[sort_header(column=c, sort=sort, descending=descending, on_sort=on_sort) for c in columns],
                    *[rx.table.column_header_cell(rx.el.span(label, class_name="msc-sr-only")) for label in trailing_headers],
                )
            ),
            rx.table.body(rx.foreach(rows, render_row)),
            variant="surface",
            size="2",
            width="100%",
            aria_label=label,
        ),
        rx.cond(rows.length() == 0, empty),
        overflow_x="auto",
        width="100%",
    )


def pager(
    *,
    page: rx.Var,
    page_count: rx.Var,
    first: rx.Var,
    last: rx.Var,
    total: rx.Var,
    on_previous,
    on_next,
    noun: str,
) -> rx.Component:
    return rx.hstack(
        rx.text(
            rx.cond(total == 0, f"No {noun}", f"{first}–{last} of {total} {noun}"),
            size="2",
            color=rx.color("gray", 11),
            data_testid="pager-summary",
        ),
        rx.spacer(),
        rx.text(f"Page {page} of {page_count}", size="2", color=rx.color("gray", 11)),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            color_scheme="gray",
            disabled=page <= 1,
            on_click=on_previous,
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            color_scheme="gray",
            disabled=page >= page_count,
            on_click=on_next,
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_top="12px",
    )
