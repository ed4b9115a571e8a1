"""A customer's consumption units against its credit quota, for the details page's chart (DETAIL-3).

What the page shows, and how each figure is defined:

- **days**: the last 90 days, oldest first, ending today (the same window as
  the customers list's Consumption column, ``summaries.consumption_window``),
  one entry per day even when nothing was consumed, with the units of each of
  the customer's products (stacked in the chart) and the day's total.
- **quota**: the sum of the credit quotas of the customer's products; the
  **quota period** runs from the earliest quota effective date among them to
  the latest quota end date.
- **used**: units consumed from the start of the quota period through today.
  Without an effective date there is no period to count from, so ``used`` is
  the units of the 90 days shown.
- **cumulative** (per day): ``used`` as it stood at the end of that day; 0 on
  days before the quota period starts. The chart draws it against the quota.
- **remaining**: ``quota - used``; negative when the customer is over quota.
- **daily_rate**: the average units per day over the last 30 days (today
  included), idle days counted as 0.
- **runs_out_on** (burn-down forecast): if the customer keeps consuming at
  ``daily_rate``, the day the quota is used up: ``today + ceil(remaining /
  daily_rate)`` days. Today when it is already used up (``remaining <= 0``).
  No forecast (``None``) without a quota, or with a positive remainder and no
  consumption in the last 30 days.
- **runs_out_early**: the forecast falls before the quota end date, i.e. the
  quota will not last its period at the current pace.

Scope: ``Action.VIEW`` on the customer; outside the actor's scope it is
``NotFound``, exactly like a missing customer (AUTH-4).

Cost: a fixed number of queries whatever the history's length (the scope
check, the products' quota figures, one GROUP BY (day, product type) over the
90 days, and, only when the quota period started before the window, one SUM of
the units between its start and the window), each served by the
``(account_id, day)`` index of ``daily_consumption``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, func, select

from msc_app.models import DailyConsumption, Product, ProductType
from msc_app.services import summaries
from msc_app.services.permissions import Action, Actor, require

RATE_DAYS = 30  # the days the forecast's daily rate averages over
_PRODUCT_ORDER = {p.value: i for i, p in enumerate(ProductType)}


@dataclass(frozen=True)
class ConsumptionDay:
    day: date
    by_product: dict[str, int]  # product type -> units that day, every product of the customer (0 if none)
    total: int
    cumulative: int  # units used in the quota period up to and including this day (0 before it starts)


@dataclass(frozen=True)
class Consumption:
    days: tuple[ConsumptionDay, ...]  # exactly 90, oldest first, ending today, zero-filled
    products: tuple[str, ...]  # the customer's product types, in ProductType order
    quota: int  # sum of the products' credit quotas
    quota_effective_date: date | None  # earliest effective date among the products
    quota_end_date: date | None  # latest end date among the products
    used: int  # units from quota_effective_date through today (no effective date: the 90 days)
    remaining: int  # quota - used (negative: over quota)
    daily_rate: float  # average units/day over the last 30 days
    runs_out_on: date | None  # burn-down forecast (see the module docstring)
    runs_out_early: bool  # runs_out_on falls before quota_end_date
    window_total: int  # units in the 90 days


@dataclass(frozen=True)
class _Quota:
    products: tuple[str, ...]
    quota: int
    effective: date | None
    end: date | None


def customer_consumption(*, session: Session, actor: Actor, account_id: int, today: date | None = None) -> Consumption:
    """The consumption chart's figures for customer ``account_id`` (DETAIL-3), or ``NotFound``."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    today = today or date.today()
    first, last = summaries.consumption_window(today)
    quota = _quota(session, account_id)
    units = _window_units(session, account_id, first, last)

    # The quota period counts from its effective date; without one, from the window's first day.
    period_start = quota.effective or first
    carried = _units_between(session, account_id, period_start, first) if period_start < first else 0
    days = _days(first, last, units, quota.products, period_start, carried)

    used = days[-1].cumulative  # 0 when the period starts after today
    remaining = quota.quota - used
    recent = sum(d.total for d in days[-RATE_DAYS:])
    runs_out_on = _runs_out_on(today, quota=quota.quota, remaining=remaining, recent_units=recent)
    return Consumption(
        days=days,
        products=quota.products,
        quota=quota.quota,
        quota_effective_date=quota.effective,
        quota_end_date=quota.end,
        used=used,
        remaining=remaining,
        daily_rate=recent / RATE_DAYS,
        runs_out_on=runs_out_on,
        runs_out_early=runs_out_on is not None and quota.end is not None and runs_out_on < quota.end,
        window_total=sum(d.total for d in days),
    )


