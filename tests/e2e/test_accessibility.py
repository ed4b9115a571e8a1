"""axe-core on each page: no serious or critical accessibility violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in

BLOCKING = {"serious", "critical"}


def _blocking_violations(page: Page) -> list[str]:
    # A dialog fades in: axe measuring colour contrast mid-animation sees half-transparent text (a
    # false "color-contrast" once on CI). Measure what the user ends up seeing; endless animations
    # (spinners) never end and are not waited for.
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getComputedTiming().endTime === Infinity)"
    )
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[(n['target'], n['html'][:160]) for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def test_sign_in_page_is_accessible(page: Page, base_url):
    page.goto(f"{base_url}/signin")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert _blocking_violations(page) == []


@pytest.mark.parametrize("path", ["/customers"])
def test_signed_in_pages_are_accessible(page: Page, base_url, world, path):
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.goto(f"{base_url}{path}")
    expect(page.get_by_test_id("customer-row").first).to_be_visible()
    assert _blocking_violations(page) == []


def test_contracts_and_customer_pages_are_accessible(page: Page, base_url, world):
    """The contracts list, a contract and a customer's page: no serious or critical axe violations."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.goto(f"{base_url}/contracts")
    expect(page.get_by_role("heading", name="Contracts")).to_be_visible()
    expect(page.get_by_role("link", name="E2E-0")).to_be_visible()
    assert _blocking_violations(page) == []
    page.get_by_role("link", name="E2E-0").click()
    expect(page.get_by_role("heading", name="E2E-0")).to_be_visible()
    assert _blocking_violations(page) == []
    page.get_by_role("link", name="Harbor Client 01").first.click()
    expect(page.get_by_role("heading", name="Account Details")).to_be_visible()
    assert _blocking_violations(page) == []


def test_customer_summary_and_health_tabs_are_accessible(page: Page, base_url, world):
    """Both tabs of a customer with products, consumption, contacts, data sources and alerts."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.get_by_role("searchbox", name="Search customers").fill(world.detail.name)
    page.get_by_role("searchbox", name="Search customers").press("Enter")
    page.get_by_role("link", name=world.detail.name).first.click()
    expect(page.get_by_test_id("consumption-chart").locator(".recharts-area-area").first).to_be_visible()
    expect(page.get_by_test_id("contact-row").first).to_be_visible()
    assert _blocking_violations(page) == []
    page.get_by_role("tab", name="Health").click()
    expect(page.get_by_test_id("data-source-row").first).to_be_visible()
    assert _blocking_violations(page) == []


def test_users_page_and_invite_dialog_are_accessible(page: Page, base_url, world):
    """AUTH-3: the Users page and its Invite User dialog."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_role("cell", name=world.reseller_admin)).to_be_visible()
    assert _blocking_violations(page) == []
    page.get_by_role("button", name="Invite User").click()
    expect(page.get_by_role("dialog", name="Invite User")).to_be_visible()
    assert _blocking_violations(page) == []


def test_security_page_is_accessible(page: Page, base_url, world):
    """Two-factor enrolment on the Security page: the QR code, the setup key and the code field."""
    sign_in(page, base_url, world.reseller_viewer, world.password)
    page.goto(f"{base_url}/security")
    expect(page.get_by_role("heading", name="Security", level=1)).to_be_visible()
    assert _blocking_violations(page) == []
    page.get_by_role("button", name="Set up authenticator app").click()
    expect(page.get_by_role("img", name="QR code to add MSC to your authenticator app")).to_be_visible()
    assert _blocking_violations(page) == []
