"""The Users page and invitations in real Chromium (AUTH-3, EMAIL-1, AUTH-4).

On a private server: inviting, accepting and deactivating change the seeded world.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import User, UserStatus
from tests.e2e.helpers import forge_event_argument, sign_in

IVY_EMAIL = "ivy@e2e.example"
IVY_PASSWORD = "ivy-invitee-pass-1"
LINK = re.compile(r"https?://\S+/invite/[A-Za-z0-9_\-]+")


def _user_row(page: Page, name: str):
    return page.get_by_test_id("user-row").filter(has=page.get_by_role("rowheader", name=re.compile(rf"^{name}")))


def _fresh_page(browser: Browser) -> Page:
    """A page in a new browser context: no cookies, as when the invitee opens the email elsewhere."""
    return browser.new_context(viewport={"width": 1440, "height": 900}).new_page()


def _status(db_url: str, email: str) -> str:
    with session_scope(db_url) as session:
        return session.exec(select(User.status).where(User.email == email)).one()


def test_auth_3_email_1_invite_accept_once_and_deactivate(page: Page, browser: Browser, private_server, smtp_server):
    """AUTH-3/EMAIL-1: the reseller admin invites Ivy; the email carries the link; the link sets a password
    and signs Ivy in; the same link is refused the second time; once deactivated, Ivy's open page loses
    access on its next action."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page).to_have_url(re.compile(r"/users"))
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(_user_row(page, "Riley Reseller")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Dana Distributor"))).to_have_count(0)  # not in scope

    # Invite: an error next to its field first, nothing saved; then the real invitation.
    page.get_by_role("button", name="Invite User").click()
    dialog = page.get_by_role("dialog", name="Invite User")
    dialog.get_by_label("Email").fill(world.tenant_admin.upper())  # taken, in another case
    dialog.get_by_label("Name").fill("Ivy Invitee")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.locator("#field-email-error")).to_have_text("A user with this email already exists.")
    expect(dialog.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Email").fill(IVY_EMAIL)
    dialog.get_by_role("combobox", name="Role").click()
    page.get_by_role("option", name="Admin", exact=True).click()
    expect(dialog.get_by_role("combobox", name="Account")).to_contain_text("Blue Harbor Resellers")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {IVY_EMAIL}.")).to_be_visible()
    expect(dialog).to_have_count(0)
    ivy_row = _user_row(page, "Ivy Invitee")
    expect(ivy_row).to_contain_text("Pending")
    expect(ivy_row).to_contain_text("Reseller admin")
    expect(ivy_row.get_by_role("button", name="Resend invitation to Ivy Invitee")).to_be_visible()
    assert _status(private_server.db_url, IVY_EMAIL) == UserStatus.PENDING

    # The email arrives through the outbox with the link.
    delivered = smtp_server.handler.wait_for_mail_to(IVY_EMAIL, timeout=30)
    assert len(delivered) == 1, "the invitation email was not delivered (or more than once)"
    body = delivered[0].message.get_content()
    link = LINK.search(body).group(0)
    assert link.startswith(base_url), link

    # The link, opened elsewhere, sets the password and signs Ivy in.
    ivy = _fresh_page(browser)
    ivy.goto(link)
    expect(ivy.get_by_role("heading", name="Welcome, Ivy Invitee")).to_be_visible()
    ivy.get_by_label("Password", exact=True).fill("short")
    ivy.get_by_label("Confirm password").fill("short")
    ivy.get_by_role("button", name="Set password and sign in").click()
    expect(ivy.locator("#field-password-error")).to_have_text("Use at least 10 characters.")
    ivy.get_by_label("Password", exact=True).fill(IVY_PASSWORD)
    ivy.get_by_label("Confirm password").fill(IVY_PASSWORD)
    ivy.get_by_role("button", name="Set password and sign in").click()
    expect(ivy).to_have_url(re.compile(r"/customers"))
    expect(ivy.get_by_role("button", name="Account menu")).to_contain_text("Ivy Invitee")
    expect(ivy.get_by_test_id("customer-total")).to_contain_text("in your scope")
    assert _status(private_server.db_url, IVY_EMAIL) == UserStatus.ACTIVE

    # The same link a second time is refused.
    again = _fresh_page(browser)
    again.goto(link)
    expect(again.get_by_text("This invitation link is invalid or has expired.")).to_be_visible()
    expect(again.get_by_label("Password", exact=True)).to_have_count(0)
    expect(again.get_by_role("link", name="Go to sign in")).to_be_visible()
    again.context.close()

    # The admin deactivates Ivy (with confirmation).
    page.reload()
    expect(ivy_row).to_contain_text("Active")
    ivy_row.get_by_role("button", name="Deactivate Ivy Invitee").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Deactivate Ivy Invitee?")
    confirm.get_by_role("button", name="Yes, Deactivate").click()
    expect(page.get_by_text("Ivy Invitee was deactivated and signed out.")).to_be_visible()
    expect(ivy_row).to_contain_text("Deactivated")
    expect(ivy_row.get_by_role("button", name="Reactivate Ivy Invitee")).to_be_visible()

    # Ivy's open page loses access on its next action.
    ivy.get_by_role("navigation", name="Main").get_by_role("link", name="Contracts").click()
    expect(ivy).to_have_url(re.compile(r"/signin"))
    ivy.goto(f"{base_url}/customers")
    expect(ivy).to_have_url(re.compile(r"/signin"))
    ivy.context.close()


def test_auth_3_auth_4_forged_deactivate_of_a_user_out_of_scope_is_refused(page: Page, private_server):
    """AUTH-4: a reseller admin's client that forges the id of the distributor's admin gets "not found"."""
    base_url, world = private_server.base_url, private_server.world
    with session_scope(private_server.db_url) as session:
        target_id = session.exec(select(User.id).where(User.email == world.distributor_admin)).one()
    # Installed before the page connects: it rewrites the events of the websocket opened afterwards.
    forged = forge_event_argument(page, handlers=(".open_deactivate",), argument="user_id", value=target_id)
    sign_in(page, base_url, world.reseller_admin, world.password)
    page.goto(f"{base_url}/users")
    _user_row(page, "Tara Tenant").get_by_role("button", name="Deactivate Tara Tenant").click()
    expect(page.get_by_text("User not found.")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert forged, "the event was not forged"
    assert _status(private_server.db_url, world.distributor_admin) == UserStatus.ACTIVE


def test_auth_3_tenant_admin_has_no_users_page(page: Page, private_server):
    """AUTH-3: tenant admins see no Users link, and /users shows no users and no change controls."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.tenant_admin, world.password)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Customers")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    page.goto(f"{base_url}/users")
    expect(page.get_by_text("Tenant admins do not manage users.")).to_be_visible()
    expect(page.get_by_test_id("user-row")).to_have_count(0)
    expect(page.get_by_role("button", name="Invite User")).to_have_count(0)


def test_auth_3_invalid_link_shows_a_clear_message(page: Page, private_server):
    """AUTH-3: an unknown link is answered like a used or expired one, with a way to sign in."""
    page.goto(f"{private_server.base_url}/invite/not-a-real-token")
    expect(page.get_by_text("This invitation link is invalid or has expired.")).to_be_visible()
    page.get_by_role("link", name="Go to sign in").click()
    expect(page).to_have_url(re.compile(r"/signin"))
