"""Consumption Units (DETAIL-3): 90 days per product against the credit quota, with a burn-down forecast.

Each test seeds its own products and daily consumption on a customer of the
known world (rolled back afterwards) and checks the exact figures. "Today" is
fixed at TODAY; the window is TODAY-89 .. TODAY.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import DailyConsumption, Product, ProductType
from msc_app.services.consumption import customer_consumption
from msc_app.services.errors import NotFound
from tests.conftest import add_product
from tests.services.support import plan_id

TODAY = date(2025, 6, 1)
HYBRID = ProductType.HYBRID_WORKLOADS.value
SAAS = ProductType.SAAS_APPS_ENDPOINTS.value
M365 = ProductType.MICROSOFT_365.value
MISSING_ID = 999_999


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def _product(session, account_id: int, product_type: str, **extra) -> Product:
    return add_product(session, account_id=account_id, plan_id=plan_id(session), product_type=product_type, **extra)


def _consume(session, product: Product, units_by_day: dict[date, int]) -> None:
    for day, units in units_by_day.items():
        session.add(DailyConsumption(account_id=product.account_id, product_id=product.id, day=day, units=units))
    session.flush()


def _read(session, world, account: str = "r1_cust2", user: str = "r1_admin"):
    actor = world.actor(user)
    return customer_consumption(session=session, actor=actor, account_id=world.accounts[account], today=TODAY)


@contextmanager
def counted_selects(engine: sa.Engine) -> Iterator[list[str]]:
    """The SELECT statements sent to the database inside the block (savepoints and BEGINs left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- the 90 days


def test_detail_3_ninety_days_oldest_first_zero_filled_and_stacked_by_product(session, world):
    """DETAIL-3: exactly 90 days ending today, every product on every day (0 when idle), in ProductType order."""
    target = world.accounts["r1_cust2"]
    saas = _product(session, target, SAAS, credit_quota=500)  # added first, listed second
    hybrid = _product(session, target, HYBRID, credit_quota=1000)
    _consume(session, hybrid, {ago(90): 100, ago(89): 5, ago(0): 7, TODAY + timedelta(days=1): 50})
    _consume(session, saas, {ago(0): 3})

    c = _read(session, world)

    assert c.products == (HYBRID, SAAS)
    assert len(c.days) == 90
    assert [d.day for d in c.days] == [ago(89 - i) for i in range(90)]
    assert (c.days[0].by_product, c.days[0].total) == ({HYBRID: 5, SAAS: 0}, 5)
    assert (c.days[-1].by_product, c.days[-1].total) == ({HYBRID: 7, SAAS: 3}, 10)
    assert all(d.by_product == {HYBRID: 0, SAAS: 0} and d.total == 0 for d in c.days[1:-1])
    assert c.window_total == 15  # the day before the window and the day after today are left out


def test_detail_3_without_an_effective_date_used_is_the_window(session, world):
    """DETAIL-3: no quota effective date: the period is the 90 days shown, cumulative from the window's first day."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID, credit_quota=1000)
    _consume(session, hybrid, {ago(120): 400, ago(89): 5, ago(40): 10, ago(0): 7})

    c = _read(session, world)

    assert c.quota_effective_date is None
    assert [c.days[0].cumulative, c.days[48].cumulative, c.days[49].cumulative, c.days[-1].cumulative] == [5, 5, 15, 22]
    assert (c.used, c.remaining, c.window_total) == (22, 978, 22)


def test_detail_3_used_counts_the_whole_quota_period_before_the_window(session, world):
    """DETAIL-3: used and cumulative count from the quota effective date, long before the 90 days, not before it."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(
        session, target, HYBRID, credit_quota=1000, quota_effective_date=ago(200), quota_end_date=ago(-165)
    )
    saas = _product(session, target, SAAS, credit_quota=500)
    _consume(session, hybrid, {ago(201): 1000, ago(200): 40, ago(100): 60, ago(89): 10, ago(0): 20})
    _consume(session, saas, {ago(150): 30})

    c = _read(session, world)

    assert (c.quota, c.quota_effective_date, c.quota_end_date) == (1500, ago(200), ago(-165))
    assert c.days[0].cumulative == 40 + 30 + 60 + 10
    assert c.days[-2].cumulative == 140
    assert c.days[-1].cumulative == 160
    assert (c.used, c.remaining, c.window_total) == (160, 1340, 30)


