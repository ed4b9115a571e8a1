"""EDIT-1, DELETE-1, DETAIL-1, AUTH-4: one customer read through the actor's scope, with what the actor may do."""

from __future__ import annotations

import pytest

from msc_app.services.customer_details import get_customer
from msc_app.services.errors import NotFound

MISSING_ID = 999_999


def test_detail_1_reads_account_details_and_tenant_admins(session, world):
    """DETAIL-1: a reseller admin reads its customer's details, with its assigned tenant admin."""
    detail = get_customer(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"])
    assert detail.customer_name == "Harbor Dental"
    assert detail.parent_name == "Blue Harbor Resellers"
    assert [a.id for a in detail.tenant_admins] == [world.users["tenant_admin"]]
    assert detail.can_edit and detail.can_delete


@pytest.mark.parametrize(
    ("user", "account"),
    [("r1_admin", "r2_cust1"), ("r2_admin", "r1_cust1"), ("tenant_admin", "r1_cust2"), ("r1_admin", "dist_cust1")],
)
def test_auth_4_foreign_customer_is_not_found_like_a_missing_one(session, world, user, account):
    """AUTH-4: outside the actor's scope reads exactly like a customer that does not exist."""
    actor = world.actor(user)
    with pytest.raises(NotFound) as foreign:
        get_customer(session=session, actor=actor, account_id=world.accounts[account])
    with pytest.raises(NotFound) as missing:
        get_customer(session=session, actor=actor, account_id=MISSING_ID)
    assert str(foreign.value) == str(missing.value)


@pytest.mark.parametrize("user", ["r1_viewer", "dist_viewer", "tenant_admin"])
def test_edit_1_viewers_and_tenant_admins_may_read_but_not_edit_or_delete(session, world, user):
    """EDIT-1 / DELETE-1: the read-only roles get no change controls for the customer record."""
    detail = get_customer(session=session, actor=world.actor(user), account_id=world.accounts["r1_cust1"])
    assert not detail.can_edit
    assert not detail.can_delete


def test_edit_1_tenant_admin_does_not_learn_the_reseller_name(session, world):
    """AUTH-4: a tenant admin reads its customer, but the reseller above lies outside its scope."""
    detail = get_customer(session=session, actor=world.actor("tenant_admin"), account_id=world.accounts["r1_cust1"])
    assert detail.parent_name == ""


def test_sandbox_2_sandbox_account_details_are_read_only(session, world):
    """SANDBOX-2/3: even the distributor admin may neither edit the Sandbox's details nor delete it."""
    detail = get_customer(session=session, actor=world.actor("dist_admin"), account_id=world.accounts["sandbox"])
    assert detail.is_sandbox
    assert not detail.can_edit
    assert not detail.can_delete


def test_edit_1_reseller_cannot_edit_its_own_account(session, world):
    """SPEC 1: a reseller admin changes its customers, not its own reseller record."""
    detail = get_customer(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1"])
    assert not detail.can_edit
    assert not detail.can_delete
