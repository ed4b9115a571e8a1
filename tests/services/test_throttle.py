"""AUTH-5: failed sign-ins are throttled per email and per client address, without telling whether the
email exists, and unknown emails cost the same argon2 verification as known ones.

Every test starts on an empty ``login_attempt`` table and injects ``now``; the times are near the real
clock so that the session tokens a successful sign-in returns are live.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from msc_app.models import AccountKind, LoginAttempt, Role, User, UserSession, UserStatus
from msc_app.services import auth, throttle
from msc_app.services.errors import AuthenticationFailed
from msc_app.services.throttle import Throttled
from tests.conftest import PASSWORD, add_account, password_hash

T0 = datetime.now(UTC).replace(microsecond=0)
EMAIL = "pat@throttle.example"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.4"
WRONG = "not the password"
GENERIC = "Incorrect email or password."


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def _add_user(session, *, email: str = EMAIL, status: UserStatus = UserStatus.ACTIVE, with_password=True) -> User:
    home = add_account(session, kind=AccountKind.DISTRIBUTOR, name=f"Home of {email}", parent_id=None)
    user = User(
        email=email,
        name=email.split("@")[0],
        role=Role.ADMIN,
        account_id=home.id,
        status=status,
        password_hash=password_hash() if with_password else None,
    )
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def user(session) -> User:
    return _add_user(session)


def _fail(session, email: str = EMAIL, *, at: datetime, client: str = CLIENT) -> str:
    """A wrong password: refused with the generic message (not the throttled one)."""
    with pytest.raises(AuthenticationFailed) as excinfo:
        auth.sign_in(session=session, email=email, password=WRONG, client=client, now=at)
    return excinfo.value.message


def _throttled(session, email: str = EMAIL, *, at: datetime, client: str = CLIENT, password=PASSWORD) -> Throttled:
    with pytest.raises(Throttled) as excinfo:
        auth.sign_in(session=session, email=email, password=password, client=client, now=at)
    return excinfo.value


def _sign_in(session, email: str = EMAIL, *, at: datetime, client: str = CLIENT) -> str:
    token = auth.sign_in(session=session, email=email, password=PASSWORD, client=client, now=at)
    assert auth.actor_for_token(session=session, token=token) is not None
    return token


def _attempts(session) -> list[tuple[str, str, datetime, bool]]:
    rows = session.exec(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    return [(r.email, r.client, r.at, r.succeeded) for r in rows]


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def verify_calls(monkeypatch) -> list[str]:
    """The hashes each argon2 verification was asked to check, in order."""
    calls: list[str] = []
    real = auth.pwd_context.verify

    def spy(secret, hash, *args, **kwargs):
        calls.append(hash)
        return real(secret, hash, *args, **kwargs)

    monkeypatch.setattr(auth.pwd_context, "verify", spy)
    return calls


# ---------------------------------------------------------------- recording


def test_auth_5_every_checked_attempt_is_recorded_with_email_as_typed_client_and_time(session, user):
    """AUTH-5: one row per attempt: the typed email trimmed and lower-cased (unknown ones too), the client, the time."""
    _fail(session, "  Pat@Throttle.EXAMPLE ", at=minutes(0))
    _fail(session, "Nobody@Throttle.Example", at=minutes(1), client=OTHER_CLIENT)
    _sign_in(session, "PAT@throttle.example", at=minutes(2))
    assert _attempts(session) == [
        (EMAIL, CLIENT, minutes(0), False),
        ("nobody@throttle.example", OTHER_CLIENT, minutes(1), False),
        (EMAIL, CLIENT, minutes(2), True),
    ]


def test_auth_5_a_failure_is_committed_so_the_callers_rollback_keeps_it(session, user):
    """AUTH-5: the UI's session scope rolls back on the error; the failure must already be stored, or
    no failure would ever count."""
    _fail(session, at=minutes(0))
    session.rollback()
    assert _count(session, LoginAttempt) == 1


def test_auth_5_overlong_email_and_client_are_cut_to_the_column_size(session):
    """AUTH-5: a 300-character email is an ordinary failure (PostgreSQL would refuse the row otherwise)."""
    assert _fail(session, "a" * 290 + "@x.example", at=minutes(0), client="1" * 100) == GENERIC
    ((email, client, _, _),) = _attempts(session)
    assert (len(email), len(client)) == (254, 64)


# ---------------------------------------------------------------- per email


def test_auth_5_four_failures_do_not_lock(session, user):
    """AUTH-5: the limit is five: after four failures the correct password still signs in."""
    for i in range(4):
        _fail(session, at=minutes(i))
    _sign_in(session, at=minutes(4))


def test_auth_5_fifth_failure_locks_the_email_even_for_the_correct_password(session, user):
    """AUTH-5: five failures within 15 minutes lock the email; the right password is then refused too,
    with the throttled message, and no session is created."""
    messages = [_fail(session, at=minutes(i)) for i in range(5)]
    assert messages == [GENERIC] * 5  # the fifth failure itself still answers generically

    refused = _throttled(session, at=minutes(5))
    assert refused.retry_after_minutes == 10  # until 15 minutes after the fifth-latest failure (T0)
    assert refused.message == "Too many failed sign-ins. Try again in 10 minutes."
    assert _count(session, UserSession) == 0
    # from another address too: the lock is the email's
    assert _throttled(session, at=minutes(5), client=OTHER_CLIENT).message == refused.message


def test_auth_5_lock_expires_15_minutes_after_the_fifth_latest_failure(session, user):
    """AUTH-5: the wait is rounded up to whole minutes, and at 15 minutes after the 5th-latest failure it is over."""
    for i in range(5):
        _fail(session, at=minutes(i))
    assert _throttled(session, at=minutes(4.5)).retry_after_minutes == 11  # 10.5 minutes left
    last_second = _throttled(session, at=minutes(15) - timedelta(seconds=1))
    assert last_second.retry_after_minutes == 1
    assert last_second.message == "Too many failed sign-ins. Try again in 1 minute."
    _sign_in(session, at=minutes(15))


def test_auth_5_lock_follows_the_fifth_latest_failure_not_the_first(session, user):
    """AUTH-5: with six failures in the window, the lock ends 15 minutes after the second one (the 5th-latest)."""
    for i in range(6):
        throttle.record_attempt(session=session, email=EMAIL, client=CLIENT, succeeded=False, now=minutes(i))
    assert _throttled(session, at=minutes(15.5)).retry_after_minutes == 1
    _sign_in(session, at=minutes(16))


def test_auth_5_failures_older_than_the_window_do_not_count(session, user):
    """AUTH-5: five failures spread over more than 15 minutes never lock."""
    for i in range(5):
        _fail(session, at=minutes(i * 4))  # 0, 4, 8, 12, 16: at 16 the first is out of the window
    _sign_in(session, at=minutes(16) + timedelta(seconds=1))


def test_auth_5_throttled_attempts_are_neither_verified_nor_recorded(session, user, verify_calls):
    """AUTH-5: while locked nothing is verified (so it costs the same for any email) and nothing is recorded,
    so hammering a locked email neither grows the table nor keeps its owner locked out."""
    for i in range(5):
        _fail(session, at=minutes(i))
    verify_calls.clear()
    before = _count(session, LoginAttempt)
    for second in range(0, 600, 60):
        _throttled(session, at=minutes(5) + timedelta(seconds=second), password=WRONG)
    assert verify_calls == []
    assert _count(session, LoginAttempt) == before
    _sign_in(session, at=minutes(15))


def test_auth_5_unknown_email_is_throttled_exactly_like_a_known_one(session, user):
    """AUTH-5: the same failures, the same exception and the same text for an existing and an unknown email."""
    unknown = "nobody@throttle.example"
    known_messages = [_fail(session, EMAIL, at=minutes(i)) for i in range(5)]
    unknown_messages = [_fail(session, unknown, at=minutes(i), client=OTHER_CLIENT) for i in range(5)]
    assert known_messages == unknown_messages == [GENERIC] * 5

    known = _throttled(session, EMAIL, at=minutes(6))
    stranger = _throttled(session, unknown, at=minutes(6), client=OTHER_CLIENT)
    assert type(known) is type(stranger) is Throttled
    assert (known.message, known.retry_after_minutes, known.field) == (
        stranger.message,
        stranger.retry_after_minutes,
        stranger.field,
    )
    assert known.message == "Too many failed sign-ins. Try again in 9 minutes."


# ---------------------------------------------------------------- per client address


def test_auth_5_client_address_blocked_after_twenty_failures_for_any_emails(session, user):
    """AUTH-5: 20 failures from one address, each for a different email, block that address for every
    email, including a correct password; other addresses are not affected; the block expires."""
    for i in range(19):
        _fail(session, f"guess{i}@throttle.example", at=minutes(i * 0.5))
    _sign_in(session, at=minutes(10))  # 19 failures: not yet
    _fail(session, "guess19@throttle.example", at=minutes(10.5))

    refused = _throttled(session, at=minutes(11))
    assert refused.message == "Too many failed sign-ins. Try again in 4 minutes."  # T0 + 15 min
    assert _throttled(session, "someone@else.example", at=minutes(11)).message == refused.message
    _sign_in(session, at=minutes(11), client=OTHER_CLIENT)
    _sign_in(session, at=minutes(15))  # 15 minutes after the 20th-latest failure (T0)


def test_auth_5_without_a_client_address_only_the_email_is_throttled(session, user):
    """AUTH-5: callers with no address (scripts) do not share one address bucket that anyone could fill."""
    for i in range(25):
        throttle.record_attempt(session=session, email=f"g{i}@throttle.example", succeeded=False, now=minutes(0))
    _sign_in(session, at=minutes(1), client="")


# ---------------------------------------------------------------- success


def test_auth_5_success_resets_that_emails_count(session, user):
    """AUTH-5 (decision): a success for an email resets its count; only failures after it count."""
    for i in range(4):
        _fail(session, at=minutes(i))
    _sign_in(session, at=minutes(4))
    for i in range(4):
        _fail(session, at=minutes(5 + i))
    _sign_in(session, at=minutes(9))  # eight failures in 15 minutes, but only four since the success
    for i in range(5):
        _fail(session, at=minutes(10 + i))
    assert _throttled(session, at=minutes(15)).retry_after_minutes == 10  # and five after it still lock


def test_auth_5_success_does_not_erase_other_emails_failures(session, user):
    """AUTH-5: signing in as one user does not unlock another email, nor reset the address's count."""
    locked = "victim@throttle.example"
    for i in range(5):
        _fail(session, locked, at=minutes(i))
    _sign_in(session, at=minutes(5))
    assert _throttled(session, locked, at=minutes(6)).retry_after_minutes == 9


