"""Consumption Units on /customers/<id> (DETAIL-3): 90 days per product against the credit quota.

Beyond the reference consoles, a burn-down forecast: at the last 30 days'
rate, the day the quota runs out, in warning colour when that comes before
the quota's end date. The numbers come from ``services/consumption``.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.services.consumption import Consumption, customer_consumption
from msc_app.services.errors import NotFound
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.session import guarded

USED = "Used in quota period"
QUOTA = "Credit quota"
PRODUCT_COLORS = {
    "Hybrid Workloads": "#3e63dd",  # indigo 9
    "SaaS Apps and Endpoints": "#12a594",  # teal 9
    "Microsoft 365": "#f76b15",  # orange 9
}


def _date(value) -> str:
    return value.strftime("%b %d, %Y") if value else ""


@dataclasses.dataclass
class Series:
    key: str
    color: str


def chart_points(consumption: Consumption) -> list[dict]:
    """One point a day: units per product (stacked bars), the period's cumulative use and the quota (lines)."""
    points = []
    for day in consumption.days:
        point: dict = {"day": day.day.strftime("%b %d"), **day.by_product, USED: day.cumulative}
        if consumption.quota:
            point[QUOTA] = consumption.quota
        points.append(point)
    return points


def forecast_text(c: Consumption) -> str:
    if not c.quota:
        return "No credit quota is set, so there is nothing to run out."
    if c.remaining <= 0:
        return "The credit quota is used up."
    if c.runs_out_on is None:
        return "Nothing was consumed in the last 30 days: at that rate the quota never runs out."
    text = f"At the last 30 days' rate ({c.daily_rate:,.0f} units a day) the quota runs out on {_date(c.runs_out_on)}"
    if c.runs_out_early:
        return f"{text}, before the quota period ends on {_date(c.quota_end_date)}."
    if c.quota_end_date:
        return f"{text}, after the quota period ends on {_date(c.quota_end_date)}."
    return f"{text}."


class ConsumptionState(CustomerDetailState):
    consumption_loaded: bool = False
    points: list[dict] = []
    series: list[Series] = []
    quota: int = 0
    quota_text: str = ""
    period_text: str = ""
    used: str = ""
    remaining: str = ""  # what is left, or by how much the quota is exceeded (over_quota)
    used_percent: int = 0
    window_total: str = ""
    forecast: str = ""
    forecast_date: str = ""
    forecast_warning: bool = False
    over_quota: bool = False

    def _show(self, c: Consumption) -> None:
        self.points = chart_points(c)
        self.series = [Series(key=p, color=PRODUCT_COLORS.get(p, "#8e8c99")) for p in c.products]
        self.quota = c.quota
        self.quota_text = f"{c.quota:,}" if c.quota else "Not set"
        if c.quota_effective_date:
            until = f" to {_date(c.quota_end_date)}" if c.quota_end_date else ""
            self.period_text = f"Quota period {_date(c.quota_effective_date)}{until}"
        else:
            self.period_text = "Last 90 days (no quota effective date)"
        self.used = f"{c.used:,}"
        self.remaining = f"{abs(c.remaining):,}"
        self.used_percent = min(100, round(100 * c.used / c.quota)) if c.quota else 0
        self.window_total = f"{c.window_total:,}"
        self.forecast = forecast_text(c)
        self.forecast_date = _date(c.runs_out_on)
        self.forecast_warning = c.runs_out_early or (bool(c.quota) and c.remaining <= 0)
        self.over_quota = bool(c.quota) and c.remaining < 0

    @rx.event
    @guarded
    def load_section(self) -> None:
        self.consumption_loaded = False
        try:
            with session_scope() as session:
                consumption = customer_consumption(
                    session=session, actor=self._signed_actor(), account_id=self._customer_id()
                )
        except NotFound:
            self.points, self.series = [], []
            return
        self._show(consumption)
        self.consumption_loaded = True
