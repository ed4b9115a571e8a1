"""Audit trail: who changed what, before and after, from which tenant perspective.

``record`` adds an ``AuditEvent`` to the caller's session, so the event and
the change it describes commit or roll back together. ``list_events`` is the
customer page's Activity section, scoped like everything else: a customer
outside the actor's scope is "not found".

Actions are ``<entity>.<verb>`` strings (``customer.create``,
``product.suspend``, ...). ``before`` and ``after`` hold only what the event
is about: the whole record for a create (``after``) or a delete (``before``),
the changed fields for an update.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from msc_app.models import Account, AuditEvent, User
from msc_app.services import changes as live_changes
from msc_app.services.permissions import Action, Actor, require

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class AuditEventRead(BaseModel):
    """One line of a customer's Activity section."""

    id: int
    at: datetime
    action: str
    entity_type: str
    entity_id: int | None
    account_id: int | None
    actor_user_id: int | None
    actor_name: str = ""
    actor_email: str = ""
    perspective_account_id: int | None = None
    perspective_name: str = ""
    before: dict | None = None
    after: dict | None = None


def json_safe(value):
    """``value`` with dates as ISO strings, enums as their values and sets as sorted lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(json_safe(v) for v in value)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def changes(before: Mapping, after: Mapping) -> tuple[dict, dict]:
    """The fields whose values differ, as (before, after) dicts of just those fields."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# Changes that open pages show (lists, details, contracts): announced to them after the commit.
LIVE_ENTITY_TYPES = frozenset({"customer", "product", "contact", "contract", "onboarding_task", "account"})


def record(
    *,
    session: Session,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    account_id: int | None,
    before: Mapping | None = None,
    after: Mapping | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (it commits with the change)."""
    event = AuditEvent(
        actor_user_id=actor.user_id if actor else None,
        perspective_account_id=actor.perspective_account_id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        account_id=account_id,
        before=json_safe(dict(before)) if before is not None else None,
        after=json_safe(dict(after)) if after is not None else None,
    )
    session.add(event)
    if entity_type in LIVE_ENTITY_TYPES:
        live_changes.note(session, account_id)
    return event


def record_update(
    *,
    session: Session,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    account_id: int | None,
    before: Mapping,
    after: Mapping,
) -> AuditEvent:
    """An update's audit event: only the fields that changed, before and after."""
    before_changed, after_changed = changes(before, after)
    return record(
        session=session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        account_id=account_id,
        before=before_changed,
        after=after_changed,
    )


def list_events(
    *, session: Session, actor: Actor, account_id: int, limit: int = DEFAULT_LIMIT
) -> list[AuditEventRead]:
    """The newest events of one account the actor may see (NotFound outside scope)."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    limit = max(1, min(MAX_LIMIT, int(limit)))
    perspective = aliased(Account)
    rows = session.exec(
        select(AuditEvent, User.name, User.email, perspective.name)
        .join(User, User.id == AuditEvent.actor_user_id, isouter=True)
        .join(perspective, perspective.id == AuditEvent.perspective_account_id, isouter=True)
        .where(AuditEvent.account_id == account_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        AuditEventRead(
            id=event.id,
            at=event.at,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            account_id=event.account_id,
            actor_user_id=event.actor_user_id,
            actor_name=actor_name or "",
            actor_email=actor_email or "",
            perspective_account_id=event.perspective_account_id,
            perspective_name=perspective_name or "",
            before=event.before,
            after=event.after,
        )
        for event, actor_name, actor_email, perspective_name in rows
    ]
