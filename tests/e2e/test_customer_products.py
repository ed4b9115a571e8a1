"""A customer's Service Plan (DETAIL-2) and Products (DETAIL-5) cards in real Chromium, the Sandbox's product
rules (SANDBOX-2/3) and a forged product id (AUTH-4).

Harbor Client 10 starts with Hybrid Workloads (Premium Protect, Elite, Commercial, US East, 3,000 units) and
SaaS Apps and Endpoints (Default Service Plan, Commercial, EU Frankfurt, 1,000 units, 25 users), both with a
quota effective 60 days ago until 30 days from now; see tests/e2e/seed.py. These tests change products, so
they run on a server of their own (``private_server``), and every change is checked in its database too.
"""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account, Product, ProductStatus, ProductType, ServicePlan
from tests.e2e.helpers import forge_event_argument, sign_in
from tests.e2e.seed import DETAIL_CUSTOMER

CUSTOMER = DETAIL_CUSTOMER
HYBRID = ProductType.HYBRID_WORKLOADS.value
SAAS = ProductType.SAAS_APPS_ENDPOINTS.value
M365 = ProductType.MICROSOFT_365.value


def _long(day: date | None) -> str:
    return day.strftime("%b %d, %Y") if day else ""


def _account_id(server, name: str) -> int:
    with session_scope(server.db_url) as session:
        return session.exec(select(Account.id).where(Account.name == name)).one()


def _products(server, name: str = CUSTOMER) -> dict[str, Product]:
    """The customer's products in the server's database, by product type."""
    with session_scope(server.db_url) as session:
        rows = session.exec(
            select(Product).join(Account, Account.id == Product.account_id).where(Account.name == name)
        ).all()
        return {p.product_type: p for p in rows}


def _open(page: Page, server, name: str = CUSTOMER):
    """The customer's page; returns its (Service Plan, Products) sections once the products are shown."""
    page.goto(f"{server.base_url}/customers/{_account_id(server, name)}")
    plan = page.get_by_role("region", name="Service Plan")
    products = page.get_by_role("region", name="Products")
    expect(products.get_by_role("heading", name="Products")).to_be_visible()
    expect(products.get_by_test_id("product-row").first).to_be_visible()
    return plan, products


def _row(products, product_type: str):
    return products.get_by_test_id("product-row").filter(
        has=products.page.get_by_role("rowheader", name=product_type, exact=True)
    )


def _actions(page: Page, products, product_type: str):
    """Open a product row's actions menu; returns the menu."""
    products.get_by_role("button", name=f"Actions for {product_type}").click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def _confirm(page: Page, products, product_type: str, action: str, *, button: str | None = None):
    """Choose ``action`` in the row's menu, check the confirmation names it, and confirm."""
    _actions(page, products, product_type).get_by_role("menuitem", name=action).click()
    alert = page.get_by_role("alertdialog")
    expect(alert).to_contain_text(f"{action} {product_type}?")
    alert.get_by_role("button", name=button or action).click()
    expect(alert).to_be_hidden()


def test_detail_2_service_plan_card_shows_each_products_plan_regions_and_quota(page: Page, private_server):
    """DETAIL-2: per product, the Plan, Edition, Storage Regions, License Expiry Date and the Credit Quota with
    its effective date and end date, as seeded."""
    base_url, world = private_server.base_url, private_server.world
    stored = _products(private_server)
    with session_scope(private_server.db_url) as session:
        plans = {p.id: p for p in session.exec(select(ServicePlan)).all()}
    sign_in(page, base_url, world.distributor_admin, world.password)
    plan, _ = _open(page, private_server)
    expect(plan.get_by_test_id("service-plan-block")).to_have_count(2)
    for product_type, quota, region in ((HYBRID, "3,000", "US East"), (SAAS, "1,000", "EU Frankfurt")):
        product = stored[product_type]
        block = plan.get_by_role("group", name=f"Service plan of {product_type}")
        expect(block.get_by_role("heading", name=product_type)).to_be_visible()
        expect(block).to_contain_text(plans[product.service_plan_id].name)
        expect(block).to_contain_text(plans[product.service_plan_id].edition)
        expect(block).to_contain_text(region)
        expect(block).to_contain_text(
            f"{quota} units, effective {_long(product.quota_effective_date)} until {_long(product.quota_end_date)}"
        )
        if product.license_expiry:
            expect(block).to_contain_text(_long(product.license_expiry))
    hybrid = plan.get_by_role("group", name=f"Service plan of {HYBRID}")
    expect(hybrid).to_contain_text("Premium Protect")
    expect(hybrid).to_contain_text("Elite")


