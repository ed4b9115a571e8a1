"""Personal API tokens (issue 8): made and revoked on the user's profile page, used by the REST API.

A token is ``TOKEN_PREFIX`` + ``secrets.token_urlsafe(32)``. It is shown once, when made; the
database keeps only its SHA-256 and its first ``PREFIX_LENGTH`` characters (to recognise it in the
list). A token acts exactly as its user: the same role and scope, and the tenant perspective the
user was working in when it made the token (``perspective_account_id``; None = its own tenant).

Decisions:

- Every signed-in user may make tokens, viewers too: a viewer's token is read-only like the viewer.
- A token works while it is not revoked, not expired and its user is active. The perspective is
  judged again on every use (``permissions.require_switch``, as for sessions): a token made in a
  tenant that has since left the user's scope stops working instead of falling back to the user's
  own tenant, which would silently widen or change what it reaches.
- Names are unique among the user's *active* tokens (case-insensitive): a revoked or expired token's
  name may be used again.
- ``last_used_at`` is written at most once a minute per token, so a busy script does not turn every
  read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from msc_app.models import Account, AccountKind, ApiToken, Role, User, UserStatus
from msc_app.services import audit
from msc_app.services.errors import DomainError, NotFound, ValidationError
from msc_app.services.permissions import Actor, require_switch

TOKEN_PREFIX = "msc_"
PREFIX_LENGTH = 12
NAME_MAX = 100
EXPIRY_CHOICES: tuple[int | None, ...] = (None, 30, 90, 365)
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Longer than any token we make (4 + 43 characters); anything longer is not looked up.
_MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class ApiTokenRead:
    """One token in the profile page's list (never the token itself, nor its hash)."""

    id: int
    name: str
    prefix: str
    perspective_name: str  # "" when the token acts in the user's own tenant
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Not revoked and not expired (now)."""
        return self.revoked_at is None and not _expired(self.expires_at, datetime.now(UTC))


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """A stored datetime as timezone-aware UTC (SQLite may hand back naive values)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and _aware(expires_at) <= now


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _read(token: ApiToken, perspective_name: str | None) -> ApiTokenRead:
    return ApiTokenRead(
        id=token.id,
        name=token.name,
        prefix=token.token_prefix,
        perspective_name=perspective_name or "",
        created_at=_aware(token.created_at),
        expires_at=_aware(token.expires_at),
        last_used_at=_aware(token.last_used_at),
        revoked_at=_aware(token.revoked_at),
    )


def _perspective_name(session: Session, account_id: int | None) -> str:
    if account_id is None:
        return ""
    account = session.get(Account, account_id)
    return account.name if account is not None else ""


def _live_condition(now: datetime):
    return sa.and_(
        ApiToken.revoked_at.is_(None),
        sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    )


# ---------------------------------------------------------------- the profile page


def create_token(
    *,
    session: Session,
    actor: Actor,
    name: str,
    expires_days: int | None = 90,
    now: datetime | None = None,
) -> tuple[str, ApiTokenRead]:
    """Make a token for the actor's user, in the actor's perspective; returns (token, its row).

    The token itself is in the return value only: show it once. ``ValidationError`` for a blank,
    too long or duplicate (among the user's active tokens) ``name`` and for an ``expires_days``
    other than None (never), 30, 90 or 365.
    """
    now = _now(now)
    name = name.strip() if isinstance(name, str) else ""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Token name is required."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Use at most {NAME_MAX} characters."
    elif any(ord(char) < 32 or ord(char) == 127 for char in name):
        errors["name"] = "Use letters, digits, spaces and punctuation only."
    else:
        duplicate = session.exec(
            select(ApiToken.id).where(
                ApiToken.user_id == actor.user_id,
                sa.func.lower(ApiToken.name) == name.lower(),
                _live_condition(now),
            )
        ).first()
        if duplicate is not None:
            errors["name"] = "You already have an active token with this name."
    if expires_days is not None and (type(expires_days) is not int or expires_days not in EXPIRY_CHOICES):
        errors["expires_days"] = "Choose 30, 90 or 365 days, or no expiry."
    if errors:
        raise ValidationError(errors)

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=actor.user_id,
        name=name,
        token_hash=token_hash(token),
        token_prefix=token[:PREFIX_LENGTH],
        perspective_account_id=actor.perspective_account_id,
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days is not None else None,
    )
    session.add(record)
    session.flush()
    perspective_name = _perspective_name(session, record.perspective_account_id)
    audit.record(
        session=session,
        actor=actor,
        action="api_token.create",
        entity_type="api_token",
        entity_id=record.id,
        account_id=actor.home_account_id,  # tokens belong to the user, not a customer
        after={
            "name": record.name,
            "prefix": record.token_prefix,
            "perspective_account_id": record.perspective_account_id,
            "perspective_name": perspective_name,
            "expires_at": record.expires_at,
        },
    )
    session.flush()
    return token, _read(record, perspective_name)


