"""Switching tenant perspective (TENANT-1, TENANT-2): row switcher, avatar menu, banner."""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import tenants
from msc_app.services.errors import DomainError
from msc_app.state.session import SessionState, guarded


@dataclasses.dataclass
class TenantChoiceRow:
    id: int
    name: str
    kind: str


def _reload_home():
    # A full reload: every page, count and export is then read in the new perspective.
    return rx.call_script("window.location.assign('/customers')")


class TenantSwitchState(SessionState):
    dialog_open: bool = False
    choices: list[TenantChoiceRow] = []
    search_text: str = ""

    def _load_choices(self) -> None:
        with session_scope() as session:
            found = tenants.switchable_tenants(session=session, actor=self._signed_actor(), search=self.search_text)
        self.choices = [TenantChoiceRow(id=c.id, name=c.name, kind=c.kind) for c in found]

    @rx.event
    @guarded
    def open_dialog(self):
        self.search_text = ""
        self.dialog_open = True
        self._load_choices()

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = value

    @rx.event
    @guarded
    def search(self, form_data: dict):
        self.search_text = str(form_data.get("tenant_search", ""))[:200]
        self._load_choices()

    @rx.event
    @guarded
    def switch_into(self, account_id: int):
        """The server checks the target against the user's own scope; a forged id is refused."""
        try:
            with session_scope() as session:
                account = tenants.switch_into(session=session, token=self.session_token, account_id=int(account_id))
        except (DomainError, TypeError, ValueError):
            return rx.toast.error("You cannot switch into that tenant.")
        self.dialog_open = False
        self.tenant_name = account.name
        return _reload_home()

    @rx.event
    @guarded
    def switch_back(self):
        with session_scope() as session:
            tenants.switch_back(session=session, token=self.session_token)
        self.dialog_open = False
        return _reload_home()
