"""AUTH-4, TENANT-1, TENANT-2: who sees and may change which account, proved on the database.

The expectations below are written out from SPEC section 1, cell by cell, not
derived from ``permissions.py``:

| role              | sees                                   | may change                       |
|-------------------|----------------------------------------|----------------------------------|
| distributor admin | the whole tree                         | everything below it              |
| reseller admin    | its reseller and that reseller's customers | its own customers            |
| tenant admin      | only its assigned customers            | their contacts and products      |
| viewer            | as an admin of its tier                | nothing                          |
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from msc_app.models import Account
from msc_app.services import auth, customers
from msc_app.services.errors import AuthenticationFailed, NotFound, PermissionDenied
from msc_app.services.permissions import (
    Action,
    require,
    require_switch,
    scoped,
    visible_accounts,
)
from tests.conftest import PASSWORD, World

MISSING_ID = 999_999

ALL_ACCOUNTS = (
    "dist",
    "sandbox",
    "dist_cust1",
    "r1",
    "r1_cust1",
    "r1_cust2",
    "r2",
    "r2_cust1",
    "r2_cust2",
)
R1_TREE = {"r1", "r1_cust1", "r1_cust2"}
R2_TREE = {"r2", "r2_cust1", "r2_cust2"}

# SPEC 1 "sees", per actor.
VISIBLE = {
    "dist_admin": set(ALL_ACCOUNTS),
    "dist_viewer": set(ALL_ACCOUNTS),
    "r1_admin": R1_TREE,
    "r1_viewer": R1_TREE,
    "r2_admin": R2_TREE,
    "tenant_admin": {"r1_cust1"},  # its only assignment
}

# TENANT-1: (actor, perspective) -> what a native admin of that tenant sees.
PERSPECTIVES = {
    ("dist_admin", "r1"): R1_TREE,
    ("dist_admin", "r2"): R2_TREE,
    ("dist_admin", "r1_cust1"): {"r1_cust1"},
    ("r1_admin", "r1_cust1"): {"r1_cust1"},
}

CHANGES = (
    Action.CREATE_CUSTOMER,
    Action.EDIT_CUSTOMER,
    Action.DELETE_CUSTOMER,
    Action.MANAGE_CONTENT,
)
BELOW_DIST = set(ALL_ACCOUNTS) - {"dist"}
R1_CUSTOMERS = {"r1_cust1", "r1_cust2"}
R2_CUSTOMERS = {"r2_cust1", "r2_cust2"}

# SPEC 1 "may change", per actor and action: the accounts where the action is allowed.
# Visible accounts not listed are refused with PermissionDenied; invisible ones are NotFound.
ALLOWED = {
    "dist_admin": {
        Action.CREATE_CUSTOMER: {"dist", "r1", "r2"},  # new customers go under it or its resellers
        Action.EDIT_CUSTOMER: BELOW_DIST,
        Action.DELETE_CUSTOMER: BELOW_DIST,
        Action.MANAGE_CONTENT: BELOW_DIST,
    },
    "dist_viewer": {},
    "r1_admin": {
        Action.CREATE_CUSTOMER: {"r1"},
        Action.EDIT_CUSTOMER: R1_CUSTOMERS,
        Action.DELETE_CUSTOMER: R1_CUSTOMERS,
        Action.MANAGE_CONTENT: R1_CUSTOMERS,
    },
    "r1_viewer": {},
    "r2_admin": {
        Action.CREATE_CUSTOMER: {"r2"},
        Action.EDIT_CUSTOMER: R2_CUSTOMERS,
        Action.DELETE_CUSTOMER: R2_CUSTOMERS,
        Action.MANAGE_CONTENT: R2_CUSTOMERS,
    },
    "tenant_admin": {Action.MANAGE_CONTENT: {"r1_cust1"}},
}

# What a native admin of the perspective's tenant may change: a reseller's admin,
# or, for a customer tenant, its tenant admin (contacts and products only).
ALLOWED_IN_PERSPECTIVE = {
    ("dist_admin", "r1"): ALLOWED["r1_admin"],
    ("dist_admin", "r2"): ALLOWED["r2_admin"],
    ("dist_admin", "r1_cust1"): ALLOWED["tenant_admin"],
    ("r1_admin", "r1_cust1"): ALLOWED["tenant_admin"],
}


def _visible_names(session, world: World, actor) -> set[str]:
    ids = session.exec(select(Account.id).where(visible_accounts(actor))).all()
    return world.names(ids)


def _not_found_message(fn) -> str:
    with pytest.raises(NotFound) as excinfo:
        fn()
    return str(excinfo.value)


def _read_cells(expectations):
    for who, seen in expectations.items():
        for account in ALL_ACCOUNTS:
            yield pytest.param(
                who,
                account,
                account in seen,
                id=f"{'@'.join(who) if isinstance(who, tuple) else who}-"
                f"{'sees' if account in seen else 'cannot-see'}-{account}",
            )


def _change_cells(visible, allowed):
    for who, seen in visible.items():
        for action in CHANGES:
            for account in ALL_ACCOUNTS:
                if account not in seen:
                    outcome = "notfound"
                elif account in allowed[who].get(action, set()):
                    outcome = "allowed"
                else:
                    outcome = "denied"
                label = "@".join(who) if isinstance(who, tuple) else who
                yield pytest.param(who, action, account, outcome, id=f"{label}-{action}-{account}-{outcome}")


def _check_read(session, world: World, actor, account: str, expected_visible: bool) -> None:
    account_id = world.accounts[account]
    assert (account in _visible_names(session, world, actor)) is expected_visible
    if expected_visible:
        loaded = require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
        assert loaded.id == account_id
    else:
        hidden = _not_found_message(
            lambda: require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
        )
        missing = _not_found_message(
            lambda: require(session=session, actor=actor, action=Action.VIEW, account_id=MISSING_ID)
        )
        assert hidden == missing


def _check_change(session, world: World, actor, action: Action, account: str, outcome: str) -> None:
    account_id = world.accounts[account]

    def attempt():
        return require(session=session, actor=actor, action=action, account_id=account_id)

    if outcome == "allowed":
        assert attempt().id == account_id
    elif outcome == "denied":
        with pytest.raises(PermissionDenied):
            attempt()
    else:
        missing = _not_found_message(
            lambda: require(session=session, actor=actor, action=action, account_id=MISSING_ID)
        )
        assert _not_found_message(attempt) == missing


# ---------------------------------------------------------------- reading (AUTH-4)


@pytest.mark.parametrize(("user", "account", "expected_visible"), list(_read_cells(VISIBLE)))
def test_auth_4_read_matrix(session, world, user, account, expected_visible):
    """AUTH-4: visible_accounts and require(VIEW) agree with SPEC 1; hidden == nonexistent."""
    _check_read(session, world, world.actor(user), account, expected_visible)


@pytest.mark.parametrize("user", list(VISIBLE))
def test_auth_4_visible_set_is_exact(session, world, user):
    """AUTH-4: each actor sees exactly its scope, no more and no less (also through ``scoped``)."""
    actor = world.actor(user)
    assert _visible_names(session, world, actor) == VISIBLE[user]
    via_scoped = session.exec(scoped(select(Account.id), actor)).all()
    assert world.names(via_scoped) == VISIBLE[user]


def test_auth_4_nonexistent_and_hidden_answers_are_identical_for_reseller(session, world):
    """AUTH-4: an R2 customer and a missing id give R1's admin the same NotFound message."""
    actor = world.actor("r1_admin")
    hidden = _not_found_message(
        lambda: require(session=session, actor=actor, action=Action.EDIT_CUSTOMER, account_id=world.accounts["r2_cust1"])
    )
    missing = _not_found_message(
        lambda: require(session=session, actor=actor, action=Action.EDIT_CUSTOMER, account_id=MISSING_ID)
    )
    assert hidden == missing == "Customer not found."