def test_detail_2_edit_the_saas_products_user_count(page: Page, private_server):
    """DETAIL-2 / DETAIL-5: the Service Plan card's Edit opens the product's form with its values; the changed
    user count is saved, shown in the Products table and listed in the Activity."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    plan, products = _open(page, private_server)
    plan.get_by_role("button", name=f"Edit service plan of {SAAS}").click()
    dialog = page.get_by_role("dialog", name=f"Edit {SAAS}")
    users = dialog.get_by_label("User Count", exact=True)
    expect(users).to_have_value("25")
    expect(dialog.get_by_label("Credit Quota")).to_have_value("1000")
    expect(dialog.get_by_role("checkbox", name="EU Frankfurt", exact=True)).to_be_checked()
    expect(dialog.get_by_role("combobox", name="Product", exact=True)).to_have_count(0)  # the type never changes
    users.fill("40")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{SAAS} product saved.")).to_be_visible()
    expect(_row(products, SAAS).get_by_role("cell").nth(3)).to_have_text("40")
    saved = _products(private_server)[SAAS]
    assert (saved.user_count, saved.credit_quota, saved.storage_regions) == (40, 1000, ["EU Frankfurt"])
    event = page.get_by_test_id("activity-event").first
    expect(event).to_contain_text("Edited a product")
    expect(event).to_contain_text("User Count: 25 → 40")


def test_detail_5_add_a_product_with_validation_then_delete_it(page: Page, private_server):
    """DETAIL-5 / CREATE-2: Add Product offers the missing Microsoft 365; a negative credit quota is refused
    next to its field and nothing is saved; the corrected product is added (and Add Product goes, as every
    type is there); deleting it asks first, and "Yes, Delete" removes it."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    _, products = _open(page, private_server)
    products.get_by_role("button", name="Add Product").click()
    dialog = page.get_by_role("dialog", name="Add Product")
    expect(dialog.get_by_role("combobox", name="Product", exact=True)).to_contain_text(M365)
    dialog.get_by_role("checkbox", name="Canada", exact=True).click()
    dialog.get_by_label("Credit Quota").fill("-5")
    dialog.get_by_label("User Count", exact=True).fill("12")
    dialog.get_by_role("button", name="Add Product").click()
    expect(dialog.locator("#field-credit_quota-error")).to_contain_text("cannot be negative")
    expect(dialog.get_by_label("Credit Quota")).to_have_attribute("aria-invalid", "true")
    assert M365 not in _products(private_server)

    dialog.get_by_label("Credit Quota").fill("500")
    dialog.get_by_role("button", name="Add Product").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{M365} product added.")).to_be_visible()
    row = _row(products, M365)
    expect(row).to_contain_text("Canada")
    expect(row).to_contain_text("Active")
    expect(products.get_by_role("button", name="Add Product")).to_have_count(0)
    added = _products(private_server)[M365]
    assert (added.credit_quota, added.storage_regions, added.user_count, added.status) == (
        500,
        ["Canada"],
        12,
        ProductStatus.ACTIVE,
    )

    _actions(page, products, M365).get_by_role("menuitem", name="Delete").click()
    alert = page.get_by_role("alertdialog")
    expect(alert).to_contain_text(f"Delete {M365}?")
    expect(alert).to_contain_text("cannot be undone")
    alert.get_by_role("button", name="Cancel").click()
    expect(alert).to_be_hidden()
    assert M365 in _products(private_server)

    _confirm(page, products, M365, "Delete", button="Yes, Delete")
    expect(_row(products, M365)).to_have_count(0)
    expect(products.get_by_role("button", name="Add Product")).to_be_visible()
    assert M365 not in _products(private_server)
    expect(page.get_by_test_id("activity-event").first).to_contain_text("Deleted a product")


