"""The signed-in actor, shared by every page's state.

The browser holds only a random session token, in an HttpOnly cookie that
JavaScript cannot read (set by ``msc_app/api/session.py``); the server keeps the
session record. The state reads the token from the websocket handshake's
``Cookie`` header (``router.headers.cookie``, which Reflex never sends back to
the browser), so the token is in no state var and no message. Every handler that
reads or changes data goes through the ``guarded`` seam, which resolves the actor
again from that token once per event (the handler reads it with
``self._signed_actor()``), so a revoked or expired session stops working at the
next event, and no id sent by the browser is trusted.

Signing in therefore ends in a full page load: ``_hand_over`` swaps the new
session's token for a one-time ticket and sends the browser through the HTTP
route that sets the cookie; signing out goes through the route that removes it.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote

import reflex as rx

from msc_app.api import session as session_routes
from msc_app.db import session_scope
from msc_app.models import AccountKind, Role
from msc_app.services import auth, tenants, two_factor
from msc_app.services.errors import DomainError
from msc_app.services.permissions import Actor

SESSION_COOKIE = auth.SESSION_COOKIE
SECURITY_PATH = "/security"  # the one page a user who owes two-factor enrolment may use


@dataclass(frozen=True)
class _EventActor:
    token: str
    actor: Actor | None


# The actor of the event being processed: set by the ``guarded`` seam for the length of one handler call,
# so every ``_actor()`` inside that event (the handler, the helpers it calls, the substates it loads) reuses one
# lookup. Never kept across events: the next event looks the session up again, so a revoked one stops there.
_EVENT_ACTOR: ContextVar[_EventActor | None] = ContextVar("msc_event_actor", default=None)


def guarded(fn: Callable | None = None, *, page: bool = False):
    """The one seam of every handler that reads or changes data.

    Once per event: resolves the signed-in actor (``self._signed_actor()`` returns it from then on, in the
    handler and in every state it reaches), sends a signed-out client to sign-in (``_forget`` + redirect, the
    handler does not run), and turns a ``DomainError`` the handler does not catch itself into an error toast.
    ``page=True`` marks a page's on_load: it also does what ``require_session`` does (show the actor in the
    shell, send a user who owes two-factor enrolment to the Security page), so a page load costs one event
    and one actor lookup; ``app_page`` then leaves ``require_session`` out of the chain.

    The handler keeps its own signature (``functools.wraps``: Reflex reads the parameters and their
    annotations through ``__wrapped__``), and may be sync, async, a generator or an async generator.
    """
    if fn is None:
        return lambda f: guarded(f, page=page)

    def enter(self) -> tuple[object, object]:
        """(the contextvar reset token, the redirect to return instead of running the handler or None)."""
        outer = _EVENT_ACTOR.get()
        reset = None
        if outer is None or outer.token != self.session_token:
            reset = _EVENT_ACTOR.set(_EventActor(self.session_token, self._lookup_actor()))
        actor = _EVENT_ACTOR.get().actor
        if actor is None:
            self._forget()
            return reset, self._to_sign_in()
        return reset, (self._admit(actor) if page else None)

    def leave(reset) -> None:
        if reset is not None:
            _EVENT_ACTOR.reset(reset)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def wrapper(self, *args, **kwargs):
            reset, stop = enter(self)
            try:
                if stop is not None:
                    yield stop
                    return
                try:
                    async for item in fn(self, *args, **kwargs):
                        yield item
                except DomainError as exc:
                    yield self._refused(exc)
            finally:
                leave(reset)

    elif inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            reset, stop = enter(self)
            try:
                if stop is not None:
                    yield stop
                    return
                try:
                    yield from fn(self, *args, **kwargs)
                except DomainError as exc:
                    yield self._refused(exc)
            finally:
                leave(reset)

    elif inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapper(self, *args, **kwargs):
            reset, stop = enter(self)
            try:
                if stop is not None:
                    return stop
                try:
                    return await fn(self, *args, **kwargs)
                except DomainError as exc:
                    return self._refused(exc)
            finally:
                leave(reset)

    else:

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            reset, stop = enter(self)
            try:
                if stop is not None:
                    return stop
                try:
                    return fn(self, *args, **kwargs)
                except DomainError as exc:
                    return self._refused(exc)
            finally:
                leave(reset)

    wrapper._msc_guarded = True  # read by is_guarded (tests/state/test_handler_seam.py)
    wrapper._msc_page_gate = page  # read by pages/shell.app_page
    return wrapper


def is_guarded(handler) -> bool:
    """Whether an event handler (an EventHandler) goes through the ``guarded`` seam."""
    return bool(getattr(getattr(handler, "fn", None), "_msc_guarded", False))


def is_page_gate(handler) -> bool:
    """Whether an on_load handler (an EventHandler) is a ``guarded(page=True)`` seam."""
    return bool(getattr(getattr(handler, "fn", None), "_msc_page_gate", False))


# Reflex keeps the client's state token in this sessionStorage key (reflex_base web/utils/state.js).
_CLIENT_TOKEN_KEY = "token"


def navigate(url: str) -> rx.event.EventSpec:
    """A change of who is signed in, as a full page load (not the single-page router): HTTP routes set and
    clear the session cookie, and only a new websocket carries the new cookie in its handshake.

    The tab also drops its Reflex client token, so the next page starts from a fresh state: the previous
    user's rows, names and dialogs are never drawn, not even for the moment before the new on_load runs."""
    return rx.call_script(
        f"window.sessionStorage.removeItem({json.dumps(_CLIENT_TOKEN_KEY)});"
        f" window.location.replace({json.dumps(url)})"
    )


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
        """The actor for this client's session: the one the ``guarded`` seam resolved for this event, else
        looked up on the server now (never remembered across events)."""
        current = _EVENT_ACTOR.get()
        if current is not None and current.token == self.session_token:
            return current.actor
        return self._lookup_actor()

    def _signed_actor(self) -> Actor:
        """The signed-in actor inside a ``guarded`` handler (and the helpers and substates it reaches): the
        seam's lookup for this event, never None there (a signed-out client never gets that far)."""
        current = _EVENT_ACTOR.get()
        if current is None or current.actor is None or current.token != self.session_token:
            raise RuntimeError(
                f"{type(self).__name__}._signed_actor() outside a @guarded handler: "
                "a handler that reads or changes data must go through the guarded seam"
            )
        return current.actor

    def _lookup_actor(self) -> Actor | None:
        token = self.session_token
        if not token:
            return None
        with session_scope() as session:
            return auth.actor_for_token(session=session, token=token)

    def _refused(self, exc: DomainError):
        """A service's refusal the handler did not show itself: its message, as an error toast."""
        return rx.toast.error(exc.message)

    def _admit(self, actor: Actor):
        """A page load by a signed-in actor: show it in the shell; None, or the redirect to the Security page
        while the distributor requires two-factor sign-in the user has not turned on."""
        with session_scope() as session:
            self._show_actor(actor, session)
            owes = self.router.url.path.rstrip("/") != SECURITY_PATH and two_factor.must_enrol(
                session=session, user_id=actor.user_id
            )
        return rx.redirect(f"{SECURITY_PATH}?required=1", replace=True) if owes else None

    def _hand_over(self, token: str, next_path: str):
        """After a sign-in: send the browser to set its cookie for the new session, then to ``next_path``."""
        with session_scope() as session:
            ticket = auth.begin_handoff(session=session, token=token)
        return navigate(session_routes.start_url(ticket, next_path))

    def _show_actor(self, actor: Actor, session) -> None:
        names = auth.account_names(session=session, account_ids=[actor.account_id, actor.home_account_id])
        self.signed_in = True
        self.user_name = actor.name
        self.user_email = actor.email
        self.role_label = actor.label
        self.tenant_name = names.get(actor.account_id, "")
        self.home_tenant_name = names.get(actor.home_account_id, "")
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
    @guarded(page=True)
    def require_session(self):
        """on_load of a protected page that has no gated loader of its own: redirect to sign-in without a
        live session, and to the Security page while the user owes two-factor enrolment (``_admit``)."""
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
