"""Two-factor sign-in with TOTP (issue 6): enrolment, the code step of sign-in, recovery codes.

- **Enrolment.** ``begin_enrolment`` draws a new secret (``passlib.totp``) and keeps it on the user,
  not yet live; the user scans the QR code (or types the secret) into an authenticator app and
  ``confirm_enrolment`` turns two-factor on with a first correct code. It returns ten one-time
  recovery codes, shown once: only their SHA-256 hashes are stored (they carry ~50 random bits, so
  a fast hash is enough, as for invitation tokens).
- **The secret** is stored encrypted on ``User.totp_secret``, from the moment ``begin_enrolment``
  draws it (the pending secret too): passlib's wallet (``TOTP.using(secrets={"1": key})``, AES-256-CTR
  with a key derived by PBKDF2-HMAC-SHA256, ``ENCRYPT_COST`` = 2**14 rounds, from a random salt and
  ``settings.secret_key()``). The base32 secret is only ever handed back by ``begin_enrolment``, to
  show the QR code and setup key; it is never stored, nor sent to the browser after enrolment.
  Passlib's ``to_json()`` (``{"enckey": {"c":14,"k":…,"s":…,"t":"1","v":1},"type":"totp","v":1}``,
  119 characters) does not fit the 64-character column, so its ``enckey`` fields are packed as
  ``v$tag$cost$salt$ciphertext$check`` (salt and ciphertext in unpadded base64url; 60 characters
  for the 20-byte keys ``TOTP.new`` draws). ``check`` is 48 bits of SHA-256 over salt and plain
  key: passlib's CTR mode decrypts with any key without complaint (by design), so the check is
  what tells a wrong or lost secret key from a wrong code. A secret that cannot be decrypted (the
  key changed or was lost, an unknown tag) raises ``AuthenticatorUnavailable``, an ``InvalidCode``
  telling the user to sign in with a recovery code, then to set up the app again.
- **Legacy rows.** Secrets written before encryption (plain base32, no ``$``) are still read. They
  are encrypted the next time a code from them is accepted, and ``encrypt_plain_secrets(session)``
  encrypts all of them at once (for a data migration or after seeding); both also re-encrypt rows
  sealed under an older tag or cost.
- **Key rotation.** ``_app_secrets`` maps tags to keys; passlib encrypts with the highest numeric
  tag and decrypts with whichever tag a row names. To rotate, keep the old key as ``"1"`` and add the
  new one as ``"2"`` (this needs a second setting for the old key); rows under ``"1"`` are
  re-encrypted under ``"2"`` when next used or by ``encrypt_plain_secrets``, after which ``"1"``
  can be dropped. Losing the key without rotating means users fall back to recovery codes.
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

import base64
import binascii
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import segno
import sqlalchemy as sa
from passlib import exc as passlib_exc
from passlib.totp import TOTP
from passlib.utils.binary import b32decode, b32encode
from sqlmodel import Session, func, select

from msc_app import settings
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
# Encryption at rest: the tag new secrets are sealed under, and passlib's PBKDF2 cost (log2 rounds;
# about 5-10 ms per decryption here, paid once per code checked).
SECRET_TAG = "1"
ENCRYPT_COST = 14
_MAX_ENCRYPT_COST = 20  # a stored cost above this is damage (2**20 rounds already take about a second)
_MIN_KEY_BYTES = 10  # passlib's minimum TOTP key size
_CHECK_CHARS = 8  # base64url characters of the plain-key check: 48 bits
_LEGACY_SECRET = re.compile(r"[A-Z2-7]+=*")  # plain base32, as stored before encryption


class InvalidCode(DomainError):
    """The authentication or recovery code is wrong, already used, or malformed."""

    def __init__(self, message: str = "That code is not valid. Check your authenticator app and try again."):
        super().__init__(message, field="code")


class AuthenticatorUnavailable(InvalidCode):
    """The user's stored secret cannot be decrypted (the secret key changed or was lost): no code from
    the authenticator app can be checked, but recovery codes still work."""

    def __init__(
        self,
        message: str = (
            "Codes from your authenticator app cannot be checked at the moment. Sign in with one of "
            "your recovery codes, then turn two-factor sign-in off and on again to set up your app anew."
        ),
    ):
        super().__init__(message)


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


# ---------------------------------------------------------------- secrets at rest


def _app_secrets() -> dict[str, str]:
    """Tag -> key of passlib's wallet; a rotation adds ``"2"`` here (see the module docstring)."""
    return {SECRET_TAG: settings.secret_key()}


@lru_cache(maxsize=4)
def _factory_for(app_secrets: tuple[tuple[str, str], ...]) -> type[TOTP]:
    return TOTP.using(secrets=dict(app_secrets), issuer=ISSUER, encrypt_cost=ENCRYPT_COST)


def _factory() -> type[TOTP]:
    """A ``TOTP`` class bound to the current wallet (cached per set of keys)."""
    return _factory_for(tuple(sorted(_app_secrets().items())))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _check(salt: bytes, key: bytes) -> str:
    return _b64(hashlib.sha256(b"msc-totp-check\0" + salt + key).digest())[:_CHECK_CHARS]


def _seal(totp: TOTP) -> str:
    """What ``User.totp_secret`` stores: passlib's encrypted key, packed to fit the column."""
    enckey = _factory()(key=totp.key, format="raw").encrypted_key  # freshly salted, under the current tag
    salt, ciphertext = b32decode(enckey["s"]), b32decode(enckey["k"])
    fields = (str(enckey["v"]), enckey["t"], str(enckey["c"]), _b64(salt), _b64(ciphertext), _check(salt, totp.key))
    stored = "$".join(fields)
    limit = User.__table__.c.totp_secret.type.length
    if limit and len(stored) > limit:  # a longer key than TOTP.new draws: the column needs widening
        raise RuntimeError(f"encrypted TOTP secret is {len(stored)} characters, the column holds {limit}")
    return stored


