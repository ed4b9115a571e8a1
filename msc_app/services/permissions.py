"""The one place that decides who sees and may change what (AUTH-4, TENANT-1/2).

Modelled on NetBox's ``RestrictedQuerySet.restrict(user, action)``:

- ``visible_accounts(actor)`` is a SQL condition on ``Account`` for what the
  actor may read;
- ``scoped(query, actor)`` applies it to a query;
- ``require(session=, actor=, action=, account_id=)`` loads one account for an
  action, answering ``NotFound`` for anything outside scope, exactly as for a
  missing id, and ``PermissionDenied`` when the role may see but not act.

An actor works either in its own tenant or in the perspective of a tenant it
switched into; in a perspective it sees exactly what a native admin (or
viewer) of that tenant sees.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from msc_app.models import Account, AccountKind, Role, TenantAdminAssignment
from msc_app.services.errors import NotFound, PermissionDenied


class Action(enum.StrEnum):
    VIEW = "view"
    CREATE_CUSTOMER = "create_customer"
    EDIT_CUSTOMER = "edit_customer"
    DELETE_CUSTOMER = "delete_customer"
    MANAGE_CONTENT = "manage_content"  # contacts and products of a customer
    SWITCH_INTO = "switch_into"


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: Role
    home_account_id: int
    home_kind: AccountKind
    perspective_account_id: int | None = None
    perspective_kind: AccountKind | None = None
    name: str = ""
    email: str = ""

    @property
    def account_id(self) -> int:
        """The tenant the actor is working as: its perspective, else its home."""
        return self.perspective_account_id or self.home_account_id

    @property
    def kind(self) -> AccountKind:
        return self.perspective_kind or self.home_kind

    @property
    def in_perspective(self) -> bool:
        return self.perspective_account_id is not None

    @property
    def label(self) -> str:
        """e.g. 'Distributor admin', 'Reseller viewer', 'Tenant admin'."""
        if self.role == Role.TENANT_ADMIN:
            return "Tenant admin"
        tier = AccountKind(self.home_kind).value.capitalize()
        return f"{tier} {'viewer' if self.role == Role.VIEWER else 'admin'}"


def _tree_condition(account_id: int, kind: AccountKind):
    """Accounts a native admin of ``account_id`` (of tier ``kind``) sees."""
    if kind == AccountKind.DISTRIBUTOR:
        # Exactly one distributor is the root of an installation: it sees the whole tree.
        return sa.true()
    if kind == AccountKind.RESELLER:
        return sa.or_(Account.id == account_id, Account.parent_id == account_id)
    return Account.id == account_id


def visible_accounts(actor: Actor):
    """SQL condition on ``Account``: the accounts ``actor`` may read."""
    if actor.role == Role.TENANT_ADMIN and not actor.in_perspective:
        assigned = select(TenantAdminAssignment.account_id).where(
            TenantAdminAssignment.user_id == actor.user_id
        )
        return Account.id.in_(assigned)
    return _tree_condition(actor.account_id, actor.kind)


def home_accounts(actor: Actor):
    """SQL condition: accounts visible from the actor's own tenant, ignoring any perspective."""
    return visible_accounts(
        Actor(
            user_id=actor.user_id,
            role=actor.role,
            home_account_id=actor.home_account_id,
            home_kind=actor.home_kind,
        )
    )


def scoped(query, actor: Actor):
    """Restrict a select over ``Account`` to what the actor may read."""
    return query.where(visible_accounts(actor))


def allowed(actor: Actor, action: Action, account: Account) -> bool:
    """May this role do ``action`` on ``account`` (already known to be visible)?"""
    if action == Action.VIEW:
        return True
    if actor.role == Role.VIEWER:
        return False
    if actor.role == Role.TENANT_ADMIN and not actor.in_perspective:
        return action == Action.MANAGE_CONTENT and account.kind == AccountKind.CUSTOMER
    # An admin (or an admin in a perspective) changes what lies below its tenant.
    below_actor = account.id != actor.account_id
    if action == Action.SWITCH_INTO:
        return account.kind != AccountKind.DISTRIBUTOR and account.id != actor.home_account_id
    if action == Action.CREATE_CUSTOMER:
        # New customers go under the actor's own tenant or one of its resellers.
        return account.kind in (AccountKind.DISTRIBUTOR, AccountKind.RESELLER)
    if action in (Action.EDIT_CUSTOMER, Action.DELETE_CUSTOMER):
        return below_actor and account.kind in (AccountKind.CUSTOMER, AccountKind.RESELLER)
    if action == Action.MANAGE_CONTENT:
        # A reseller admin changes its customers, not its own reseller account (SPEC 1);
        # in a customer's perspective the customer itself is what its native admin manages.
        if account.kind == AccountKind.RESELLER:
            return below_actor
        return account.kind == AccountKind.CUSTOMER
    return False


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def in_id_range(value) -> bool:
    """Whether ``value`` can be a row id at all. A browser or API client may send any number; one
    beyond the column's range must read as "not found", not fail in the database (DataError,
    OverflowError)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def require(*, session: Session, actor: Actor, action: Action, account_id: int) -> Account:
    """Load ``account_id`` for ``action``, or raise NotFound / PermissionDenied."""
    if not in_id_range(account_id):
        raise NotFound("Customer")
    account = session.exec(
        select(Account).where(Account.id == account_id, visible_accounts(actor))
    ).first()
    if account is None:
        raise NotFound("Customer")
    if not allowed(actor, action, account):
        raise PermissionDenied()
    return account


def require_switch(*, session: Session, actor: Actor, account_id: int) -> Account:
    """A tenant the actor may switch into (TENANT-2): judged from its own tenant, never a perspective."""
    if actor.role == Role.TENANT_ADMIN or not in_id_range(account_id):
        raise NotFound("Tenant")
    account = session.exec(
        select(Account).where(Account.id == account_id, home_accounts(actor))
    ).first()
    if account is None or account.kind == AccountKind.DISTRIBUTOR:
        raise NotFound("Tenant")
    if not allowed(actor, Action.SWITCH_INTO, account):
        raise PermissionDenied("You cannot switch into this tenant.")
    return account
