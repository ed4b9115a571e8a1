"""A customer's consumption units against its credit quota, the last 90 days (DETAIL-3)."""

from __future__ import annotations

from datetime import date

from msc_app.api.v1.framework import PREFIX, Call, Operation
from msc_app.api.v1.schemas import ConsumptionDayOut, ConsumptionOut
from msc_app.services import consumption
from msc_app.services.consumption import Consumption, customer_consumption

TAG = "Consumption"


def _beyond_the_calendar(call: Call, account_id: int) -> Consumption:
    """The figures when the service's burn-down forecast overflows ``date`` (a large quota used slowly:
    ``today + ceil(remaining / daily_rate)`` passes year 9999) and it raises ``OverflowError``.

    The same figures from the same helpers, with no forecast: at this pace the quota never runs out
    within the calendar. (A thin stand-in until services/consumption.py bounds its forecast.)
    """
    today = date.today()
    first, last = consumption.summaries.consumption_window(today)
    quota = consumption._quota(call.session, account_id)
    units = consumption._window_units(call.session, account_id, first, last)
    period_start = quota.effective or first
    carried = consumption._units_between(call.session, account_id, period_start, first) if period_start < first else 0
    days = consumption._days(first, last, units, quota.products, period_start, carried)
    used = days[-1].cumulative
    recent = sum(d.total for d in days[-consumption.RATE_DAYS:])
    return Consumption(
        days=days,
        products=quota.products,
        quota=quota.quota,
        quota_effective_date=quota.effective,
        quota_end_date=quota.end,
        used=used,
        remaining=quota.quota - used,
        daily_rate=recent / consumption.RATE_DAYS,
        runs_out_on=None,
        runs_out_early=False,
        window_total=sum(d.total for d in days),
    )


def get_consumption(call: Call) -> ConsumptionOut:
    account_id = call.ids["customer_id"]
    try:
        found = customer_consumption(session=call.session, actor=call.actor, account_id=account_id)
    except OverflowError:  # scope was checked before the forecast
        found = _beyond_the_calendar(call, account_id)
    return ConsumptionOut(
        account_id=account_id,
        days=[
            ConsumptionDayOut(day=d.day, by_product=d.by_product, total=d.total, cumulative=d.cumulative)
            for d in found.days
        ],
        products=list(found.products),
        quota=found.quota,
        quota_effective_date=found.quota_effective_date,
        quota_end_date=found.quota_end_date,
        used=found.used,
        remaining=found.remaining,
        daily_rate=found.daily_rate,
        runs_out_on=found.runs_out_on,
        runs_out_early=found.runs_out_early,
        window_total=found.window_total,
    )


operations = [
    Operation("GET", PREFIX + "/customers/{customer_id}/consumption", get_consumption, "getConsumption",
              "Get a customer's consumption", TAG,
              description="Daily units per product for the last 90 days, the quota, what is used and remains, "
              "and when the quota runs out at the last 30 days' pace.",
              path_ids={"customer_id": "Customer"}, response=ConsumptionOut, problems=(404,)),
]
