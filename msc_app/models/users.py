"""Users, their sessions and tenant-admin assignments.

The password hash and session token hashes live only on the table models;
nothing here is ever sent to the browser.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"  # distributor or reseller admin, by its home account's tier
    TENANT_ADMIN = "tenant_admin"
    VIEWER = "viewer"


class UserStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-case
    name: str = Field(max_length=200)
    role: str = enum_field(Role)
    account_id: int = Field(foreign_key="account.id", index=True)  # home account
    status: str = enum_field(UserStatus, default=UserStatus.PENDING)
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    # Per-user UI preferences (columns, density, ...), JSON.
    preferences: dict = Field(default_factory=dict, sa_type=sa.JSON)
    # Two-factor sign-in (services/two_factor.py). The base32 TOTP secret, set when enrolment begins
    # and live once ``totp_enabled_at`` is set; never sent to the browser after enrolment.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = None
    # The time-step counter of the last accepted code: a code is never accepted twice.
    totp_last_counter: int | None = None


class TenantAdminAssignment(SQLModel, table=True):
    """A tenant admin assigned to a customer account."""

    __tablename__ = "tenant_admin_assignment"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True, index=True)
    assigned_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A server-side sign-in session; the browser holds only the random token."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    # The tenant whose perspective the user is working in (TENANT-1); None = own.
    perspective_account_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    # Set while the session waits for the browser to redeem its one-time ticket (services/auth.py):
    # ``token_hash`` then holds the ticket's hash, and the session is not live.
    handoff_until: datetime | None = None


class Invitation(SQLModel, table=True):
    """AUTH-3: a single-use, expiring link that lets an invited (pending) user set its password.

    Only the token's hash is stored; the token itself goes out once, in the invitation email.
    """

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    invited_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None  # a newer invitation, or the user's deactivation, ends it


class LoginAttempt(SQLModel, table=True):
    """AUTH-5: one sign-in attempt, for throttling failures per email and per client address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_email_at", "email", "at"),
        sa.Index("ix_login_attempt_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)  # as typed, lower-cased: unknown emails are throttled too
    client: str = Field(default="", max_length=64)  # the client's IP address
    at: datetime = Field(default_factory=utcnow)
    succeeded: bool = False


class RecoveryCode(SQLModel, table=True):
    """A one-time two-factor recovery code; only its hash is stored (the user sees it once)."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token (issue 8): shown once, only its SHA-256 stored; acts as its user, in the
    tenant perspective chosen when it was made (``perspective_account_id``; None = the user's own)."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    token_prefix: str = Field(max_length=16)  # the first characters, to recognise a token in the list
    perspective_account_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
