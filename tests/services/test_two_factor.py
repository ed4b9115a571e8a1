"""Two-factor sign-in with TOTP (issue 6; AUTH-1, AUTH-5): enrolment, replay, recovery codes, requirement.

Codes are computed with passlib.totp from the secret the enrolment shows, at fixed times, so that
no test depends on the clock. The secret key that encrypts stored secrets is set per test
(``MSC_SECRET_KEY``), so no test reads or creates the project's ``.msc-secret-key``.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from passlib.totp import TOTP
from passlib.utils.binary import b32encode
from sqlmodel import func, select

from msc_app.models import Account, AuditEvent, LoginAttempt, User
from msc_app.models.users import RecoveryCode
from msc_app.services import auth, throttle, two_factor
from msc_app.services.errors import AuthenticationFailed, DomainError, PermissionDenied
from msc_app.services.two_factor import AuthenticatorUnavailable, InvalidCode
from tests.conftest import PASSWORD

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)
KEY = "test-secret-key-one-0123456789abcdefghijklmnop"
OTHER_KEY = "test-secret-key-two-0123456789abcdefghijklmnop"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("MSC_SECRET_KEY", KEY)


def code_at(secret: str, when: datetime) -> str:
    return TOTP(key=secret, format="base32").generate(when.timestamp()).token


def enrol(session, user_id: int, when: datetime = NOW) -> tuple[str, list[str]]:
    """Enrol the user at ``when``; returns its secret and recovery codes."""
    enrolment = two_factor.begin_enrolment(session=session, user_id=user_id)
    codes = two_factor.confirm_enrolment(
        session=session, user_id=user_id, code=code_at(enrolment.secret, when), now=when
    )
    return enrolment.secret, codes


def wrong_code(secret: str, when: datetime) -> str:
    right = code_at(secret, when)
    return f"{(int(right) + 1) % 1_000_000:06d}"


# ---------------------------------------------------------------- enrolment


def test_enrolment_shows_secret_uri_and_qr_but_is_off_until_confirmed(session, world):
    user_id = world.users["r1_admin"]
    enrolment = two_factor.begin_enrolment(session=session, user_id=user_id)

    assert enrolment.uri.startswith("otpauth://totp/MSC:r1_admin%40example.com?") or enrolment.uri.startswith(
        "otpauth://totp/MSC:r1_admin@example.com?"
    )
    assert f"secret={enrolment.secret}" in enrolment.uri and "issuer=MSC" in enrolment.uri
    assert enrolment.qr_svg.startswith("<svg") and "<path" in enrolment.qr_svg
    assert 'xmlns="http://www.w3.org/2000/svg"' in enrolment.qr_svg  # an <img> renders only namespaced SVG
    state = two_factor.status(session=session, user_id=user_id)
    assert state.enrolling and not state.enabled
    # Not live yet: a password still signs in without a code.
    assert two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD).token


def test_confirm_with_a_wrong_code_leaves_two_factor_off(session, world):
    user_id = world.users["r1_admin"]
    enrolment = two_factor.begin_enrolment(session=session, user_id=user_id)

    with pytest.raises(InvalidCode):
        two_factor.confirm_enrolment(session=session, user_id=user_id, code=wrong_code(enrolment.secret, NOW), now=NOW)
    assert session.get(User, user_id).totp_enabled_at is None
    assert session.exec(select(func.count()).select_from(RecoveryCode)).one() == 0


def test_confirm_turns_it_on_and_stores_only_hashes_of_ten_recovery_codes(session, world):
    user_id = world.users["r1_admin"]
    _, codes = enrol(session, user_id)

    assert len(codes) == 10 and len(set(codes)) == 10
    stored = session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    state = two_factor.status(session=session, user_id=user_id)
    assert state.enabled and state.recovery_codes_left == 10
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.two_factor_on")).first() is not None
    with pytest.raises(DomainError):
        two_factor.begin_enrolment(session=session, user_id=user_id)


# ---------------------------------------------------------------- the code step of sign-in


def test_sign_in_with_two_factor_starts_no_session_until_the_code(session, world):
    user_id = world.users["r1_admin"]
    later = datetime.now(UTC)  # the session must be live now for actor_for_token
    secret, _ = enrol(session, user_id, later - 10 * STEP)

    first = two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)
    assert first.token is None and first.pending_user_id == user_id

    with pytest.raises(InvalidCode):
        two_factor.complete_sign_in(session=session, user_id=user_id, code=wrong_code(secret, later), now=later)
    done = two_factor.complete_sign_in(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    actor = auth.actor_for_token(session=session, token=done.token)
    assert actor is not None and actor.user_id == user_id


def test_wrong_password_is_still_refused_before_any_code(session, world):
    enrol(session, world.users["r1_admin"])
    with pytest.raises(AuthenticationFailed):
        two_factor.sign_in(session=session, email="r1_admin@example.com", password="not the password", now=NOW)


def test_a_code_is_accepted_once_replay_within_its_window_is_refused(session, world):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    later = NOW + 10 * STEP
    code = code_at(secret, later)

    two_factor.verify_second_factor(session=session, user_id=user_id, code=code, now=later)
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(
            session=session, user_id=user_id, code=code, now=later + timedelta(seconds=5)
        )
    # Nor can an older code in the window come after a newer one was used.
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, later - STEP), now=later)
    # The next step's code is fine.
    next_step = later + STEP
    two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, next_step), now=next_step)


def test_the_enrolment_code_cannot_be_replayed_to_sign_in(session, world):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    with pytest.raises(InvalidCode):
        two_factor.complete_sign_in(session=session, user_id=user_id, code=code_at(secret, NOW), now=NOW)


def test_a_code_outside_the_window_is_refused(session, world):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    later = NOW + 20 * STEP
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(
            session=session, user_id=user_id, code=code_at(secret, later - 3 * STEP), now=later
        )


def test_a_recovery_code_works_once_in_any_case_and_spacing(session, world):
    user_id = world.users["r1_admin"]
    _, codes = enrol(session, user_id)

    two_factor.verify_second_factor(session=session, user_id=user_id, code=f"  {codes[0].upper()} ", now=NOW)
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=codes[0], now=NOW)
    assert two_factor.status(session=session, user_id=user_id).recovery_codes_left == 9
    # Another user's code is no use to this one.
    other = world.users["r2_admin"]
    _, other_codes = enrol(session, other)
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=other_codes[0], now=NOW)


def test_regenerating_recovery_codes_retires_the_old_ones(session, world):
    user_id = world.users["r1_admin"]
    secret, old = enrol(session, user_id, NOW)
    later = NOW + 4 * STEP
    new = two_factor.regenerate_recovery_codes(session=session, user_id=user_id, code=code_at(secret, later), now=later)

    assert not set(new) & set(old)
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=old[1], now=later)
    two_factor.verify_second_factor(session=session, user_id=user_id, code=new[1], now=later)


def test_auth_5_wrong_codes_count_as_failed_sign_ins_and_lock_the_email(session, world):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    later = NOW + 10 * STEP
    for _ in range(throttle.EMAIL_FAILURE_LIMIT):
        with pytest.raises(InvalidCode):
            two_factor.complete_sign_in(session=session, user_id=user_id, code="000000", now=later)
    failures = session.exec(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == "r1_admin@example.com", LoginAttempt.succeeded.is_(False)
        )
    ).one()
    assert failures == throttle.EMAIL_FAILURE_LIMIT
    # Locked: even the right code, and even the right password, are refused now.
    with pytest.raises(throttle.Throttled):
        two_factor.complete_sign_in(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    with pytest.raises(throttle.Throttled):
        two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)


def test_auth_5_a_correct_password_alone_does_not_reset_the_failed_code_count(session, world):
    user_id = world.users["r1_admin"]
    enrol(session, user_id, NOW)
    later = NOW + 10 * STEP
    for _ in range(throttle.EMAIL_FAILURE_LIMIT - 1):
        two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)
        with pytest.raises(InvalidCode):
            two_factor.complete_sign_in(session=session, user_id=user_id, code="000000", now=later)
    two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)
    with pytest.raises(InvalidCode):
        two_factor.complete_sign_in(session=session, user_id=user_id, code="000000", now=later)
    with pytest.raises(throttle.Throttled):
        two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)


# ---------------------------------------------------------------- turning it off


def test_disable_needs_a_valid_code_then_clears_everything(session, world):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    later = NOW + 4 * STEP

    with pytest.raises(InvalidCode):
        two_factor.disable(session=session, user_id=user_id, code=wrong_code(secret, later), now=later)
    assert session.get(User, user_id).totp_enabled_at is not None

    two_factor.disable(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    user = session.get(User, user_id)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert session.exec(select(func.count()).select_from(RecoveryCode)).one() == 0
    result = two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)
    assert result.token is not None


# ---------------------------------------------------------------- the distributor's requirement


@pytest.mark.parametrize("user", ["dist_viewer", "r1_admin", "r1_viewer", "r2_admin", "tenant_admin"])
def test_only_a_distributor_admin_may_require_two_factor(session, world, user):
    enrol(session, world.users[user])
    with pytest.raises(PermissionDenied):
        two_factor.set_requirement(session=session, actor=world.actors[user], required=True)
    assert session.get(Account, world.accounts["dist"]).require_two_factor is False


def test_the_distributor_admin_must_enrol_before_requiring_it(session, world):
    with pytest.raises(DomainError):
        two_factor.set_requirement(session=session, actor=world.actors["dist_admin"], required=True)
    assert session.get(Account, world.accounts["dist"]).require_two_factor is False


def test_a_requirement_applies_to_everyone_below_and_forbids_turning_it_off(session, world):
    admin = world.actors["dist_admin"]
    enrol(session, admin.user_id)
    two_factor.set_requirement(session=session, actor=admin, required=True)

    assert session.get(Account, world.accounts["dist"]).require_two_factor is True
    assert two_factor.must_enrol(session=session, user_id=world.users["r1_viewer"])
    assert two_factor.must_enrol(session=session, user_id=world.users["tenant_admin"])
    assert not two_factor.must_enrol(session=session, user_id=admin.user_id)  # already enrolled
    result = two_factor.sign_in(session=session, email="r1_viewer@example.com", password=PASSWORD, now=NOW)
    assert result.token is not None and result.must_enrol

    secret, _ = enrol(session, world.users["r1_viewer"], NOW)
    assert not two_factor.must_enrol(session=session, user_id=world.users["r1_viewer"])
    later = NOW + 4 * STEP
    with pytest.raises(DomainError, match="requires"):
        two_factor.disable(session=session, user_id=world.users["r1_viewer"], code=code_at(secret, later), now=later)
    assert session.get(User, world.users["r1_viewer"]).totp_enabled_at is not None

    two_factor.set_requirement(session=session, actor=admin, required=False)
    assert not two_factor.must_enrol(session=session, user_id=world.users["tenant_admin"])
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action == "account.require_two_factor")).all()
    assert len(actions) == 2


# ---------------------------------------------------------------- secrets encrypted at rest


def stored_secret(session, user_id: int) -> str | None:
    """``totp_secret`` as the database holds it (not the session's copy of the row)."""
    table = User.__table__
    return session.execute(sa.select(table.c.totp_secret).where(table.c.id == user_id)).scalar_one()


def store_plain(session, user_id: int, secret: str, *, enabled: bool = True) -> None:
    """A row as the previous version wrote it: the base32 secret in clear."""
    user = session.get(User, user_id)
    user.totp_secret = secret
    user.totp_enabled_at = NOW if enabled else None
    user.totp_last_counter = None
    session.add(user)
    session.flush()


def raw_key_forms(secret: str) -> list[str]:
    """The secret as base32 and as base64 (either alphabet, unpadded): none may appear in the column."""
    raw = TOTP(key=secret, format="base32").key
    return [
        secret,
        secret.lower(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]


def test_the_pending_secret_is_stored_encrypted_and_fits_the_column(session, world):
    user_id = world.users["r1_admin"]
    enrolment = two_factor.begin_enrolment(session=session, user_id=user_id)

    stored = stored_secret(session, user_id)
    assert stored and not any(form in stored for form in raw_key_forms(enrolment.secret))
    assert stored.startswith("1$1$14$")  # passlib's enckey v1, tag "1", cost 14
    assert len(stored) <= User.__table__.c.totp_secret.type.length
    # A second enrolment draws a new secret and a new salt: nothing repeats.
    again = two_factor.begin_enrolment(session=session, user_id=user_id)
    assert again.secret != enrolment.secret and stored_secret(session, user_id).split("$")[3] != stored.split("$")[3]


def test_the_live_secret_stays_encrypted_and_codes_work_end_to_end(session, world):
    user_id = world.users["r1_admin"]
    later = datetime.now(UTC)
    secret, _ = enrol(session, user_id, later - 10 * STEP)
    stored = stored_secret(session, user_id)
    assert not any(form in stored for form in raw_key_forms(secret))

    first = two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)
    done = two_factor.complete_sign_in(
        session=session, user_id=first.pending_user_id, code=code_at(secret, later), now=later
    )
    assert auth.actor_for_token(session=session, token=done.token).user_id == user_id
    assert stored_secret(session, user_id) == stored  # current tag and cost: not rewritten on use


def test_the_stored_secret_decrypts_only_with_the_secret_key(session, world):
    user_id = world.users["r1_admin"]
    enrolment = two_factor.begin_enrolment(session=session, user_id=user_id)
    version, tag, cost, salt, ciphertext, _check = stored_secret(session, user_id).split("$")
    unb64 = lambda text: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))  # noqa: E731
    source = {
        "v": 1,
        "type": "totp",
        "enckey": {"v": int(version), "t": tag, "c": int(cost), "s": b32encode(unb64(salt)),
                   "k": b32encode(unb64(ciphertext))},
    }
    # passlib's own wallet, given the key, recovers the secret; given another key, something else.
    assert TOTP.using(secrets={"1": KEY}).from_source(source).base32_key == enrolment.secret
    assert TOTP.using(secrets={"1": OTHER_KEY}).from_source(source).base32_key != enrolment.secret