def test_detail_3_quota_period_starting_inside_the_window(session, world):
    """DETAIL-3: cumulative is 0 before the quota period starts, then adds up from its first day."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID, credit_quota=100, quota_effective_date=ago(10))
    _consume(session, hybrid, {ago(11): 50, ago(10): 5, ago(0): 7})

    c = _read(session, world)

    by_day = {d.day: d for d in c.days}
    assert (by_day[ago(11)].total, by_day[ago(11)].cumulative) == (50, 0)
    assert [by_day[ago(10)].cumulative, by_day[ago(1)].cumulative, by_day[ago(0)].cumulative] == [5, 5, 12]
    assert (c.used, c.remaining, c.window_total) == (12, 88, 62)


def test_detail_3_quota_is_the_sum_and_the_period_spans_every_product(session, world):
    """DETAIL-3: quota sums the products' quotas; the period runs from the earliest effective to the latest end date."""
    target = world.accounts["r1_cust2"]
    _product(session, target, HYBRID, credit_quota=3000, quota_effective_date=ago(60), quota_end_date=ago(-30))
    _product(session, target, SAAS, credit_quota=1000, quota_effective_date=ago(20), quota_end_date=ago(-90))
    _product(session, target, M365, credit_quota=250)

    c = _read(session, world)

    assert c.products == (HYBRID, SAAS, M365)
    assert (c.quota, c.quota_effective_date, c.quota_end_date) == (4250, ago(60), ago(-90))
    assert (c.used, c.remaining, c.daily_rate, c.runs_out_on, c.runs_out_early) == (0, 4250, 0.0, None, False)


# ---------------------------------------------------------------- the forecast


@pytest.mark.parametrize(
    ("end_in_days", "early"),
    [(16, True), (15, False), (30, True), (10, False)],
)
def test_detail_3_forecast_runs_out_before_or_after_the_quota_end(session, world, end_in_days, early):
    """DETAIL-3: 300 units left at 20 a day (the last 30 days) last 15 days; early only if that is before the end."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(
        session, target, HYBRID, credit_quota=1000, quota_effective_date=ago(100), quota_end_date=ago(-end_in_days)
    )
    _consume(session, hybrid, {ago(50): 100, **{ago(i): 20 for i in range(30)}})

    c = _read(session, world)

    assert (c.used, c.remaining, c.daily_rate) == (700, 300, 20.0)
    assert c.runs_out_on == TODAY + timedelta(days=15)
    assert c.runs_out_early is early


def test_detail_3_forecast_rounds_a_part_day_up(session, world):
    """DETAIL-3: 310 remaining at 20 a day is 15.5 days: the quota runs out on the 16th day."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID, credit_quota=1010, quota_effective_date=ago(100))
    _consume(session, hybrid, {ago(50): 100, **{ago(i): 20 for i in range(30)}})

    c = _read(session, world)

    assert (c.remaining, c.runs_out_on, c.runs_out_early) == (310, TODAY + timedelta(days=16), False)


def test_detail_3_daily_rate_averages_idle_days_of_the_last_30(session, world):
    """DETAIL-3: the rate is the last 30 days' units over 30 days; older consumption does not count."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID, credit_quota=10_000, quota_end_date=ago(-365))
    _consume(session, hybrid, {ago(30): 900, ago(29): 30, ago(0): 60})

    c = _read(session, world)

    assert c.daily_rate == 3.0
    assert (c.used, c.remaining) == (990, 9010)
    assert c.runs_out_on == TODAY + timedelta(days=3004)  # ceil(9010 / 3)
    assert c.runs_out_early is False


def test_detail_3_no_consumption_in_30_days_means_no_forecast(session, world):
    """DETAIL-3: with units left and nothing consumed lately there is no run-out date."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID, credit_quota=1000, quota_end_date=ago(-10))
    _consume(session, hybrid, {ago(45): 200})

    c = _read(session, world)

    assert (c.used, c.remaining, c.daily_rate, c.runs_out_on, c.runs_out_early) == (200, 800, 0.0, None, False)


