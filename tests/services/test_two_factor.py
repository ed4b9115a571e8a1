"""Two-factor sign-in with TOTP (issue 6; AUTH-1, AUTH-5): enrolment, replay, recovery codes, requirement.

Codes are computed with passlib.totp from the secret the enrolment shows, at fixed times, so that
no test depends on the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from passlib.totp import TOTP
from sqlmodel import func, select

from msc_app.models import Account, AuditEvent, LoginAttempt, User
from msc_app.models.users import RecoveryCode
from msc_app.services import auth, throttle, two_factor
from msc_app.services.errors import AuthenticationFailed, DomainError, PermissionDenied
from msc_app.services.two_factor import InvalidCode
from tests.conftest import PASSWORD

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)


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
