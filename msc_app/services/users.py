"""Users of an installation: the Users page, invitations and deactivation (AUTH-3, EMAIL-1, AUTH-4).

Who may do what (decisions where the SPEC is silent):

- A user belongs to a distributor or reseller account (its home account). Tenant admins live there too
  (``Role.TENANT_ADMIN`` is assigned to customers of that account); customer accounts have no users.
- ``list_users``: the users whose home account the actor sees (``permissions.visible_accounts``): a
  distributor sees every user, a reseller its own users, never another reseller's or the distributor's.
  Viewers see the list read-only (``can_manage`` is False); tenant admins have no Users page
  (``PermissionDenied``). In a tenant perspective the actor sees what a native admin of that tenant sees.
- Changes (invite, resend, deactivate, reactivate) are for admins only; the user must be in scope
  (otherwise ``NotFound("User")``, exactly as for a missing id); nobody deactivates itself.
- Every distributor or reseller account keeps an active admin: deactivating its last active admin is
  refused (``DomainError``, nothing written). Pending admins do not count: they cannot sign in yet.
  There is no role change, so deactivation is the only way to lose an admin here.

Invitations: a random token (``secrets.token_urlsafe(32)``) goes out once, in the invitation email queued
in the outbox in the same transaction; only its SHA-256 is stored. It expires after ``INVITATION_LIFETIME``
and works once. A new invitation (resend) or a deactivation revokes the older ones. Every answer about a
bad link, whatever the reason (unknown, used, revoked, expired), is the same ``INVALID_LINK`` message.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, Invitation, Role, User, UserSession, UserStatus
from msc_app.services import audit, auth, outbox, summaries
from msc_app.services.errors import DomainError, NotFound, PermissionDenied, ValidationError
from msc_app.services.permissions import Actor, in_id_range, visible_accounts
from msc_app.services.validation import email_error, normalise_email, required
from msc_app.settings import public_url

INVITATION_LIFETIME = timedelta(days=7)
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
NAME_MAX = 200
INVALID_LINK = "This invitation link is invalid or has expired."
NO_USERS_PAGE = "Tenant admins do not manage users."
VIEW_ONLY = "Viewers cannot change users."

# The roles a user of each kind of home account may have (AUTH-3); customers have no users of their own.
ROLES_BY_KIND: dict[AccountKind, tuple[Role, ...]] = {
    AccountKind.DISTRIBUTOR: (Role.ADMIN, Role.VIEWER, Role.TENANT_ADMIN),
    AccountKind.RESELLER: (Role.ADMIN, Role.VIEWER, Role.TENANT_ADMIN),
    AccountKind.CUSTOMER: (),
}
STATUS_LABELS = {
    UserStatus.PENDING: "Pending",
    UserStatus.ACTIVE: "Active",
    UserStatus.DEACTIVATED: "Deactivated",
}


# ---------------------------------------------------------------- schemas


class UserRead(BaseModel):
    """One row of the Users page."""

    id: int
    name: str
    email: str
    role: str  # Role value
    role_label: str  # "Reseller admin", "Distributor viewer", "Tenant admin"
    account_id: int
    account_name: str
    account_kind: str
    status: str  # UserStatus value
    status_label: str  # "Pending", "Active", "Deactivated"
    is_self: bool = False


class AccountChoice(BaseModel):
    """An account a user may be invited into."""

    id: int
    name: str
    kind: str


class RoleChoice(BaseModel):
    value: str
    label: str


class InvitationInfo(BaseModel):
    """What the invitation page shows before the password is set (never the token)."""

    name: str
    email: str


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRead]
    total: int
    page: int
    page_size: int
    can_manage: bool

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


ROLE_CHOICES = [
    RoleChoice(value=Role.ADMIN.value, label="Admin"),
    RoleChoice(value=Role.VIEWER.value, label="Viewer (read-only)"),
    RoleChoice(value=Role.TENANT_ADMIN.value, label="Tenant admin"),
]


# ---------------------------------------------------------------- helpers


def role_label(role: str, kind: str) -> str:
    """Like ``Actor.label``: 'Distributor admin', 'Reseller viewer', 'Tenant admin'."""
    if role == Role.TENANT_ADMIN:
        return "Tenant admin"
    tier = str(kind).capitalize()
    return f"{tier} {'viewer' if role == Role.VIEWER else 'admin'}"


def can_view_users(actor: Actor) -> bool:
    return actor.role != Role.TENANT_ADMIN


def can_manage_users(actor: Actor) -> bool:
    """May the actor invite, deactivate and reactivate users (of its scope)? Admins only."""
    return actor.role == Role.ADMIN


def _require_viewer(actor: Actor) -> None:
    if not can_view_users(actor):
        raise PermissionDenied(NO_USERS_PAGE)


def _require_admin(actor: Actor) -> None:
    _require_viewer(actor)
    if not can_manage_users(actor):
        raise PermissionDenied(VIEW_ONLY)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """A stored datetime as UTC-aware (SQLite may hand back naive values)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _read(user: User, account: Account, actor: Actor) -> UserRead:
    return UserRead(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        role_label=role_label(user.role, account.kind),
        account_id=account.id,
        account_name=account.name,
        account_kind=account.kind,
        status=user.status,
        status_label=STATUS_LABELS.get(UserStatus(user.status), str(user.status)),
        is_self=user.id == actor.user_id,
    )


