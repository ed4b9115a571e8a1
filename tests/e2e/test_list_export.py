"""Export to CSV (LIST-7) in real Chromium: the columns window, every matching row (not a page),
the actor's scope and perspective, spreadsheet-safe cells, progress."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from msc_app.services.preferences import CUSTOMER_COLUMNS
from tests.e2e.helpers import customer_row, sign_in


def _export(page: Page, *, select_all: bool = True) -> list[dict[str, str]]:
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog", name="Select exportable columns")
    expect(dialog).to_be_visible()
    if select_all:
        dialog.get_by_role("checkbox", name="Select All").click()
        expect(dialog.get_by_role("checkbox", name="Created")).to_be_checked()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Export CSV").click()
    text = open(info.value.path(), encoding="utf-8").read()
    assert text.startswith("\ufeff"), "no byte-order mark for spreadsheets"
    expect(dialog.get_by_test_id("export-progress")).to_contain_text("rows exported")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    dialog.get_by_role("button", name="Close").click()
    return rows


def test_list_7_exports_every_matching_row_in_the_selected_columns(page: Page, base_url, world):
    """LIST-7: the file holds every row matching the search and filters (more than a page),
    in the selected columns; the window starts from the visible columns and offers Select All."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    rows = _export(page)
    assert len(rows) == len(world.reseller_rows) > 25  # more than one page
    assert list(rows[0].keys()) == [c.label for c in CUSTOMER_COLUMNS]
    assert {r["Name"] for r in rows} == world.reseller_rows

    page.goto(f"{base_url}/customers?product=Microsoft+365")
    expect(page.get_by_test_id("customer-total")).to_have_text("10 in your scope")
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog", name="Select exportable columns")
    expect(dialog).to_contain_text("all 10 customers")
    expect(dialog.get_by_role("checkbox", name="Name", exact=True)).to_be_checked()
    expect(dialog.get_by_role("checkbox", name="Created")).not_to_be_checked()  # not a visible column
    dialog.get_by_role("checkbox", name="Customer Name").click()  # leave it out
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == 10
    assert "Customer Name" not in rows[0] and "Products" in rows[0]
    assert all("Microsoft 365" in r["Products"] for r in rows)


def test_list_7_cells_that_look_like_formulas_are_neutralised(page: Page, base_url, world):
    """LIST-7: a name starting with "=" is written so that a spreadsheet reads it as text."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("hyperlink")
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    rows = _export(page)
    assert [r["Name"] for r in rows] == ["'=HYPERLINK(\"http://x.example\",\"Peak\")"]


def test_list_7_tenant_admin_exports_only_its_customers(page: Page, base_url, world):
    """LIST-7 / AUTH-4: a tenant admin's file holds exactly its assigned customers."""
    sign_in(page, base_url, world.tenant_admin, world.password)
    rows = _export(page)
    assert sorted(r["Name"] for r in rows) == sorted(world.tenant_admin_customers)


def test_tenant_1_export_follows_the_perspective(page: Page, base_url, world):
    """TENANT-1 / LIST-7: switched into a reseller, the distributor admin's export holds exactly
    what the reseller's own admin would export."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("blue harbor")
    search.press("Enter")
    customer_row(page, "Blue Harbor Resellers").get_by_role("button", name="Switch to Blue Harbor Resellers").click()
    expect(page.get_by_test_id("perspective-banner")).to_contain_text("Blue Harbor Resellers")
    page.goto(f"{base_url}/customers")
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{len(world.reseller_rows)} in your scope")
    rows = _export(page)
    assert {r["Name"] for r in rows} == world.reseller_rows
    page.get_by_test_id("perspective-banner").get_by_role("button", name="Switch back").click()
    expect(page.get_by_test_id("perspective-banner")).to_have_count(0)


def test_list_7_export_route_refuses_without_a_session(page: Page, base_url):
    """LIST-7 / AUTH-4: the file is served only to a signed-in user."""
    response = page.request.get(f"{base_url}/api/export/customers.csv")
    assert response.status == 401
    assert not re.search(r"Harbor|Peak", response.text())
