"""AUTH-1 sign-in and sessions; AUTH-2 / SANDBOX-1 first run. Every test starts on an empty database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from msc_app.models import (
    DEFAULT_PLAN_NAME,
    Account,
    AccountKind,
    Product,
    Role,
    ServicePlan,
    User,
    UserSession,
    UserStatus,
)
from msc_app.services import auth
from msc_app.services.errors import AuthenticationFailed, DomainError, ValidationError
from tests.conftest import PASSWORD, password_hash

EMAIL = "dana@northwind.example"
TODAY = date(2025, 6, 1)


def _first_admin(session, **overrides) -> User:
    values = dict(
        distributor_name="Northwind Distribution",
        admin_name="Dana Distributor",
        email=EMAIL,
        password=PASSWORD,
        today=TODAY,
    )
    values.update(overrides)
    return auth.create_first_admin(session=session, **values)


def _add_user(session, *, email: str, status: UserStatus, home_id: int, with_password: bool = True) -> User:
    user = User(
        email=email,
        name=email.split("@")[0],
        role=Role.ADMIN,
        account_id=home_id,
        status=status,
        password_hash=password_hash() if with_password else None,
    )
    session.add(user)
    session.flush()
    return user


def _failure_message(session, email: str, password: str) -> str:
    with pytest.raises(AuthenticationFailed) as excinfo:
        auth.sign_in(session=session, email=email, password=password)
    return str(excinfo.value)


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------- AUTH-1


def test_auth_1_password_is_stored_only_as_salted_argon2_hash(session):
    """AUTH-1: the stored value is an argon2 hash; the password appears in no column of any user row."""
    admin = _first_admin(session)
    session.commit()
    session.expire_all()
    stored = session.get(User, admin.id).password_hash
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored
    assert auth.verify_password(PASSWORD, stored)
    assert not auth.verify_password(PASSWORD + "x", stored)
    # salted: the same password never hashes to the same value twice
    assert auth.hash_password(PASSWORD) != auth.hash_password(PASSWORD)
    for row in session.connection().execute(sa.text("SELECT * FROM user_account")):
        assert all(PASSWORD not in str(value) for value in row)


def test_auth_1_sign_in_returns_token_that_resolves_to_the_actor(session):
    """AUTH-1: a correct sign-in gives a token; the token (stored only as a hash) resolves to the user."""
    admin = _first_admin(session)
    token = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    session.commit()
    session.expire_all()

    actor = auth.actor_for_token(session=session, token=token)
    assert actor is not None
    assert actor.user_id == admin.id
    assert actor.role == Role.ADMIN
    assert actor.home_account_id == admin.account_id
    assert actor.home_kind == AccountKind.DISTRIBUTOR
    assert actor.perspective_account_id is None
    assert actor.email == EMAIL

    stored = session.exec(select(UserSession)).one()
    assert stored.token_hash != token
    assert token not in stored.token_hash
    assert stored.expires_at.tzinfo is not None


def test_auth_1_email_is_matched_case_insensitively(session):
    """AUTH-1: the email is stored lower-case and sign-in ignores case and surrounding spaces."""
    _first_admin(session, email="Dana@Northwind.Example")
    assert session.exec(select(User.email)).one() == EMAIL
    token = auth.sign_in(session=session, email="  DANA@northwind.EXAMPLE ", password=PASSWORD)
    assert auth.actor_for_token(session=session, token=token) is not None


def test_auth_1_wrong_password_and_unknown_email_give_the_identical_message(session):
    """AUTH-1 / AUTH-5: the failure never says whether the email exists."""
    _first_admin(session)
    wrong_password = _failure_message(session, EMAIL, "not the password")
    unknown_email = _failure_message(session, "nobody@northwind.example", PASSWORD)
    empty = _failure_message(session, "", "")
    assert wrong_password == unknown_email == empty == "Incorrect email or password."
    assert _count(session, UserSession) == 0


@pytest.mark.parametrize(
    ("status", "with_password"),
    [
        pytest.param(UserStatus.PENDING, False, id="pending-without-password"),
        pytest.param(UserStatus.PENDING, True, id="pending-with-password"),
        pytest.param(UserStatus.DEACTIVATED, True, id="deactivated"),
    ],
)
def test_auth_1_only_active_users_can_sign_in(session, status, with_password):
    """AUTH-1 / AUTH-3: a pending (or deactivated) user is refused with the same message as a wrong password."""
    admin = _first_admin(session)
    _add_user(session, email="pat@northwind.example", status=status, home_id=admin.account_id, with_password=with_password)
    refused = _failure_message(session, "pat@northwind.example", PASSWORD)
    assert refused == _failure_message(session, EMAIL, "not the password")
    assert _count(session, UserSession) == 0


def test_auth_1_end_session_revokes_the_token(session):
    """AUTH-1: after sign-out the token no longer resolves, and signing out twice is harmless."""
    _first_admin(session)
    token = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    other = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    assert auth.actor_for_token(session=session, token=token) is not None

    auth.end_session(session=session, token=token)
    session.commit()
    session.expire_all()
    assert auth.actor_for_token(session=session, token=token) is None
    auth.end_session(session=session, token=token)
    # only that session ended
    assert auth.actor_for_token(session=session, token=other) is not None
    revoked = session.exec(select(UserSession).where(UserSession.revoked_at.is_not(None))).all()
    assert len(revoked) == 1


def test_sign_out_everywhere_revokes_every_session_of_that_user_only(session):
    """Sessions: "sign out everywhere" ends all of the user's live sessions, in every browser, and no
    one else's; a dead or unknown token ends nothing."""
    admin = _first_admin(session)
    first = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    second = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    colleague = _add_user(session, email="colleague@example.com", status=UserStatus.ACTIVE, home_id=admin.account_id)
    theirs = auth.sign_in(session=session, email=colleague.email, password=PASSWORD)
    session.commit()

    assert auth.end_all_sessions(session=session, token=second) == 2
    session.commit()
    session.expire_all()
    assert auth.actor_for_token(session=session, token=first) is None
    assert auth.actor_for_token(session=session, token=second) is None
    assert auth.actor_for_token(session=session, token=theirs) is not None
    assert auth.end_all_sessions(session=session, token=first) == 0
    assert auth.end_all_sessions(session=session, token="no-such-token") == 0


