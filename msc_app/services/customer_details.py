"""One customer as the actor may see it: its account details and what the actor may do with it.

The Edit dialog (EDIT-1), the Delete dialog (DELETE-1) and the details page
(DETAIL-1) read a customer through here, so they never trust an id the
browser sent: a customer outside the actor's scope is ``NotFound``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from msc_app.models import Account, TenantAdminAssignment, User, UserStatus
from msc_app.services.permissions import Action, Actor, allowed, require, visible_accounts


@dataclass(frozen=True)
class TenantAdminRef:
    id: int
    name: str
    email: str
    pending: bool


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    kind: str
    name: str  # the account name, immutable (CREATE-3)
    customer_name: str
    hide_name: bool
    organization: str
    address: str
    phone: str
    parent_id: int | None
    parent_name: str  # empty when the parent lies outside the actor's scope
    is_sandbox: bool
    version: int
    created_at: datetime
    tenant_admins: tuple[TenantAdminRef, ...]
    can_edit: bool
    can_delete: bool

    @property
    def display_name(self) -> str:
        return self.customer_name or self.name


def get_customer(*, session: Session, actor: Actor, account_id: int) -> CustomerDetail:
    """The customer (or reseller) ``account_id`` in the actor's scope, else ``NotFound``."""
    account = require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    parent_name = ""
    if account.parent_id is not None:
        parent_name = (
            session.exec(
                select(Account.name).where(Account.id == account.parent_id, visible_accounts(actor))
            ).first()
            or ""
        )
    admins = session.exec(
        select(User)
        .join(TenantAdminAssignment, TenantAdminAssignment.user_id == User.id)
        .where(TenantAdminAssignment.account_id == account.id)
        .order_by(User.name, User.id)
    ).all()
    return CustomerDetail(
        id=account.id,
        kind=account.kind,
        name=account.name,
        customer_name=account.customer_name,
        hide_name=account.hide_name,
        organization=account.organization,
        address=account.address,
        phone=account.phone,
        parent_id=account.parent_id,
        parent_name=parent_name,
        is_sandbox=account.is_sandbox,
        version=account.version,
        created_at=account.created_at,
        tenant_admins=tuple(
            TenantAdminRef(id=u.id, name=u.name, email=u.email, pending=u.status != UserStatus.ACTIVE) for u in admins
        ),
        # The Sandbox's account details are read-only (SANDBOX-2); it is never deleted (SANDBOX-3).
        can_edit=allowed(actor, Action.EDIT_CUSTOMER, account) and not account.is_sandbox,
        can_delete=allowed(actor, Action.DELETE_CUSTOMER, account) and not account.is_sandbox,
    )
