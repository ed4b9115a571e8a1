"""Throttled sign-ins in real Chromium (AUTH-5).

Failed sign-ins lock an email, and every attempt counts against the browser's address too, so these
tests run on a server of their own (``private_server``) with users no other test signs in as. Ten
failures in all stay below the per-address limit (20), so the two tests do not disturb each other.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect
from sqlmodel import func, select

from msc_app.db import session_scope
from msc_app.models import Account, AccountKind, LoginAttempt, Role, User, UserSession, UserStatus
from msc_app.services import auth, throttle

VICTIM = "throttle.victim@e2e.example"
VICTIM_PASSWORD = "victim-password-1"
UNKNOWN = "nobody.throttled@e2e.example"
WRONG = "wrong-password-123"
GENERIC = "Incorrect email or password."
THROTTLED = re.compile(r"Too many failed sign-ins\. Try again in \d+ minutes?\.")


def _add_victim(server) -> int:
    """An active viewer of the distributor that only this module signs in as, seeded through the models."""
    with session_scope(server.db_url) as session:
        home = session.exec(select(Account).where(Account.kind == AccountKind.DISTRIBUTOR)).one()
        user = User(
            email=VICTIM,
            name="Val Victim",
            role=Role.VIEWER,
            account_id=home.id,
            status=UserStatus.ACTIVE,
            password_hash=auth.hash_password(VICTIM_PASSWORD),
        )
        session.add(user)
        session.flush()
        return user.id


def _attempts(server, email: str) -> int:
    with session_scope(server.db_url) as session:
        return session.exec(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)
        ).one()


def _wait_for_attempts(server, email: str, count: int, timeout: float = 15) -> None:
    """Wait until the server has recorded ``count`` attempts for ``email``: the banner already shows the
    previous identical message, so the page alone cannot tell that this attempt has been answered."""
    deadline = time.monotonic() + timeout
    while _attempts(server, email) < count:
        assert time.monotonic() < deadline, f"the server recorded fewer than {count} attempts for {email}"
        time.sleep(0.05)


def _submit(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _fail_five_times(page: Page, server, email: str) -> None:
    """Five wrong passwords: each answered with the generic message, each recorded by the server."""
    for attempt in range(1, throttle.EMAIL_FAILURE_LIMIT + 1):
        _submit(page, email, WRONG)
        _wait_for_attempts(server, email, attempt)
        expect(page.get_by_role("alert").filter(has_text=GENERIC)).to_be_visible()
        expect(page.get_by_role("alert").filter(has_text=THROTTLED)).to_have_count(0)


def test_auth_5_correct_password_refused_after_five_failures(page: Page, private_server):
    """AUTH-5: after five wrong passwords for a user, even the right one is refused with the throttled
    message; the user stays on the sign-in page and gets no session."""
    base_url = private_server.base_url
    user_id = _add_victim(private_server)
    page.goto(f"{base_url}/signin")
    _fail_five_times(page, private_server, VICTIM)

    _submit(page, VICTIM, VICTIM_PASSWORD)
    expect(page.get_by_role("alert").filter(has_text=THROTTLED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin"))
    page.goto(f"{base_url}/customers")
    expect(page).to_have_url(re.compile(r"/signin"))
    with session_scope(private_server.db_url) as session:
        sessions = session.exec(select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id))
        assert sessions.one() == 0
    # the throttled attempt was refused before any check, so it is not recorded
    assert _attempts(private_server, VICTIM) == throttle.EMAIL_FAILURE_LIMIT


def test_auth_5_unknown_email_gets_the_same_throttled_message(page: Page, private_server):
    """AUTH-5: an email that does not exist gets the generic message five times, then the same throttled
    message as a real user: the page never tells whether the email exists."""
    page.goto(f"{private_server.base_url}/signin")
    _fail_five_times(page, private_server, UNKNOWN)

    _submit(page, UNKNOWN, WRONG)
    expect(page.get_by_role("alert").filter(has_text=THROTTLED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin"))