# ---------------------------------------------------------------- perspectives (TENANT-1)


@pytest.mark.parametrize(("who", "account", "expected_visible"), list(_read_cells(PERSPECTIVES)))
def test_tenant_1_auth_4_read_matrix_in_perspective(session, world, who, account, expected_visible):
    """TENANT-1 / AUTH-4: in a tenant's perspective an admin sees exactly what that tenant's native admin sees."""
    user, perspective = who
    actor = world.actor(user, perspective=perspective)
    _check_read(session, world, actor, account, expected_visible)


def test_tenant_1_distributor_in_reseller_perspective_sees_what_reseller_admin_sees(session, world):
    """TENANT-1 / AUTH-4: the visible set and the customers list match R1's own admin exactly."""
    switched = world.actor("dist_admin", perspective="r1")
    native = world.actor("r1_admin")
    assert _visible_names(session, world, switched) == _visible_names(session, world, native) == R1_TREE

    query = customers.ListQuery(page_size=100)
    as_switched = customers.list_customers(session=session, actor=switched, query=query)
    as_native = customers.list_customers(session=session, actor=native, query=query)
    assert as_switched.total == as_native.total == 3
    assert [r.id for r in as_switched.rows] == [r.id for r in as_native.rows]


def test_tenant_1_distributor_in_customer_perspective_sees_only_that_customer(session, world):
    """TENANT-1 / AUTH-4: switched into a customer, the list holds that customer alone."""
    switched = world.actor("dist_admin", perspective="r2_cust2")
    page = customers.list_customers(session=session, actor=switched, query=customers.ListQuery())
    assert [r.id for r in page.rows] == [world.accounts["r2_cust2"]]
    assert page.total == 1


