"""Editing and deleting customers in real Chromium (LIST-8, EDIT-1, EDIT-2, DELETE-1, SANDBOX-2/3, audit trail).

These tests change customers, so they run on a server of their own (``private_server``).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account
from tests.e2e.helpers import customer_row, forge_event_argument, sign_in


def _account(server, name: str) -> Account:
    with session_scope(server.db_url) as session:
        return session.exec(select(Account).where(Account.name == name)).one()


def _row(page: Page, name: str):
    return customer_row(page, name)


def _search(page: Page, text: str) -> None:
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(text)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q="))


def _more_options(page: Page, name: str):
    _row(page, name).get_by_role("button", name=f"More options for {name}").click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def test_list_8_more_options_follow_the_role(page: Page, private_server):
    """LIST-8: an admin's More options offer Edit, Delete, Switch to tenant and View contracts
    for its customers, but not Edit/Delete/Switch for its own reseller row."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    menu = _more_options(page, "Harbor Client 02")
    for item in ("Edit", "Delete", "Switch to tenant", "View contracts"):
        expect(menu.get_by_role("menuitem", name=item)).to_be_visible()
    page.keyboard.press("Escape")
    menu = _more_options(page, "Blue Harbor Resellers")
    expect(menu.get_by_role("menuitem", name="View contracts")).to_be_visible()
    for item in ("Edit", "Delete", "Switch to tenant"):
        expect(menu.get_by_role("menuitem", name=item)).to_have_count(0)


def test_list_8_tenant_admin_gets_no_change_options(page: Page, private_server):
    """LIST-8 / AUTH-4: a tenant admin may not change the customer record nor switch tenants."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.tenant_admin, world.password)
    menu = _more_options(page, world.tenant_admin_customers[0])
    expect(menu.get_by_role("menuitem", name="View contracts")).to_be_visible()
    for item in ("Edit", "Delete", "Switch to tenant"):
        expect(menu.get_by_role("menuitem", name=item)).to_have_count(0)


def test_edit_1_from_more_options_saves_and_validates(page: Page, private_server):
    """EDIT-1: Edit from the row opens the customer's details; a bad phone number is refused next
    to the field and nothing is saved; a valid change is saved and shown in the list."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 03")
    _more_options(page, "Harbor Client 03").get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Customer"))
    expect(dialog.get_by_role("textbox", name="Customer Name")).to_have_value("Harbor Client 03 Holdings")
    expect(dialog).to_contain_text("Cannot be changed")  # CREATE-3: the account name is shown, locked

    dialog.get_by_label("Phone Number").fill("12")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#field-phone-error")).to_contain_text("valid phone number")
    assert _account(private_server, "Harbor Client 03").phone == ""

    dialog.get_by_label("Phone Number").fill("+1 415 555 0199")
    dialog.get_by_role("textbox", name="Customer Name").fill("Harbor Three Renamed")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(_row(page, "Harbor Client 03")).to_contain_text("Harbor Three Renamed")
    saved = _account(private_server, "Harbor Client 03")
    assert saved.customer_name == "Harbor Three Renamed"
    assert re.sub(r"\D", "", saved.phone).endswith("4155550199")


def test_edit_2_save_over_a_newer_version_says_so(page: Page, private_server):
    """EDIT-2: when someone saved the customer after the dialog opened, Save reports it instead of
    overwriting, and the latest version can be loaded."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 04")
    _more_options(page, "Harbor Client 04").get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Customer"))
    expect(dialog.get_by_label("Organization Name")).to_be_visible()

    # A colleague saves first.
    with session_scope(private_server.db_url) as session:
        session.execute(
            sa.update(Account)
            .where(Account.name == "Harbor Client 04")
            .values(organization="Changed Elsewhere", version=Account.version + 1)
        )

    dialog.get_by_label("Organization Name").fill("My Overwrite")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("changed by someone else")
    assert _account(private_server, "Harbor Client 04").organization == "Changed Elsewhere"
    dialog.get_by_role("button", name="Load the latest version").click()
    expect(dialog.get_by_label("Organization Name")).to_have_value("Changed Elsewhere")


def test_delete_1_refused_with_the_reason_when_the_customer_has_products(page: Page, private_server):
    """DELETE-1: a customer with a product cannot be deleted; the dialog says why and offers no "Yes, Delete"."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 05")
    _more_options(page, "Harbor Client 05").get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("1 product")
    expect(dialog.get_by_role("button", name="Yes, Delete")).to_have_count(0)
    dialog.get_by_role("button", name="Close").click()
    assert _account(private_server, "Harbor Client 05").id


