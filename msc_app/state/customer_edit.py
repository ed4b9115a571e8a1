"""The Edit Customer and Delete Customer dialogs (EDIT-1, EDIT-2, DELETE-1).

Both are opened from a row's More options or from the details page. The id
the browser sends only says which customer to open: it is read again through
the scoped service, and the dialog then works on that server-side copy
(``_account_id``), so a forged id is answered like a missing customer.
"""

from __future__ import annotations

import re

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.models import AccountKind, UserStatus
from msc_app.services import customer_changes
from msc_app.services.customer_changes import ConcurrentChange, CustomerUpdate
from msc_app.services.customer_details import get_customer
from msc_app.services.errors import DomainError
from msc_app.services.forms import parse_form
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.customers import CustomersState
from msc_app.state.form_errors import checked_ids, form_errors
from msc_app.state.session import SessionState, guarded

_ACCOUNT_FIELDS = ("customer_name", "organization", "phone", "address")


@dataclasses.dataclass
class AdminChoice:
    value: str
    label: str
    pending: bool = False
    checked: bool = False


def _after_change(state: SessionState):
    """Read again whatever page the dialog was opened from."""
    if state.router.url.path.startswith("/customers/"):
        return CustomerDetailState.reload
    return CustomersState.reload


class EditCustomerState(SessionState):
    open: bool = False
    errors: dict[str, str] = {}
    form_error: str = ""
    stale: bool = False  # EDIT-2: someone saved since the dialog opened
    read_only: bool = False  # the Sandbox: shown, not changeable (SANDBOX-2)
    form_key: str = ""  # re-creates the form's inputs with the values read
    title_name: str = ""
    account_name: str = ""
    hide_name: bool = False
    customer_name: str = ""
    organization: str = ""
    phone: str = ""
    address: str = ""
    assigns_admins: bool = False
    tenant_admins: list[AdminChoice] = []
    _account_id: int = 0
    _version: int = 0

    def _read(self, actor, account_id: int) -> None:
        with session_scope() as session:
            detail = get_customer(session=session, actor=actor, account_id=account_id)
            if not detail.can_edit and not detail.is_sandbox:
                raise DomainError("You do not have permission to edit this customer.")
            assigned = {a.id for a in detail.tenant_admins}
            choices = []
            if detail.kind == AccountKind.CUSTOMER and detail.can_edit:
                choices = customer_changes.tenant_admin_choices(session=session, actor=actor, account_id=account_id)
        self._account_id = detail.id
        self._version = detail.version
        self.read_only = not detail.can_edit
        self.title_name = detail.display_name
        self.account_name = detail.name
        self.hide_name = detail.hide_name
        self.customer_name = detail.customer_name
        self.organization = detail.organization
        self.phone = detail.phone
        self.address = detail.address
        self.assigns_admins = bool(choices)
        self.tenant_admins = [
            AdminChoice(
                value=str(u.id),
                label=f"{u.name} <{u.email}>",
                pending=u.status != UserStatus.ACTIVE,
                checked=u.id in assigned,
            )
            for u in choices
        ]
        self.form_key = f"{detail.id}-{detail.version}"
        self.errors = {}
        self.form_error = ""
        self.stale = False

    @rx.event
    @guarded
    def open_for(self, account_id: int):
        try:
            self._read(self._signed_actor(), int(account_id))
        except (DomainError, TypeError, ValueError) as exc:
            self.open = False
            return rx.toast.error(getattr(exc, "message", "Customer not found."))
        self.open = True

    @rx.event
    def set_open(self, value: bool):
        self.open = value

    @rx.event
    @guarded
    def reload_latest(self):
        """EDIT-2: drop the stale form and show the customer as it is now."""
        try:
            self._read(self._signed_actor(), self._account_id)
        except DomainError as exc:
            self.open = False
            return [rx.toast.error(exc.message), _after_change(self)]

    @rx.event
    @guarded
    def submit(self, form_data: dict):
        self.errors = {}
        self.form_error = ""
        actor = self._signed_actor()
        values = {name: form_data.get(name, "") for name in _ACCOUNT_FIELDS}
        if self.assigns_admins:
            values["tenant_admin_user_ids"] = checked_ids(form_data, "tenant_admin_")
        try:
            data = parse_form(CustomerUpdate, values)
            with session_scope() as session:
                account = customer_changes.update_customer(
                    session=session,
                    actor=actor,
                    account_id=self._account_id,
                    data=data,
                    expected_version=self._version,
                )
                name = account.customer_name or account.name
        except ConcurrentChange as exc:
            self.stale = True
            self.form_error = exc.message
            return
        except DomainError as exc:
            self.errors, self.form_error = form_errors(exc)
            return
        self.open = False
        return [_after_change(self), rx.toast.success(f"Customer {name} saved.")]


class DeleteCustomerState(SessionState):
    open: bool = False
    name: str = ""
    refusal: str = ""  # DELETE-1: why it cannot be deleted, shown instead of "Yes, Delete"
    _account_id: int = 0

    @rx.event
    @guarded
    def open_for(self, account_id: int):
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                detail = get_customer(session=session, actor=actor, account_id=int(account_id))
                reason = customer_changes.delete_refusal_reason(session=session, actor=actor, account_id=detail.id)
        except (DomainError, TypeError, ValueError) as exc:
            self.open = False
            return rx.toast.error(getattr(exc, "message", "Customer not found."))
        self._account_id = detail.id
        self.name = detail.display_name
        self.refusal = reason or ""
        self.open = True

    @rx.event
    def set_open(self, value: bool):
        self.open = value

    @rx.event
    @guarded
    def confirm(self):
        try:
            with session_scope() as session:
                customer_changes.delete_customer(
                    session=session, actor=self._signed_actor(), account_id=self._account_id
                )
        except DomainError as exc:
            self.refusal = exc.message
            return
        self.open = False
        done = rx.toast.success(f"Customer {self.name} deleted.")
        # From the customer's own page, back to the list; from the list ("/customers/" in a built app),
        # stay in the same view.
        if re.fullmatch(r"/customers/\d+/?", self.router.url.path or ""):
            return [rx.redirect("/customers", replace=True), done]
        return [CustomersState.reload, done]