def _user_in_scope(session: Session, actor: Actor, user_id) -> tuple[User, Account]:
    """The user and its home account if the actor sees that account; else NotFound, as for a missing id."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound("User") from None
    if not in_id_range(user_id):
        raise NotFound("User")
    found = session.exec(
        select(User, Account)
        .join(Account, Account.id == User.account_id)
        .where(User.id == user_id, visible_accounts(actor))
    ).first()
    if found is None:
        raise NotFound("User")
    return found


def _record(session: Session, actor: Actor | None, action: str, user: User, **extra) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=user.id,
        account_id=user.account_id,
        **extra,
    )


def invitation_base_url(request_base_url: str) -> str:
    """The base of invitation links: ``MSC_PUBLIC_URL`` when set, else the address the admin's browser
    used (``request_base_url``, "" when there is none). Behind a proxy the browser's address may be an
    internal one, so an installation can pin the public address."""
    return public_url() or request_base_url


def _token_hash(token: str) -> str:
    """SHA-256 of the token, as for session tokens (``auth``): the database never holds the token."""
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- reading


def list_users(
    *, session: Session, actor: Actor, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> UserPage:
    """The users whose home account is in the actor's scope, by name, one page at a time."""
    _require_viewer(actor)
    page_size = max(1, min(MAX_PAGE_SIZE, int(page_size)))
    base = select(User, Account).join(Account, Account.id == User.account_id).where(visible_accounts(actor))
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page_count = max(1, -(-total // page_size))
    page = max(1, min(int(page), page_count))
    rows = session.exec(
        base.order_by(func.lower(User.name), User.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return UserPage(
        rows=[_read(user, account, actor) for user, account in rows],
        total=total,
        page=page,
        page_size=page_size,
        can_manage=can_manage_users(actor),
    )


def get_user(*, session: Session, actor: Actor, user_id) -> UserRead:
    _require_viewer(actor)
    user, account = _user_in_scope(session, actor, user_id)
    return _read(user, account, actor)


def invite_accounts(*, session: Session, actor: Actor) -> list[AccountChoice]:
    """The accounts the actor may invite users into: its own tenant and the resellers below it."""
    if not can_manage_users(actor):
        return []
    kinds = [k.value for k, roles in ROLES_BY_KIND.items() if roles]
    accounts = session.exec(
        select(Account)
        .where(visible_accounts(actor), Account.kind.in_(kinds))
        .order_by(Account.id != actor.account_id, Account.name_sort, Account.id)  # its own tenant first
    ).all()
    return [AccountChoice(id=a.id, name=a.name, kind=a.kind) for a in accounts]


# ---------------------------------------------------------------- inviting


def _invite_errors(session: Session, *, email: str, name: str, role: str) -> dict[str, str]:
    errors = {}
    problem = email_error(email)
    if problem is None:
        if len(normalise_email(email)) > 254:
            problem = "Use at most 254 characters."
        elif session.exec(select(User.id).where(func.lower(User.email) == normalise_email(email))).first():
            problem = "A user with this email already exists."
    if problem:
        errors["email"] = problem
    problem = required(name, "Name")
    if problem is None and len(name.strip()) > NAME_MAX:
        problem = f"Use at most {NAME_MAX} characters."
    if problem:
        errors["name"] = problem
    if role not in {r.value for r in Role}:
        errors["role"] = "Choose a role."
    return errors


def _invite_account(session: Session, actor: Actor, account_id) -> Account | None:
    """The chosen account: None when nothing was chosen, NotFound outside scope (as for a missing id)."""
    if account_id in (None, "", 0, "0"):
        return None
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise NotFound("Account") from None
    if not in_id_range(account_id):
        raise NotFound("Account")
    account = session.exec(select(Account).where(Account.id == account_id, visible_accounts(actor))).first()
    if account is None:
        raise NotFound("Account")
    return account


def _send_invitation(
    session: Session, *, actor: Actor, user: User, account: Account, base_url: str, now: datetime
) -> Invitation:
    """Create an invitation and queue its email; the token exists only in that email."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        token_hash=_token_hash(token),
        invited_by_user_id=actor.user_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    link = f"{base_url.rstrip('/')}/invite/{token}"
    expires = invitation.expires_at.strftime("%Y-%m-%d %H:%M")
    lines = [
        f"Hello {user.name},",
        "",
        f"{actor.name or 'An administrator'} invited you to MSC, the Managed Services Center,",
        f"as {role_label(user.role, account.kind)} of {account.name}.",
        "",
        "Set your password to activate your account:",
        "",
        f"  {link}",
        "",
        f"The link works once and expires on {expires} UTC.",
        "If you did not expect this invitation, you can ignore this message.",
    ]
    outbox.queue_email(
        session=session,
        to=user.email,
        subject=f"You are invited to MSC ({account.name})",
        body="\n".join(lines) + "\n",
    )
    session.flush()
    return invitation


def _revoke_invitations(session: Session, user_id: int, now: datetime) -> int:
    result = session.execute(
        sa.update(Invitation)
        .where(Invitation.user_id == user_id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def invite_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    role: str,
    account_id,
    base_url: str,
    now: datetime | None = None,
) -> UserRead:
    """AUTH-3: a pending user and its invitation email (the link ``{base_url}/invite/{token}``)."""
    _require_admin(actor)
    now = _now(now)
    email, name, role = str(email or ""), str(name or ""), str(role or "")
    account = _invite_account(session, actor, account_id)
    errors = _invite_errors(session, email=email, name=name, role=role)
    if account is None:
        errors["account_id"] = "Choose an account."
    elif not ROLES_BY_KIND.get(AccountKind(account.kind)):
        errors["account_id"] = "Users belong to a distributor or reseller account; assign tenant admins to customers."
    elif "role" not in errors and Role(role) not in ROLES_BY_KIND[AccountKind(account.kind)]:
        errors["role"] = "This role is not available for this account."
    if errors:
        raise ValidationError(errors)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=Role(role),
        account_id=account.id,
        status=UserStatus.PENDING,
        password_hash=None,
        created_at=now,
    )
    session.add(user)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # Someone else took the address between the check and the insert; the caller rolls back.
        raise ValidationError({"email": "A user with this email already exists."}) from None
    _send_invitation(session, actor=actor, user=user, account=account, base_url=base_url, now=now)
    summaries.refresh_for_user(session=session, user_id=user.id)
    _record(
        session,
        actor,
        "user.invite",
        user,
        after={"email": user.email, "name": user.name, "role": user.role, "account_id": account.id,
               "status": user.status},
    )
    session.flush()
    return _read(user, account, actor)


def resend_invitation(
    *, session: Session, actor: Actor, user_id, base_url: str, now: datetime | None = None
) -> UserRead:
    """A new invitation for a pending user; the older links stop working."""
    _require_admin(actor)
    now = _now(now)
    user, account = _user_in_scope(session, actor, user_id)
    if user.status != UserStatus.PENDING:
        raise DomainError("Only a pending user can be sent a new invitation.")
    revoked = _revoke_invitations(session, user.id, now)
    _send_invitation(session, actor=actor, user=user, account=account, base_url=base_url, now=now)
    _record(session, actor, "user.resend_invitation", user, after={"revoked_invitations": revoked})
    session.flush()
    return _read(user, account, actor)


# ---------------------------------------------------------------- accepting


def _live_invitation(session: Session, token: str, now: datetime) -> tuple[Invitation, User]:
    if not token or not isinstance(token, str) or len(token) > 200:
        raise DomainError(INVALID_LINK)
    found = session.exec(
        select(Invitation, User)
        .join(User, User.id == Invitation.user_id)
        .where(Invitation.token_hash == _token_hash(token))
    ).first()
    if found is None:
        raise DomainError(INVALID_LINK)
    invitation, user = found
    if (
        invitation.used_at is not None
        or invitation.revoked_at is not None
        or _aware(invitation.expires_at) <= now
        or user.status != UserStatus.PENDING
    ):
        raise DomainError(INVALID_LINK)
    return invitation, user


def invitation_for_token(*, session: Session, token: str, now: datetime | None = None) -> InvitationInfo:
    """The invited user's name and email for a valid link; one DomainError for every bad link."""
    _, user = _live_invitation(session, token, _now(now))
    return InvitationInfo(name=user.name, email=user.email)


def accept_invitation(*, session: Session, token: str, password: str, now: datetime | None = None) -> User:
    """Set the password, activate the user and use up the link (once). The caller starts a session."""
    now = _now(now)
    invitation, user = _live_invitation(session, token, now)
    problem = auth.password_error(password or "")
    if problem:
        raise ValidationError({"password": problem})
    # Single use even when two requests race: only one UPDATE finds the invitation still open.
    claimed = session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise DomainError(INVALID_LINK)
    session.expire(invitation)
    user.password_hash = auth.hash_password(password)
    user.status = UserStatus.ACTIVE
    session.add(user)
    _revoke_invitations(session, user.id, now)  # any other open link of this user
    event = audit.record(
        session=session,
        actor=None,
        action="user.accept_invitation",
        entity_type="user",
        entity_id=user.id,
        account_id=user.account_id,
        before={"status": UserStatus.PENDING.value},
        after={"status": UserStatus.ACTIVE.value},
    )
    event.actor_user_id = user.id  # the invited user itself
    session.flush()
    return user


# ---------------------------------------------------------------- deactivating


def _changeable(session: Session, actor: Actor, user_id) -> tuple[User, Account]:
    _require_admin(actor)
    user, account = _user_in_scope(session, actor, user_id)
    if user.id == actor.user_id:
        raise DomainError("You cannot deactivate or reactivate yourself.")
    return user, account


def _keep_an_active_admin(session: Session, user: User, account: Account) -> None:
    """Refuse to take away the account's last active admin (pending admins cannot sign in, so do not count).

    The account row is locked first (PostgreSQL; SQLite serialises writers anyway), so two admins who
    deactivate each other at the same moment cannot both succeed.
    """
    if user.role != Role.ADMIN or user.status != UserStatus.ACTIVE:
        return
    session.exec(select(Account.id).where(Account.id == account.id).with_for_update(key_share=True)).first()
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(
            User.account_id == account.id,
            User.id != user.id,
            User.role == Role.ADMIN,
            User.status == UserStatus.ACTIVE,
        )
    ).one()
    if not others:
        raise DomainError(f"{account.name} has no other active admin. Invite or reactivate another admin first.")


def deactivate_user(*, session: Session, actor: Actor, user_id, now: datetime | None = None) -> UserRead:
    """The user can no longer sign in: its live sessions and open invitations end now. The account's
    last active admin cannot be deactivated."""
    now = _now(now)
    user, account = _changeable(session, actor, user_id)
    if user.status == UserStatus.DEACTIVATED:
        raise DomainError(f"{user.name} is already deactivated.")
    _keep_an_active_admin(session, user, account)
    before = user.status
    user.status = UserStatus.DEACTIVATED
    session.add(user)
    sessions = session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    invitations = _revoke_invitations(session, user.id, now)
    _record(
        session,
        actor,
        "user.deactivate",
        user,
        before={"status": before},
        after={"status": user.status, "revoked_sessions": sessions or 0, "revoked_invitations": invitations},
    )
    session.flush()
    return _read(user, account, actor)


def reactivate_user(*, session: Session, actor: Actor, user_id) -> UserRead:
    """Undo a deactivation: active again if it had set a password, else pending (send a new invitation)."""
    user, account = _changeable(session, actor, user_id)
    if user.status != UserStatus.DEACTIVATED:
        raise DomainError(f"{user.name} is not deactivated.")
    user.status = UserStatus.ACTIVE if user.password_hash else UserStatus.PENDING
    session.add(user)
    _record(
        session, actor, "user.reactivate", user, before={"status": UserStatus.DEACTIVATED.value},
        after={"status": user.status},
    )
    session.flush()
    return _read(user, account, actor)
