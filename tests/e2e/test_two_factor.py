"""Two-factor sign-in in real Chromium (issue 6; AUTH-1, AUTH-5): enrol on /security, then sign in with a code.

Enrolment changes a seeded user, so these tests run on a server of their own (``private_server``).
Codes are computed here with passlib.totp from the setup key the page shows as text.
"""

from __future__ import annotations

import re
import time

from passlib.totp import TOTP
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in


def _code(secret: str, *, ahead: int = 0) -> str:
    """The code for now + ``ahead`` seconds (the server accepts one 30 s step either side)."""
    return TOTP(key=secret, format="base32").generate(time.time() + ahead).token


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _open_security(page: Page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Security").click()
    expect(page).to_have_url(re.compile(r"/security"))
    expect(page.get_by_role("heading", name="Security", level=1)).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin"))


def _password_step(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_two_factor_enrol_then_sign_in_needs_the_code(page: Page, private_server):
    """Issue 6: enrol on /security (QR code and setup key), then sign-in asks for the code; a wrong
    code is refused without a session, the right one lands on /customers."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.reseller_admin, world.password)
    _open_security(page)
    expect(page.get_by_text("Two-factor sign-in is off.")).to_be_visible()
    # Not a distributor admin: no control to require it of everyone.
    expect(page.get_by_role("switch")).to_have_count(0)

    page.get_by_role("button", name="Set up authenticator app").click()
    qr = page.get_by_role("img", name="QR code to add MSC to your authenticator app")
    expect(qr).to_be_visible()
    page.wait_for_function("(img) => img.complete", arg=qr.element_handle())
    assert qr.evaluate("(img) => img.naturalWidth") > 0  # the QR code really renders, not only its alt text
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,64}", secret), secret
    page.get_by_label("Authentication code").fill(_code(secret))
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("On", exact=True)).to_be_visible()

    _sign_out(page)
    _password_step(page, base_url, world.reseller_admin, world.password)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    code_field = page.get_by_label("Authentication code")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    # No session yet: a protected page still sends the browser to sign-in.
    # (Checked in another tab so that this tab keeps its pending code step.)
    other = page.context.new_page()
    other.goto(f"{base_url}/customers")
    expect(other).to_have_url(re.compile(r"/signin"))
    other.close()

    code_field.fill(_wrong(_code(secret, ahead=30)))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert").filter(has_text="That code is not valid")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin"))

    # The enrolment used this step's code: the next step's code is new (and within the window).
    page.get_by_label("Authentication code").fill(_code(secret, ahead=30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/customers**")
    expect(page.get_by_test_id("customer-total")).to_contain_text("in your scope")


def test_two_factor_recovery_code_signs_in_once(page: Page, private_server):
    """Issue 6: a recovery code replaces the app's code once; the same code is refused the next time."""
    base_url, world = private_server.base_url, private_server.world
    sign_in(page, base_url, world.tenant_admin, world.password)
    _open_security(page)
    page.get_by_role("button", name="Set up authenticator app").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Authentication code").fill(_code(secret))
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text().strip()
    page.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_text("9 recovery codes left")).to_have_count(0)  # none used yet
    _sign_out(page)

    _password_step(page, base_url, world.tenant_admin, world.password)
    page.get_by_role("button", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(recovery)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/customers**")
    _sign_out(page)

    _password_step(page, base_url, world.tenant_admin, world.password)
    page.get_by_role("button", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(recovery)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert").filter(has_text="That code is not valid")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin"))
