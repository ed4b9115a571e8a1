"""The signed-in actor, shared by every page's state.

The browser holds only a random session token, in an HttpOnly cookie that
JavaScript cannot read (set by ``msc_app/api/session.py``); the server keeps the
session record. The state reads the token from the websocket handshake's
``Cookie`` header (``router.headers.cookie``, which Reflex never sends back to
the browser), so the token is in no state var and no message. Every handler that
reads or changes data resolves the actor again from that token
(``self._actor()``), so a revoked or expired session stops working at once, and no
id sent by the browser is trusted.

Signing in therefore ends in a full page load: ``_hand_over`` swaps the new
session's token for a one-time ticket and sends the browser through the HTTP
route that sets the cookie; signing out goes through the route that removes it.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import reflex as rx

from msc_app.api import session as session_routes
from msc_app.db import session_scope
from msc_app.models import Account, AccountKind, Role
from msc_app.services import auth, tenants, two_factor
from msc_app.services.permissions import Actor

SESSION_COOKIE = auth.SESSION_COOKIE
SECURITY_PATH = "/security"  # the one page a user who owes two-factor enrolment may use


def navigate(url: str) -> rx.event.EventSpec:
    """A full page load (not the single-page router): HTTP routes set and clear the session cookie,
    and only a new websocket carries the new cookie in its handshake."""
    return rx.call_script(f"window.location.replace({json.dumps(url)})")


class SessionState(rx.State):

    # Display-only facts about the signed-in user (never secrets).
    signed_in: bool = False
    user_name: str = ""
    user_email: str = ""
    role_label: str = ""
    tenant_name: str = ""  # the tenant the user works as (its perspective, else its own)
    home_tenant_name: str = ""
    home_account_id: int = 0
    current_account_id: int = 0  # the tenant worked as: the perspective, else home
    in_perspective: bool = False
    perspective_kind: str = ""
    can_switch: bool = False
    is_admin: bool = False  # an admin (of any tier, or in a perspective): may change what lies below
    can_create: bool = False  # an admin working as a distributor or reseller: may create customers

    @property
    def session_token(self) -> str:
        """This client's session token: the HttpOnly cookie of its websocket handshake (server-side only)."""
        return auth.token_from_cookie_header(self.router.headers.cookie)

    def _actor(self) -> Actor | None:
        """The actor for this client's session, looked up on the server each time."""
        token = self.session_token
        if not token:
            return None
        with session_scope() as session:
            return auth.actor_for_token(session=session, token=token)

    def _hand_over(self, token: str, next_path: str):
        """After a sign-in: send the browser to set its cookie for the new session, then to ``next_path``."""
        with session_scope() as session:
            ticket = auth.begin_handoff(session=session, token=token)
        return navigate(session_routes.start_url(ticket, next_path))

    def _show_actor(self, actor: Actor) -> None:
        with session_scope() as session:
            tenant = session.get(Account, actor.account_id)
            home = session.get(Account, actor.home_account_id)
        self.signed_in = True
        self.user_name = actor.name
        self.user_email = actor.email
        self.role_label = actor.label
        self.tenant_name = tenant.name if tenant else ""
        self.home_tenant_name = home.name if home else ""
        self.home_account_id = actor.home_account_id
        self.current_account_id = actor.account_id
        self.in_perspective = actor.in_perspective
        self.perspective_kind = actor.kind.value if actor.in_perspective else ""
        self.can_switch = tenants.can_switch(actor)
        self.is_admin = actor.role == Role.ADMIN
        self.can_create = self.is_admin and actor.kind != AccountKind.CUSTOMER

    def _forget(self) -> None:
        self.signed_in = False
        self.user_name = self.user_email = self.role_label = self.tenant_name = ""
        self.home_tenant_name = self.perspective_kind = ""
        self.home_account_id = self.current_account_id = 0
        self.in_perspective = self.can_switch = self.is_admin = self.can_create = False

    def _to_sign_in(self):
        path = self.router.url.path or "/"
        target = "/signin" if path in ("/", "/signin") else f"/signin?next={quote(path)}"
        return rx.redirect(target, replace=True)

    @rx.event
    def require_session(self):
        """on_load of every protected page: redirect to sign-in without a live session, and to the
        Security page while the distributor requires two-factor sign-in the user has not turned on."""
        actor = self._actor()
        if actor is None:
            self._forget()
            return self._to_sign_in()
        self._show_actor(actor)
        if self.router.url.path.rstrip("/") != SECURITY_PATH:
            with session_scope() as session:
                if two_factor.must_enrol(session=session, user_id=actor.user_id):
                    return rx.redirect(f"{SECURITY_PATH}?required=1", replace=True)
        return None

    @rx.event
    def sign_out_everywhere(self):
        """End every session of this user, in every browser, then this one's page goes to sign-in,
        which says how many sessions ended."""
        ended = 0
        if token := self.session_token:
            with session_scope() as session:
                ended = auth.end_all_sessions(session=session, token=token)
        self._forget()
        return navigate(session_routes.end_url(f"/signin?ended={ended}"))

    @rx.event
    def sign_out(self):
        if token := self.session_token:
            with session_scope() as session:
                auth.end_session(session=session, token=token)
        self._forget()
        return navigate(session_routes.end_url("/signin"))