def test_auth_1_expired_session_is_rejected(session):
    """AUTH-1: a session older than its lifetime does not resolve; a younger one does."""
    admin = _first_admin(session)
    now = datetime.now(UTC)
    expired = auth.start_session(session=session, user=admin, now=now - auth.SESSION_LIFETIME - timedelta(minutes=1))
    fresh = auth.start_session(session=session, user=admin, now=now - auth.SESSION_LIFETIME + timedelta(minutes=5))
    session.commit()
    session.expire_all()  # read expires_at back from the database
    assert auth.actor_for_token(session=session, token=expired) is None
    assert auth.actor_for_token(session=session, token=fresh) is not None


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_auth_1_unknown_token_resolves_to_nobody(session, token):
    """AUTH-1: only a token the server issued grants a session."""
    _first_admin(session)
    auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    assert auth.actor_for_token(session=session, token=token) is None


def test_auth_1_session_of_a_user_deactivated_later_stops_working(session):
    """AUTH-1: a live token of a user that is no longer active resolves to nobody."""
    admin = _first_admin(session)
    token = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    admin.status = UserStatus.DEACTIVATED
    session.add(admin)
    session.flush()
    assert auth.actor_for_token(session=session, token=token) is None


# ---------------------------------------------------------------- AUTH-2 / SANDBOX-1


def test_auth_2_needs_first_run_only_while_no_user_exists(session):
    """AUTH-2: an empty database asks for the first admin; afterwards it does not."""
    assert auth.needs_first_run(session=session) is True
    _first_admin(session)
    assert auth.needs_first_run(session=session) is False


def test_auth_2_sandbox_1_first_admin_creates_distributor_plan_and_sandbox(session):
    """AUTH-2 / SANDBOX-1: the distributor, its active admin, the Default Service Plan and the Sandbox on it."""
    admin = _first_admin(session)
    session.commit()
    session.expire_all()

    distributor = session.get(Account, admin.account_id)
    assert distributor.kind == AccountKind.DISTRIBUTOR
    assert distributor.parent_id is None
    assert distributor.name == "Northwind Distribution"
    assert distributor.name_sort == "northwind distribution"

    user = session.get(User, admin.id)
    assert (user.role, user.status, user.name) == (Role.ADMIN, UserStatus.ACTIVE, "Dana Distributor")

    plan = session.exec(select(ServicePlan)).one()
    assert plan.is_default
    assert plan.name == DEFAULT_PLAN_NAME

    accounts = session.exec(select(Account)).all()
    assert len(accounts) == 2
    sandbox = next(a for a in accounts if a.id != distributor.id)
    assert sandbox.is_sandbox
    assert sandbox.kind == AccountKind.CUSTOMER
    assert sandbox.parent_id == distributor.id
    assert sandbox.name == "Sandbox"

    products = session.exec(select(Product).where(Product.account_id == sandbox.id)).all()
    assert products
    assert {p.service_plan_id for p in products} == {plan.id}
    assert sandbox.service_plan_summary == DEFAULT_PLAN_NAME
    assert sandbox.products_summary

    # and the admin can sign in straight away
    token = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    assert auth.actor_for_token(session=session, token=token).user_id == admin.id


