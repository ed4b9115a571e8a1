"""Tenant switcher, perspective banner and switching back in real Chromium (TENANT-1, TENANT-2)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import all_row_names, row_names, sign_in


def _switch_from_row(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Switch to {name}", exact=True).click()


def test_tenant_1_switch_into_reseller_shows_exactly_its_view(page: Page, base_url, world):
    """TENANT-1: the row switcher puts a distributor admin in a reseller's perspective:
    the banner names it and the list and its count are what the reseller's admin sees."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    _switch_from_row(page, "Blue Harbor Resellers")
    banner = page.get_by_test_id("perspective-banner")
    expect(banner).to_contain_text("Blue Harbor Resellers")
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{len(world.reseller_rows)} in your scope")
    assert all_row_names(page) == world.reseller_rows
    # No switcher on the row of the tenant it already works as.
    expect(page.get_by_role("button", name="Switch to Blue Harbor Resellers", exact=True)).to_have_count(0)

    # The perspective is kept on the server: a reload stays in it.
    page.reload()
    expect(page.get_by_test_id("perspective-banner")).to_contain_text("Blue Harbor Resellers")

    # TENANT-2: switching back from the banner returns to the distributor's own view.
    banner.get_by_role("button", name="Switch back").click()
    expect(page.get_by_test_id("perspective-banner")).to_have_count(0)
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{len(world.distributor_rows)} in your scope")


def test_tenant_2_avatar_menu_lists_tenants_and_switches_back(page: Page, base_url, world):
    """TENANT-2: "Switch tenant" in the avatar menu lists the tenants in scope, switches into
    one, and offers the way back to the admin's own tenant."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Switch tenant").click()
    dialog = page.get_by_role("dialog", name="Switch tenant")
    expect(dialog.get_by_role("button", name="Blue Harbor Resellers")).to_be_visible()
    search = dialog.get_by_role("searchbox", name="Find a tenant")
    search.fill("peak dental")
    search.press("Enter")
    dialog.get_by_role("button", name="Peak Dental").click()
    expect(page.get_by_test_id("perspective-banner")).to_contain_text("Peak Dental")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    assert row_names(page) == ["Peak Dental"]

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Switch tenant").click()
    page.get_by_role("dialog", name="Switch tenant").get_by_role("button", name="Back to Northwind Distribution").click()
    expect(page.get_by_test_id("perspective-banner")).to_have_count(0)
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{len(world.distributor_rows)} in your scope")


def test_tenant_2_reseller_lists_only_its_own_tenants(page: Page, base_url, world):
    """TENANT-2: a reseller admin can switch only into its own customers, never another reseller's."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    # Its own reseller row has no switcher (it already is that tenant).
    expect(page.get_by_role("button", name="Switch to Harbor Client 01", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Switch to Blue Harbor Resellers", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Switch tenant").click()
    dialog = page.get_by_role("dialog", name="Switch tenant")
    search = dialog.get_by_role("searchbox", name="Find a tenant")
    search.fill("peak")
    search.press("Enter")
    expect(dialog.get_by_text("No tenants to switch into.")).to_be_visible()


def test_tenant_1_tenant_admin_has_no_switcher(page: Page, base_url, world):
    """TENANT-1: only distributor and reseller users switch; a tenant admin sees no switcher."""
    sign_in(page, base_url, world.tenant_admin, world.password)
    expect(page.get_by_test_id("customer-row").first).to_be_visible()
    expect(page.get_by_test_id("switch-tenant")).to_have_count(0)
    page.get_by_role("button", name="Account menu").click()
    expect(page.get_by_role("menuitem", name="Switch tenant")).to_have_count(0)