def test_another_secret_key_cannot_check_codes_so_the_user_signs_in_with_a_recovery_code(
    session, world, monkeypatch
):
    user_id = world.users["r1_admin"]
    later = datetime.now(UTC)
    secret, recovery = enrol(session, user_id, later - 10 * STEP)
    stored = stored_secret(session, user_id)
    monkeypatch.setenv("MSC_SECRET_KEY", OTHER_KEY)  # the key was lost and a new one made

    with pytest.raises(AuthenticatorUnavailable, match="recovery code"):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    two_factor.sign_in(session=session, email="r1_admin@example.com", password=PASSWORD, now=later)
    with pytest.raises(AuthenticatorUnavailable) as refused:
        two_factor.complete_sign_in(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    assert isinstance(refused.value, InvalidCode) and refused.value.field == "code"  # the form shows it
    failures = session.exec(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == "r1_admin@example.com", LoginAttempt.succeeded.is_(False)
        )
    ).one()
    assert failures == 1  # still a failed attempt for throttling
    assert stored_secret(session, user_id) == stored  # left as it was, not overwritten

    done = two_factor.complete_sign_in(session=session, user_id=user_id, code=recovery[0], now=later)
    assert auth.actor_for_token(session=session, token=done.token).user_id == user_id
    # With the right key back, the same secret works again: the data was never damaged.
    monkeypatch.setenv("MSC_SECRET_KEY", KEY)
    two_factor.verify_second_factor(
        session=session, user_id=user_id, code=code_at(secret, later + STEP), now=later + STEP
    )


