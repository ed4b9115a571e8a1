"""Bulk actions on the customers list in real Chromium (issue 8): select rows, or all matching across
pages; assign a service plan, suspend products; the confirmation's count; the Sandbox reported while
the others proceed (SANDBOX-2/3); refusals for the wrong role or tenant (AUTH-4).

These tests change products, so they run on a server of their own (``private_server``).
"""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account, Product, ProductStatus, ProductType, ServicePlan
from tests.e2e.helpers import customer_row, forge_event_argument, sign_in

HYBRID = ProductType.HYBRID_WORKLOADS.value


def _products(server, name: str) -> list[Product]:
    with session_scope(server.db_url) as session:
        account = session.exec(select(Account).where(Account.name == name)).one()
        return list(session.exec(select(Product).where(Product.account_id == account.id).order_by(Product.id)))


def _hybrid_customers(server) -> list[str]:
    """The customers with a Hybrid Workloads product (the Sandbox and every third Harbor client)."""
    with session_scope(server.db_url) as session:
        return sorted(
            session.exec(
                select(Account.name).join(Product, Product.account_id == Account.id).where(Product.product_type == HYBRID)
            )
        )


def _blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations (as tests/e2e/test_accessibility.py checks pages)."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def _selection(page: Page):
    return page.get_by_test_id("bulk-selection")


def test_bulk_select_all_matching_across_pages_assign_a_plan_and_report_the_sandbox(page: Page, private_server):
    """Issue 8 / SANDBOX-2: with four rows a page, the distributor ticks the first page, selects all
    customers matching the filter, sees them ticked on the next page, and assigns Blue Harbor's own
    plan: the confirmation counts every matching customer, the Harbor clients take the plan and the
    Sandbox (which Blue Harbor does not sell to) is reported, unchanged."""
    server, world = private_server, private_server.world
    with session_scope(server.db_url) as session:
        r1 = session.exec(select(Account).where(Account.name == "Blue Harbor Resellers")).one()
        gold = ServicePlan(name="Harbor Gold", edition="Elite", products=[t.value for t in ProductType], owner_account_id=r1.id)
        session.add(gold)
        session.flush()
        gold_id = gold.id
    matching = _hybrid_customers(server)
    assert "Sandbox" in matching and len(matching) == 11

    sign_in(page, server.base_url, world.distributor_admin, world.password)
    page.goto(f"{server.base_url}/customers?product={HYBRID}&size=4")
    expect(page.get_by_test_id("pager-summary")).to_contain_text("of 11 customers")

    page.get_by_role("checkbox", name="Select all customers on this page").click()
    expect(_selection(page)).to_contain_text("customers selected")
    page.get_by_role("button", name="Select all 11 matching customers").click()
    expect(_selection(page)).to_contain_text("All 11 matching customers are selected.")
    assert _blocking_violations(page) == []

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("pager-summary")).to_contain_text("5–8 of 11")
    ticked = page.get_by_test_id("customer-row").get_by_role("checkbox")
    expect(ticked.first).to_be_checked()
    for box in ticked.all():
        expect(box).to_be_checked()

    page.get_by_role("button", name="Assign service plan").click()
    dialog = page.get_by_role("dialog", name="Assign service plan")
    expect(dialog.get_by_role("button", name="Continue")).to_be_disabled()  # no plan chosen yet
    dialog.get_by_role("combobox", name="Service plan").click()
    expect(page.get_by_role("listbox")).to_be_visible()
    page.get_by_role("option", name="Harbor Gold (Elite)").click()
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog.get_by_test_id("bulk-confirm-count")).to_have_text("This changes 11 customers.")
    assert _blocking_violations(page) == []
    dialog.get_by_role("button", name="Assign service plan for 11 customers").click()

    expect(dialog.get_by_test_id("bulk-summary")).to_contain_text("Changed 10 customers")
    assert _blocking_violations(page) == []
    failures = dialog.get_by_test_id("bulk-failures")
    expect(failures).to_contain_text("1 customer was not changed")
    expect(failures.get_by_role("row", name=re.compile("Sandbox"))).to_contain_text(
        "Choose one of the service plans offered."
    )
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(_selection(page)).to_have_count(0)

    for name in matching:
        plans = [p.service_plan_id for p in _products(server, name) if p.product_type == HYBRID]
        if name == "Sandbox":
            assert plans and gold_id not in plans
        else:
            assert plans == [gold_id], name
    # The list shows the change (page 2: Harbor Client 13, 16, 19 and 22).
    expect(customer_row(page, "Harbor Client 13")).to_contain_text("Harbor Gold")