def test_delete_1_yes_delete_removes_the_customer(page: Page, private_server):
    """DELETE-1: "Yes, Delete" removes a customer without products from the list and the database."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    total_before = int(page.get_by_test_id("customer-total").inner_text().split()[0])
    _search(page, "Direct Beta")
    _more_options(page, "Direct Beta Clinic").get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete Direct Beta Clinic?")
    dialog.get_by_role("button", name="Yes, Delete").click()
    expect(page.get_by_test_id("customer-total")).to_have_text("0 in your scope")
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_test_id("customer-total")).to_have_text(f"{total_before - 1} in your scope")
    with session_scope(private_server.db_url) as session:
        assert session.exec(select(Account).where(Account.name == "Direct Beta Clinic")).first() is None


def test_sandbox_2_sandbox_details_are_read_only_and_it_cannot_be_deleted(page: Page, private_server):
    """SANDBOX-2 / SANDBOX-3: the Sandbox's account details are shown read-only with Save disabled, and
    Delete explains that the Sandbox cannot be deleted."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    _search(page, "Sandbox")
    _more_options(page, "Sandbox").get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Customer"))
    expect(dialog).to_contain_text("cannot be changed")
    expect(dialog.get_by_role("textbox", name="Customer Name")).to_have_attribute("readonly", "")
    expect(dialog.get_by_role("button", name="Save")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()

    _more_options(page, "Sandbox").get_by_role("menuitem", name="Delete").click()
    alert = page.get_by_role("alertdialog")
    expect(alert).to_contain_text("Sandbox customer cannot be deleted")
    expect(alert.get_by_role("button", name="Yes, Delete")).to_have_count(0)


def test_edit_1_from_details_page_and_activity_lists_the_change(page: Page, private_server):
    """EDIT-1 / audit trail: the details page's Account Details Edit saves the change, and the
    Activity section lists who changed what, before and after."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 07")
    _row(page, "Harbor Client 07").get_by_test_id("customer-settings").click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    expect(page.get_by_role("heading", name="Account Details")).to_be_visible()
    page.get_by_role("button", name="Edit account details").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Customer"))
    dialog.get_by_label("Address").fill("1 Quay Street, Harbor Town")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("1 Quay Street, Harbor Town").first).to_be_visible()
    event = page.get_by_test_id("activity-event").first
    expect(event).to_contain_text("Edited the account details")
    expect(event).to_contain_text("Riley Reseller")
    expect(event).to_contain_text("Address: (empty) → 1 Quay Street, Harbor Town")


def test_auth_4_forged_edit_and_delete_of_a_foreign_customer_are_refused(page: Page, private_server):
    """AUTH-4 / EDIT-1 / DELETE-1: a reseller admin whose client rewrites the Edit and Delete events
    to another reseller's customer gets "not found", sees none of its data, and nothing changes."""
    base_url, world = private_server.base_url, private_server.world
    foreign = _account(private_server, "Peak Dental")
    forged = forge_event_argument(page, handlers=(".open_for",), argument="account_id", value=foreign.id)
    sign_in(page, base_url, world.reseller_admin, world.password)
    _search(page, "Harbor Client 08")

    _more_options(page, "Harbor Client 08").get_by_role("menuitem", name="Edit").click()
    expect(page.get_by_text("Customer not found.")).to_be_visible()
    expect(page.get_by_role("dialog", name=re.compile("Edit Customer"))).to_have_count(0)

    _more_options(page, "Harbor Client 08").get_by_role("menuitem", name="Delete").click()
    expect(page.get_by_text("Customer not found.").first).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)

    assert len(forged) == 2, forged
    after = _account(private_server, "Peak Dental")
    assert (after.version, after.customer_name) == (foreign.version, foreign.customer_name)
