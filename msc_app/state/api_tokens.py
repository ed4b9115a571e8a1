"""The Profile page's personal API tokens (issue 8): create (shown once), list, revoke.

Thin over ``services.api_tokens``: every handler goes through the ``guarded`` seam (the actor resolved
again for each event), and a token is revoked
only if it is the actor's own (the service refuses anyone else's with "not found"). The new token's
text is in the state only until the user dismisses it (or leaves the page): it is shown once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import api_tokens
from msc_app.services.errors import DomainError
from msc_app.state.form_errors import form_errors
from msc_app.state.session import SessionState, guarded

EXPIRY_CHOICES = (("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "Never"))


@dataclass
class TokenRow:
    id: int
    name: str
    prefix: str
    tenant: str
    created: str
    expires: str
    last_used: str
    status: str  # "Active", "Expired", "Revoked"
    active: bool


def _day(value: datetime | None, empty: str = "—") -> str:
    return value.strftime("%b %d, %Y") if value else empty


def _row(token: api_tokens.ApiTokenRead) -> TokenRow:
    status = "Revoked" if token.revoked_at else ("Active" if token.active else "Expired")
    return TokenRow(
        id=token.id,
        name=token.name,
        prefix=f"{token.prefix}…",
        tenant=token.perspective_name or "Your own tenant",
        created=_day(token.created_at),
        expires=_day(token.expires_at, "Never"),
        last_used=_day(token.last_used_at, "Never used"),
        status=status,
        active=token.active,
    )


class ApiTokensState(SessionState):
    tokens: list[TokenRow] = []
    loaded: bool = False
    create_open: bool = False
    errors: dict[str, str] = {}
    form_error: str = ""
    new_token: str = ""  # the text of the token just made: shown once
    new_token_name: str = ""
    revoke_open: bool = False
    revoke_name: str = ""
    revoke_error: str = ""
    _revoke_id: int = 0

    def _load(self, actor) -> None:
        with session_scope() as session:
            self.tokens = [_row(t) for t in api_tokens.list_tokens(session=session, actor=actor)]
        self.loaded = True

    @rx.event
    @guarded(page=True)
    def on_load(self):
        self.new_token = self.new_token_name = ""
        self._load(self._signed_actor())

    @rx.event
    def open_create(self):
        self.errors, self.form_error = {}, ""
        self.create_open = True

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = value

    @rx.event
    @guarded
    def create(self, form_data: dict):
        actor = self._signed_actor()
        expiry = str(form_data.get("expires_days", "90"))
        try:
            with session_scope() as session:
                text, token = api_tokens.create_token(
                    session=session,
                    actor=actor,
                    name=str(form_data.get("name", "")),
                    expires_days=None if expiry == "never" else int(expiry) if expiry.isdigit() else -1,
                )
        except DomainError as exc:
            self.errors, self.form_error = form_errors(exc)
            return None
        self.create_open = False
        self.new_token, self.new_token_name = text, token.name
        self._load(actor)
        return None

    @rx.event
    def dismiss_new_token(self):
        self.new_token = self.new_token_name = ""

    @rx.event
    def ask_revoke(self, token_id: int):
        for row in self.tokens:
            if row.id == token_id:
                self._revoke_id, self.revoke_name = row.id, row.name
                self.revoke_error = ""
                self.revoke_open = True
                return

    @rx.event
    def set_revoke_open(self, value: bool):
        self.revoke_open = value

    @rx.event
    @guarded
    def revoke(self):
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                api_tokens.revoke_token(session=session, actor=actor, token_id=self._revoke_id)
        except DomainError as exc:
            self.revoke_error = exc.message
            return None
        self.revoke_open = False
        self._load(actor)
        return rx.toast.success(f"Revoked the token “{self.revoke_name}”.")
