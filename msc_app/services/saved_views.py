"""Saved views of the customers list (issue 8): a named search, filters, sort and columns.

A view belongs to the user who saved it (``owner_user_id``) and remembers the
tenant the user worked as when saving it (``account_id``: its perspective,
else its home). Only the owner renames, shares, unshares or deletes it; any
other id is "View not found.", exactly like a missing one (AUTH-4).

Sharing goes down the hierarchy, never sideways or up. An admin working as a
distributor or a reseller may share a view "with the tenants below" that
tenant; a user then sees, read-only under "Shared with you", the shared views
of every account *above* the tenant it works as (its ancestors). A tenant
admin works for customers below its home tenant, so the views its home
tenant shares reach it too. A sibling reseller, and the users of the sharing
tenant itself, never see them. Views whose owner is no longer an active user
stop being offered to others.

What a view holds is cleaned on the way in, as the list cleans a URL
(LIST-9): ``query`` is ``ListQuery.to_params()`` without the page, and
``columns`` is ``preferences.normalise``'s known columns in display order
(the default columns always in), so a stored view can never hold junk.
Applying a view is opening ``/customers?<view_params>``: the list restores it
from the URL, inside the applying user's own scope, so a distributor's view
applied by a reseller filters the reseller's rows only.

Every change writes an audit event (``saved_view.create`` / ``.update`` /
``.rename`` / ``.share`` / ``.unshare`` / ``.delete``) on the view's tenant.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, Role, SavedView, User, UserStatus
from msc_app.models.base import utcnow
from msc_app.services import audit, preferences
from msc_app.services.customers import ListQuery
from msc_app.services.errors import NotFound, PermissionDenied, ValidationError
from msc_app.services.permissions import Actor, home_accounts

NAME_MAX = 100  # SavedView.name
MAX_VIEWS_PER_USER = 50
SHARING_TIERS = (AccountKind.DISTRIBUTOR, AccountKind.RESELLER)
SHARE_REFUSED = "Only admins of a distributor or a reseller can share views with the tenants below them."
# The URL parameters a view may hold (ListQuery.to_params without "page"); "cols" is kept apart.
_QUERY_KEYS = ("q", "sort", "desc", "size", "product", "plan", "region", "type", "admin", "status", "source")


class SavedViewRead(BaseModel):
    """A view as its menu shows it."""

    id: int
    name: str
    query: dict[str, str]  # ListQuery.to_params() without the page
    columns: list[str]
    shared: bool
    mine: bool  # the actor owns it: may rename, share, unshare and delete it
    can_share: bool  # the owner may share it (an admin, the view's tenant a distributor or reseller)
    owner_name: str
    account_id: int  # the tenant it was saved as, and shared below
    tenant_name: str
    created_at: datetime
    updated_at: datetime

    @property
    def params(self) -> dict[str, str]:
        """The list's URL parameters that show this view (LIST-9), the columns always included."""
        return {**self.query, "cols": ",".join(self.columns)}


class DuplicateViewName(ValidationError):
    """The owner already has a view of that name; ``view_id`` is that view (the form may offer to replace it)."""

    def __init__(self, name: str, view_id: int):
        super().__init__({"name": f"You already have a view named “{name}”."})
        self.view_id = view_id


# ---------------------------------------------------------------- cleaning


def clean_name(name) -> str:
    """The name as stored (surrounding and repeated whitespace dropped), or ValidationError."""
    text = " ".join(str(name or "").split())
    if not text:
        raise ValidationError({"name": "Name is required."})
    if len(text) > NAME_MAX:
        raise ValidationError({"name": f"Name can be at most {NAME_MAX} characters."})
    return text


def _plain(value) -> str | None:
    """A URL parameter's value as text: one string, or a list of strings joined by commas; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool)]
        return ",".join(parts)
    return None


def clean_query(params) -> dict[str, str]:
    """The list's view as stored: read back through ``ListQuery.from_params``, without the page."""
    raw = params if isinstance(params, Mapping) else {}
    plain = {key: text for key in _QUERY_KEYS if (text := _plain(raw.get(key))) is not None}
    query = ListQuery.from_params(plain).to_params()
    query.pop("page", None)
    return query


def clean_columns(columns) -> list[str]:
    """Known columns in display order, the default columns always in (``preferences.normalise``)."""
    if isinstance(columns, str):
        columns = columns.split(",")
    elif not isinstance(columns, (list, tuple)):
        columns = None
    if columns is None:
        return list(preferences.DEFAULT_PREFERENCES.columns)
    return list(preferences.normalise([c for c in columns if isinstance(c, str)], None).columns)


def snapshot(view: SavedView) -> dict:
    """What the audit trail records of a view."""
    return {"name": view.name, "query": dict(view.query), "columns": list(view.columns), "shared": view.shared}


# ---------------------------------------------------------------- who sees what


