"""The Health tab (HEALTH-1/2/3): 30-day backup figures, the data-source table and open alerts."""

from __future__ import annotations

import reflex as rx

from msc_app.components.text import value_or_dash
from msc_app.state.customer_health import HealthState

S = HealthState


def _stat(label: str, value, *, icon: str, color: str, test_id: str, note=None) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.box(
                rx.icon(icon, size=20, color=rx.color(color, 11)),
                padding="10px",
                border_radius="10px",
                background=rx.color(color, 3),
            ),
            rx.vstack(
                rx.text(label, size="2", color=rx.color("gray", 11)),
                rx.text(value, size="7", weight="bold", data_testid=test_id),
                *([rx.text(note, size="1", color=rx.color("gray", 10))] if note is not None else []),
                spacing="0",
                align="start",
            ),
            spacing="4",
            align="center",
        ),
        size="2",
        width="100%",
    )


def backup_jobs() -> rx.Component:
    """HEALTH-1."""
    return rx.vstack(
        rx.hstack(
            rx.heading("Backup Jobs", size="4", as_="h2"),
            rx.text("Last 30 days", size="2", color=rx.color("gray", 11)),
            spacing="3",
            align="baseline",
        ),
        rx.grid(
            _stat("Total Backup Jobs", S.backup_jobs, icon="database-backup", color="indigo", test_id="health-jobs"),
            _stat(
                "Successful",
                S.successful,
                icon="circle-check",
                color="grass",
                test_id="health-successful",
                note=S.success_rate,
            ),
            _stat("Total Restores", S.restores, icon="history", color="violet", test_id="health-restores"),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="4",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _status(row) -> rx.Component:
    return rx.cond(
        row.status != "",
        rx.hstack(
            rx.badge(
                rx.icon(rx.cond(row.status == "Failed", "circle-x", "circle-check"), size=12),
                row.status,
                color_scheme=rx.cond(row.status == "Failed", "red", "grass"),
                variant="soft",
            ),
            rx.text(row.status_when, size="2", color=rx.color("gray", 11)),
            spacing="2",
            align="center",
            white_space="nowrap",
        ),
        rx.text("Never backed up", size="2", color=rx.color("gray", 11)),
    )


def _source_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.organization),
        rx.table.row_header_cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.workloads),
        rx.table.cell(row.policy),
        rx.table.cell(_status(row)),
        rx.table.cell(value_or_dash(row.last_run), white_space="nowrap"),
        rx.table.cell(value_or_dash(row.last_successful)),
        rx.table.cell(value_or_dash(row.last_restore)),
        key=row.id,
        data_testid="data-source-row",
    )


def data_sources() -> rx.Component:
    """HEALTH-2."""
    headers = [
        "Organization",
        "Data Source",
        "Workloads",
        "Backup Policy",
        "Last Backup Status",
        "Last Job Run",
        "Last Successful Job Run",
        "Last Successful Restore",
    ]
    return rx.card(
        rx.vstack(
            rx.heading("Data Sources", size="4", as_="h2"),
            rx.cond(
                S.sources.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.sources, _source_row)),
                    variant="surface",
                    size="2",
                    width="100%",
                    aria_label="Data sources",
                ),
                rx.text("No data sources are protected for this customer yet.", size="2", color=rx.color("gray", 11)),
            ),
            spacing="3",
            width="100%",
            overflow_x="auto",
        ),
        size="3",
        width="100%",
    )


def _count_line(row) -> rx.Component:
    return rx.hstack(
        rx.text(row.label, size="2", min_width="140px"),
        rx.box(
            rx.box(height="8px", width=f"{row.percent}%", background=rx.color(row.color, 9), border_radius="4px"),
            flex="1",
            background=rx.color("gray", 3),
            border_radius="4px",
        ),
        rx.text(row.count, size="2", weight="bold", min_width="32px", text_align="right"),
        spacing="3",
        align="center",
        width="100%",
        key=row.label,
        data_testid="alert-count",
    )


def alerts() -> rx.Component:
    """HEALTH-3."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Alerts", size="4", as_="h2"),
                rx.badge(
                    S.alerts_total.to_string() + " open",
                    color_scheme=rx.cond(S.alerts_total > 0, "red", "grass"),
                    variant="soft",
                    data_testid="alerts-total",
                ),
                spacing="3",
                align="center",
            ),
            rx.cond(
                S.alerts_total > 0,
                rx.grid(
                    rx.vstack(
                        rx.text("By severity", size="2", weight="medium", color=rx.color("gray", 11)),
                        rx.foreach(S.alerts_by_severity, _count_line),
                        spacing="2",
                        width="100%",
                        aria_label="Alerts by severity",
                        data_testid="alerts-by-severity",
                    ),
                    rx.vstack(
                        rx.text("By type", size="2", weight="medium", color=rx.color("gray", 11)),
                        rx.foreach(S.alerts_by_type, _count_line),
                        spacing="2",
                        width="100%",
                        aria_label="Alerts by type",
                        data_testid="alerts-by-type",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="6",
                    width="100%",
                ),
                rx.text("No open alerts on this customer's products.", size="2", color=rx.color("gray", 11)),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def health_tab() -> rx.Component:
    return rx.cond(
        S.health_loaded,
        rx.vstack(backup_jobs(), data_sources(), alerts(), spacing="5", width="100%", data_testid="health-tab"),
        rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
    )