def test_bulk_suspend_the_rows_ticked_on_the_page_reports_the_sandbox(page: Page, private_server):
    """Issue 8 / SANDBOX-3: three rows ticked on the current page, Suspend products: the confirmation
    says 3, two customers' products are suspended, the Sandbox is reported with its rule and stays
    active, and an unticked row is untouched."""
    server, world = private_server, private_server.world
    sign_in(page, server.base_url, world.distributor_admin, world.password)
    page.goto(f"{server.base_url}/customers?product={HYBRID}")
    expect(page.get_by_test_id("pager-summary")).to_contain_text("of 11 customers")
    # Context rows (the reseller shown above its matching customers) have no checkbox.
    expect(page.get_by_test_id("context-row").get_by_role("checkbox")).to_have_count(0)

    for name in ("Sandbox", "Harbor Client 01", "Harbor Client 04"):
        page.get_by_role("checkbox", name=f"Select {name}", exact=True).click()
    expect(_selection(page)).to_contain_text("3 customers selected.")

    page.get_by_role("button", name="Suspend products").click()
    dialog = page.get_by_role("dialog", name="Suspend products")
    expect(dialog.get_by_test_id("bulk-confirm-count")).to_have_text("This changes 3 customers.")
    dialog.get_by_role("button", name="Suspend products for 3 customers").click()
    expect(dialog.get_by_test_id("bulk-summary")).to_contain_text("Changed 2 customers (2 products).")
    expect(dialog.get_by_test_id("bulk-failures").get_by_role("row", name=re.compile("Sandbox"))).to_contain_text(
        "The Sandbox customer's products cannot be suspended."
    )

    assert [p.status for p in _products(server, "Harbor Client 01")] == [ProductStatus.SUSPENDED]
    assert [p.status for p in _products(server, "Harbor Client 04")] == [ProductStatus.SUSPENDED]
    assert [p.status for p in _products(server, "Sandbox")] == [ProductStatus.ACTIVE]
    assert [p.status for p in _products(server, "Harbor Client 07")] == [ProductStatus.ACTIVE]


def test_bulk_the_selection_is_cleared_by_a_new_search(page: Page, private_server):
    """A search makes another set of rows: the selection made before it is gone."""
    server, world = private_server, private_server.world
    sign_in(page, server.base_url, world.reseller_admin, world.password)
    page.get_by_role("checkbox", name="Select Harbor Client 02", exact=True).click()
    expect(_selection(page)).to_contain_text("1 customer selected.")
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("Harbor Client 1")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q="))
    expect(_selection(page)).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Select Harbor Client 10", exact=True)).not_to_be_checked()


def test_bulk_viewer_gets_no_checkboxes(page: Page, private_server):
    """A viewer changes nothing: no checkboxes, no selection bar (the service refuses it too)."""
    server, world = private_server, private_server.world
    sign_in(page, server.base_url, world.reseller_viewer, world.password)
    expect(customer_row(page, "Harbor Client 01")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("^Select"))).to_have_count(0)
    expect(_selection(page)).to_have_count(0)


def test_bulk_auth_4_a_forged_id_of_another_tenant_is_not_selected(page: Page, private_server):
    """AUTH-4: a reseller admin's browser that swaps a ticked row's id for another reseller's
    customer selects nothing: only the rows of the page it was shown can be ticked."""
    server, world = private_server, private_server.world
    with session_scope(server.db_url) as session:
        foreign = session.exec(select(Account).where(Account.name == "Peak Dental")).one()
    forged = forge_event_argument(page, handlers=(".toggle_row",), argument="account_id", value=foreign.id)
    sign_in(page, server.base_url, world.reseller_admin, world.password)
    page.get_by_role("checkbox", name="Select Harbor Client 05", exact=True).click()
    expect(page.get_by_role("checkbox", name="Select Harbor Client 05", exact=True)).not_to_be_checked()
    expect(_selection(page)).to_have_count(0)
    assert forged, "the checkbox's event was not sent"


def test_bulk_export_all_matching_customers(page: Page, private_server):
    """Export of the selection "all matching": the list's CSV export of the view (LIST-7), in the
    visible columns; customers outside the filter are not in it."""
    server, world = private_server, private_server.world
    sign_in(page, server.base_url, world.distributor_admin, world.password)
    page.goto(f"{server.base_url}/customers?product={HYBRID}&size=4")
    expect(page.get_by_test_id("pager-summary")).to_contain_text("of 11 customers")
    page.get_by_role("checkbox", name="Select all customers on this page").click()
    page.get_by_role("button", name="Select all 11 matching customers").click()
    with page.expect_download() as download_info:
        _selection(page).locator("..").get_by_role("button", name="Export").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Name,")
    assert "Harbor Client 01" in text and "Sandbox" in text
    assert "Peak Dental" not in text and "Harbor Client 02" not in text
    expect(page.get_by_text(re.compile(r"Exported \d+ rows\."))).to_be_visible()