def _ancestors(session: Session, account_id: int) -> list[int]:
    """The accounts above ``account_id``, nearest first (at most a reseller and the distributor)."""
    found: list[int] = []
    parent = session.exec(select(Account.parent_id).where(Account.id == account_id)).first()
    while parent is not None and parent not in found:
        found.append(parent)
        parent = session.exec(select(Account.parent_id).where(Account.id == parent)).first()
    return found


def sharing_accounts(session: Session, actor: Actor) -> list[int]:
    """The accounts whose shared views reach the actor: those above the tenant it works as
    (and, for a tenant admin, its home tenant, whose customers it works for)."""
    above = _ancestors(session, actor.account_id)
    if actor.role == Role.TENANT_ADMIN and not actor.in_perspective:
        return [actor.account_id, *above]
    return above


def may_share_as(actor: Actor) -> bool:
    """Whether the actor may share a view saved as the tenant it works as now (the Save dialog's switch)."""
    return actor.role == Role.ADMIN and actor.kind in SHARING_TIERS


def _may_share(session: Session, actor: Actor, account: Account | None) -> bool:
    """An admin may share a view of a distributor or reseller it can still reach from its own tenant."""
    if actor.role != Role.ADMIN or account is None or account.kind not in SHARING_TIERS:
        return False
    return session.exec(select(Account.id).where(Account.id == account.id, home_accounts(actor))).first() is not None


def _read(
    session: Session, actor: Actor, view: SavedView, owner_name: str, account: Account | None, shareable: dict
) -> SavedViewRead:
    """``shareable`` caches ``_may_share`` by account id across the views of one answer."""
    mine = view.owner_user_id == actor.user_id
    if mine and view.account_id not in shareable:
        shareable[view.account_id] = _may_share(session, actor, account)
    return SavedViewRead(
        id=view.id,
        name=view.name,
        query=clean_query(view.query),
        columns=clean_columns(view.columns),
        shared=view.shared,
        mine=mine,
        can_share=mine and shareable[view.account_id],
        owner_name=owner_name,
        account_id=view.account_id,
        tenant_name=account.name if account else "",
        created_at=view.created_at,
        updated_at=view.updated_at,
    )


def _visible_condition(session: Session, actor: Actor):
    """SQL condition on ``SavedView``: the actor's own views, and the shared views that reach it."""
    shared_from = sharing_accounts(session, actor)
    shared = sa.and_(
        SavedView.shared.is_(True),
        SavedView.account_id.in_(shared_from) if shared_from else sa.false(),
        User.status == UserStatus.ACTIVE.value,
    )
    return sa.or_(SavedView.owner_user_id == actor.user_id, shared)


def _select_visible(session: Session, actor: Actor):
    return (
        select(SavedView, User.name, Account)
        .join(User, User.id == SavedView.owner_user_id)
        .join(Account, Account.id == SavedView.account_id, isouter=True)
        .where(_visible_condition(session, actor))
    )


def list_views(*, session: Session, actor: Actor) -> list[SavedViewRead]:
    """The actor's own views by name, then the views shared with it by name (case-insensitively)."""
    rows = session.exec(
        _select_visible(session, actor).order_by(func.lower(SavedView.name), SavedView.name, SavedView.id)
    ).all()
    shareable: dict[int, bool] = {}
    views = [_read(session, actor, view, owner, account, shareable) for view, owner, account in rows]
    return [v for v in views if v.mine] + [v for v in views if not v.mine]


def get_view(*, session: Session, actor: Actor, view_id) -> SavedViewRead:
    """One view the actor may apply (its own, or one shared with it), else NotFound."""
    row = session.exec(_select_visible(session, actor).where(SavedView.id == _id(view_id))).first()
    if row is None:
        raise NotFound("View")
    view, owner, account = row
    return _read(session, actor, view, owner, account, {})


def _id(view_id) -> int:
    """A view id as the browser may send it (a whole number, or its digits as text), else NotFound."""
    if isinstance(view_id, str) and view_id.isascii() and view_id.isdigit():
        view_id = int(view_id)
    if isinstance(view_id, bool) or not isinstance(view_id, int) or not 0 < view_id <= 2**31 - 1:
        raise NotFound("View")
    return view_id


def _own(session: Session, actor: Actor, view_id) -> SavedView:
    """One of the actor's own views, locked for the change; anyone else's is "View not found."."""
    view = session.exec(
        select(SavedView)
        .where(SavedView.id == _id(view_id), SavedView.owner_user_id == actor.user_id)
        .with_for_update()
    ).first()
    if view is None:
        raise NotFound("View")
    return view


def _get_read(session: Session, actor: Actor, view: SavedView) -> SavedViewRead:
    return get_view(session=session, actor=actor, view_id=view.id)


# ---------------------------------------------------------------- writes


