"""The list as a tree (LIST-6): resellers with their customers nested, parents kept as context."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import row_names, sign_in


def _search(page: Page, text: str, total: str) -> None:
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(text)
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text(total)


def test_list_6_distributor_sees_customers_nested_under_their_reseller(page: Page, base_url, world):
    """LIST-6: a distributor's list shows each reseller followed by its own customers."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    assert row_names(page)[:3] == ["Blue Harbor Resellers", "Harbor Client 01", "Harbor Client 02"]
    nested = page.get_by_test_id("customer-row").nth(1)
    expect(nested.locator("svg.lucide-corner-down-right")).to_have_count(1)
    expect(page.get_by_test_id("customer-row").first.locator("svg.lucide-corner-down-right")).to_have_count(0)


def test_list_6_parent_of_a_matching_child_is_shown_as_context(page: Page, base_url, world):
    """LIST-6: when only a child matches, its parent is shown above it, marked as context,
    and not counted."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    _search(page, "peak dental", "1 in your scope")
    context = page.get_by_test_id("context-row")
    expect(context).to_have_count(1)
    expect(context).to_contain_text("Crimson Peak IT")
    expect(context).to_contain_text("Context")
    assert row_names(page) == ["Peak Dental"]


def test_list_6_reseller_sees_itself_with_its_customers_and_tenant_admin_no_parent(page: Page, base_url, world):
    """LIST-6 / AUTH-4: a reseller sees its own row with its customers under it; a tenant admin
    never sees the reseller above its customers, not even as context."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    assert row_names(page)[:2] == ["Blue Harbor Resellers", "Harbor Client 01"]
    page.context.clear_cookies()
    sign_in(page, base_url, world.tenant_admin, world.password)
    expect(page.get_by_test_id("context-row")).to_have_count(0)
    assert row_names(page) == world.tenant_admin_customers
