"""A customer's Contacts section in real Chromium (DETAIL-4 validated like CREATE-2; AUTH-4; SANDBOX-2).

Harbor Client 10 starts with Alice Admin (alice@harbor10.example, +1 415-555-0101) and Bob Billing
(bob@harbor10.example, no phone); see tests/e2e/seed.py. These tests change contacts, so they run on a
server of their own (``private_server``), and every change is checked in the server's database too.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account, Contact
from tests.e2e.helpers import forge_event_argument, sign_in

CUSTOMER = "Harbor Client 10"


def _account_id(server, name: str) -> int:
    with session_scope(server.db_url) as session:
        return session.exec(select(Account.id).where(Account.name == name)).one()


def _contacts(server, name: str) -> dict[str, Contact]:
    """The customer's contacts in the server's database, by name."""
    with session_scope(server.db_url) as session:
        rows = session.exec(
            select(Contact).join(Account, Account.id == Contact.account_id).where(Account.name == name)
        ).all()
        return {c.name: c for c in rows}


def _open(page: Page, server, name: str = CUSTOMER):
    """The customer's page; returns its Contacts section once the contacts are shown."""
    page.goto(f"{server.base_url}/customers/{_account_id(server, name)}")
    section = page.get_by_role("region", name="Contacts")
    expect(section.get_by_role("heading", name="Contacts")).to_be_visible()
    return section


def _row(section, name: str):
    return section.get_by_test_id("contact-row").filter(has=section.page.get_by_role("rowheader", name=name))


def test_detail_4_add_edit_and_delete_contacts_with_validation(page: Page, private_server):
    """DETAIL-4 / CREATE-2: a reseller admin sees the customer's contacts; a bad email is refused next to
    the Email field and nothing is saved; the corrected contact is added; Bob's phone is edited (saved with
    Enter); deleting Alice asks first (Cancel keeps her, "Yes, Delete" removes her); Activity lists it all."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    section = _open(page, private_server)
    for name, email in (("Alice Admin", "alice@harbor10.example"), ("Bob Billing", "bob@harbor10.example")):
        row = _row(section, name)
        expect(row).to_contain_text(email)
        expect(row.get_by_role("link", name=email)).to_have_attribute("href", f"mailto:{email}")
    expect(_row(section, "Alice Admin")).to_contain_text("+1 415-555-0101")

    # New Contact: a bad email is refused next to its field, and nothing is written.
    section.get_by_role("button", name="New Contact").click()
    dialog = page.get_by_role("dialog", name="New Contact")
    dialog.get_by_label("Name", exact=True).fill("Carol Compliance")
    dialog.get_by_label("Email", exact=True).fill("carol@harbor10")
    dialog.get_by_label("Phone Number").fill("+44 20 7946 0958")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#field-email-error")).to_contain_text("valid email address")
    expect(dialog.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    assert "Carol Compliance" not in _contacts(private_server, CUSTOMER)

    dialog.get_by_label("Email", exact=True).fill("Carol@Harbor10.example")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Contact Carol Compliance added.")).to_be_visible()
    expect(_row(section, "Carol Compliance")).to_contain_text("carol@harbor10.example")
    carol = _contacts(private_server, CUSTOMER)["Carol Compliance"]
    assert (carol.email, carol.phone) == ("carol@harbor10.example", "+44 20 7946 0958")

    # A second contact with Alice's email (in other case) is refused.
    section.get_by_role("button", name="New Contact").click()
    dialog = page.get_by_role("dialog", name="New Contact")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("")  # a fresh form, not Carol's
    dialog.get_by_label("Name", exact=True).fill("Alice Again")
    dialog.get_by_label("Email", exact=True).fill("ALICE@harbor10.example")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#field-email-error")).to_have_text(
        "alice@harbor10.example is already a contact of this customer."
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert "Alice Again" not in _contacts(private_server, CUSTOMER)

    # Edit Bob's phone; Enter in the field saves.
    section.get_by_role("button", name="Edit contact Bob Billing").click()
    dialog = page.get_by_role("dialog", name="Edit Contact")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Bob Billing")
    expect(dialog.get_by_label("Email", exact=True)).to_have_value("bob@harbor10.example")
    phone = dialog.get_by_label("Phone Number")
    phone.fill("12")
    phone.press("Enter")
    expect(dialog.locator("#field-phone-error")).to_contain_text("valid phone number")
    assert _contacts(private_server, CUSTOMER)["Bob Billing"].phone == ""
    phone.fill("(415) 555-0102")
    phone.press("Enter")
    expect(dialog).to_be_hidden()
    expect(_row(section, "Bob Billing")).to_contain_text("+1 415-555-0102")
    assert _contacts(private_server, CUSTOMER)["Bob Billing"].phone == "+1 415-555-0102"

    # Delete asks first: Cancel keeps Alice, "Yes, Delete" removes her.
    section.get_by_role("button", name="Delete contact Alice Admin").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Delete contact Alice Admin?")
    expect(confirm).to_contain_text("cannot be undone")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(_row(section, "Alice Admin")).to_have_count(1)
    assert "Alice Admin" in _contacts(private_server, CUSTOMER)

    section.get_by_role("button", name="Delete contact Alice Admin").click()
    confirm = page.get_by_role("alertdialog")
    confirm.get_by_role("button", name="Yes, Delete").click()
    expect(confirm).to_be_hidden()
    expect(_row(section, "Alice Admin")).to_have_count(0)
    expect(section.get_by_test_id("contact-row")).to_have_count(2)
    assert set(_contacts(private_server, CUSTOMER)) == {"Bob Billing", "Carol Compliance"}

    # The Activity section lists the three changes, newest first, by the reseller admin.
    events = page.get_by_test_id("activity-event")
    expect(events.nth(0)).to_contain_text("Deleted a contact")
    expect(events.nth(1)).to_contain_text("Edited a contact")
    expect(events.nth(1)).to_contain_text("+1 415-555-0102")
    expect(events.nth(2)).to_contain_text("Added a contact")
    expect(events.nth(0)).to_contain_text("Riley Reseller")


def test_detail_4_tenant_admin_adds_a_contact_to_its_assigned_customer(page: Page, private_server):
    """DETAIL-4 / AUTH-4: a tenant admin changes the contacts of a customer it is assigned to."""
    base_url, world = private_server.base_url, private_server.world
    customer = world.tenant_admin_customers[0]
    sign_in(page, base_url, world.tenant_admin, world.password)
    section = _open(page, private_server, customer)
    section.get_by_role("button", name="New Contact").click()
    dialog = page.get_by_role("dialog", name="New Contact")
    dialog.get_by_label("Name", exact=True).fill("Tina Tenant-Contact")
    dialog.get_by_label("Email", exact=True).fill("tina@client01.example")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(_row(section, "Tina Tenant-Contact")).to_contain_text("tina@client01.example")
    tina = _contacts(private_server, customer)["Tina Tenant-Contact"]
    assert (tina.email, tina.phone) == ("tina@client01.example", "")


def test_detail_4_sandbox_2_sandbox_contacts_are_read_only(page: Page, private_server):
    """SANDBOX-2: contacts are not among what may change on the Sandbox: the distributor admin gets no
    New Contact, Edit or Delete there."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.distributor_admin, world.password)
    section = _open(page, private_server, "Sandbox")
    expect(section.get_by_role("button", name="New Contact")).to_have_count(0)
    expect(section.get_by_role("button", name=re.compile(r"^(Edit|Delete) contact "))).to_have_count(0)