def _name_taken(session: Session, actor: Actor, name: str, exclude_id: int | None = None) -> SavedView | None:
    """The actor's view of that name, regardless of case."""
    query = select(SavedView).where(
        SavedView.owner_user_id == actor.user_id, func.lower(SavedView.name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(SavedView.id != exclude_id)
    return session.exec(query.order_by(SavedView.id)).first()


def _lock_owner(session: Session, actor: Actor) -> None:
    """Serialise one user's view changes (the name check, the count): a row lock on PostgreSQL, a no-op on SQLite."""
    session.exec(select(User.id).where(User.id == actor.user_id).with_for_update()).first()


def _flush_unique(session: Session, view: SavedView, name: str) -> None:
    """Flush, turning a race on the (owner, name) constraint into the duplicate-name error."""
    try:
        with session.begin_nested():
            session.add(view)
            session.flush()
    except IntegrityError:
        raise ValidationError({"name": f"You already have a view named “{name}”."}) from None


def save_view(
    *,
    session: Session,
    actor: Actor,
    name,
    query_params,
    columns,
    shared: bool = False,
    replace: bool = False,
) -> SavedViewRead:
    """Save the list's current view under ``name``, as the tenant the actor works as.

    A name the actor already uses (regardless of case) raises ``DuplicateViewName``, unless
    ``replace``: then that view takes the new search, filters, sort, columns and sharing (and the
    tenant the actor works as now). Sharing needs an admin working as a distributor or reseller.
    """
    clean = clean_name(name)
    shared = shared is True
    if shared and not may_share_as(actor):
        raise PermissionDenied(SHARE_REFUSED)
    query, cols = clean_query(query_params), clean_columns(columns)
    _lock_owner(session, actor)
    existing = _name_taken(session, actor, clean)
    if existing is not None and not replace:
        raise DuplicateViewName(existing.name, existing.id)
    if existing is None:
        count = session.exec(select(func.count()).where(SavedView.owner_user_id == actor.user_id)).one()
        if count >= MAX_VIEWS_PER_USER:
            raise ValidationError(
                {"name": f"You have {MAX_VIEWS_PER_USER} saved views, the most there can be. Delete one first."}
            )
        view = SavedView(
            owner_user_id=actor.user_id, account_id=actor.account_id, name=clean, query=query, columns=cols, shared=shared
        )
        _flush_unique(session, view, clean)
        audit.record(
            session=session,
            actor=actor,
            action="saved_view.create",
            entity_type="saved_view",
            entity_id=view.id,
            account_id=view.account_id,
            after=snapshot(view),
        )
    else:
        view = _own(session, actor, existing.id)
        before = snapshot(view) | {"account_id": view.account_id}
        view.name, view.query, view.columns, view.shared = clean, query, cols, shared
        view.account_id = actor.account_id
        view.updated_at = utcnow()
        _flush_unique(session, view, clean)
        audit.record_update(
            session=session,
            actor=actor,
            action="saved_view.update",
            entity_type="saved_view",
            entity_id=view.id,
            account_id=view.account_id,
            before=before,
            after=snapshot(view) | {"account_id": view.account_id},
        )
    session.flush()
    return _get_read(session, actor, view)


def rename_view(*, session: Session, actor: Actor, view_id, name) -> SavedViewRead:
    """Give one of the actor's views another name (not one of its other views' names)."""
    clean = clean_name(name)
    view = _own(session, actor, view_id)
    if clean == view.name:
        return _get_read(session, actor, view)
    _lock_owner(session, actor)
    if (other := _name_taken(session, actor, clean, exclude_id=view.id)) is not None:
        raise DuplicateViewName(other.name, other.id)
    before = view.name
    view.name = clean
    view.updated_at = utcnow()
    _flush_unique(session, view, clean)
    audit.record(
        session=session,
        actor=actor,
        action="saved_view.rename",
        entity_type="saved_view",
        entity_id=view.id,
        account_id=view.account_id,
        before={"name": before},
        after={"name": clean},
    )
    session.flush()
    return _get_read(session, actor, view)


def set_shared(*, session: Session, actor: Actor, view_id, shared: bool) -> SavedViewRead:
    """Share one of the actor's views with the tenants below its tenant, or stop sharing it.

    Anyone may stop sharing its own view; sharing needs an admin and a distributor or reseller
    tenant the admin still reaches from its own tenant.
    """
    view = _own(session, actor, view_id)
    shared = shared is True
    if shared and not _may_share(session, actor, session.get(Account, view.account_id)):
        raise PermissionDenied(SHARE_REFUSED)
    if view.shared != shared:
        view.shared = shared
        view.updated_at = utcnow()
        session.add(view)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="saved_view.share" if shared else "saved_view.unshare",
            entity_type="saved_view",
            entity_id=view.id,
            account_id=view.account_id,
            before={"shared": not shared},
            after={"shared": shared},
        )
        session.flush()
    return _get_read(session, actor, view)


def delete_view(*, session: Session, actor: Actor, view_id) -> None:
    """Delete one of the actor's views (the menu asks first); a shared one disappears for everyone."""
    view = _own(session, actor, view_id)
    before, view_pk, account_id = snapshot(view), view.id, view.account_id
    session.delete(view)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="saved_view.delete",
        entity_type="saved_view",
        entity_id=view_pk,
        account_id=account_id,
        before=before,
    )
    session.flush()
