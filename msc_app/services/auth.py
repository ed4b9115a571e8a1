"""Sign-in, server-side sessions and first run (AUTH-1, AUTH-2, AUTH-5, SANDBOX-1).

Passwords are stored only as argon2 hashes through the passlib API. The
browser holds a random session token; the database holds its SHA-256.
Failed sign-ins are throttled per email and per client address (services/throttle.py).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from passlib.context import CryptContext
from sqlmodel import Session, func, select

from msc_app.models import (
    DEFAULT_PLAN_NAME,
    Account,
    AccountKind,
    Edition,
    OnboardingTask,
    OnboardingTaskKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantType,
    User,
    UserSession,
    UserStatus,
)
from msc_app.services import summaries, throttle
from msc_app.services.errors import AuthenticationFailed, DomainError, ValidationError
from msc_app.services.permissions import Actor, require_switch
from msc_app.services.throttle import Throttled  # noqa: F401  (re-exported: callers catch auth.Throttled)
from msc_app.services.validation import email_error, normalise_email, required

pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")

SESSION_LIFETIME = timedelta(hours=12)
# The cookie that carries the session token (the UI sets it; the HTTP routes read it).
SESSION_COOKIE = "msc_session"
MIN_PASSWORD_LENGTH = 10
SANDBOX_NAME = "Sandbox"

# Verified against when the email is unknown, so both paths cost one argon2 verify.
_DUMMY_HASH = pwd_context.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return pwd_context.verify(password, password_hash or _DUMMY_HASH) and bool(password_hash)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_error(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None


# ---------------------------------------------------------------- sign-in


def authenticate(*, session: Session, email: str, password: str) -> User:
    """The active user with this email and password, or AuthenticationFailed.

    Exactly one argon2 verification on every path (AUTH-5): an unknown email, a user that is not
    active or one without a password is verified against ``_DUMMY_HASH``, so the time spent does
    not tell whether the email exists. Not throttled by itself: ``sign_in`` is the throttled entry.
    """
    user = session.exec(select(User).where(User.email == (email or "").strip().lower())).first()
    usable = user is not None and user.status == UserStatus.ACTIVE and bool(user.password_hash)
    matches = pwd_context.verify(password or "", user.password_hash if usable else _DUMMY_HASH)
    if not (matches and usable):
        raise AuthenticationFailed()
    return user


def start_session(*, session: Session, user: User, now: datetime | None = None) -> str:
    """Create a server-side session; returns the token for the browser (shown once)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def sign_in(*, session: Session, email: str, password: str, client: str = "", now: datetime | None = None) -> str:
    """Sign in with email and password from ``client`` (its IP address); returns the session token.

    AUTH-5: refused with ``Throttled`` while the email or the client address is throttled, before
    any password check and whatever the password (see services/throttle.py); otherwise the attempt
    is recorded. A failure raises ``AuthenticationFailed`` with the generic message, after committing
    its record, which must outlive the rollback the caller's session scope does on that error.
    """
    now = now or datetime.now(UTC)
    throttle.check(session=session, email=email, client=client, now=now)
    try:
        user = authenticate(session=session, email=email, password=password)
    except AuthenticationFailed:
        throttle.record_attempt(session=session, email=email, client=client, succeeded=False, now=now)
        session.commit()
        raise
    throttle.record_attempt(session=session, email=email, client=client, succeeded=True, now=now)
    return start_session(session=session, user=user, now=now)


def live_session(session: Session, token: str) -> UserSession | None:
    if not token:
        return None
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == _token_hash(token))
    ).first()
    if record is None or record.revoked_at is not None or record.handoff_until is not None:
        return None
    if record.expires_at <= datetime.now(UTC):
        return None
    return record


