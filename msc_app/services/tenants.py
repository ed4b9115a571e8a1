"""Tenant perspective switching (TENANT-1, TENANT-2).

The perspective is stored on the server-side session record, so it is the
server that decides what every later request sees; the browser only asks.
Whether a switch is allowed is judged from the user's own tenant
(``permissions.require_switch``), never from a perspective it is already in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from msc_app.models import Account, AccountKind, Role
from msc_app.services import audit, auth
from msc_app.services.errors import NotFound, PermissionDenied
from msc_app.services.permissions import Actor, home_accounts, require_switch
from msc_app.services.search import ESCAPE, contains_pattern

SWITCH_LIST_LIMIT = 10


@dataclass(frozen=True)
class TenantChoice:
    id: int
    name: str
    kind: str


def can_switch(actor: Actor) -> bool:
    """Distributor and reseller admins switch (TENANT-1); viewers and tenant admins do not."""
    return actor.role == Role.ADMIN


def switch_into(*, session: Session, token: str, account_id: int) -> Account:
    """Work from now on in ``account_id``'s perspective; NotFound when outside the user's scope."""
    record = auth.live_session(session, token)
    actor = auth.actor_for_token(session=session, token=token)
    if record is None or actor is None:
        raise NotFound("Tenant")
    if not can_switch(actor):
        raise NotFound("Tenant")
    try:
        account = require_switch(session=session, actor=actor, account_id=account_id)
    except PermissionDenied as exc:
        # One answer for every refusal: the tenant is not one this user can switch into.
        raise NotFound("Tenant") from exc
    previous = record.perspective_account_id
    record.perspective_account_id = account.id
    session.add(record)
    audit.record(
        session=session,
        actor=actor,
        action="tenant.switch",
        entity_type="tenant",
        entity_id=account.id,
        account_id=account.id,
        before={"perspective_account_id": previous},
        after={"perspective_account_id": account.id, "name": account.name},
    )
    session.flush()
    return account


def switch_back(*, session: Session, token: str) -> None:
    """Return to the user's own tenant."""
    record = auth.live_session(session, token)
    actor = auth.actor_for_token(session=session, token=token)
    if record is None or actor is None or record.perspective_account_id is None:
        return
    left = record.perspective_account_id
    record.perspective_account_id = None
    session.add(record)
    audit.record(
        session=session,
        actor=actor,
        action="tenant.switch_back",
        entity_type="tenant",
        entity_id=left,
        account_id=left,
        before={"perspective_account_id": left},
        after={"perspective_account_id": None},
    )
    session.flush()


def switchable_tenants(
    *, session: Session, actor: Actor, search: str = "", limit: int = SWITCH_LIST_LIMIT
) -> list[TenantChoice]:
    """Tenants the user may switch into, from its own tenant, matching ``search`` (by name)."""
    if not can_switch(actor):
        return []
    stmt = select(Account.id, Account.name, Account.kind).where(
        home_accounts(actor),
        Account.kind.in_([AccountKind.RESELLER.value, AccountKind.CUSTOMER.value]),
        Account.id != actor.home_account_id,
    )
    text = search.strip().lower()
    if text:
        stmt = stmt.where(Account.name_sort.like(contains_pattern(text), escape=ESCAPE))
    # Resellers first: they are what a distributor switches into most.
    stmt = stmt.order_by((Account.kind == AccountKind.CUSTOMER.value), Account.name_sort, Account.id).limit(limit)
    return [TenantChoice(id=i, name=n, kind=k) for i, n, k in session.exec(stmt)]
