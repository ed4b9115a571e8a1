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