# ---------------------------------------------------------------- the same time for unknown emails


def test_auth_5_known_user_is_verified_once_against_its_own_hash(session, user, verify_calls):
    """AUTH-5: one argon2 verification per attempt, against the user's hash, right or wrong."""
    _fail(session, at=minutes(0))
    _sign_in(session, at=minutes(1))
    assert verify_calls == [user.password_hash, user.password_hash]


@pytest.mark.parametrize(
    ("status", "with_password"),
    [
        pytest.param(None, False, id="unknown-email"),
        pytest.param(UserStatus.PENDING, False, id="pending-without-password"),
        pytest.param(UserStatus.PENDING, True, id="pending-with-password"),
        pytest.param(UserStatus.DEACTIVATED, True, id="deactivated"),
    ],
)
def test_auth_5_unknown_or_inactive_email_is_verified_once_against_the_dummy_hash(
    session, verify_calls, status, with_password
):
    """AUTH-5: an email that cannot sign in still costs exactly one argon2 verification, against the fixed
    dummy hash, even with that user's correct password."""
    if status is not None:
        _add_user(session, status=status, with_password=with_password)
    assert auth._DUMMY_HASH.startswith("$argon2")
    with pytest.raises(AuthenticationFailed) as excinfo:
        auth.sign_in(session=session, email=EMAIL, password=PASSWORD, client=CLIENT, now=minutes(0))
    assert excinfo.value.message == GENERIC
    assert verify_calls == [auth._DUMMY_HASH]