def test_detail_4_auth_4_forged_edit_and_delete_of_a_foreign_contact_are_refused(page: Page, private_server):
    """DETAIL-4 / AUTH-4: a reseller admin whose client rewrites the Edit and Delete events to another
    reseller's contact (Peak Dental's) gets "Contact not found.", sees none of its data, and nothing changes."""
    base_url, world = private_server.base_url, private_server.world
    with session_scope(private_server.db_url) as session:
        peak = session.exec(select(Account).where(Account.name == "Peak Dental")).one()
        foreign = Contact(account_id=peak.id, name="Penny Peak", email="penny@peak.example", phone="")
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    forged = forge_event_argument(
        page, handlers=(".open_edit", ".open_delete"), argument="contact_id", value=foreign_id
    )
    sign_in(page, base_url, world.reseller_admin, world.password)
    section = _open(page, private_server)

    section.get_by_role("button", name="Edit contact Bob Billing").click()
    expect(page.get_by_text("Contact not found.")).to_be_visible()
    expect(page.get_by_role("dialog", name="Edit Contact")).to_have_count(0)
    expect(page.get_by_text("penny@peak.example")).to_have_count(0)

    section.get_by_role("button", name="Delete contact Bob Billing").click()
    expect(page.get_by_text("Contact not found.").first).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_text("Penny Peak")).to_have_count(0)

    assert len(forged) == 2, forged
    after = _contacts(private_server, "Peak Dental")["Penny Peak"]
    assert (after.id, after.email) == (foreign_id, "penny@peak.example")