def test_detail_5_suspend_and_activate_after_confirming(page: Page, private_server):
    """DETAIL-5: Suspend asks first (Cancel changes nothing); confirmed, the badge turns amber "Suspended"
    and the menu offers Activate, which brings it back to green "Active"."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    _, products = _open(page, private_server)
    badge = _row(products, HYBRID).locator(".rt-Badge")
    expect(badge).to_have_text("Active")

    _actions(page, products, HYBRID).get_by_role("menuitem", name="Suspend").click()
    alert = page.get_by_role("alertdialog")
    expect(alert).to_contain_text(f"Suspend {HYBRID}?")
    alert.get_by_role("button", name="Cancel").click()
    expect(alert).to_be_hidden()
    assert _products(private_server)[HYBRID].status == ProductStatus.ACTIVE

    _confirm(page, products, HYBRID, "Suspend")
    expect(badge).to_have_text("Suspended")
    expect(badge).to_have_attribute("data-accent-color", "amber")
    assert _products(private_server)[HYBRID].status == ProductStatus.SUSPENDED
    menu = _actions(page, products, HYBRID)
    expect(menu.get_by_role("menuitem", name="Suspend")).to_have_count(0)
    page.keyboard.press("Escape")

    _confirm(page, products, HYBRID, "Activate")
    expect(badge).to_have_text("Active")
    expect(badge).to_have_attribute("data-accent-color", "green")
    assert _products(private_server)[HYBRID].status == ProductStatus.ACTIVE
    events = page.get_by_test_id("activity-event")
    expect(events.nth(0)).to_contain_text("Activated a product")
    expect(events.nth(1)).to_contain_text("Suspended a product")


def test_sandbox_2_sandbox_products_cannot_be_deleted_or_suspended_and_tenant_type_is_read_only(
    page: Page, private_server
):
    """SANDBOX-2 / SANDBOX-3: on the Sandbox a product's menu offers Edit only; its form shows the tenant type
    and licence expiry read-only and its storage region locked, while a region can still be added."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    _, products = _open(page, private_server, "Sandbox")
    menu = _actions(page, products, HYBRID)
    expect(menu.get_by_role("menuitem", name="Edit")).to_be_visible()
    for item in ("Delete", "Suspend", "Activate"):
        expect(menu.get_by_role("menuitem", name=item)).to_have_count(0)

    menu.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=f"Edit {HYBRID}")
    expect(dialog.get_by_role("combobox", name="Tenant Type")).to_have_count(0)
    expect(dialog.get_by_test_id("locked-tenant-type")).to_contain_text("Evaluation")
    expect(dialog.get_by_test_id("locked-tenant-type")).to_contain_text("Cannot be changed")
    expect(dialog.get_by_label("License Expiry Date")).to_have_attribute("readonly", "")
    us_east = dialog.get_by_role("checkbox", name="US East", exact=True)
    expect(us_east).to_be_checked()
    expect(us_east).to_be_disabled()

    dialog.get_by_role("checkbox", name="Canada", exact=True).click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(_row(products, HYBRID)).to_contain_text("US East, Canada")
    saved = _products(private_server, "Sandbox")[HYBRID]
    assert (saved.storage_regions, saved.tenant_type, saved.status) == (
        ["US East", "Canada"],
        "Evaluation",
        ProductStatus.ACTIVE,
    )


def test_detail_5_auth_4_forged_product_ids_are_refused(page: Page, private_server):
    """DETAIL-5 / AUTH-4: a reseller admin whose client rewrites Edit and Suspend to another reseller's
    product (Peak Dental's) gets "Product not found.", sees none of it, and nothing changes."""
    base_url, world = private_server.base_url, private_server.world
    with session_scope(private_server.db_url) as session:
        peak = session.exec(select(Account).where(Account.name == "Peak Dental")).one()
        plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).one()
        foreign = Product(
            account_id=peak.id,
            product_type=ProductType.MICROSOFT_365,
            service_plan_id=plan.id,
            storage_regions=["UK London"],
            credit_quota=777,
        )
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    forged = forge_event_argument(page, handlers=(".open_edit", ".ask"), argument="product_id", value=foreign_id)
    sign_in(page, base_url, world.reseller_admin, world.password)
    _, products = _open(page, private_server)

    _actions(page, products, SAAS).get_by_role("menuitem", name="Edit").click()
    expect(page.get_by_text("Product not found.")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)

    _actions(page, products, SAAS).get_by_role("menuitem", name="Suspend").click()
    expect(page.get_by_text("Product not found.").first).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)

    assert len(forged) == 2, forged
    after = _products(private_server, "Peak Dental")[M365]
    assert (after.status, after.credit_quota, after.storage_regions) == (ProductStatus.ACTIVE, 777, ["UK London"])