# ---------------------------------------------------------------- pruning


def test_auth_5_attempts_older_than_a_day_are_pruned_on_the_way(session, user):
    """AUTH-5: the table cannot grow without bound: an attempt deletes the rows older than a day."""
    for age in (timedelta(days=3), timedelta(days=2), timedelta(hours=23)):
        session.add(LoginAttempt(email=EMAIL, client=CLIENT, at=T0 - age, succeeded=False))
    session.flush()
    _fail(session, at=T0)
    assert [at for _, _, at, _ in _attempts(session)] == [T0 - timedelta(hours=23), T0]


def test_auth_5_pruning_runs_in_batches_once_the_oldest_row_is_past_the_slack(session):
    """AUTH-5: most attempts only look at the oldest row; the delete runs once it is PRUNE_SLACK past a day."""
    old = T0 - throttle.KEEP_FOR - throttle.PRUNE_SLACK / 2
    throttle.record_attempt(session=session, email=EMAIL, succeeded=False, now=old)
    throttle.record_attempt(session=session, email=EMAIL, succeeded=False, now=T0 - throttle.KEEP_FOR / 2)
    assert throttle.prune(session=session, now=T0) == 0
    assert _count(session, LoginAttempt) == 2
    assert throttle.prune(session=session, now=T0 + throttle.PRUNE_SLACK) == 1
    assert [at for _, _, at, _ in _attempts(session)] == [T0 - throttle.KEEP_FOR / 2]
