"""Personal API tokens (issue 8): made, listed and revoked by their user; resolved to an actor by the API.

The world (tests/conftest.py): the distributor with its admin and viewer; reseller r1 with its admin,
viewer and a tenant admin (assigned to r1_cust1); reseller r2 with its admin. Writes roll back.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import Account, ApiToken, AuditEvent, User, UserStatus
from msc_app.services import api_tokens
from msc_app.services.api_tokens import TOKEN_PREFIX, ApiTokenRead
from msc_app.services.errors import NotFound, ValidationError
from tests.services.support import table_counts

T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def _create(session, world, user="r1_admin", *, name="CI script", expires_days=90, perspective=None, now=T0):
    return api_tokens.create_token(
        session=session,
        actor=world.actor(user, perspective=perspective),
        name=name,
        expires_days=expires_days,
        now=now,
    )


def _stored(session, token_id: int) -> dict:
    table = ApiToken.__table__
    return dict(session.execute(sa.select(table).where(table.c.id == token_id)).mappings().one())


def _snapshot(session) -> tuple:
    table = ApiToken.__table__
    return table_counts(session), [dict(r) for r in session.execute(sa.select(table)).mappings()]


# ---------------------------------------------------------------- create


def test_created_token_is_shown_once_and_only_its_hash_and_prefix_are_stored(session, world):
    token, read = _create(session, world)
    assert token.startswith(TOKEN_PREFIX) and token.startswith("msc_")
    assert len(token) == len(TOKEN_PREFIX) + 43  # secrets.token_urlsafe(32)
    stored = _stored(session, read.id)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored["token_prefix"] == token[:12] == read.prefix
    assert token not in {str(v) for v in stored.values()}
    assert stored["user_id"] == world.users["r1_admin"]
    assert isinstance(read, ApiTokenRead)
    assert (read.name, read.perspective_name, read.created_at) == ("CI script", "", T0)
    assert read.expires_at == T0 + timedelta(days=90)
    assert read.last_used_at is None and read.revoked_at is None


def test_two_tokens_are_different(session, world):
    first, _ = _create(session, world, name="one")
    second, _ = _create(session, world, name="two")
    assert first != second


@pytest.mark.parametrize(("days", "expected"), [(30, timedelta(days=30)), (90, timedelta(days=90)),
                                                (365, timedelta(days=365)), (None, None)])
def test_expiry_choices(session, world, days, expected):
    _, read = _create(session, world, expires_days=days)
    assert read.expires_at == (T0 + expected if expected else None)


def test_expiry_defaults_to_90_days(session, world):
    _, read = api_tokens.create_token(session=session, actor=world.actor("r1_admin"), name="default", now=T0)
    assert read.expires_at == T0 + timedelta(days=90)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Token name is required."),
        ("   ", "Token name is required."),
        (None, "Token name is required."),
        ("x" * 101, "Use at most 100 characters."),
        ("CI\x00bot", "Use letters, digits, spaces and punctuation only."),
        ("line\nbreak", "Use letters, digits, spaces and punctuation only."),
    ],
)
def test_name_is_required_and_at_most_100_characters_and_nothing_is_saved(session, world, name, message):
    before = _snapshot(session)
    with pytest.raises(ValidationError) as caught:
        _create(session, world, name=name)
    assert caught.value.errors == {"name": message}
    assert _snapshot(session) == before


def test_name_of_100_characters_is_kept_trimmed(session, world):
    _, read = _create(session, world, name="  " + "x" * 100 + "  ")
    assert read.name == "x" * 100


@pytest.mark.parametrize("days", [0, 7, -1, 91, 366, True, "90", 90.0, 90.5])
def test_other_expiries_are_refused_and_nothing_is_saved(session, world, days):
    before = _snapshot(session)
    with pytest.raises(ValidationError) as caught:
        _create(session, world, expires_days=days)
    assert caught.value.errors == {"expires_days": "Choose 30, 90 or 365 days, or no expiry."}
    assert _snapshot(session) == before


def test_every_field_error_is_reported_at_once(session, world):
    with pytest.raises(ValidationError) as caught:
        _create(session, world, name="", expires_days=7)
    assert set(caught.value.errors) == {"name", "expires_days"}


def test_name_is_unique_among_the_users_active_tokens_case_insensitively(session, world):
    _create(session, world, name="Deploy bot")
    before = _snapshot(session)
    with pytest.raises(ValidationError) as caught:
        _create(session, world, name="  deploy BOT ")
    assert caught.value.errors == {"name": "You already have an active token with this name."}
    assert _snapshot(session) == before
    # Another user may use the same name.
    _create(session, world, "r1_viewer", name="Deploy bot")


def test_name_of_a_revoked_or_expired_token_may_be_used_again(session, world):
    _, revoked = _create(session, world, name="old")
    api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=revoked.id)
    _create(session, world, name="old")
    _create(session, world, name="short", expires_days=30, now=T0 - timedelta(days=31))
    _, again = _create(session, world, name="short")
    assert again.name == "short"


def test_create_is_audited_without_the_token(session, world):
    token, read = _create(session, world, perspective="r1_cust1")
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "api_token", AuditEvent.entity_id == read.id)
    ).one()
    assert event.action == "api_token.create"
    assert event.actor_user_id == world.users["r1_admin"]
    assert event.perspective_account_id == world.accounts["r1_cust1"]
    assert event.after["name"] == "CI script" and event.after["prefix"] == read.prefix
    assert token not in repr(event.after)
    assert hashlib.sha256(token.encode()).hexdigest() not in repr(event.after)


@pytest.mark.parametrize("user", ["dist_admin", "dist_viewer", "r1_admin", "r1_viewer", "r2_admin", "tenant_admin"])
def test_every_role_may_make_a_token_that_acts_as_itself(session, world, user):
    token, _ = _create(session, world, user)
    actor = api_tokens.actor_for_api_token(session=session, token=token, now=T0)
    expected = world.actor(user)
    assert (actor.user_id, actor.role, actor.home_account_id, actor.home_kind) == (
        expected.user_id, expected.role, expected.home_account_id, expected.home_kind,
    )
    assert actor.perspective_account_id is None


def test_token_made_in_a_perspective_keeps_it(session, world):
    token, read = _create(session, world, "r1_admin", perspective="r1_cust1")
    assert read.perspective_name == "Harbor Dental"
    assert _stored(session, read.id)["perspective_account_id"] == world.accounts["r1_cust1"]
    actor = api_tokens.actor_for_api_token(session=session, token=token, now=T0)
    assert actor.perspective_account_id == world.accounts["r1_cust1"]
    assert actor.kind == world.kinds["r1_cust1"]
    assert actor.home_account_id == world.accounts["r1"]


# ---------------------------------------------------------------- list


def test_list_shows_the_users_own_tokens_newest_first_revoked_included(session, world):
    _, first = _create(session, world, name="first", now=T0)
    _, second = _create(session, world, name="second", now=T0 + timedelta(hours=1), perspective="r1_cust2")
    _, third = _create(session, world, name="third", now=T0 + timedelta(hours=2), expires_days=None)
    _create(session, world, "r1_viewer", name="someone else's")
    api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=first.id)
    listed = api_tokens.list_tokens(session=session, actor=world.actor("r1_admin"))
    assert [t.name for t in listed] == ["third", "second", "first"]
    assert [t.perspective_name for t in listed] == ["", "Harbor Logistics", ""]
    assert listed[2].revoked_at is not None and not listed[2].active
    assert listed[0].active


def test_list_is_by_user_whatever_the_perspective(session, world):
    _create(session, world, name="own")
    _create(session, world, name="in a tenant", perspective="r1_cust1")
    for perspective in (None, "r1_cust1", "r1_cust2"):
        listed = api_tokens.list_tokens(session=session, actor=world.actor("r1_admin", perspective=perspective))
        assert {t.name for t in listed} == {"own", "in a tenant"}


def test_list_is_empty_for_a_user_without_tokens(session, world):
    _create(session, world, name="r1's")
    assert api_tokens.list_tokens(session=session, actor=world.actor("r2_admin")) == []


def test_active_means_not_revoked_and_not_expired():
    now = datetime.now(UTC)
    base = dict(id=1, name="n", prefix="msc_abcdefgh", perspective_name="", created_at=now, last_used_at=None)
    assert ApiTokenRead(**base, expires_at=None, revoked_at=None).active
    assert ApiTokenRead(**base, expires_at=now + timedelta(days=1), revoked_at=None).active
    assert not ApiTokenRead(**base, expires_at=now - timedelta(seconds=1), revoked_at=None).active
    assert not ApiTokenRead(**base, expires_at=None, revoked_at=now).active


# ---------------------------------------------------------------- revoke


def test_revoke_stops_the_token_at_once_and_is_audited(session, world):
    token, read = _create(session, world)
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is not None
    revoked = api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=read.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is None
    events = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "api_token", AuditEvent.entity_id == read.id)
    ).all()
    assert sorted(events) == ["api_token.create", "api_token.revoke"]


def test_revoking_twice_changes_nothing_the_second_time(session, world):
    _, read = _create(session, world)
    first = api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=read.id)
    before = _snapshot(session)
    second = api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=read.id)
    assert second.revoked_at == first.revoked_at
    assert _snapshot(session) == before


@pytest.mark.parametrize("other", ["r1_viewer", "dist_admin", "r2_admin", "tenant_admin"])
def test_another_users_token_cannot_be_revoked_and_looks_missing(session, world, other):
    token, read = _create(session, world, "r1_admin")
    before = _snapshot(session)
    with pytest.raises(NotFound) as foreign:
        api_tokens.revoke_token(session=session, actor=world.actor(other), token_id=read.id)
    with pytest.raises(NotFound) as missing:
        api_tokens.revoke_token(session=session, actor=world.actor(other), token_id=10**9)
    assert foreign.value.message == missing.value.message == "API token not found."
    assert _snapshot(session) == before
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is not None


def test_revoke_works_from_any_perspective_of_the_user(session, world):
    _, read = _create(session, world, perspective="r1_cust1")
    revoked = api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=read.id)
    assert revoked.revoked_at is not None


# ---------------------------------------------------------------- actor_for_api_token


@pytest.mark.parametrize(
    "token",
    ["", "msc_", "msc_unknown", "not-a-token", "msc_" + "x" * 1000, None, "Bearer msc_x", "ms\u00e9_\x00"],
)
def test_unknown_or_malformed_tokens_resolve_to_nobody(session, world, token):
    _create(session, world)
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is None


def test_a_token_differing_in_one_character_resolves_to_nobody(session, world):
    token, _ = _create(session, world)
    last = "A" if token[-1] != "A" else "B"
    assert api_tokens.actor_for_api_token(session=session, token=token[:-1] + last, now=T0) is None


def test_expired_token_stops_working_at_its_expiry(session, world):
    token, read = _create(session, world, expires_days=30)
    assert api_tokens.actor_for_api_token(session=session, token=token, now=read.expires_at - timedelta(seconds=1))
    assert api_tokens.actor_for_api_token(session=session, token=token, now=read.expires_at) is None
    assert not _create(session, world, name="x", expires_days=30, now=T0 - timedelta(days=60))[1].active


def test_token_without_expiry_keeps_working(session, world):
    token, _ = _create(session, world, expires_days=None)
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0 + timedelta(days=3650))


@pytest.mark.parametrize("status", [UserStatus.DEACTIVATED, UserStatus.PENDING])
def test_token_of_a_user_no_longer_active_stops_working(session, world, status):
    token, _ = _create(session, world)
    user = session.get(User, world.users["r1_admin"])
    user.status = status
    session.add(user)
    session.flush()
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is None


def test_token_whose_perspective_left_the_users_scope_stops_working(session, world):
    """The perspective is judged again on every use; a token does not fall back to the user's own tenant."""
    token, _ = _create(session, world, "r1_admin", perspective="r1_cust1")
    own_token, _ = _create(session, world, "r1_admin", name="own")
    customer = session.get(Account, world.accounts["r1_cust1"])
    customer.parent_id = world.accounts["r2"]  # the customer moves to another reseller
    session.add(customer)
    session.flush()
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is None
    assert api_tokens.actor_for_api_token(session=session, token=own_token, now=T0) is not None


