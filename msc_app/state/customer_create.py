"""The Create Customer dialog (CREATE-1, CREATE-2): every rule is the service's; this only relays."""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.models import AccountKind, Role, UserStatus
from msc_app.services import customer_changes, products
from msc_app.services.customer_changes import CustomerCreate
from msc_app.services.errors import DomainError
from msc_app.services.forms import parse_form
from msc_app.state.customers import CustomersState
from msc_app.state.form_errors import checked_ids, form_errors
from msc_app.state.session import SessionState, guarded

_TEXT_FIELDS = (
    "customer_name",
    "account_name",
    "organization",
    "address",
    "phone",
    "service_plan_id",
    "tenant_type",
    "credit_quota",
    "quota_effective_date",
    "quota_end_date",
    "license_expiry",
)


@dataclasses.dataclass
class Choice:
    value: str
    label: str
    pending: bool = False


class CreateCustomerState(SessionState):
    open: bool = False
    hide_name: bool = False
    errors: dict[str, str] = {}
    form_error: str = ""
    plans: list[Choice] = []
    tenant_admins: list[Choice] = []

    @rx.event
    @guarded
    def open_dialog(self):
        actor = self._signed_actor()
        # CREATE-1: an admin working as a distributor or reseller (not in a customer's perspective).
        if actor.role != Role.ADMIN or actor.kind == AccountKind.CUSTOMER:
            return rx.toast.error("You do not have permission to create customers.")
        with session_scope() as session:
            plans = products.plan_choices(session=session, actor=actor, account_id=actor.account_id)
            admins = customer_changes.tenant_admin_choices(session=session, actor=actor, account_id=actor.account_id)
        self.plans = [Choice(value=str(p.id), label=f"{p.name} ({p.edition})") for p in plans]
        self.tenant_admins = [
            Choice(value=str(u.id), label=f"{u.name} <{u.email}>", pending=u.status != UserStatus.ACTIVE) for u in admins
        ]
        self.errors = {}
        self.form_error = ""
        self.hide_name = False
        self.open = True

    @rx.event
    def set_open(self, value: bool):
        self.open = value

    @rx.event
    def set_hide_name(self, value: bool):
        self.hide_name = bool(value)

    @rx.event
    @guarded
    def submit(self, form_data: dict):
        self.errors = {}
        self.form_error = ""
        actor = self._signed_actor()
        values = {name: form_data.get(name, "") for name in _TEXT_FIELDS}
        values["hide_name"] = self.hide_name
        if not self.hide_name:
            values["account_name"] = ""
        region = str(form_data.get("storage_region", "") or "")
        values["storage_regions"] = [region] if region else []
        values["tenant_admin_user_ids"] = checked_ids(form_data, "tenant_admin_")
        try:
            data = parse_form(CustomerCreate, values)
            with session_scope() as session:
                account = customer_changes.create_customer(session=session, actor=actor, data=data)
                name = account.name
        except DomainError as exc:
            self.errors, self.form_error = form_errors(exc)
            return
        self.open = False
        return [CustomersState.reload, rx.toast.success(f"Customer {name} created. A confirmation email is on its way.")]
