"""Two-factor sign-in with TOTP (issue 6): enrolment, the code step of sign-in, recovery codes.

- **Enrolment.** ``begin_enrolment`` draws a new secret (``passlib.totp``) and keeps it on the user,
  not yet live; the user scans the QR code (or types the secret) into an authenticator app and
  ``confirm_enrolment`` turns two-factor on with a first correct code. It returns ten one-time
  recovery codes, shown once: only their SHA-256 hashes are stored (they carry ~50 random bits, so
  a fast hash is enough, as for invitation tokens).
- **The secret** is stored as base32 on ``User.totp_secret``, not encrypted: passlib's encrypted
  secrets (``TOTP.using(secrets=...)``) need the ``cryptography`` package, which the app does not
  otherwise depend on. It lives only on the table model and is never sent to the browser once
  enrolment is confirmed. Encrypting it at rest is a follow-up (a key in settings, passlib's wallet).
- **Replay.** A TOTP code is matched with passlib's window (one step either side) and
  ``last_counter``: the counter of the last accepted code is stored, and a conditional UPDATE
  claims a newer one, so a code is accepted once even when two requests race.
- **Sign-in.** ``sign_in`` is ``auth.sign_in`` with a second step: a user with two-factor on gets
  no session, only a pending result with its id; ``complete_sign_in`` starts the session after a
  correct code. Throttling (AUTH-5) covers both steps: the code step is refused while the email is
  throttled, a wrong code is a failed attempt, and only a full sign-in records a success (which
  resets the email's failures), so a stolen password alone cannot reset the count of wrong codes.
- **Requirement.** A distributor admin may require two-factor of every user of the installation
  (``set_requirement``); ``required_for`` tells whether a user falls under it, ``must_enrol``
  whether it has yet to comply, and ``disable`` is refused while it is required.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import segno
import sqlalchemy as sa
from passlib import exc as passlib_exc
from passlib.totp import TOTP
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, Role, User
from msc_app.models.users import RecoveryCode
from msc_app.services import audit, auth, throttle
from msc_app.services.errors import AuthenticationFailed, DomainError, NotFound, PermissionDenied
from msc_app.services.permissions import Actor
from msc_app.services.throttle import Throttled  # noqa: F401  (re-exported: the sign-in state catches it)

ISSUER = "MSC"
RECOVERY_CODE_COUNT = 10
# passlib's window: how many seconds before and after now a code may come from (one 30 s step).
MATCH_WINDOW = 30
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_HALF = 5


class InvalidCode(DomainError):
    """The authentication or recovery code is wrong, already used, or malformed."""

    def __init__(self, message: str = "That code is not valid. Check your authenticator app and try again."):
        super().__init__(message, field="code")


@dataclass(frozen=True)
class Enrolment:
    """What the Security page shows while enrolling: shown once, never stored in the browser later."""

    secret: str
    uri: str
    qr_svg: str


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool
    enrolling: bool  # a secret was drawn but not yet confirmed


@dataclass(frozen=True)
class SignInResult:
    """Either a session token, or a user that still owes its second factor (``pending_user_id``)."""

    token: str | None = None
    pending_user_id: int | None = None
    must_enrol: bool = False  # signed in, but its distributor requires two-factor it has not set up


# ---------------------------------------------------------------- helpers


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User")
    return user


def _totp(secret: str) -> TOTP:
    return TOTP(key=secret, format="base32", issuer=ISSUER)


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    half = lambda: "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_HALF))  # noqa: E731
    return f"{half()}-{half()}"


def _looks_like_totp(code: str) -> bool:
    digits = "".join((code or "").split())
    return len(digits) == 6 and digits.isdigit()


def _audit(session: Session, user: User, action: str, after: dict | None = None) -> None:
    event = audit.record(
        session=session,
        actor=None,
        action=action,
        entity_type="user",
        entity_id=user.id,
        account_id=user.account_id,
        after=after,
    )
    event.actor_user_id = user.id  # the user acts on its own account


def _replace_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code), created_at=now))
    session.flush()
    return codes


def _match_totp(session: Session, user: User, code: str, now: datetime) -> bool:
    """A current TOTP code not used before; claims its counter so it is never accepted again."""
    if not user.totp_secret or not _looks_like_totp(code):
        return False
    try:
        match = _totp(user.totp_secret).match(
            "".join(code.split()), time=now.timestamp(), window=MATCH_WINDOW, last_counter=user.totp_last_counter
        )
    except passlib_exc.TokenError:
        return False
    # Only one request may claim this counter, even when two race with the same code.
    claimed = session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_counter.is_(None), User.totp_last_counter < match.counter),
        )
        .values(totp_last_counter=match.counter)
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["totp_last_counter"])
    return claimed.rowcount == 1


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    normalised = _normalise_recovery(code)
    if len(normalised) != 2 * _RECOVERY_HALF:
        return False
    claimed = session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _require_enabled(user: User) -> None:
    if user.totp_enabled_at is None:
        raise DomainError("Two-factor sign-in is not turned on.")


# ---------------------------------------------------------------- status and requirement


def _distributor_of(session: Session, account_id: int) -> Account | None:
    account = session.get(Account, account_id)
    seen: set[int] = set()
    while account is not None and account.kind != AccountKind.DISTRIBUTOR and account.id not in seen:
        seen.add(account.id)
        account = session.get(Account, account.parent_id) if account.parent_id else None
    return account


def required_for(session: Session, user: User) -> bool:
    """True when the user's distributor requires two-factor of everyone (its own users included)."""
    distributor = _distributor_of(session, user.account_id)
    return bool(distributor and distributor.require_two_factor)


