"""The filter panel, its chips and the view in the URL (LIST-5, LIST-9), in real Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import all_row_names, row_names, sign_in


def _open_filters(page: Page):
    page.get_by_role("button", name="Filters").click()
    panel = page.get_by_role("dialog", name="Filters")
    expect(panel).to_be_visible()
    return panel


def test_list_5_product_filter_applies_shows_a_chip_and_survives_reload(page: Page, base_url, world):
    """LIST-5 / LIST-9: Apply filters the list on the server; the filter shows as a removable chip,
    lives in the URL (reload and a shared link show the same rows), and removing the chip restores the list."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    total = page.get_by_test_id("customer-total").inner_text()
    panel = _open_filters(page)
    panel.get_by_role("checkbox", name="Microsoft 365").click()
    panel.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("customer-total")).to_have_text("10 in your scope")
    expect(page.get_by_test_id("filter-chip")).to_have_text(["Product: Microsoft 365"])
    expect(page).to_have_url(re.compile(r"product=Microsoft"))
    expected = {f"Harbor Client {i + 1:02d}" for i in range(30) if i % 3 == 2}
    assert set(row_names(page)) == expected

    page.reload()
    expect(page.get_by_test_id("customer-total")).to_have_text("10 in your scope")
    expect(page.get_by_test_id("filter-chip")).to_have_count(1)
    shared = page.context.new_page()
    shared.goto(page.url)
    expect(shared.get_by_test_id("customer-total")).to_have_text("10 in your scope")
    assert set(row_names(shared)) == expected
    shared.close()

    page.get_by_role("button", name="Remove filter Product: Microsoft 365").click()
    expect(page.get_by_test_id("customer-total")).to_have_text(total)
    expect(page.get_by_test_id("filter-chip")).to_have_count(0)


def test_list_5_plan_choices_narrow_by_edition_and_filters_combine(page: Page, base_url, world):
    """LIST-5: the service-plan choices narrow by Edition; a plan and a tenant type combine (AND),
    and Reset clears every filter."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    panel = _open_filters(page)
    expect(panel.get_by_role("checkbox", name="Default Service Plan (Business)")).to_be_visible()
    panel.get_by_role("combobox", name="Narrow plans by Edition").click()
    page.get_by_role("option", name="Elite").click()
    expect(panel.get_by_role("checkbox", name="Default Service Plan (Business)")).to_have_count(0)
    panel.get_by_role("checkbox", name="Premium Protect (Elite)").click()
    panel.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("customer-total")).to_have_text("15 in your scope")

    panel = _open_filters(page)
    expect(panel.get_by_role("checkbox", name="Premium Protect (Elite)")).to_be_checked()
    panel.get_by_role("checkbox", name="Evaluation").click()
    panel.get_by_role("button", name="Apply").click()
    # Odd-numbered seed customers have Premium Protect and are Commercial: none is both.
    expect(page.get_by_test_id("customer-total")).to_have_text("0 in your scope")
    expect(page.get_by_test_id("filter-chip")).to_have_count(2)

    panel = _open_filters(page)
    panel.get_by_role("button", name="Reset").click()
    expect(page.get_by_test_id("filter-chip")).to_have_count(0)
    expect(page.get_by_test_id("customer-total")).to_have_text("31 in your scope")


def test_list_5_status_source_data_and_tenant_admin_filters(page: Page, base_url, world):
    """LIST-5: onboarding Status, Source Data (aggregated, SOURCE-1) and Tenant Admin filters."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    panel = _open_filters(page)
    panel.get_by_role("radio", name="In progress").click()
    panel.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("customer-total")).to_have_text("2 in your scope")
    assert set(row_names(page)) == {"Harbor Client 01", "Harbor Client 02"}

    panel = _open_filters(page)
    panel.get_by_role("button", name="Reset").click()
    panel = _open_filters(page)
    panel.get_by_role("checkbox", name="Failed").click()
    panel.get_by_role("button", name="Apply").click()
    # The reseller's own row carries its customer's failure (SOURCE-1).
    expect(page.get_by_test_id("customer-total")).to_have_text("2 in your scope")
    assert set(row_names(page)) == {"Blue Harbor Resellers", "Harbor Client 01"}

    panel = _open_filters(page)
    panel.get_by_role("button", name="Reset").click()
    panel = _open_filters(page)
    panel.get_by_role("checkbox", name="Tara Tenant").click()
    panel.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("customer-total")).to_have_text("2 in your scope")
    assert set(row_names(page)) == set(world.tenant_admin_customers)


def test_list_5_reseller_is_offered_only_its_own_choices(page: Page, base_url, world):
    """LIST-5 / AUTH-4: a tenant admin's filters apply within its own assigned customers."""
    sign_in(page, base_url, world.tenant_admin, world.password)
    panel = _open_filters(page)
    expect(panel.get_by_role("checkbox", name="Tara Tenant")).to_be_visible()
    panel.get_by_role("checkbox", name="Hybrid Workloads").click()
    panel.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    assert all_row_names(page) == {"Harbor Client 01"}