def test_detail_3_over_quota_has_run_out_today(session, world):
    """DETAIL-3: used beyond the quota: remaining is negative and the quota ran out today, before its end."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(
        session, target, HYBRID, credit_quota=100, quota_effective_date=ago(40), quota_end_date=ago(-20)
    )
    _consume(session, hybrid, {ago(35): 120, ago(1): 30})

    c = _read(session, world)

    assert (c.used, c.remaining, c.runs_out_on, c.runs_out_early) == (150, -50, TODAY, True)


def test_detail_3_no_quota_means_no_forecast(session, world):
    """DETAIL-3: products without a credit quota: nothing to run out, the units still shown."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID)
    _consume(session, hybrid, {ago(3): 40})

    c = _read(session, world)

    assert (c.quota, c.used, c.remaining, c.window_total) == (0, 40, -40, 40)
    assert (c.runs_out_on, c.runs_out_early) == (None, False)


def test_detail_3_customer_without_products_gets_an_empty_chart(session, world):
    """DETAIL-3: no products: 90 empty days, no quota, no forecast."""
    c = _read(session, world)

    assert c.products == ()
    assert len(c.days) == 90
    assert all(d.by_product == {} and d.total == 0 and d.cumulative == 0 for d in c.days)
    assert (c.quota, c.quota_effective_date, c.quota_end_date, c.used, c.remaining) == (0, None, None, 0, 0)
    assert (c.daily_rate, c.runs_out_on, c.runs_out_early, c.window_total) == (0.0, None, False, 0)


# ---------------------------------------------------------------- scope and cost


@pytest.mark.parametrize(
    ("user", "account"),
    [("r1_admin", "r2_cust1"), ("r2_admin", "r1_cust1"), ("tenant_admin", "r1_cust2"), ("r1_viewer", "dist_cust1")],
)
def test_detail_3_auth_4_out_of_scope_customer_is_not_found(session, world, user, account):
    """DETAIL-3 / AUTH-4: another reseller's (or an unassigned) customer's consumption reads like a missing one."""
    with pytest.raises(NotFound) as foreign:
        _read(session, world, account=account, user=user)
    actor = world.actor(user)
    with pytest.raises(NotFound) as missing:
        customer_consumption(session=session, actor=actor, account_id=MISSING_ID, today=TODAY)
    assert str(foreign.value) == str(missing.value)


@pytest.mark.parametrize("user", ["tenant_admin", "r1_viewer", "dist_admin"])
def test_detail_3_customers_in_scope_are_readable(session, world, user):
    """DETAIL-3: a tenant admin reads the customer it is assigned to; viewers and the distributor read too."""
    target = world.accounts["r1_cust1"]
    m365 = session.exec(select(Product).where(Product.account_id == target)).one()
    _consume(session, m365, {ago(2): 9})

    c = _read(session, world, account="r1_cust1", user=user)

    assert (c.products, c.window_total) == ((M365,), 9)


def test_detail_3_query_count_does_not_grow_with_products_or_history(session, world, database):
    """DETAIL-3: a fixed number of queries (SQL aggregates), whatever the products and days of history."""
    target = world.accounts["r1_cust2"]
    hybrid = _product(session, target, HYBRID, credit_quota=1000, quota_effective_date=ago(200))
    _consume(session, hybrid, {ago(150): 1, ago(1): 2})
    with counted_selects(database.engine) as small:
        _read(session, world)

    for product_type in (SAAS, M365):
        product = _product(session, target, product_type, credit_quota=1000, quota_effective_date=ago(400))
        _consume(session, product, {ago(i): i % 7 for i in range(400)})
    with counted_selects(database.engine) as large:
        c = _read(session, world)

    assert c.window_total == 2 + 2 * sum(i % 7 for i in range(90))
    assert len(large) == len(small) == 4  # scope, products' quota, the window by (day, product), the period before