def test_an_unknown_tag_or_a_damaged_secret_is_unavailable_not_a_crash(session, world, monkeypatch):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    later = NOW + 4 * STEP
    monkeypatch.setattr(two_factor, "_app_secrets", lambda: {"7": KEY})  # no key under the row's tag "1"
    with pytest.raises(AuthenticatorUnavailable):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    monkeypatch.undo()
    monkeypatch.setenv("MSC_SECRET_KEY", KEY)

    user = session.get(User, user_id)
    damaged_rows = (
        "1$1$14$!!$??$x",
        "1$1$14$short",
        "not a secret",
        "1$1$99999$AAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAA$AAAAAAAA",  # a cost that would never finish
        "1$1$14$AAAAAAAAAAAAAAAA$AAAA$AAAAAAAA",  # a key too short to be one
        "1$1$14$AAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAA$AAAAAAAA",  # decrypts, but fails the check
    )
    for damaged in damaged_rows:
        user.totp_secret = damaged
        session.add(user)
        session.flush()
        with pytest.raises(AuthenticatorUnavailable):
            two_factor.verify_second_factor(
                session=session, user_id=user_id, code=code_at(secret, later), now=later
            )


def test_a_key_changed_during_enrolment_asks_to_start_again(session, world, monkeypatch):
    user_id = world.users["r1_admin"]
    enrolment = two_factor.begin_enrolment(session=session, user_id=user_id)
    monkeypatch.setenv("MSC_SECRET_KEY", OTHER_KEY)
    with pytest.raises(DomainError, match="Start the set-up again"):
        two_factor.confirm_enrolment(
            session=session, user_id=user_id, code=code_at(enrolment.secret, NOW), now=NOW
        )
    assert session.get(User, user_id).totp_enabled_at is None