def list_tokens(*, session: Session, actor: Actor) -> list[ApiTokenRead]:
    """The actor's user's own tokens (whatever perspective they were made in), newest first."""
    rows = session.exec(
        select(ApiToken, Account.name)
        .join(Account, Account.id == ApiToken.perspective_account_id, isouter=True)
        .where(ApiToken.user_id == actor.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [_read(token, perspective_name) for token, perspective_name in rows]


def revoke_token(
    *, session: Session, actor: Actor, token_id: int, now: datetime | None = None
) -> ApiTokenRead:
    """Revoke one of the actor's user's tokens; it stops working at once.

    ``NotFound("API token")`` for a missing id or another user's token (the same answer).
    Revoking an already revoked token changes nothing and returns it as it is.
    """
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        raise NotFound("API token") from None
    record = session.exec(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == actor.user_id)
    ).first()
    if record is None:
        raise NotFound("API token")
    if record.revoked_at is None:
        record.revoked_at = _now(now)
        session.add(record)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="api_token.revoke",
            entity_type="api_token",
            entity_id=record.id,
            account_id=actor.home_account_id,  # tokens belong to the user, not a customer
            before={"name": record.name, "prefix": record.token_prefix},
        )
        session.flush()
    return _read(record, _perspective_name(session, record.perspective_account_id))


# ---------------------------------------------------------------- the API's authentication


def actor_for_api_token(*, session: Session, token: str, now: datetime | None = None) -> Actor | None:
    """The actor a bearer token acts as, or None when the token does not work.

    None for an unknown, revoked or expired token, a user that is not active, and a token whose
    perspective tenant is no longer one its user may switch into. Notes the use in
    ``last_used_at`` (at most once a minute); the caller's transaction commits it.
    """
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        return None
    now = _now(now)
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    if record is None or record.revoked_at is not None or _expired(record.expires_at, now):
        return None
    user = session.get(User, record.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    home = session.get(Account, user.account_id)
    if home is None:
        return None
    own = Actor(
        user_id=user.id,
        role=Role(user.role),
        home_account_id=home.id,
        home_kind=AccountKind(home.kind),
        name=user.name,
        email=user.email,
    )
    actor = own
    if record.perspective_account_id is not None:
        try:
            perspective = require_switch(session=session, actor=own, account_id=record.perspective_account_id)
        except DomainError:
            return None
        actor = Actor(
            user_id=own.user_id,
            role=own.role,
            home_account_id=own.home_account_id,
            home_kind=own.home_kind,
            perspective_account_id=perspective.id,
            perspective_kind=AccountKind(perspective.kind),
            name=own.name,
            email=own.email,
        )
    last_used = _aware(record.last_used_at)
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        # A conditional UPDATE, so concurrent requests with one token write it once between them.
        session.execute(
            sa.update(ApiToken)
            .where(
                ApiToken.id == record.id,
                sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        session.expire(record, ["last_used_at"])
    return actor


def retire_perspective(*, session: Session, account_id: int, now: datetime | None = None) -> int:
    """Revoke the tokens made in ``account_id``'s perspective and forget it, before the account is deleted.

    Such a token stopped working anyway once its tenant is gone; its row must not keep the account
    (a foreign key). Returns how many live tokens it revoked; runs in the caller's transaction.
    """
    now = _now(now)
    revoked = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.perspective_account_id == account_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.perspective_account_id == account_id)
        .values(perspective_account_id=None)
        .execution_options(synchronize_session=False)
    )
    return revoked
