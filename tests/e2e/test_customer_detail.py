"""A customer's page in real Chromium: the Summary tab's figures (DETAIL-1, DETAIL-3) and the Health tab
(HEALTH-1, HEALTH-2, HEALTH-3), checked against what tests/e2e/seed.py put in the database for
Harbor Client 10; and the page's scope (AUTH-4: another reseller's customer is "not found").

These tests only read, so they share the worker's ``app_server``.
"""

from __future__ import annotations

from datetime import UTC, date

from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account, BackupJob
from tests.e2e.helpers import sign_in
from tests.e2e.seed import DETAIL_CUSTOMER


def _id(server, name: str) -> int:
    with session_scope(server.db_url) as session:
        return session.exec(select(Account.id).where(Account.name == name)).one()


def _long(day: date) -> str:
    return day.strftime("%b %d, %Y")


def _open(page: Page, server, name: str = DETAIL_CUSTOMER, suffix: str = "") -> None:
    page.goto(f"{server.base_url}/customers/{_id(server, name)}{suffix}")


def test_detail_1_3_summary_shows_the_account_and_its_consumption_against_the_quota(page: Page, app_server):
    """DETAIL-1 account details; DETAIL-3 the quota, used, remaining, the 90-day chart stacked per product
    with the quota as a line, and the burn-down forecast in warning colour (it runs out before the end)."""
    world, detail = app_server.world, app_server.world.detail
    sign_in(page, app_server.base_url, world.reseller_admin, world.password)
    _open(page, app_server)
    expect(page.get_by_role("heading", name=DETAIL_CUSTOMER, level=1)).to_be_visible()
    expect(page.get_by_role("tab", name="Summary")).to_have_attribute("aria-selected", "true")
    account = page.get_by_role("region", name="Account Details")
    expect(account).to_contain_text("Harbor Client 10 Holdings")
    expect(account).to_contain_text("Org J")

    expect(page.get_by_test_id("consumption-quota")).to_have_text(f"{detail.quota:,}")
    expect(page.get_by_test_id("consumption-used")).to_have_text(f"{detail.used:,}")
    expect(page.get_by_test_id("consumption-remaining")).to_have_text(f"{detail.quota - detail.used:,}")
    expect(page.get_by_test_id("consumption-90d")).to_have_text(f"{90 * 60:,}")
    forecast = page.get_by_test_id("consumption-forecast")
    expect(forecast).to_contain_text(f"runs out on {_long(detail.forecast)}")
    expect(forecast).to_contain_text(f"before the quota period ends on {_long(detail.quota_end)}")
    callout = page.locator(".rt-CalloutRoot").filter(has=forecast)
    expect(callout).to_have_attribute("data-accent-color", "amber")

    chart = page.get_by_test_id("consumption-chart")
    # One stacked area per product; the legend names both products and both lines.
    expect(chart.locator(".recharts-area-area")).to_have_count(2)
    legend = page.get_by_test_id("consumption-legend")
    for name in ("Hybrid Workloads", "SaaS Apps and Endpoints", "Used in quota period", "Credit quota"):
        expect(legend).to_contain_text(name)


def test_health_1_2_3_health_tab_shows_jobs_data_sources_and_alerts(page: Page, app_server):
    """HEALTH-1 30-day job counts; HEALTH-2 one row per data source with days ago and job IDs (the last
    successful run only where the last one failed); HEALTH-3 open alerts by severity and type."""
    world, detail = app_server.world, app_server.world.detail
    sign_in(page, app_server.base_url, world.distributor_admin, world.password)
    _open(page, app_server)
    page.get_by_role("tab", name="Health").click()

    expect(page.get_by_test_id("health-jobs")).to_have_text(str(detail.backup_jobs_30d))
    expect(page.get_by_test_id("health-successful")).to_have_text(str(detail.successful_30d))
    expect(page.get_by_test_id("health-restores")).to_have_text(str(detail.restores_30d))

    rows = page.get_by_test_id("data-source-row")
    expect(rows).to_have_count(len(detail.sources))
    with session_scope(app_server.db_url) as session:
        started = {j.job_number: j.started_at for j in session.exec(select(BackupJob)).all()}

    def ago(days: int) -> str:
        return "today" if days == 0 else ("1 day ago" if days == 1 else f"{days} days ago")

    for name, (status, days, job, last_ok, restore) in detail.sources.items():
        cells = rows.filter(has=page.get_by_role("rowheader", name=name)).get_by_role("cell")
        expect(cells.nth(0)).to_have_text("Harbor Ten Org")
        expect(cells.nth(3)).to_contain_text(status)
        expect(cells.nth(3)).to_contain_text(f"{ago(days)} ({job})")
        at = started[job].replace(tzinfo=UTC)
        expect(cells.nth(4)).to_have_text(at.strftime("%b %d, %Y %H:%M UTC"))
        expect(cells.nth(5)).to_have_text(f"{ago(last_ok[0])} ({last_ok[1]})" if last_ok else "—")
        expect(cells.nth(6)).to_have_text(f"{ago(restore[0])} ({restore[1]})" if restore else "—")
    files = rows.filter(has=page.get_by_role("rowheader", name="File Server FS01")).get_by_role("cell")
    expect(files.nth(1)).to_have_text("File Servers, NAS")
    expect(files.nth(2)).to_have_text("Daily")

    expect(page.get_by_test_id("alerts-total")).to_have_text(f"{sum(detail.alerts_by_type.values())} open")
    by_severity = page.get_by_test_id("alerts-by-severity").get_by_test_id("alert-count")
    expect(by_severity).to_have_text([f"{s}{n}" for s, n in detail.alerts_by_severity.items()])
    by_type = page.get_by_test_id("alerts-by-type").get_by_test_id("alert-count")
    expect(by_type).to_have_text([f"{t}{n}" for t, n in detail.alerts_by_type.items()])


def test_health_tab_opens_from_the_link(page: Page, app_server):
    """?tab=health opens the Health tab directly, so the view can be shared."""
    world = app_server.world
    sign_in(page, app_server.base_url, world.reseller_admin, world.password)
    _open(page, app_server, suffix="?tab=health")
    expect(page.get_by_role("tab", name="Health")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("data-source-row")).to_have_count(len(world.detail.sources))


def test_auth_4_details_of_a_customer_outside_the_scope_are_not_found(page: Page, app_server):
    """Another reseller's customer, and for a tenant admin an unassigned one, read as "not found":
    no figures, no health, nothing of it on the page."""
    world = app_server.world
    sign_in(page, app_server.base_url, world.reseller_admin, world.password)
    _open(page, app_server, "Peak Dental")
    expect(page.get_by_role("heading", name="Customer not found")).to_be_visible()
    expect(page.get_by_role("tab")).to_have_count(0)
    expect(page.get_by_text("Peak Dental")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, app_server.base_url, world.tenant_admin, world.password)
    _open(page, app_server, suffix="?tab=health")
    expect(page.get_by_role("heading", name="Customer not found")).to_be_visible()
    expect(page.get_by_test_id("data-source-row")).to_have_count(0)
    expect(page.get_by_text("File Server FS01")).to_have_count(0)