def must_enrol(*, session: Session, user_id: int) -> bool:
    """Required of this user and not yet turned on: it may only use the Security page until it is."""
    user = _user(session, user_id)
    return user.totp_enabled_at is None and required_for(session, user)


def status(*, session: Session, user_id: int) -> TwoFactorStatus:
    user = _user(session, user_id)
    left = session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).one()
    enabled = user.totp_enabled_at is not None
    return TwoFactorStatus(
        enabled=enabled,
        enabled_at=user.totp_enabled_at,
        recovery_codes_left=left if enabled else 0,
        required=required_for(session, user),
        enrolling=not enabled and bool(user.totp_secret),
    )


def can_set_requirement(actor: Actor) -> bool:
    return actor.role == Role.ADMIN and actor.home_kind == AccountKind.DISTRIBUTOR


def requirement(*, session: Session, actor: Actor) -> bool:
    """Whether the actor's installation requires two-factor (any signed-in user may know)."""
    return required_for(session, _user(session, actor.user_id))


def set_requirement(*, session: Session, actor: Actor, required: bool) -> None:
    """A distributor admin requires (or stops requiring) two-factor of every user of its installation.

    Refused to anyone else, and refused to an admin who has not turned it on for itself, so that
    requiring it never locks out the admin who asked.
    """
    if not can_set_requirement(actor):
        raise PermissionDenied("Only a distributor admin can require two-factor sign-in.")
    admin = _user(session, actor.user_id)
    if required and admin.totp_enabled_at is None:
        raise DomainError("Turn on two-factor sign-in for yourself first.", field="required")
    distributor = session.get(Account, actor.home_account_id)
    if distributor is None or distributor.kind != AccountKind.DISTRIBUTOR:
        raise NotFound("Tenant")
    if distributor.require_two_factor == required:
        return
    audit.record(
        session=session,
        actor=actor,
        action="account.require_two_factor",
        entity_type="account",
        entity_id=distributor.id,
        account_id=distributor.id,
        before={"require_two_factor": distributor.require_two_factor},
        after={"require_two_factor": required},
    )
    distributor.require_two_factor = required
    session.add(distributor)
    session.flush()


# ---------------------------------------------------------------- enrolment


def begin_enrolment(*, session: Session, user_id: int) -> Enrolment:
    """Draw a new secret for the user (not live until confirmed); the QR code and secret to show."""
    user = _user(session, user_id)
    if user.totp_enabled_at is not None:
        raise DomainError("Two-factor sign-in is already on. Turn it off first to enrol a new app.")
    totp = TOTP.new(issuer=ISSUER)
    user.totp_secret = totp.base32_key
    user.totp_last_counter = None
    session.add(user)
    session.flush()
    uri = totp.to_uri(label=user.email, issuer=ISSUER)
    # A standalone SVG (XML namespace included: an <img> does not render svg_inline's namespace-less markup).
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return Enrolment(secret=totp.base32_key, uri=uri, qr_svg=buffer.getvalue().decode())


