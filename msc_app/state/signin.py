"""Sign-in and first run (AUTH-1, AUTH-2, AUTH-5)."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import auth, two_factor
from msc_app.services.errors import DomainError, ValidationError
from msc_app.state.session import SECURITY_PATH, SessionState


# How long a correct password waits for its authentication code before it must be typed again.
PENDING_SECONDS = 5 * 60
SECURITY_PAGE = SECURITY_PATH


def _sign_in(*, email: str, password: str, client: str) -> two_factor.SignInResult:
    """The password step in its own database session (run off the event loop): a token, or a pending user."""
    with session_scope() as session:
        return two_factor.sign_in(session=session, email=email, password=password, client=client)


def _complete_sign_in(*, user_id: int, code: str, client: str) -> two_factor.SignInResult:
    """The code step in its own database session (run off the event loop)."""
    with session_scope() as session:
        return two_factor.complete_sign_in(session=session, user_id=user_id, code=code, client=client)


def _notice(query: dict) -> str:
    """What the sign-in page says after a sign-out everywhere: how many sessions ended."""
    ended = str(query.get("ended", ""))
    if ended.isdigit():
        count = int(ended)
        return f"Signed out of {count} session{'s' if count != 1 else ''}."
    return ""


EXPIRED_HANDOFF = "Your sign-in did not complete in time. Sign in again."


class SignInState(SessionState):
    error: str = ""
    notice: str = ""  # after a sign-out everywhere: how many sessions ended
    submitting: bool = False
    # Two-factor: the password was right, the code is asked for next (issue 6).
    needs_code: bool = False
    use_recovery: bool = False
    # Which user owes its code, and until when: backend-only, never sent to (or taken from) the browser.
    _pending_user_id: int = 0
    _pending_until: float = 0.0
    # The websocket connection (one page view) the last sign-in attempt came from: see on_load.
    _attempt_connection: str = ""

    def _clear_pending(self) -> None:
        self._pending_user_id = 0
        self._pending_until = 0.0
        self.needs_code = False
        self.use_recovery = False

    def _after_sign_in(self, result: two_factor.SignInResult):
        if result.must_enrol:
            return self._hand_over(result.token, f"{SECURITY_PAGE}?required=1")
        return self._hand_over(result.token, self.router.url.query_parameters.get("next") or "/customers")

    @rx.event
    def on_load(self):
        with session_scope() as session:
            if auth.needs_first_run(session=session):
                return rx.redirect("/setup", replace=True)
        if self._actor() is not None:
            return rx.redirect("/customers", replace=True)
        if self._attempt_connection and self._attempt_connection == self.router.session.session_id:
            # A fast user (or a password manager) signed in from this page view before the page's load
            # events ran: the attempt overtook this on_load, whose reset would wipe its message.
            return None
        query = self.router.url.query_parameters
        self.error = EXPIRED_HANDOFF if query.get("expired") else ""
        self.notice = _notice(query)
        self._clear_pending()

    @rx.event
    async def sign_in(self, form_data: dict):
        """AUTH-1 / AUTH-5: throttled per email and per client address; the error goes in the form's banner.

        The argon2 verification (~50 ms) and the database work run in a worker thread, so one
        sign-in does not hold up every other user's events on the event loop.
        """
        self.error = ""
        self.notice = ""
        self._clear_pending()
        self._attempt_connection = self.router.session.session_id
        self.submitting = True
        yield
        try:
            result = await asyncio.to_thread(
                _sign_in,
                email=str(form_data.get("email", "")),
                password=str(form_data.get("password", "")),
                client=self.router.session.client_ip,
            )
        except DomainError as exc:  # AuthenticationFailed or Throttled: both say nothing about the email
            self.error = exc.message
            return
        finally:
            self.submitting = False
        if result.pending_user_id:
            self._pending_user_id = result.pending_user_id
            self._pending_until = time.time() + PENDING_SECONDS
            self.needs_code = True
            return
        yield self._after_sign_in(result)

    @rx.event
    async def submit_code(self, form_data: dict):
        """Two-factor: the code (or a recovery code) for the user whose password was just accepted.

        Only a correct code starts the session; a wrong one is a failed sign-in for throttling (AUTH-5).
        The pending user lives only in this state's backend vars and expires after PENDING_SECONDS.
        """
        self.error = ""
        if not self._pending_user_id or time.time() > self._pending_until:
            self._clear_pending()
            self.error = "Your sign-in took too long. Enter your email and password again."
            return
        self.submitting = True
        yield
        try:
            result = await asyncio.to_thread(
                _complete_sign_in,
                user_id=self._pending_user_id,
                code=str(form_data.get("code", "")),
                client=self.router.session.client_ip,
            )
        except two_factor.Throttled as exc:
            self._clear_pending()
            self.error = exc.message
            return
        except DomainError as exc:
            self.error = exc.message
            return
        finally:
            self.submitting = False
        self._clear_pending()
        yield self._after_sign_in(result)

    @rx.event
    def toggle_recovery(self):
        self.use_recovery = not self.use_recovery
        self.error = ""

    @rx.event
    def cancel_code(self):
        """Back to email and password: the pending sign-in is forgotten."""
        self._clear_pending()
        self.error = ""


class FirstRunState(SessionState):
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    def on_load(self):
        with session_scope() as session:
            if not auth.needs_first_run(session=session):
                return rx.redirect("/signin", replace=True)

    @rx.event
    def create_admin(self, form_data: dict):
        self.errors = {}
        self.form_error = ""
        password = str(form_data.get("password", ""))
        if password != str(form_data.get("password_confirm", "")):
            self.errors = {"password_confirm": "The passwords do not match."}
            return
        try:
            with session_scope() as session:
                admin = auth.create_first_admin(
                    session=session,
                    distributor_name=str(form_data.get("distributor_name", "")),
                    admin_name=str(form_data.get("admin_name", "")),
                    email=str(form_data.get("email", "")),
                    password=password,
                )
                token = auth.start_session(session=session, user=admin)
        except ValidationError as exc:
            self.errors = exc.errors
            return
        except DomainError as exc:
            self.form_error = exc.message
            return
        return self._hand_over(token, "/customers")
