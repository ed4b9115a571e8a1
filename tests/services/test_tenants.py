"""Tenant perspective switching on the server (TENANT-1, TENANT-2)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from msc_app.models import User
from msc_app.services import auth, tenants
from msc_app.services.errors import NotFound
from tests.conftest import World


def _token(session, world: World, user: str) -> str:
    return auth.start_session(session=session, user=session.get(User, world.users[user]))


def _stored_perspective(session, token: str):
    return auth.live_session(session, token).perspective_account_id


@pytest.mark.parametrize(
    ("user", "target"),
    [("dist_admin", "r1"), ("dist_admin", "r2_cust1"), ("r1_admin", "r1_cust1")],
)
def test_tenant_1_switch_into_tenant_in_scope(session, world: World, user, target):
    """TENANT-1: the perspective is stored on the server session and resolves on the next request."""
    token = _token(session, world, user)
    account = tenants.switch_into(session=session, token=token, account_id=world.accounts[target])
    assert account.id == world.accounts[target]
    actor = auth.actor_for_token(session=session, token=token)
    assert actor.perspective_account_id == world.accounts[target]
    assert actor.account_id == world.accounts[target]


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("r1_admin", "r2"),
        ("r1_admin", "r2_cust1"),
        ("r1_admin", "dist"),
        ("r1_admin", "r1"),  # its own tenant is not a perspective
        ("dist_admin", "dist"),
        ("tenant_admin", "r1_cust1"),
        ("dist_viewer", "r1"),  # viewers change nothing, perspective included
        ("r1_viewer", "r1_cust1"),
    ],
)
def test_tenant_2_forged_switch_outside_scope_is_refused_and_changes_nothing(session, world: World, user, target):
    """TENANT-2: a switch outside the user's own scope is refused like a missing tenant;
    the session's perspective stays as it was."""
    token = _token(session, world, user)
    with pytest.raises(NotFound):
        tenants.switch_into(session=session, token=token, account_id=world.accounts[target])
    assert _stored_perspective(session, token) is None
    with pytest.raises(NotFound):
        tenants.switch_into(session=session, token=token, account_id=999_999)


def test_tenant_2_perspective_does_not_widen_the_scope_for_the_next_switch(session, world: World):
    """TENANT-2: switched into R1, a distributor admin still switches from its own scope, and a
    reseller admin switched into its customer cannot reach the other reseller."""
    token = _token(session, world, "r1_admin")
    tenants.switch_into(session=session, token=token, account_id=world.accounts["r1_cust1"])
    with pytest.raises(NotFound):
        tenants.switch_into(session=session, token=token, account_id=world.accounts["r2_cust1"])
    assert _stored_perspective(session, token) == world.accounts["r1_cust1"]


def test_tenant_2_switch_back_returns_to_own_tenant(session, world: World):
    token = _token(session, world, "dist_admin")
    tenants.switch_into(session=session, token=token, account_id=world.accounts["r1"])
    tenants.switch_back(session=session, token=token)
    actor = auth.actor_for_token(session=session, token=token)
    assert actor.perspective_account_id is None
    assert actor.account_id == world.accounts["dist"]


def test_tenant_2_switchable_tenants_are_the_users_own_scope(session, world: World):
    """TENANT-2: the avatar menu lists only tenants the user may switch into, resellers first."""
    r1_admin = world.actor("r1_admin")
    names = [c.name for c in tenants.switchable_tenants(session=session, actor=r1_admin)]
    assert set(names) == {"Harbor Dental", "Harbor Logistics"}

    dist = world.actor("dist_admin")
    choices = tenants.switchable_tenants(session=session, actor=dist, limit=50)
    kinds = [c.kind for c in choices]
    assert kinds == sorted(kinds, key=lambda k: k != "reseller")
    assert world.accounts["dist"] not in {c.id for c in choices}
    found = tenants.switchable_tenants(session=session, actor=dist, search="PEAK")
    assert {c.id for c in found} == {world.accounts["r2"], world.accounts["r2_cust1"], world.accounts["r2_cust2"]}
    assert tenants.switchable_tenants(session=session, actor=world.actor("tenant_admin")) == []
    assert tenants.switchable_tenants(session=session, actor=world.actor("dist_viewer")) == []


def test_tenant_1_switches_are_audited_with_the_perspective(session, world: World):
    """TENANT-1 / audit trail: switching in and back writes who, where from and where to."""
    from msc_app.models import AuditEvent

    token = _token(session, world, "dist_admin")
    tenants.switch_into(session=session, token=token, account_id=world.accounts["r1"])
    tenants.switch_back(session=session, token=token)
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "tenant").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["tenant.switch", "tenant.switch_back"]
    assert all(e.actor_user_id == world.users["dist_admin"] for e in events)
    assert events[0].after["perspective_account_id"] == world.accounts["r1"]
    assert events[0].perspective_account_id is None  # switched from its own tenant
    assert events[1].perspective_account_id == world.accounts["r1"]  # left from inside R1
