"""LIST-7: the Export button and its "Select exportable columns" window, with the export's progress."""

from __future__ import annotations

import reflex as rx

from msc_app.services.preferences import CUSTOMER_COLUMNS
from msc_app.state.customer_export import REPORT_FORM_ID, ExportState

E = ExportState


def _column(column) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=E.export_columns.contains(column.key),
                on_change=lambda checked: E.toggle_export_column(column.key, checked),
                aria_label=column.label,
                disabled=E.export_running,
            ),
            rx.text(column.label, size="2"),
            align="center",
            spacing="2",
        ),
    )


def _progress() -> rx.Component:
    return rx.cond(
        E.export_running | E.export_finished,
        rx.vstack(
            rx.progress(value=E.export_percent, max=100, aria_label="Export progress", width="100%"),
            rx.text(
                rx.cond(
                    E.export_finished,
                    rx.cond(E.export_error == "", f"Done: {E.export_rows} rows exported.", ""),
                    f"Exporting… {E.export_rows} of {E.export_total} rows",
                ),
                size="2",
                color=rx.color("gray", 11),
                data_testid="export-progress",
                role="status",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _report_form() -> rx.Component:
    """The hidden form assets/msc-export.js reports progress through."""
    return rx.form(
        rx.el.input(type="hidden", name="rows"),
        rx.el.input(type="hidden", name="total"),
        rx.el.input(type="hidden", name="done"),
        rx.el.input(type="hidden", name="error"),
        id=REPORT_FORM_ID,
        on_submit=E.export_report,
        reset_on_submit=False,
        display="none",
    )


def export_dialog() -> rx.Component:
    return rx.fragment(
        rx.button(
            rx.icon("download", size=16),
            "Export",
            variant="soft",
            color_scheme="gray",
            size="3",
            on_click=E.open_export,
            aria_haspopup="dialog",
        ),
        _report_form(),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Select exportable columns"),
                rx.dialog.description(
                    f"A CSV file of all {E.export_matching} customers matching the current search and filters.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.vstack(
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                checked=E.export_all_selected,
                                on_change=E.select_all_export,
                                aria_label="Select All",
                                disabled=E.export_running,
                            ),
                            rx.text("Select All", size="2", weight="bold"),
                            align="center",
                            spacing="2",
                        ),
                    ),
                    rx.separator(),
                    rx.grid(*[_column(c) for c in CUSTOMER_COLUMNS], columns="3", spacing="3", width="100%"),
                    rx.cond(
                        E.export_error != "",
                        rx.callout(E.export_error, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
                    ),
                    _progress(),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(rx.cond(E.export_finished, "Close", "Cancel"), variant="soft", color_scheme="gray")
                        ),
                        rx.button(
                            rx.cond(E.export_running, rx.spinner(size="2"), rx.icon("download", size=16)),
                            "Export CSV",
                            on_click=E.start_export,
                            disabled=E.export_running | (E.export_columns.length() == 0),
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="4",
                    padding_top="12px",
                ),
                max_width="640px",
            ),
            open=E.export_open,
            on_open_change=E.set_export_open,
        ),
    )
