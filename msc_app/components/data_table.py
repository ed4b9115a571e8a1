"""A server-paged, sortable table: one page of rows, columns the user can hide, pager."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

# Density (LIST-3) -> Radix table size.
DENSITY_SIZES = {"compact": "1", "standard": "2", "comfortable": "3"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    render: Callable[[rx.Var], rx.Component]
    min_width: str = "120px"
    row_header: bool = False  # the cell that names the row (th scope=row)


def _resize_handle(column: Column) -> rx.Component:
    """LIST-3: dragged by assets/msc-resize.js. A pointer affordance only (hidden from assistive
    technology, so the header's name stays the column's label)."""
    return rx.el.span(
        class_name="msc-col-resizer",
        data_column=column.key,
        data_testid=f"resize-{column.key}",
        title=f"Drag to resize {column.label}",
        aria_hidden="true",
    )


def sort_header(
    *,
    column: Column,
    sort: rx.Var,
    descending: rx.Var,
    on_sort: Callable,
    widths: rx.Var | None = None,
) -> rx.Component:
    active = sort == column.key
    sized = {}
    if widths is not None:
        width = widths.get(column.key, column.min_width)
        sized = {"width": width, "min_width": width, "max_width": rx.cond(widths.contains(column.key), width, "none")}
    else:
        sized = {"min_width": column.min_width}
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
        _resize_handle(column) if widths is not None else rx.fragment(),
        aria_sort=rx.cond(active, rx.cond(descending, "descending", "ascending"), "none"),
        white_space="nowrap",
        class_name=" ".join(
            name
            for name, wanted in (("msc-resizable", widths is not None), ("msc-sticky-start", column.row_header))
            if wanted
        ),
        **sized,
    )


def data_table(
    *,
    columns: list[Column],
    visible: rx.Var,
    rows: rx.Var,
    row_props: Callable[[rx.Var], dict],
    sort: rx.Var,
    descending: rx.Var,
    on_sort: Callable,
    empty: rx.Component,
    label: str,
    density: rx.Var,
    trailing: tuple[tuple[str, Callable[[rx.Var], rx.Component]], ...] = (),
    widths: rx.Var | None = None,
    resize_form: str = "",
    leading: tuple[tuple[str, Callable[[rx.Var], rx.Component], Callable[[], rx.Component] | None], ...] = (),
    leading_visible: rx.Var | bool = True,
) -> rx.Component:
    """``visible``: the keys of the columns to show. ``trailing``: (screen-reader label,
    render) of unsortable action columns after the data columns. ``widths`` (a dict var of
    column key -> CSS width) makes the columns resizable; each new width is submitted through
    the hidden form with the id ``resize_form`` (see ``column_width_form``). ``leading``:
    (screen-reader label, render, header or None) of unsortable columns before the data
    columns, e.g. row checkboxes with a select-all header; shown while ``leading_visible``."""

    def cell(column: Column, row) -> rx.Component:
        if column.row_header:  # UX-1: the row's name stays in view while the columns scroll
            return rx.cond(
                visible.contains(column.key),
                rx.table.row_header_cell(column.render(row), class_name="msc-sticky-start"),
            )
        return rx.cond(visible.contains(column.key), rx.table.cell(column.render(row)))

    def render_row(row) -> rx.Component:
        return rx.table.row(
            *[
                _when(leading_visible, rx.table.cell(render(row), class_name="msc-lead"))
                for _, render, _h in leading
            ],
            *[cell(c, row) for c in columns],
            *[
                rx.table.cell(render(row), width="1%", white_space="nowrap", class_name="msc-sticky-end")
                for _, render in trailing
            ],
            **row_props(row),
        )

    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[_when(leading_visible, _leading_header(text, header)) for text, _r, header in leading],
                    *[
                        rx.cond(
                            visible.contains(c.key),
                            sort_header(
                                column=c, sort=sort, descending=descending, on_sort=on_sort, widths=widths
                            ),
                        )
                        for c in columns
                    ],
                    *[
                        rx.table.column_header_cell(rx.el.span(text, class_name="msc-sr-only"), class_name="msc-sticky-end")
                        for text, _ in trailing
                    ],
                )
            ),
            rx.table.body(rx.foreach(rows, render_row)),
            variant="surface",
            size=rx.match(density, *DENSITY_SIZES.items(), "2"),
            width="100%",
            aria_label=label,
            class_name="msc-table",
        ),
        rx.cond(rows.length() == 0, empty),
        # UX-1: the scroll container (sticky columns, density) and UX-2: assets/msc-table.js marks
        # it data-pending while a list action is unanswered (see .msc-table-scroll in msc.css).
        class_name=rx.cond(leading_visible, "msc-table-scroll msc-has-lead", "msc-table-scroll")
        if leading
        else "msc-table-scroll",
        data_density=density,
        data_msc_table="true",
        width="100%",
        **({"data_resize_form": resize_form} if resize_form else {}),
    )


def _when(condition: rx.Var | bool, component: rx.Component) -> rx.Component:
    if condition is True:
        return component
    return rx.cond(condition, component)


def _leading_header(text: str, header: Callable[[], rx.Component] | None) -> rx.Component:
    """A leading column's header: its own control (labelled by itself), else the label for screen readers."""
    content = header() if header is not None else rx.el.span(text, class_name="msc-sr-only")
    return rx.table.column_header_cell(content, class_name="msc-lead")


def column_width_form(*, form_id: str, on_submit: Callable) -> rx.Component:
    """The hidden form through which assets/msc-resize.js reports a resized column."""
    return rx.form(
        rx.el.input(type="hidden", name="column"),
        rx.el.input(type="hidden", name="width"),
        id=form_id,
        on_submit=on_submit,
        reset_on_submit=False,
        display="none",
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
        data_msc_pager="true",  # UX-2: its buttons mark the table pending (assets/msc-table.js)
    )


def popup_anchor(anchor_id: str) -> rx.Component:
    """The hidden trigger of ONE menu or pop-up shared by every row of a table: assets/msc-table.js places it
    over the row button that carries ``data-msc-opens=<anchor_id>`` when that button is clicked (and sends
    focus back to that button on close), so no row mounts a widget of its own."""
    return rx.el.button(
        id=anchor_id,
        type="button",
        tab_index=-1,
        aria_hidden="true",
        class_name="msc-anchor",
        data_msc_anchor="true",
    )
