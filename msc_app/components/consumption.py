"""The Consumption Units card (DETAIL-3): stacked daily units per product, cumulative use against the quota."""

from __future__ import annotations

import reflex as rx

from msc_app.state.customer_consumption import QUOTA, USED, ConsumptionState

S = ConsumptionState


def _figure(label: str, value, *, test_id: str, color: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 10), weight="medium"),
        rx.text(value, size="5", weight="bold", color=color, data_testid=test_id),
        spacing="0",
        align="start",
    )


def _figures() -> rx.Component:
    return rx.hstack(
        _figure("Credit quota", S.quota_text, test_id="consumption-quota"),
        _figure("Used", S.used, test_id="consumption-used"),
        _figure(
            rx.cond(S.over_quota, "Over quota by", "Remaining"),
            S.remaining,
            test_id="consumption-remaining",
            color=rx.cond(S.over_quota, rx.color("red", 11), rx.color("gray", 12)),
        ),
        _figure("Last 90 days", S.window_total, test_id="consumption-90d"),
        spacing="7",
        wrap="wrap",
        align="end",
    )


def _usage_bar() -> rx.Component:
    return rx.cond(
        S.quota > 0,
        rx.vstack(
            rx.progress(
                value=S.used_percent,
                color_scheme=rx.cond(S.forecast_warning, "amber", "indigo"),
                size="2",
                aria_label="Share of the credit quota used",
                width="100%",
            ),
            rx.text(f"{S.used_percent}% of the quota used · {S.period_text}", size="1", color=rx.color("gray", 11)),
            spacing="1",
            width="100%",
        ),
    )


def _forecast() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon(rx.cond(S.forecast_warning, "triangle-alert", "trending-down"), size=16)),
        rx.callout.text(
            rx.text.strong("Burn-down forecast: "),
            rx.text.span(S.forecast, data_testid="consumption-forecast"),
        ),
        color_scheme=rx.cond(S.forecast_warning, "amber", "gray"),
        variant=rx.cond(S.forecast_warning, "surface", "soft"),
        size="1",
        width="100%",
    )


def _swatch(label, color, *, line: bool = False, dashed: bool = False) -> rx.Component:
    mark = rx.box(
        width="14px",
        height="0px" if line else "10px",
        border_top=f"2px {'dashed' if dashed else 'solid'} {color}" if line else None,
        background=None if line else color,
        opacity=None if line else "0.75",
        border_radius="2px",
    )
    return rx.hstack(mark, rx.text(label, size="1", color=rx.color("gray", 11)), spacing="1", align="center")


def _legend() -> rx.Component:
    """The chart's legend in plain HTML: Recharts' own measures itself and renders the chart a second time."""
    return rx.hstack(
        rx.foreach(S.series, lambda s: _swatch(s.key, s.color)),
        _swatch(USED, "#6e56cf", line=True),
        rx.cond(S.quota > 0, _swatch(QUOTA, "#e5484d", line=True, dashed=True)),
        spacing="4",
        wrap="wrap",
        justify="center",
        width="100%",
        data_testid="consumption-legend",
    )


def _chart() -> rx.Component:
    return rx.recharts.responsive_container(
        rx.recharts.composed_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            # Fixed tick intervals: "preserveStartEnd" (the default) measures every tick's text in the DOM,
            # a forced layout each, which cost ~200 ms of the page's render.
            rx.recharts.x_axis(data_key="day", interval=14, tick_line=False),
            rx.recharts.y_axis(y_axis_id="daily", allow_decimals=False, width=48, interval=0),
            rx.recharts.y_axis(y_axis_id="total", orientation="right", allow_decimals=False, width=60, interval=0),
            # Stacked areas, not bars: one path per product instead of 90 rectangles each, which made
            # the chart the bulk of the page's render time (~400 ms for 270 bars on the 2-core bench machine).
            rx.foreach(
                S.series,
                lambda s: rx.recharts.area(
                    data_key=s.key,
                    stack_id="units",
                    type_="monotone",
                    stroke=s.color,
                    fill=s.color,
                    fill_opacity=0.55,
                    y_axis_id="daily",
                    dot=False,
                    active_dot=False,
                    is_animation_active=False,
                ),
            ),
            rx.recharts.line(
                data_key=USED,
                y_axis_id="total",
                stroke="#6e56cf",
                stroke_width=2,
                dot=False,
                is_animation_active=False,
            ),
            rx.cond(
                S.quota > 0,
                rx.recharts.line(
                    data_key=QUOTA,
                    y_axis_id="total",
                    stroke="#e5484d",
                    stroke_dasharray="6 4",
                    stroke_width=2,
                    dot=False,
                    is_animation_active=False,
                ),
            ),
            rx.recharts.graphing_tooltip(),
            data=S.points,
            margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
        ),
        width="100%",
        height=280,
    )


def consumption_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Consumption Units", size="4", as_="h2"),
                rx.spacer(),
                rx.text("Daily units, last 90 days", size="1", color=rx.color("gray", 10)),
                width="100%",
                align="center",
            ),
            rx.cond(
                S.consumption_loaded,
                rx.vstack(
                    _figures(),
                    _usage_bar(),
                    rx.box(
                        _chart(),
                        _legend(),
                        width="100%",
                        role="img",
                        aria_label=f"Daily consumption units per product for the last 90 days; {S.forecast}",
                        data_testid="consumption-chart",
                    ),
                    _forecast(),
                    spacing="4",
                    width="100%",
                ),
                rx.center(rx.spinner(), height="120px", width="100%"),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        role="region",
        aria_label="Consumption Units",
    )