def test_token_made_in_a_perspective_by_a_distributor_follows_require_switch(session, world):
    token, _ = _create(session, world, "dist_admin", perspective="r2")
    actor = api_tokens.actor_for_api_token(session=session, token=token, now=T0)
    assert actor.perspective_account_id == world.accounts["r2"]
    # a forged perspective row (the distributor itself is never a perspective) is refused
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == api_tokens.token_hash(token))).one()
    record.perspective_account_id = world.accounts["dist"]
    session.add(record)
    session.flush()
    assert api_tokens.actor_for_api_token(session=session, token=token, now=T0) is None


def test_last_used_is_noted_at_most_once_a_minute(session, world):
    token, read = _create(session, world)
    api_tokens.actor_for_api_token(session=session, token=token, now=T0)
    assert _stored(session, read.id)["last_used_at"] == T0
    api_tokens.actor_for_api_token(session=session, token=token, now=T0 + timedelta(seconds=59))
    assert _stored(session, read.id)["last_used_at"] == T0
    api_tokens.actor_for_api_token(session=session, token=token, now=T0 + timedelta(seconds=60))
    assert _stored(session, read.id)["last_used_at"] == T0 + timedelta(seconds=60)
    listed = api_tokens.list_tokens(session=session, actor=world.actor("r1_admin"))
    assert listed[0].last_used_at == T0 + timedelta(seconds=60)


def test_refused_tokens_are_not_noted_as_used(session, world):
    token, read = _create(session, world)
    api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=read.id)
    api_tokens.actor_for_api_token(session=session, token=token, now=T0)
    assert _stored(session, read.id)["last_used_at"] is None
