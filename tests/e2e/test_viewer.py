"""The viewer's read-only pages, forged change events, and XSS payloads shown as text, in real Chromium.

SPEC 1 (viewer row): a viewer sees what an admin of its tier sees and changes nothing; change controls are
absent and the server refuses changes (AUTH-4: hiding a button is never the protection). Vera Viewer is a
viewer of Blue Harbor Resellers (tests/e2e/seed.py).

These tests add a customer (the XSS payloads) and send forged events, so they run on a server of their
own (``private_server``); every refusal is also checked in the server's database.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account, AccountKind, Contact
from msc_app.state.customer_contacts import ContactsState
from msc_app.state.customer_edit import EditCustomerState
from msc_app.state.customers import CustomersState
from tests.e2e.helpers import customer_row, sign_in

CUSTOMER = "Harbor Client 10"
XSS_CUSTOMER = '<img src=x onerror="window.__xss=1">'
XSS_CONTACT = "<script>window.__xss=1</script>"


# ---------------------------------------------------------------- helpers


def _account(server, name: str) -> Account:
    with session_scope(server.db_url) as session:
        return session.exec(select(Account).where(Account.name == name)).one()


def _rows(server, model, account_id: int) -> list[dict]:
    """The rows of ``model`` that belong to the account, as stored (Core, in id order)."""
    table = model.__table__
    column = table.c.id if model is Account else table.c.account_id
    with session_scope(server.db_url) as session:
        found = session.execute(sa.select(table).where(column == account_id).order_by(table.c.id)).mappings().all()
        return [dict(r) for r in found]


def _state_of(server, account_id: int) -> tuple:
    """What a forged change could alter: the customer's row and its contacts' rows."""
    return _rows(server, Account, account_id), _rows(server, Contact, account_id)


def inject_after(page: Page, *, trigger: str, events: list[tuple]) -> list[str]:
    """Make the real client send events its page never offers, as a tampered browser could (AUTH-4).

    When the client sends its first event whose name ends with ``trigger``, that event goes to the server
    unchanged, followed by ``events``: (full handler name, payload) or (name, payload, path), each a copy of
    the trigger (same token) with the name and payload replaced and, given a path, router data saying the
    browser is on that page. The server handles one client's events one after another, in order. Returns
    the names sent, filled as they go.
    """
    sent: list[str] = []

    def forward(message, server):
        server.send(message)
        frame = re.match(r"^(42(?:/[^,\[]*,)?)(\[.*)$", message, re.S) if isinstance(message, str) else None
        if sent or not frame:
            return
        kind, event = json.loads(frame.group(2))
        if kind != "event" or not isinstance(event, dict) or not event.get("name", "").endswith(trigger):
            return
        for name, payload, *path in events:
            forged = {**event, "name": name, "payload": payload}
            if path:
                forged["router_data"] = {"pathname": path[0], "asPath": path[0]}
            server.send(frame.group(1) + json.dumps([kind, forged]))
            sent.append(name)

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda message: forward(message, server))
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket(re.compile(r".*/_event.*"), route)
    return sent


def _handler(state, name: str) -> str:
    return f"{state.get_full_name()}.{name}"


def _search(page: Page, text: str) -> None:
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(text)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q="))


def _open_details(page: Page, server, account_id: int):
    """The customer's page, once its Contacts section has loaded; returns that section."""
    page.goto(f"{server.base_url}/customers/{account_id}")
    contacts = page.get_by_role("region", name="Contacts")
    expect(contacts.get_by_role("heading", name="Contacts")).to_be_visible()
    return contacts


# ---------------------------------------------------------------- read-only pages


