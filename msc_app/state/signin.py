"""Sign-in and first run (AUTH-1, AUTH-2, AUTH-5)."""

from __future__ import annotations

import asyncio

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import auth
from msc_app.services.errors import DomainError, ValidationError
from msc_app.state.session import SessionState


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another origin after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/customers"


def _sign_in(*, email: str, password: str, client: str) -> str:
    """One sign-in in its own database session (run off the event loop); returns the session token."""
    with session_scope() as session:
        return auth.sign_in(session=session, email=email, password=password, client=client)


class SignInState(SessionState):
    error: str = ""
    submitting: bool = False

    @rx.event
    def on_load(self):
        with session_scope() as session:
            if auth.needs_first_run(session=session):
                return rx.redirect("/setup", replace=True)
        if self.actor() is not None:
            return rx.redirect("/customers", replace=True)
        self.error = ""

    @rx.event
    async def sign_in(self, form_data: dict):
        """AUTH-1 / AUTH-5: throttled per email and per client address; the error goes in the form's banner.

        The argon2 verification (~50 ms) and the database work run in a worker thread, so one
        sign-in does not hold up every other user's events on the event loop.
        """
        self.error = ""
        self.submitting = True
        yield
        try:
            token = await asyncio.to_thread(
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
        self.auth_token = token
        yield rx.redirect(_safe_next(self.router.url.query_parameters.get("next")), replace=True)


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
        self.auth_token = token
        return rx.redirect("/customers", replace=True)
