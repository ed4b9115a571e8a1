"""/customers/<id>: the customer's account details (DETAIL-1) and its Activity (audit trail)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import audit
from msc_app.services.customer_details import get_customer
from msc_app.services.errors import NotFound
from msc_app.state.session import SessionState, guarded

ACTION_LABELS = {
    "customer.create": "Created the customer",
    "customer.update": "Edited the account details",
    "customer.delete": "Deleted a customer",
    "product.create": "Added a product",
    "product.update": "Edited a product",
    "product.delete": "Deleted a product",
    "product.suspend": "Suspended a product",
    "product.activate": "Activated a product",
    "tenant.switch": "Switched into this tenant",
    "tenant.switch_back": "Switched back from this tenant",
    "onboarding_task.start": "Started an onboarding task",
    "onboarding_task.complete": "Completed an onboarding task",
    "contact.create": "Added a contact",
    "contact.update": "Edited a contact",
    "contact.delete": "Deleted a contact",
}
FIELD_LABELS = {
    "customer_name": "Customer Name",
    "name": "Name",
    "email": "Email",
    "organization": "Organization",
    "address": "Address",
    "phone": "Phone Number",
    "tenant_admin_user_ids": "Tenant Admins",
    "status": "Status",
    "service_plan_id": "Service Plan",
    "tenant_type": "Tenant Type",
    "storage_regions": "Storage Regions",
    "credit_quota": "Credit Quota",
    "user_count": "User Count",
    "preserved_user_count": "Preserved User Count",
}
_HIDDEN_FIELDS = {"version"}
# What names the subject of an event, by entity: "Started an onboarding task: Add contacts".
_SUBJECT_KEYS = {"onboarding_task": "kind", "contact": "name", "product": "product_type"}


@dataclasses.dataclass
class ActivityRow:
    id: int
    when: str
    who: str
    what: str
    perspective: str
    changes: list[str] = dataclasses.field(default_factory=list)


def _show(value) -> str:
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _changes(before: dict | None, after: dict | None) -> list[str]:
    """'Customer Name: Old → New' for each field an update changed."""
    if not before or not after:
        return []
    lines = []
    for key in after:
        if key in _HIDDEN_FIELDS or before.get(key) == after.get(key):
            continue
        label = FIELD_LABELS.get(key, key.replace("_", " ").capitalize())
        lines.append(f"{label}: {_show(before.get(key))} → {_show(after.get(key))}")
    return lines


def _what(event: audit.AuditEventRead) -> str:
    """'Added a contact: Alice Admin': the action, and which task, contact or product it concerned."""
    label = ACTION_LABELS.get(event.action, event.action)
    key = _SUBJECT_KEYS.get(event.action.split(".", 1)[0])
    values = event.after or event.before or {}
    subject = values.get(key) if key else None
    return f"{label}: {subject}" if subject else label


def activity_row(event: audit.AuditEventRead) -> ActivityRow:
    return ActivityRow(
        id=event.id,
        when=event.at.strftime("%b %d, %Y %H:%M UTC"),
        who=event.actor_name or event.actor_email or "System",
        what=_what(event),
        perspective=event.perspective_name,
        changes=_changes(event.before, event.after),
    )


TABS = ("summary", "health")


class CustomerDetailState(SessionState):
    tab: str = "summary"  # the tab open when the page loads: ?tab=health opens the Health tab
    loaded: bool = False
    path: str = ""  # the page these vars were read for: another customer's page waits for its own
    found: bool = False
    account_id: int = 0
    name: str = ""
    display_name: str = ""
    customer_name: str = ""
    organization: str = ""
    phone: str = ""
    address: str = ""
    parent_name: str = ""
    is_reseller: bool = False
    is_sandbox: bool = False
    hide_name: bool = False
    created: str = ""
    tenant_admins: list[str] = []
    can_edit: bool = False
    can_delete: bool = False
    activity: list[ActivityRow] = []

    def _customer_id(self) -> int:
        # /customers/<id>: the id is only which customer to ask the scoped service for.
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            return int(raw)
        except (TypeError, ValueError):
            return 0

    @rx.event
    @guarded
    def load_customer(self):
        """The header, Account Details and Activity of the customer in the URL."""
        actor = self._signed_actor()
        self.loaded = False
        self.path = self.router.url.path.rstrip("/")
        wanted = self.router.url.query_parameters.get("tab", "summary")
        self.tab = wanted if wanted in TABS else "summary"
        try:
            with session_scope() as session:
                detail = get_customer(session=session, actor=actor, account_id=self._customer_id())
                events = audit.list_events(session=session, actor=actor, account_id=detail.id)
        except NotFound:
            self.found = False
            self.loaded = True
            self.activity = []
            return None
        self.found = True
        self.account_id = detail.id
        self.name = detail.name
        self.display_name = detail.display_name
        self.customer_name = detail.customer_name
        self.organization = detail.organization
        self.phone = detail.phone
        self.address = detail.address
        self.parent_name = detail.parent_name
        self.is_reseller = detail.kind == "reseller"
        if self.is_reseller:
            self.tab = "summary"  # a reseller's page has no Health tab
        self.is_sandbox = detail.is_sandbox
        self.hide_name = detail.hide_name
        self.created = detail.created_at.strftime("%b %d, %Y")
        self.tenant_admins = [
            f"{a.name} <{a.email}>" + (" (pending)" if a.pending else "") for a in detail.tenant_admins
        ]
        self.can_edit = detail.can_edit
        self.can_delete = detail.can_delete
        self.activity = [activity_row(e) for e in events]
        self.loaded = True
        return None

    @rx.event
    @guarded
    def reload(self):
        return self.load_customer()