def encrypt_secret(base32_secret: str) -> str:
    """The stored form of a base32 secret (for code that writes ``User.totp_secret`` itself, e.g. seeding)."""
    return _seal(TOTP(key=base32_secret, format="base32"))


def _load(stored: str) -> tuple[TOTP, bool]:
    """The TOTP of a stored secret, and whether it should be stored again (plain, or an old tag or cost).

    Raises ``AuthenticatorUnavailable`` when it cannot be decrypted with the keys at hand.
    """
    factory = _factory()
    if "$" not in stored:
        if not _LEGACY_SECRET.fullmatch(stored):
            raise AuthenticatorUnavailable()
        return factory(key=stored, format="base32"), True
    try:
        version, tag, cost, salt64, key64, check = stored.split("$")
        salt, ciphertext = _unb64(salt64), _unb64(key64)
        # A damaged row must not make PBKDF2 run for ever, nor hand passlib a key it only warns about.
        if not 0 <= int(cost) <= _MAX_ENCRYPT_COST or len(ciphertext) < _MIN_KEY_BYTES or not salt:
            raise ValueError("damaged secret")
        enckey = {"v": int(version), "t": tag, "c": int(cost), "s": b32encode(salt), "k": b32encode(ciphertext)}
        totp = factory.from_source({"v": 1, "type": "totp", "enckey": enckey})
    except (KeyError, ValueError, TypeError, binascii.Error):  # malformed, or a tag the wallet lacks
        raise AuthenticatorUnavailable() from None
    if not hmac.compare_digest(check, _check(salt, totp.key)):  # decrypted with the wrong key
        raise AuthenticatorUnavailable()
    return totp, totp.changed


def _store_again(session: Session, user: User, stored: str, totp: TOTP) -> bool:
    """Re-encrypt the user's secret, unless it changed meanwhile (turned off, enrolled anew)."""
    done = session.execute(
        sa.update(User)
        .where(User.id == user.id, User.totp_secret == stored)
        .values(totp_secret=_seal(totp))
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["totp_secret"])
    return done.rowcount == 1


def encrypt_plain_secrets(session: Session) -> int:
    """Encrypt every secret still stored in plain base32 (or under an older tag or cost); returns how many.

    For a data migration or after seeding; the caller commits. Secrets that cannot be decrypted are
    left as they are (their users sign in with recovery codes).
    """
    current = f"1${_factory().wallet.default_tag}${ENCRYPT_COST}$"
    count = 0
    for user in session.exec(select(User).where(User.totp_secret.is_not(None))).all():
        stored = user.totp_secret
        if stored.startswith(current):  # sealed under the current tag and cost: no need to decrypt it
            continue
        try:
            totp, stale = _load(stored)
        except AuthenticatorUnavailable:
            continue
        if stale and _store_again(session, user, stored, totp):
            count += 1
    session.flush()
    return count


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
    """A current TOTP code not used before; claims its counter so it is never accepted again.

    Raises ``AuthenticatorUnavailable`` when the secret cannot be decrypted. A plain (or stale)
    secret is encrypted again once a code from it is accepted.
    """
    stored = user.totp_secret
    if not stored or not _looks_like_totp(code):
        return False
    totp, stale = _load(stored)
    try:
        match = totp.match(
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
    if claimed.rowcount != 1:
        return False
    if stale:
        _store_again(session, user, stored, totp)
    return True


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
    """Required of this user and not yet turned on: it may only use the Security page until it is.

    Asked on every page load, so it reads two columns (no user row, no secrets) and walks up to the
    distributor only for a user who has not turned two-factor on."""
    row = session.exec(select(User.totp_enabled_at, User.account_id).where(User.id == user_id)).first()
    if row is None:
        raise NotFound("User")
    enabled_at, account_id = row
    if enabled_at is not None:
        return False
    distributor = _distributor_of(session, account_id)
    return bool(distributor and distributor.require_two_factor)


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
    totp = _factory().new()
    user.totp_secret = _seal(totp)  # encrypted already: only the caller sees the base32 secret
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
    try:
        matched = _match_totp(session, user, code, now)
    except AuthenticatorUnavailable:
        raise DomainError(
            "Start the set-up again: the app being enrolled can no longer be checked.", field="code"
        ) from None
    if not matched:
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
    (committed before ``InvalidCode`` propagates, like ``auth.sign_in`` does). So is a code that
    cannot be checked because the secret cannot be decrypted: ``AuthenticatorUnavailable`` tells
    the user to use a recovery code instead.
    """
    now = _now(now)
    user = _user(session, user_id)
    throttle.check(session=session, email=user.email, client=client, now=now)
    try:
        verify_second_factor(session=session, user_id=user.id, code=code, now=now)
    except DomainError as exc:  # a failed check changes nothing, so the attempt's record is all there is to commit
        throttle.record_attempt(session=session, email=user.email, client=client, succeeded=False, now=now)
        session.commit()
        if isinstance(exc, AuthenticatorUnavailable):
            raise AuthenticatorUnavailable() from None
        raise InvalidCode() from None
    throttle.record_attempt(session=session, email=user.email, client=client, succeeded=True, now=now)
    user = _user(session, user_id)
    token = auth.start_session(session=session, user=user, now=now)
    return SignInResult(token=token)