def test_auth_2_second_first_run_is_refused_and_changes_nothing(session):
    """AUTH-2: once set up, create_first_admin refuses and adds nothing."""
    _first_admin(session)
    before = {m.__name__: _count(session, m) for m in (Account, User, ServicePlan, Product)}
    with pytest.raises(DomainError, match="already set up"):
        _first_admin(session, email="intruder@evil.example", distributor_name="Evil Corp")
    after = {m.__name__: _count(session, m) for m in (Account, User, ServicePlan, Product)}
    assert after == before
    assert session.exec(select(User).where(User.email == "intruder@evil.example")).first() is None


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"distributor_name": "  "}, {"distributor_name"}, id="blank-company"),
        pytest.param({"admin_name": ""}, {"admin_name"}, id="blank-name"),
        pytest.param({"email": ""}, {"email"}, id="blank-email"),
        pytest.param({"email": "not-an-email"}, {"email"}, id="bad-email"),
        pytest.param({"password": "short"}, {"password"}, id="short-password"),
        pytest.param(
            {"distributor_name": "", "admin_name": "", "email": "x@", "password": ""},
            {"distributor_name", "admin_name", "email", "password"},
            id="everything-wrong",
        ),
    ],
)
def test_auth_2_invalid_first_run_reports_each_field_and_saves_nothing(session, overrides, fields):
    """AUTH-2 / CREATE-2: each bad field gets its own message; nothing is saved."""
    with pytest.raises(ValidationError) as excinfo:
        _first_admin(session, **overrides)
    assert set(excinfo.value.errors) == fields
    assert all(excinfo.value.errors.values())
    session.flush()
    for model in (Account, User, ServicePlan, Product):
        assert _count(session, model) == 0, model.__name__
    assert auth.needs_first_run(session=session) is True


def test_session_handoff_ticket_is_single_use_and_rotates_the_token(session):
    """Sessions: a sign-in's token is swapped for a one-time ticket (the browser redeems it for the
    HttpOnly cookie); neither the old token nor the ticket opens the session, the redeemed token does,
    and a second redemption of the same ticket gets nothing."""
    _first_admin(session)
    token = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    ticket = auth.begin_handoff(session=session, token=token)
    session.commit()
    assert ticket != token
    assert auth.actor_for_token(session=session, token=token) is None
    assert auth.actor_for_token(session=session, token=ticket) is None  # a ticket is not a session token

    cookie_token = auth.redeem_handoff(session=session, ticket=ticket)
    session.commit()
    session.expire_all()
    assert cookie_token and cookie_token not in (token, ticket)
    assert auth.actor_for_token(session=session, token=cookie_token).email == EMAIL
    assert auth.redeem_handoff(session=session, ticket=ticket) is None
    assert auth.redeem_handoff(session=session, ticket="forged-ticket") is None
    assert auth.redeem_handoff(session=session, ticket="") is None
    # Only the hashes are stored.
    stored = session.exec(select(UserSession.token_hash)).all()
    assert all(value not in (token, ticket, cookie_token) for value in stored)


def test_session_handoff_ticket_expires_and_dies_with_its_session(session):
    """A ticket not redeemed within HANDOFF_SECONDS is dead; so is one whose session was revoked."""
    _first_admin(session)
    now = datetime.now(UTC)
    late = auth.begin_handoff(session=session, token=auth.sign_in(session=session, email=EMAIL, password=PASSWORD), now=now)
    session.commit()
    assert auth.redeem_handoff(session=session, ticket=late, now=now + timedelta(seconds=auth.HANDOFF_SECONDS + 1)) is None

    token = auth.sign_in(session=session, email=EMAIL, password=PASSWORD)
    ticket = auth.begin_handoff(session=session, token=token)
    session.execute(sa.update(UserSession).where(UserSession.revoked_at.is_(None)).values(revoked_at=now))
    session.commit()
    assert auth.redeem_handoff(session=session, ticket=ticket) is None
    with pytest.raises(AuthenticationFailed):
        auth.begin_handoff(session=session, token="not-a-session")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("msc_session=abc123", "abc123"),
        ("theme=dark; msc_session=tok-en_1; other=x", "tok-en_1"),
        ("theme=dark", ""),
        ("", ""),
        ('msc_session="unterminated', ""),
    ],
)
def test_session_token_is_read_from_the_cookie_header(header, expected):
    assert auth.token_from_cookie_header(header) == expected