def test_a_legacy_plain_secret_still_verifies_and_is_encrypted_once_used(session, world):
    user_id = world.users["r1_admin"]
    secret = TOTP.new().base32_key
    store_plain(session, user_id, secret)
    later = NOW + 4 * STEP

    # A wrong code changes nothing.
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=wrong_code(secret, later), now=later)
    assert stored_secret(session, user_id) == secret

    two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    stored = stored_secret(session, user_id)
    assert stored.startswith("1$1$14$") and not any(form in stored for form in raw_key_forms(secret))
    # Still the same secret, and still no replay of the code just used.
    with pytest.raises(InvalidCode):
        two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    two_factor.verify_second_factor(
        session=session, user_id=user_id, code=code_at(secret, later + STEP), now=later + STEP
    )


def test_encrypt_plain_secrets_encrypts_legacy_rows_and_leaves_the_rest(session, world):
    live, pending = TOTP.new().base32_key, TOTP.new().base32_key
    store_plain(session, world.users["r1_admin"], live)
    store_plain(session, world.users["r2_admin"], pending, enabled=False)
    encrypted_secret, _ = enrol(session, world.users["dist_admin"], NOW)
    encrypted = stored_secret(session, world.users["dist_admin"])
    store_plain(session, world.users["r1_viewer"], "not a secret")  # unreadable: left for recovery codes

    assert two_factor.encrypt_plain_secrets(session) == 2
    for user, secret in ((world.users["r1_admin"], live), (world.users["r2_admin"], pending)):
        stored = stored_secret(session, user)
        assert stored.startswith("1$1$14$") and not any(form in stored for form in raw_key_forms(secret))
    assert stored_secret(session, world.users["dist_admin"]) == encrypted
    assert stored_secret(session, world.users["r1_viewer"]) == "not a secret"
    assert two_factor.encrypt_plain_secrets(session) == 0  # nothing left to do

    later = NOW + 4 * STEP
    two_factor.verify_second_factor(
        session=session, user_id=world.users["r1_admin"], code=code_at(live, later), now=later
    )
    two_factor.confirm_enrolment(
        session=session, user_id=world.users["r2_admin"], code=code_at(pending, later), now=later
    )
    two_factor.verify_second_factor(
        session=session, user_id=world.users["dist_admin"], code=code_at(encrypted_secret, later), now=later
    )


def test_a_key_rotation_re_encrypts_under_the_new_tag_on_use(session, world, monkeypatch):
    user_id = world.users["r1_admin"]
    secret, _ = enrol(session, user_id, NOW)
    assert stored_secret(session, user_id).split("$")[1] == "1"

    monkeypatch.setattr(two_factor, "_app_secrets", lambda: {"1": KEY, "2": OTHER_KEY})
    later = NOW + 4 * STEP
    two_factor.verify_second_factor(session=session, user_id=user_id, code=code_at(secret, later), now=later)
    assert stored_secret(session, user_id).split("$")[1] == "2"

    monkeypatch.setattr(two_factor, "_app_secrets", lambda: {"2": OTHER_KEY})  # the old key retired
    two_factor.verify_second_factor(
        session=session, user_id=user_id, code=code_at(secret, later + STEP), now=later + STEP
    )