def test_auth_4_viewer_list_offers_no_change_controls(page: Page, private_server):
    """SPEC 1 / LIST-8 / CREATE-1: the reseller viewer sees its reseller's customers, but no Create Customer,
    and More options offers only View contracts (no Edit, Delete or Switch to tenant)."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_viewer, world.password)
    expect(page.get_by_role("button", name="Create Customer")).to_have_count(0)

    _search(page, CUSTOMER)
    page.get_by_role("button", name=f"More options for {CUSTOMER}").click()
    menu = page.get_by_role("menu")
    expect(menu.get_by_role("menuitem", name="View contracts")).to_be_visible()
    for item in ("Edit", "Delete", "Switch to tenant"):
        expect(menu.get_by_role("menuitem", name=item)).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name=f"Switch to {CUSTOMER}")).to_have_count(0)


def test_auth_4_viewer_customer_page_is_read_only(page: Page, private_server):
    """SPEC 1 / DETAIL-1/2/4/5: Harbor Client 10's page shows its account details, contacts and products to the
    viewer, without Edit, Delete, Add Product, New Contact, contact actions or product actions."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_viewer, world.password)
    contacts = _open_details(page, private_server, _account(private_server, CUSTOMER).id)
    expect(page.get_by_role("heading", name=CUSTOMER, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Account Details")).to_contain_text("Harbor Client 10 Holdings")
    expect(contacts).to_contain_text("Alice Admin")
    expect(contacts).to_contain_text("bob@harbor10.example")
    products = page.get_by_test_id("product-row")
    expect(products).to_have_count(2)
    expect(products.first).to_be_visible()

    for name in ("Edit account details", "Delete", "Add Product", "New Contact"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^(Edit|Delete) contact "))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Edit service plan of "))).to_have_count(0)
    expect(page.get_by_test_id("product-actions")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Actions for "))).to_have_count(0)


# ---------------------------------------------------------------- forged events


def _sentinel(search: str) -> tuple:
    """A last, harmless event: once the list shows its search, every forged event before it was handled."""
    return _handler(CustomersState, "apply_search"), {"form_data": {"search": search}}


def test_auth_4_viewer_forged_edit_customer_event_is_refused(page: Page, private_server):
    """AUTH-4: the viewer's client sends Edit Customer's open and submit events for Harbor Client 10 (no
    control offers them): the server refuses, no dialog opens, and the customer is unchanged."""
    base_url, world = private_server.base_url, private_server.world
    target = _account(private_server, CUSTOMER)
    before = _state_of(private_server, target.id)
    form = {"customer_name": "Renamed By Viewer", "organization": "Viewer Org", "phone": "", "address": "Nowhere"}
    sent = inject_after(
        page,
        trigger=".apply_search",
        events=[
            (_handler(EditCustomerState, "open_for"), {"account_id": target.id}),
            (_handler(EditCustomerState, "submit"), {"form_data": form}),
            _sentinel("Harbor Client 11"),
        ],
    )
    sign_in(page, base_url, world.reseller_viewer, world.password)
    _search(page, CUSTOMER)

    expect(page.get_by_text("You do not have permission to edit this customer.")).to_be_visible()
    expect(customer_row(page, "Harbor Client 11")).to_be_visible()
    assert len(sent) == 3, sent
    expect(page.get_by_role("dialog", name=re.compile("Edit Customer"))).to_have_count(0)
    assert _state_of(private_server, target.id) == before
    with session_scope(private_server.db_url) as session:
        assert session.exec(select(Account).where(Account.customer_name == "Renamed By Viewer")).first() is None


def test_auth_4_viewer_forged_contact_submit_is_refused(page: Page, private_server):
    """AUTH-4 / DETAIL-4: the viewer's client sends New Contact, opens its dialog and submits a contact for
    Harbor Client 10, all by forged events: the server refuses and writes nothing."""
    base_url, world = private_server.base_url, private_server.world
    target = _account(private_server, CUSTOMER)
    before = _state_of(private_server, target.id)
    contact = {"name": "Viewer Forged", "email": "forged@harbor10.example", "phone": ""}
    on_details = f"/customers/{target.id}"
    sent = inject_after(
        page,
        trigger=".apply_search",
        events=[
            # open_new reads the customer from the page's URL: the forged router data names Harbor Client 10.
            (_handler(ContactsState, "open_new"), {}, on_details),
            # Past the hidden button and the dialog: submit goes to the service with the customer's real id.
            (_handler(ContactsState, "set_contact_dialog_open"), {"value": True}, on_details),
            (_handler(ContactsState, "submit"), {"form_data": contact}, on_details),
            _sentinel("Harbor Client 12"),
        ],
    )
    sign_in(page, base_url, world.reseller_viewer, world.password)
    _search(page, CUSTOMER)

    expect(page.get_by_text("You cannot add contacts to this customer.")).to_be_visible()
    expect(customer_row(page, "Harbor Client 12")).to_be_visible()
    assert len(sent) == 4, sent
    assert _state_of(private_server, target.id) == before
    with session_scope(private_server.db_url) as session:
        assert session.exec(select(Contact).where(Contact.name == "Viewer Forged")).first() is None
    contacts = _open_details(page, private_server, target.id)
    expect(contacts).to_contain_text("Alice Admin")
    expect(contacts).not_to_contain_text("Viewer Forged")


# ---------------------------------------------------------------- XSS


def test_auth_4_xss_payloads_are_shown_as_text(page: Page, private_server):
    """AUTH-4 / LIST-2 / DETAIL-1 / DETAIL-4: a customer named like an <img onerror> tag and a contact named
    like a <script> are shown as their text on the list and the details page; neither runs."""
    base_url, world = private_server.base_url, private_server.world
    with session_scope(private_server.db_url) as session:
        reseller = session.exec(select(Account).where(Account.name == "Blue Harbor Resellers")).one()
        account = Account(
            kind=AccountKind.CUSTOMER,
            parent_id=reseller.id,
            name=XSS_CUSTOMER,
            name_sort=XSS_CUSTOMER.lower(),
            customer_name=XSS_CUSTOMER,
            customer_name_sort=XSS_CUSTOMER.lower(),
            organization=XSS_CONTACT,
        )
        session.add(account)
        session.flush()
        session.add(Contact(account_id=account.id, name=XSS_CONTACT, email="xss@payload.example"))
        session.flush()
        account_id = account.id

    sign_in(page, base_url, world.reseller_viewer, world.password)
    _search(page, "onerror")
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    row = page.get_by_test_id("customer-row").filter(has_text=XSS_CUSTOMER)
    expect(row).to_have_count(1)
    expect(row.get_by_text(XSS_CUSTOMER, exact=True).first).to_be_visible()
    expect(page.locator('img[src="x"]')).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"

    contacts = _open_details(page, private_server, account_id)
    expect(page.get_by_role("heading", name=XSS_CUSTOMER, level=1)).to_be_visible()
    expect(contacts.get_by_text(XSS_CONTACT, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Account Details")).to_contain_text(XSS_CONTACT)  # the Organization
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator("script", has_text="window.__xss")).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"


# Each payload would set window.__xss, or add an element, if the page rendered it as HTML.
TYPED_PAYLOADS = {
    "customer_name": '<img src=x onerror="window.__xss=1">Typed Client',
    "account_name": '<svg onload="window.__xss=2">ACC',
    "organization": "<script>window.__xss=3</script>Org",
    "address": '"><iframe src="javascript:window.__xss=4"></iframe>',
    "contact": '<a href="javascript:window.__xss=5" id="xss-link">Contact</a>',
    "user": '<details open ontoggle="window.__xss=6">User',
    "search": '"><img src=y onerror="window.__xss=7">',
}


def _no_markup_ran(page: Page) -> None:
    expect(page.locator('img[src="x"], img[src="y"], svg[onload], iframe, details[ontoggle], #xss-link')).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"


def test_auth_4_xss_payloads_typed_into_every_free_text_field_are_shown_as_text(page: Page, private_server):
    """AUTH-4: markup typed into every free-text field (Customer Name, Account Name, Organization Name,
    Address, a contact's Name, an invited user's Name, the customers and contracts search boxes) is
    stored and shown as text on the list, the details page (with its Activity), the Users page and the
    search results; none of it runs."""
    base_url, world = private_server.base_url, private_server.world
    p = TYPED_PAYLOADS
    sign_in(page, base_url, world.reseller_admin, world.password)

    page.get_by_role("button", name="Create Customer").click()
    dialog = page.get_by_role("dialog", name="Create Customer")
    dialog.get_by_role("textbox", name="Customer Name").fill(p["customer_name"])
    dialog.get_by_role("checkbox", name="Hide customer name from the vendor").click()
    dialog.get_by_role("textbox", name="Account Name").fill(p["account_name"])
    dialog.get_by_label("Organization Name").fill(p["organization"])
    dialog.get_by_label("Address").fill(p["address"])
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    _no_markup_ran(page)

    _search(page, "Typed Client")
    row = page.get_by_test_id("customer-row")
    expect(row).to_have_count(1)
    expect(row.get_by_text(p["account_name"], exact=True)).to_be_visible()
    expect(row).to_contain_text(p["customer_name"])
    _no_markup_ran(page)

    with session_scope(private_server.db_url) as session:
        account_id = session.exec(select(Account.id).where(Account.name == p["account_name"])).one()
    contacts = _open_details(page, private_server, account_id)
    expect(page.get_by_role("heading", name=p["customer_name"], level=1)).to_be_visible()
    details = page.get_by_role("region", name="Account Details")
    for key in ("account_name", "organization", "address"):
        expect(details).to_contain_text(p[key])
    contacts.get_by_role("button", name="New Contact").click()
    contact_dialog = page.get_by_role("dialog", name="New Contact")
    contact_dialog.get_by_label("Name").fill(p["contact"])
    contact_dialog.get_by_label("Email").fill("typed.xss@payload.example")
    contact_dialog.get_by_role("button", name="Save").click()
    expect(contact_dialog).to_be_hidden()
    expect(contacts.get_by_text(p["contact"], exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Activity")).to_contain_text(p["contact"])
    _no_markup_ran(page)

    page.goto(f"{base_url}/users")
    page.get_by_role("button", name="Invite User").click()
    invite = page.get_by_role("dialog", name="Invite User")
    invite.get_by_label("Email").fill("typed.xss.user@e2e.example")
    invite.get_by_label("Name").fill(p["user"])
    invite.get_by_role("button", name="Send invitation").click()
    expect(invite).to_be_hidden()
    expect(page.get_by_role("rowheader", name=p["user"], exact=True)).to_be_visible()
    _no_markup_ran(page)

    page.goto(f"{base_url}/customers")
    _search(page, p["search"])
    expect(page.get_by_role("searchbox", name="Search customers")).to_have_value(p["search"])
    expect(page.get_by_test_id("customer-total")).to_have_text("0 in your scope")
    _no_markup_ran(page)
    page.goto(f"{base_url}/contracts")
    contracts_search = page.get_by_role("searchbox", name="Search contracts")
    contracts_search.fill(p["search"])
    contracts_search.press("Enter")
    expect(page).to_have_url(re.compile(r"q="))
    expect(contracts_search).to_have_value(p["search"])
    _no_markup_ran(page)
