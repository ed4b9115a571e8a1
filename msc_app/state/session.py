"""The signed-in actor, shared by every page's state.

The browser holds only a random session token (cookie); the server keeps the
session record. Every handler that reads or changes data resolves the actor
again from that token (``self.actor()``), so a revoked or expired session stops
working at once, and no id sent by the browser is trusted.
"""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from msc_app.db import session_scope
from msc_app.models import Account, AccountKind, Role
from msc_app.services import auth, tenants, two_factor
from msc_app.services.permissions import Actor

SESSION_COOKIE = auth.SESSION_COOKIE
SECURITY_PATH = "/security"  # the one page a user who owes two-factor enrolment may use


class SessionState(rx.State):
    auth_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, same_site="strict", max_age=int(auth.SESSION_LIFETIME.total_seconds())
    )

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

    def actor(self) -> Actor | None:
        """The actor for this client's session, looked up on the server each time."""
        if not self.auth_token:
            return None
        with session_scope() as session:
            return auth.actor_for_token(session=session, token=self.auth_token)

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
        self.auth_token = ""
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
        actor = self.actor()
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
        """End every session of this user, in every browser, then this one's page goes to sign-in."""
        if self.auth_token:
            with session_scope() as session:
                ended = auth.end_all_sessions(session=session, token=self.auth_token)
            self._forget()
            return [
                rx.redirect("/signin", replace=True),
                rx.toast.success(f"Signed out of {ended} session{'s' if ended != 1 else ''}."),
            ]
        self._forget()
        return rx.redirect("/signin", replace=True)

    @rx.event
    def sign_out(self):
        if self.auth_token:
            with session_scope() as session:
                auth.end_session(session=session, token=self.auth_token)
        self._forget()
        return rx.redirect("/signin", replace=True)