# ---------------------------------------------------------------- handing the session to the browser
#
# The session token lives only in an HttpOnly cookie, which an event handler cannot set: events
# travel over the websocket. So a sign-in event swaps its fresh token for a one-time *ticket* and
# sends the browser to ``/api/session/start?ticket=...`` (msc_app/api/session.py); that HTTP route
# redeems the ticket for a new token and sets it as the cookie. The websocket reads the cookie from
# its handshake (``router.headers.cookie``), which Reflex never sends back to the browser, so the
# token appears neither in state nor in any script. The ticket is single-use, lives HANDOFF_SECONDS,
# and only its hash is stored (in ``token_hash``: a session waiting for its handoff is not live).

HANDOFF_SECONDS = 60


def begin_handoff(*, session: Session, token: str, now: datetime | None = None) -> str:
    """Swap a live session's token for a one-time ticket; the token stops working at once."""
    record = live_session(session, token)
    if record is None:
        raise AuthenticationFailed()
    now = now or datetime.now(UTC)
    ticket = secrets.token_urlsafe(32)
    record.token_hash = _token_hash(ticket)
    record.handoff_until = now + timedelta(seconds=HANDOFF_SECONDS)
    session.add(record)
    session.flush()
    return ticket


def redeem_handoff(*, session: Session, ticket: str, now: datetime | None = None) -> str | None:
    """The session's new token for a valid ticket (used once), else None."""
    if not ticket:
        return None
    now = now or datetime.now(UTC)
    new_token = secrets.token_urlsafe(32)
    # One conditional UPDATE: of two requests racing with the same ticket, only one matches.
    result = session.execute(
        sa.update(UserSession)
        .where(
            UserSession.token_hash == _token_hash(ticket),
            UserSession.handoff_until > now,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
        .values(token_hash=_token_hash(new_token), handoff_until=None)
        .execution_options(synchronize_session=False)
    )
    return new_token if result.rowcount == 1 else None


def token_from_cookie_header(cookie_header: str) -> str:
    """The session token in a ``Cookie:`` request header ('' when absent)."""
    from http.cookies import CookieError, SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def actor_for_token(*, session: Session, token: str, now: datetime | None = None) -> Actor | None:
    """The signed-in actor for a session token, or None when it is unknown, expired, revoked or waiting
    for its handoff, or its user is not active.

    Runs on every event, so it is one statement: the live session, its active user and the user's home
    tenant in one join, reading only the columns an ``Actor`` needs. A second one only while the session
    is in a tenant's perspective, which is judged again each time (a tenant that left the user's scope
    drops the perspective).
    """
    if not token:
        return None
    now = now or datetime.now(UTC)
    row = session.exec(
        select(
            UserSession.perspective_account_id,
            User.id,
            User.role,
            User.name,
            User.email,
            Account.id,
            Account.kind,
        )
        .join(User, User.id == UserSession.user_id)
        .join(Account, Account.id == User.account_id)
        .where(
            UserSession.token_hash == _token_hash(token),
            UserSession.revoked_at.is_(None),
            UserSession.handoff_until.is_(None),
            UserSession.expires_at > now,
            User.status == UserStatus.ACTIVE,
        )
    ).first()
    if row is None:
        return None
    perspective_id, user_id, role, name, email, home_id, home_kind = row
    own = Actor(
        user_id=user_id,
        role=Role(role),
        home_account_id=home_id,
        home_kind=AccountKind(home_kind),
        name=name,
        email=email,
    )
    if not perspective_id:
        return own
    try:
        perspective = require_switch(session=session, actor=own, account_id=perspective_id)
    except DomainError:
        return own
    return Actor(
        user_id=user_id,
        role=own.role,
        home_account_id=home_id,
        home_kind=own.home_kind,
        perspective_account_id=perspective.id,
        perspective_kind=AccountKind(perspective.kind),
        name=name,
        email=email,
    )


def account_names(*, session: Session, account_ids: list[int]) -> dict[int, str]:
    """Names of these accounts (the shell shows the actor's tenants), in one statement."""
    ids = sorted({i for i in account_ids if i})
    if not ids:
        return {}
    return dict(session.exec(select(Account.id, Account.name).where(Account.id.in_(ids))).all())


def end_session(*, session: Session, token: str) -> None:
    record = live_session(session, token)
    if record is not None:
        record.revoked_at = datetime.now(UTC)
        session.add(record)


def end_all_sessions(*, session: Session, token: str, now: datetime | None = None) -> int:
    """Sign out everywhere: revoke every live session of the user whose session ``token`` is.

    Every browser of that user loses access on its next action (each event resolves the actor
    again from its session). Returns how many sessions ended; 0 for an unknown or dead token.
    """
    record = live_session(session, token)
    if record is None:
        return 0
    now = now or datetime.now(UTC)
    result = session.execute(
        sa.update(UserSession)
        .where(
            UserSession.user_id == record.user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# ---------------------------------------------------------------- first run


def needs_first_run(*, session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() == 0


def create_first_admin(
    *,
    session: Session,
    distributor_name: str,
    admin_name: str,
    email: str,
    password: str,
    today: date | None = None,
) -> User:
    """AUTH-2 / SANDBOX-1: the distributor, its first admin and the Sandbox customer."""
    errors = {
        k: v
        for k, v in {
            "distributor_name": required(distributor_name, "Company name"),
            "admin_name": required(admin_name, "Your name"),
            "email": email_error(email),
            "password": password_error(password),
        }.items()
        if v
    }
    if errors:
        raise ValidationError(errors)
    if not needs_first_run(session=session):
        raise DomainError("This installation is already set up. Sign in instead.")

    distributor = Account(
        kind=AccountKind.DISTRIBUTOR,
        name=distributor_name.strip(),
        name_sort=distributor_name.strip().lower(),
        customer_name=distributor_name.strip(),
        customer_name_sort=distributor_name.strip().lower(),
        organization=distributor_name.strip(),
    )
    session.add(distributor)
    session.flush()
    admin = User(
        email=normalise_email(email),
        name=admin_name.strip(),
        role=Role.ADMIN,
        account_id=distributor.id,
        status=UserStatus.ACTIVE,
        password_hash=hash_password(password),
    )
    session.add(admin)
    plan = ensure_default_plan(session=session, owner_account_id=distributor.id)
    create_sandbox(session=session, parent=distributor, plan=plan, today=today)
    session.flush()
    summaries.refresh_admin(session=session, account_id=distributor.id)
    session.flush()
    return admin


def ensure_default_plan(*, session: Session, owner_account_id: int) -> ServicePlan:
    plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).first()
    if plan is None:
        plan = ServicePlan(
            name=DEFAULT_PLAN_NAME,
            edition=Edition.BUSINESS,
            products=[p.value for p in ProductType],
            workloads=["Files", "VMware", "Microsoft 365"],
            is_default=True,
            owner_account_id=owner_account_id,
        )
        session.add(plan)
        session.flush()
    return plan


def create_sandbox(
    *, session: Session, parent: Account, plan: ServicePlan, today: date | None = None
) -> Account:
    """The Sandbox customer, for demos and training, on the Default Service Plan."""
    today = today or date.today()
    sandbox = Account(
        kind=AccountKind.CUSTOMER,
        parent_id=parent.id,
        name=SANDBOX_NAME,
        name_sort=SANDBOX_NAME.lower(),
        customer_name=SANDBOX_NAME,
        customer_name_sort=SANDBOX_NAME.lower(),
        organization=parent.organization or parent.name,
        is_sandbox=True,
    )
    session.add(sandbox)
    session.flush()
    session.add(
        Product(
            account_id=sandbox.id,
            product_type=ProductType.HYBRID_WORKLOADS,
            service_plan_id=plan.id,
            tenant_type=TenantType.EVALUATION,
            storage_regions=["US East"],
            credit_quota=1000,
            quota_effective_date=today,
            quota_end_date=today + timedelta(days=365),
            license_expiry=today + timedelta(days=365),
            user_count=10,
        )
    )
    for kind in OnboardingTaskKind:
        session.add(OnboardingTask(account_id=sandbox.id, kind=kind, status=TaskStatus.DONE))
    session.flush()
    summaries.refresh_account_summary(session=session, account_id=sandbox.id)
    summaries.refresh_onboarding(session=session, account_id=sandbox.id)
    return sandbox