def _quota(session: Session, account_id: int) -> _Quota:
    """The customer's product types and their quota figures, aggregated per type in one query."""
    rows = session.exec(
        select(
            Product.product_type,
            func.coalesce(func.sum(Product.credit_quota), 0),
            func.min(Product.quota_effective_date),
            func.max(Product.quota_end_date),
        )
        .where(Product.account_id == account_id)
        .group_by(Product.product_type)
    ).all()
    effective = [row[2] for row in rows if row[2] is not None]
    ends = [row[3] for row in rows if row[3] is not None]
    return _Quota(
        products=tuple(sorted((row[0] for row in rows), key=lambda t: (_PRODUCT_ORDER.get(t, 99), t))),
        quota=sum(int(row[1]) for row in rows),
        effective=min(effective) if effective else None,
        end=max(ends) if ends else None,
    )


def _window_units(session: Session, account_id: int, first: date, last: date) -> dict[tuple[date, str], int]:
    """Units per (day, product type) in the window: one GROUP BY, at most 90 × 3 rows."""
    rows = session.exec(
        select(DailyConsumption.day, Product.product_type, func.sum(DailyConsumption.units))
        .join(Product, Product.id == DailyConsumption.product_id)
        .where(
            DailyConsumption.account_id == account_id,
            Product.account_id == account_id,
            DailyConsumption.day >= first,
            DailyConsumption.day <= last,
        )
        .group_by(DailyConsumption.day, Product.product_type)
    ).all()
    return {(day, product_type): int(units or 0) for day, product_type, units in rows}


def _units_between(session: Session, account_id: int, start: date, before: date) -> int:
    """Units consumed from ``start`` up to (not including) ``before``: the quota period before the window."""
    total = session.exec(
        select(func.coalesce(func.sum(DailyConsumption.units), 0))
        .join(Product, Product.id == DailyConsumption.product_id)
        .where(
            DailyConsumption.account_id == account_id,
            Product.account_id == account_id,
            DailyConsumption.day >= start,
            DailyConsumption.day < before,
        )
    ).one()
    return int(total or 0)


def _days(
    first: date,
    last: date,
    units: dict[tuple[date, str], int],
    products: tuple[str, ...],
    period_start: date,
    carried: int,
) -> tuple[ConsumptionDay, ...]:
    """Every day of the window, zero-filled, with the running total of the quota period.

    ``carried`` is what the period used before the window (0 unless the period
    started earlier), so the running total stays 0 until the period starts.
    """
    days: list[ConsumptionDay] = []
    cumulative = carried
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        by_product = {product: units.get((day, product), 0) for product in products}
        total = sum(by_product.values())
        if day >= period_start:
            cumulative += total
        days.append(ConsumptionDay(day=day, by_product=by_product, total=total, cumulative=cumulative))
    return tuple(days)


FORECAST_HORIZON_DAYS = 100 * 366


def _runs_out_on(today: date, *, quota: int, remaining: int, recent_units: int) -> date | None:
    """The burn-down forecast: the day ``remaining`` reaches 0 at the last 30 days' pace.

    Integer arithmetic (``remaining / (recent_units / 30)`` rounded up) so that
    an exact division never gains a day through floating-point error.
    """
    if quota <= 0:
        return None
    if remaining <= 0:
        return today
    if recent_units <= 0:
        return None
    days_left = -(-remaining * RATE_DAYS // recent_units)
    if days_left > FORECAST_HORIZON_DAYS:  # not within any horizon worth a date (and past date.max for huge quotas)
        return None
    return today + timedelta(days=days_left)