@pytest.mark.parametrize(
    ("who", "action", "account", "outcome"),
    list(_change_cells(PERSPECTIVES, ALLOWED_IN_PERSPECTIVE)),
)
def test_tenant_1_auth_4_change_matrix_in_perspective(session, world, who, action, account, outcome):
    """TENANT-1 / AUTH-4: in a perspective an admin may change what that tenant's native admin may."""
    user, perspective = who
    actor = world.actor(user, perspective=perspective)
    _check_change(session, world, actor, action, account, outcome)


# ---------------------------------------------------------------- changing (AUTH-4)


@pytest.mark.parametrize(("user", "action", "account", "outcome"), list(_change_cells(VISIBLE, ALLOWED)))
def test_auth_4_change_matrix(session, world, user, action, account, outcome):
    """AUTH-4: viewers change nothing, tenant admins only their customers' content, admins below them."""
    _check_change(session, world, world.actor(user), action, account, outcome)


# ---------------------------------------------------------------- switching (TENANT-2)

# (user, perspective or None, target) -> expected outcome of require_switch
SWITCHES = [
    # distributor admin: any reseller or customer, never the distributor itself
    ("dist_admin", None, "r1", "allowed"),
    ("dist_admin", None, "r2_cust2", "allowed"),
    ("dist_admin", None, "dist_cust1", "allowed"),
    ("dist_admin", None, "dist", "notfound"),
    # reseller admin: its own customers only
    ("r1_admin", None, "r1_cust1", "allowed"),
    ("r1_admin", None, "r1_cust2", "allowed"),
    ("r1_admin", None, "r2", "notfound"),
    ("r1_admin", None, "r2_cust1", "notfound"),
    ("r1_admin", None, "r2_cust2", "notfound"),
    ("r1_admin", None, "dist", "notfound"),
    ("r1_admin", None, "dist_cust1", "notfound"),
    ("r1_admin", None, "sandbox", "notfound"),
    ("r1_admin", None, "r1", "denied"),  # its own tenant: nothing to switch into
    # tenant admins never switch, not even into their assigned customer
    ("tenant_admin", None, "r1_cust1", "notfound"),
    ("tenant_admin", None, "r1_cust2", "notfound"),
    # viewers are read-only: the switcher is an admin's tool
    ("dist_viewer", None, "r1", "denied"),
    ("r1_viewer", None, "r1_cust1", "denied"),
    ("r1_viewer", None, "r2_cust1", "notfound"),
    # judged from the home tenant, even while a perspective is active
    ("r1_admin", "r1_cust1", "r1_cust2", "allowed"),
    ("r1_admin", "r1_cust1", "r2_cust1", "notfound"),
    ("r1_admin", "r1_cust1", "dist", "notfound"),
    ("dist_admin", "r1_cust1", "r2", "allowed"),
    ("dist_admin", "r1", "r2_cust1", "allowed"),
    ("dist_admin", "r1", "dist_cust1", "allowed"),
]