def confirm_enrolment(*, session: Session, user_id: int, code: str, now: datetime | None = None) -> list[str]:
    """Turn two-factor on with a first correct code; returns the recovery codes (shown once)."""
    now = _now(now)
    user = _user(session, user_id)
    if user.totp_enabled_at is not None:
        raise DomainError("Two-factor sign-in is already on.")
    if not user.totp_secret:
        raise DomainError("Start the set-up again: no authenticator app is being enrolled.")
    if not _match_totp(session, user, code, now):
        raise InvalidCode()
    user.totp_enabled_at = now
    session.add(user)
    codes = _replace_recovery_codes(session, user, now)
    _audit(session, user, "user.two_factor_on")
    session.flush()
    return codes


def verify_second_factor(*, session: Session, user_id: int, code: str, now: datetime | None = None) -> None:
    """Accept a current, unused TOTP code or an unused recovery code (used up); else ``InvalidCode``."""
    now = _now(now)
    user = _user(session, user_id)
    _require_enabled(user)
    if _looks_like_totp(code):
        if _match_totp(session, user, code, now):
            return
    elif _use_recovery_code(session, user, code, now):
        _audit(session, user, "user.recovery_code_used")
        return
    raise InvalidCode()


def regenerate_recovery_codes(*, session: Session, user_id: int, code: str, now: datetime | None = None) -> list[str]:
    """New recovery codes after a correct current code; the old ones stop working."""
    now = _now(now)
    verify_second_factor(session=session, user_id=user_id, code=code, now=now)
    user = _user(session, user_id)
    codes = _replace_recovery_codes(session, user, now)
    _audit(session, user, "user.recovery_codes_regenerated")
    session.flush()
    return codes


def cancel_enrolment(*, session: Session, user_id: int) -> None:
    """Forget a secret drawn by ``begin_enrolment`` that was never confirmed."""
    user = _user(session, user_id)
    if user.totp_enabled_at is None and user.totp_secret:
        user.totp_secret = None
        session.add(user)
        session.flush()


def disable(*, session: Session, user_id: int, code: str, now: datetime | None = None) -> None:
    """Turn two-factor off after a correct code; refused while the user's distributor requires it."""
    now = _now(now)
    user = _user(session, user_id)
    _require_enabled(user)
    if required_for(session, user):
        raise DomainError("Your organisation requires two-factor sign-in: it cannot be turned off.")
    verify_second_factor(session=session, user_id=user_id, code=code, now=now)
    user = _user(session, user_id)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    session.add(user)
    session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    _audit(session, user, "user.two_factor_off")
    session.flush()


# ---------------------------------------------------------------- sign-in


def sign_in(
    *, session: Session, email: str, password: str, client: str = "", now: datetime | None = None
) -> SignInResult:
    """The password step: ``auth.sign_in``, except that a user with two-factor on gets no session yet.

    Throttled exactly like ``auth.sign_in`` (a wrong password is a failed attempt, committed before
    ``AuthenticationFailed`` propagates). A correct password of a two-factor user records nothing:
    its success is recorded by ``complete_sign_in``.
    """
    now = _now(now)
    throttle.check(session=session, email=email, client=client, now=now)
    try:
        user = auth.authenticate(session=session, email=email, password=password)
    except AuthenticationFailed:
        throttle.record_attempt(session=session, email=email, client=client, succeeded=False, now=now)
        session.commit()
        raise
    if user.totp_enabled_at is not None:
        return SignInResult(pending_user_id=user.id)
    throttle.record_attempt(session=session, email=email, client=client, succeeded=True, now=now)
    token = auth.start_session(session=session, user=user, now=now)
    return SignInResult(token=token, must_enrol=required_for(session, user))


def complete_sign_in(
    *, session: Session, user_id: int, code: str, client: str = "", now: datetime | None = None
) -> SignInResult:
    """The code step for a user whose password was just accepted: a session after a correct code.

    Throttled per email and client like the password step; a wrong code is a failed attempt
    (committed before ``InvalidCode`` propagates, like ``auth.sign_in`` does).
    """
    now = _now(now)
    user = _user(session, user_id)
    throttle.check(session=session, email=user.email, client=client, now=now)
    try:
        verify_second_factor(session=session, user_id=user.id, code=code, now=now)
    except DomainError:  # a failed check changes nothing, so the attempt's record is all there is to commit
        throttle.record_attempt(session=session, email=user.email, client=client, succeeded=False, now=now)
        session.commit()
        raise InvalidCode() from None
    throttle.record_attempt(session=session, email=user.email, client=client, succeeded=True, now=now)
    user = _user(session, user_id)
    token = auth.start_session(session=session, user=user, now=now)
    return SignInResult(token=token)
