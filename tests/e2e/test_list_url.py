"""The list's view lives in the URL: reload and shared links show the same view (LIST-9)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import row_names, sign_in


def test_list_9_search_sort_and_page_survive_reload_and_shared_link(page: Page, base_url, world):
    sign_in(page, base_url, world.distributor_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("harbor")
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("31 in your scope")
    header = page.get_by_role("columnheader", name="Customer Name")
    header.get_by_role("button").click()
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("pager-summary")).to_have_text("26–31 of 31 customers")
    expect(page).to_have_url(re.compile(r"q=harbor.*sort=customer_name.*desc=1.*page=2"))
    names = row_names(page)

    page.reload()
    expect(page.get_by_test_id("pager-summary")).to_have_text("26–31 of 31 customers")
    expect(page.get_by_role("columnheader", name="Customer Name")).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("searchbox", name="Search customers")).to_have_value("harbor")
    assert row_names(page) == names

    shared = page.context.new_page()
    shared.goto(page.url)
    expect(shared.get_by_test_id("pager-summary")).to_have_text("26–31 of 31 customers")
    assert row_names(shared) == names


def test_list_9_visible_columns_travel_in_the_link(page: Page, base_url, world):
    """LIST-9: the visible columns are in the URL, so a colleague opening the link sees the same
    columns, without changing the colleague's own saved columns (LIST-3)."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    page.get_by_role("button", name="Columns").click()
    dialog = page.get_by_role("dialog", name="Edit Columns")
    dialog.get_by_role("checkbox", name="Tenant Type").click()
    dialog.get_by_role("checkbox", name="Organization").click()
    dialog.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"cols="))
    link = page.url
    assert "tenant_type" not in link and "organization" in link

    colleague = page.context.browser.new_context(viewport={"width": 1440, "height": 900})
    other = colleague.new_page()
    sign_in(other, base_url, world.reseller_admin, world.password)
    expect(other.get_by_role("columnheader", name="Tenant Type")).to_be_visible()
    other.goto(link)
    expect(other.get_by_role("columnheader", name="Organization")).to_be_visible()
    expect(other.get_by_role("columnheader", name="Tenant Type")).to_have_count(0)
    other.goto(f"{base_url}/customers")
    expect(other.get_by_role("columnheader", name="Tenant Type")).to_be_visible()  # its own columns
    colleague.close()

    # Restore the distributor admin's columns for the other tests.
    page.get_by_role("button", name="Columns").click()
    dialog = page.get_by_role("dialog", name="Edit Columns")
    dialog.get_by_role("checkbox", name="Tenant Type").click()
    dialog.get_by_role("checkbox", name="Organization").click()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("columnheader", name="Tenant Type")).to_be_visible()
