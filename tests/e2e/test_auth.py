"""Sign-in, sign-out, first run and the session guard in real Chromium (AUTH-1, AUTH-2, SANDBOX-1)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import row_names, sign_in


def test_auth_1_protected_pages_redirect_to_sign_in_without_session(page: Page, base_url):
    """AUTH-1: every page but sign-in requires a session; the target is kept for after sign-in."""
    page.goto(f"{base_url}/customers")
    expect(page).to_have_url(re.compile(r"/signin/?\?next=(/|%2F)customers"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("customer-row")).to_have_count(0)


def test_auth_1_wrong_password_and_unknown_email_get_the_same_message(page: Page, base_url, world):
    """AUTH-1/AUTH-5: the message never tells whether the email exists."""
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email").fill(world.distributor_admin)
    page.get_by_label("Password").fill("wrong-password-123")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert").filter(has_text="Incorrect email or password.")
    expect(alert).to_be_visible()
    page.get_by_label("Email").fill("nobody@e2e.example")
    page.get_by_label("Password").fill("wrong-password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(alert).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin"))


def test_auth_1_pending_user_cannot_sign_in(page: Page, base_url, world):
    """AUTH-1/AUTH-3: an invited user is pending until it sets a password."""
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email").fill(world.pending_user)
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="Incorrect email or password.")).to_be_visible()


def test_auth_1_sign_in_then_sign_out(page: Page, base_url, world):
    """AUTH-1: sign in shows the list; sign out ends the session on the server."""
    sign_in(page, base_url, world.distributor_admin, world.password)
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Dana Distributor")
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin"))
    page.goto(f"{base_url}/customers")
    expect(page).to_have_url(re.compile(r"/signin"))


# Every Name cell any customers list draws in this document, from its first frame (an init script runs
# before the page's own code on every navigation).
_RECORD_ROW_NAMES = """
window.__mscSeenNames = new Set();
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="customer-row"] th').forEach(
    (cell) => window.__mscSeenNames.add(cell.innerText.split("\\n")[0].trim()));
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_auth_1_next_user_in_the_same_tab_never_sees_the_previous_users_rows(page: Page, base_url, world):
    """AUTH-1 / AUTH-4: a sign-in starts the tab's page state afresh. After one user signed out (or lost
    the cookie) and another signed in, not one frame of the new page shows the first user's rows."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    first_users = set(row_names(page)) - set(world.tenant_admin_customers)
    assert "Blue Harbor Resellers" in first_users
    page.context.clear_cookies()
    page.add_init_script(_RECORD_ROW_NAMES)
    sign_in(page, base_url, world.tenant_admin, world.password)
    expect(page.get_by_test_id("customer-row")).to_have_count(len(world.tenant_admin_customers))
    assert row_names(page) == world.tenant_admin_customers
    seen = set(page.evaluate("[...window.__mscSeenNames]"))
    assert seen and not (seen & first_users), seen & first_users


def test_session_token_is_an_http_only_cookie_never_sent_to_the_page(page: Page, base_url, world):
    """Sessions: the token is an HttpOnly, SameSite=Strict cookie set by an HTTP route; JavaScript cannot
    read it and it appears in no websocket message (no state var carries it). The one-time ticket
    that set it cannot be replayed, and signing out removes the cookie."""
    frames: list[str] = []
    handoffs: list[str] = []

    def watch(ws):
        ws.on("framereceived", lambda payload: frames.append(str(payload)))
        ws.on("framesent", lambda payload: frames.append(str(payload)))

    page.on("websocket", watch)
    page.on("request", lambda request: handoffs.append(request.url) if "/api/session/start" in request.url else None)
    sign_in(page, base_url, world.reseller_admin, world.password)
    page.get_by_test_id("customer-row").first.get_by_role("link").first.click()
    expect(page.get_by_role("region", name="Account Details")).to_be_visible()

    cookie = next(c for c in page.context.cookies() if c["name"] == "msc_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    token = cookie["value"]
    assert len(token) >= 40
    assert token not in page.evaluate("document.cookie")
    assert frames, "the page spoke over the websocket"
    assert not [f for f in frames if token in f]
    assert len(handoffs) == 1 and "ticket=" in handoffs[0]
    assert not [f for f in frames if token in f or "msc_session" in f]

    # The ticket was used once: replayed in another browser, it signs no one in.
    other = page.context.browser.new_context()
    replay = other.new_page()
    replay.goto(handoffs[0])
    expect(replay).to_have_url(re.compile(r"/signin"))
    expect(replay.get_by_role("alert")).to_contain_text("Your sign-in did not complete in time.")
    assert not [c for c in other.cookies() if c["name"] == "msc_session"]
    other.close()

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin"))
    assert not [c for c in page.context.cookies() if c["name"] == "msc_session"]


def test_sign_out_everywhere_ends_the_session_in_every_browser(page: Page, base_url, world):
    """Sessions: "Sign out everywhere" in one browser ends the user's session in another browser too
    (a separate context: its own cookie, its own session record); its next action goes to sign-in."""
    other = page.context.browser.new_context()
    elsewhere = other.new_page()
    sign_in(elsewhere, base_url, world.reseller_viewer, world.password)
    sign_in(page, base_url, world.reseller_viewer, world.password)

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out everywhere").click()
    expect(page).to_have_url(re.compile(r"/signin"))
    expect(page.get_by_text("Signed out of 2 sessions.")).to_be_visible()

    elsewhere.get_by_role("searchbox", name="Search customers").fill("Harbor")
    elsewhere.get_by_role("searchbox", name="Search customers").press("Enter")
    expect(elsewhere).to_have_url(re.compile(r"/signin"))
    other.close()


def test_auth_1_session_survives_reload_and_new_tab(page: Page, base_url, world):
    """AUTH-1: the session cookie keeps the user signed in across reloads and tabs."""
    sign_in(page, base_url, world.reseller_admin, world.password)
    page.reload()
    expect(page.get_by_test_id("customer-row").first).to_be_visible()
    other = page.context.new_page()
    other.goto(f"{base_url}/customers")
    expect(other.get_by_test_id("customer-row").first).to_be_visible()
    expect(other).to_have_url(re.compile(r"/customers"))


def test_auth_2_first_run_creates_admin_and_sandbox(page: Page, empty_server):
    """AUTH-2 / SANDBOX-1: an empty installation asks for the first admin, then shows the Sandbox."""
    base_url = empty_server.base_url
    page.goto(f"{base_url}/customers")
    expect(page).to_have_url(re.compile(r"/setup"))
    page.get_by_label("Company name").fill("Globex Distribution")
    page.get_by_label("Your name").fill("Gina Globex")
    page.get_by_label("Email").fill("gina@globex")  # passes the browser's check, not the server's
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("short")
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_text("Enter a valid email address")).to_be_visible()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    # The error sits next to its own field.
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Email").fill("gina@globex.example")
    page.get_by_label("Password", exact=True).fill("globex-password-1")
    page.get_by_label("Confirm password").fill("globex-password-1")
    page.get_by_role("button", name="Create administrator").click()
    expect(page).to_have_url(re.compile(r"/customers"))
    expect(page.get_by_test_id("customer-total")).to_have_text("1 in your scope")
    assert row_names(page) == ["Sandbox"]
    sandbox = page.get_by_test_id("customer-row").first
    expect(sandbox).to_contain_text("Default Service Plan")
    expect(sandbox.get_by_text("Sandbox", exact=True).last).to_be_visible()

    # The first run is over: /setup now sends people to sign in.
    page.goto(f"{base_url}/setup")
    expect(page).to_have_url(re.compile(r"/(signin|customers)"))
