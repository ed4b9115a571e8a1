"""The customers list in real Chromium: paging, sorting, total, search, scope (LIST-1, LIST-4, AUTH-4)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import all_row_names, row_names, sign_in


def test_list_1_distributor_pages_through_every_customer_with_total(page: Page, base_url, world):
    """LIST-1: server-side pages of 25, the total count, every row reachable exactly once."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    total = len(world.distributor_rows)
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{total} in your scope")
    expect(page.get_by_test_id("customer-row")).to_have_count(25)
    expect(page.get_by_test_id("pager-summary")).to_have_text(f"1–25 of {total} customers")
    assert all_row_names(page) == world.distributor_rows
    expect(page.get_by_test_id("pager-summary")).to_have_text(f"26–{total} of {total} customers")
    expect(page.get_by_test_id("customer-row")).to_have_count(total - 25)
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_test_id("customer-row")).to_have_count(25)


def test_list_1_sort_by_column_header_toggles_direction(page: Page, base_url, world):
    """LIST-1 / LIST-6: a click on a header sorts by it on the server; a second click reverses.
    The tree stays: top-level rows in that order, each reseller's customers in that order under it."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    assert row_names(page)[0] == "Blue Harbor Resellers"  # default: Name ascending
    header = page.get_by_role("columnheader", name="Customer Name")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_test_id("customer-row").first).to_contain_text("Sandbox")
    names = row_names(page)
    crimson = names.index("Crimson Peak IT")
    assert names[crimson + 1] == "Secret Zebra Corp"  # its customers, descending, right under it

    page.context.clear_cookies()
    sign_in(page, base_url, world.reseller_admin, world.password)
    expiry = page.get_by_role("columnheader", name="License Expiry")
    expiry.get_by_role("button").click()
    expect(expiry).to_have_attribute("aria-sort", "ascending")
    # Harbor Client 01 has the earliest licence expiry of the seeded products (in 30 days:
    # flagged as soon); Harbor Client 02 expires a day later, outside the warning window.
    rows = page.get_by_test_id("customer-row")
    expect(rows.first).to_contain_text("Blue Harbor Resellers")  # the reseller's own row leads its tree
    expect(rows.nth(1)).to_contain_text("Harbor Client 01")
    expect(rows.nth(1).get_by_text("Soon", exact=True)).to_be_visible()
    expect(rows.nth(2)).to_contain_text("Harbor Client 02")
    expect(rows.nth(2).get_by_text("Soon", exact=True)).to_have_count(0)


def test_list_4_search_applies_on_enter_case_insensitive(page: Page, base_url, world):
    """LIST-4: case-insensitive substring search on name, applied when Enter is pressed."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    total = len(world.distributor_rows)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("HARBOR CLIENT 1")
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{total} in your scope")
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("10 in your scope")
    assert set(row_names(page)) == {f"Harbor Client {i}" for i in range(10, 20)}

    # The customer name is searched too ("Holdings" is only in customer names).
    search.fill("holdings")
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("30 in your scope")

    search.fill("no such customer at all")
    search.press("Enter")
    expect(page.get_by_text("No customers match your search.")).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{total} in your scope")


def test_auth_4_reseller_admin_sees_only_its_own_customers(page: Page, base_url, world):
    """AUTH-4/LIST-1: a reseller sees itself and its customers, never another reseller's."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{len(world.reseller_rows)} in your scope")
    assert all_row_names(page) == world.reseller_rows
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("Zebra")  # another reseller's customer: as if it did not exist
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("0 in your scope")
    expect(page.get_by_text("No customers match your search.")).to_be_visible()


def test_auth_4_tenant_admin_sees_only_assigned_customers(page: Page, base_url, world):
    """AUTH-4: a tenant admin sees only the customers it is assigned to."""
    sign_in(page, base_url, world.tenant_admin, world.password)
    expect(page.get_by_test_id("customer-total")).to_have_text(
        f"{len(world.tenant_admin_customers)} in your scope"
    )
    assert set(row_names(page)) == set(world.tenant_admin_customers)


def test_list_2_status_source_data_and_contracts_columns(page: Page, base_url, world):
    """LIST-2 / STATUS-1/2 / SOURCE-1 / CONTRACT-1: the onboarding ring with done/total, the
    source-data health rolled up to the reseller, contract counts by status, '---' when complete."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("harbor client 01")
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    row = page.get_by_test_id("customer-row").first
    expect(row.get_by_role("progressbar", name="Onboarding progress")).to_be_visible()
    expect(row).to_contain_text("2/5")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("2 Active")
    expect(row).to_contain_text("1 Pending")

    search.fill("blue harbor")
    search.press("Enter")
    reseller = page.get_by_test_id("customer-row").first
    expect(reseller).to_contain_text("Blue Harbor Resellers")
    expect(reseller).to_contain_text("Failed")  # its customer's failure, aggregated (SOURCE-1)
    expect(reseller).to_contain_text("1/5")  # STATUS-2: the distributor sees a reseller's own onboarding