@pytest.mark.parametrize(
    ("user", "perspective", "target", "outcome"),
    [
        pytest.param(*cell, id=f"{cell[0]}{'@' + cell[1] if cell[1] else ''}-switch-{cell[2]}-{cell[3]}")
        for cell in SWITCHES
    ],
)
def test_tenant_2_auth_4_switch_matrix(session, world, user, perspective, target, outcome):
    """TENANT-2 / AUTH-4: a user can never switch into a tenant outside its own (home) scope."""
    actor = world.actor(user, perspective=perspective)
    target_id = world.accounts[target]

    def attempt():
        return require_switch(session=session, actor=actor, account_id=target_id)

    if outcome == "allowed":
        assert attempt().id == target_id
    elif outcome == "denied":
        with pytest.raises(PermissionDenied):
            attempt()
    else:
        missing = _not_found_message(
            lambda: require_switch(session=session, actor=actor, account_id=MISSING_ID)
        )
        assert _not_found_message(attempt) == missing


def test_tenant_2_switching_into_own_customer_then_back_restores_reseller_scope(session, world):
    """TENANT-2 / AUTH-4: the perspective narrows R1's view; without it R1's full scope returns."""
    native = world.actor("r1_admin")
    target = require_switch(session=session, actor=native, account_id=world.accounts["r1_cust2"])
    switched = world.actor("r1_admin", perspective="r1_cust2")
    assert switched.account_id == target.id
    assert _visible_names(session, world, switched) == {"r1_cust2"}
    assert _visible_names(session, world, native) == R1_TREE


def test_auth_4_pending_user_gets_no_session_and_so_no_scope(session, world):
    """AUTH-4 / AUTH-1: the world's pending user cannot sign in, so it never becomes an actor."""
    assert "pending" not in world.actors
    with pytest.raises(AuthenticationFailed):
        auth.sign_in(session=session, email=world.emails["pending"], password=PASSWORD)
    # while an active user of the same world signs in with the same password
    token = auth.sign_in(session=session, email=world.emails["r1_viewer"], password=PASSWORD)
    signed_in = auth.actor_for_token(session=session, token=token)
    expected = world.actor("r1_viewer")
    assert (signed_in.user_id, signed_in.role, signed_in.home_account_id, signed_in.home_kind) == (
        expected.user_id,
        expected.role,
        expected.home_account_id,
        expected.home_kind,
    )


def test_tenant_1_stored_perspective_outside_scope_is_dropped_on_every_request(session, world):
    """TENANT-1/TENANT-2: a session whose stored perspective is not (or no longer) in the
    user's scope resolves to the user's own tenant, never to the foreign one."""
    from msc_app.models import User, UserSession
    from msc_app.services import auth

    user = session.get(User, world.users["r1_admin"])
    token = auth.start_session(session=session, user=user)
    record = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()[-1]

    record.perspective_account_id = world.accounts["r1_cust1"]  # inside R1's scope
    session.add(record)
    session.flush()
    assert auth.actor_for_token(session=session, token=token).account_id == world.accounts["r1_cust1"]

    record.perspective_account_id = world.accounts["r2_cust1"]  # forged: another reseller's customer
    session.add(record)
    session.flush()
    actor = auth.actor_for_token(session=session, token=token)
    assert actor.perspective_account_id is None
    assert actor.account_id == world.accounts["r1"]
