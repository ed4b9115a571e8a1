"""The Create Customer dialog in real Chromium (CREATE-1, CREATE-2, CREATE-3, EMAIL-1).

These tests create customers, so they run on a server of their own (``private_server``).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import row_names, sign_in


def _open(page: Page):
    page.get_by_role("button", name="Create Customer").click()
    dialog = page.get_by_role("dialog", name="Create Customer")
    expect(dialog).to_be_visible()
    return dialog


def test_create_2_errors_next_to_fields_and_nothing_saved(page: Page, private_server):
    """CREATE-2: each error is shown next to its field, and nothing is saved."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    total = page.get_by_test_id("customer-total").inner_text()
    dialog = _open(page)
    dialog.get_by_role("textbox", name="Customer Name").fill("harbor client 05")  # taken, in another case
    dialog.get_by_label("Phone Number").fill("12")
    dialog.get_by_role("combobox", name="Service Plan").click()
    page.get_by_role("option", name="Premium Protect (Elite)").click()
    dialog.get_by_label("Credit Quota").fill("-5")
    dialog.get_by_label("Quota Effective Date").fill("2026-06-30")
    dialog.get_by_label("Quota End Date").fill("2026-01-01")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#field-phone-error")).to_contain_text("valid phone number")
    expect(dialog.locator("#field-customer_name-error")).to_be_visible()
    expect(dialog.locator("#field-credit_quota-error")).to_be_visible()
    expect(dialog.locator("#field-quota_end_date-error")).to_be_visible()
    expect(dialog.get_by_label("Phone Number")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_role("button", name="Cancel").click()
    page.reload()
    expect(page.get_by_test_id("customer-total")).to_have_text(total)


def test_create_1_hidden_name_creates_customer_and_emails_the_admin(page: Page, private_server, smtp_server):
    """CREATE-1/CREATE-3/EMAIL-1: hiding the name reveals Account Name; Save adds the customer
    to the list under its account name, and the creating admin gets a confirmation email."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    dialog = _open(page)
    expect(dialog.get_by_role("textbox", name="Account Name")).to_have_count(0)
    dialog.get_by_role("textbox", name="Customer Name").fill("Lakeside Veterinary Clinic")
    dialog.get_by_role("checkbox", name="Hide customer name from the vendor").click()
    dialog.get_by_role("textbox", name="Account Name").fill("LAKE-0042")
    dialog.get_by_label("Organization Name").fill("Lakeside Vets")
    dialog.get_by_label("Phone Number").fill("+1 415 555 0100")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    search = page.get_by_role("searchbox", name="Search customers")
    search.fill("lakeside")
    search.press("Enter")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    assert row_names(page) == ["LAKE-0042"]
    expect(page.get_by_test_id("customer-row").first).to_contain_text("Lakeside Veterinary Clinic")

    mails = smtp_server.handler.wait_for_mail_to(world.reseller_admin, timeout=30)
    assert mails, "no confirmation email reached the creating admin"
    assert "LAKE-0042" in mails[-1].message["Subject"] or "Lakeside" in mails[-1].message["Subject"]


def test_create_1_only_admins_see_create_customer(page: Page, private_server):
    """CREATE-1 / AUTH-4: a tenant admin may not create customers, so the control is absent."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.tenant_admin, world.password)
    expect(page.get_by_test_id("customer-row").first).to_be_visible()
    expect(page.get_by_role("button", name="Create Customer")).to_have_count(0)


def test_create_2_storage_region_is_required_with_a_product(page: Page, private_server):
    """CREATE-2: choosing a service plan (a first product) needs a storage region; the message
    sits under the Storage Region field."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    dialog = _open(page)
    dialog.get_by_role("textbox", name="Customer Name").fill("Region Check Ltd")
    dialog.get_by_role("combobox", name="Service Plan").click()
    page.get_by_role("option", name="Premium Protect (Elite)").click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#field-storage_region").locator("xpath=..")).to_contain_text("storage region")


def test_create_4_pending_tenant_admin_is_refused_and_nothing_saved(page: Page, private_server):
    """CREATE-4: a pending tenant admin is marked as such; assigning one fails with a clear message
    under Tenant Admins, and no customer is created."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    total = page.get_by_test_id("customer-total").inner_text()
    dialog = _open(page)
    option = dialog.get_by_text("Penny Pending", exact=False).locator("xpath=..")
    expect(option).to_contain_text("Pending")
    dialog.get_by_role("textbox", name="Customer Name").fill("Pending Admin Ltd")
    dialog.get_by_role("checkbox", name=re.compile("Penny Pending")).click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert").filter(has_text="pending")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    page.reload()
    expect(page.get_by_test_id("customer-total")).to_have_text(total)
