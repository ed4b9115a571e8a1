"""Bulk actions on the customers list (issue 8): services.bulk, on the database.

The world (tests/conftest.py): the Sandbox (a Hybrid Workloads product on the
Default Service Plan), r1_cust1 (Microsoft 365, Default Service Plan),
r2_cust1 (Hybrid Workloads, Premium Protect); the other customers have no
product. Premium Protect is the distributor's own plan.

Proves: a selection of ids and "all matching" a view (across chunks); each
change goes through services.products, so SANDBOX-3 refuses the Sandbox's
suspension, reported while the others proceed; ids outside the scope are
"not found" and unchanged (AUTH-4); viewers are refused; an audit event per
changed product; one customer's refusal leaves all of its products unchanged.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from msc_app.models import (
    Account,
    AccountKind,
    AuditEvent,
    Product,
    ProductStatus,
    ProductType,
    ServicePlan,
)
from msc_app.services import bulk
from msc_app.services.bulk import Selection
from msc_app.services.customers import ListQuery
from msc_app.services.errors import DomainError, PermissionDenied, ValidationError
from tests.conftest import add_account, add_product
from tests.services.support import database_state, plan_id, row

MISSING_ID = 999_999
ALL = ListQuery()


def _products(session, world, name: str) -> list[dict]:
    """The customer's product rows as stored (read with Core, not from the identity map)."""
    ids = session.exec(
        select(Product.id).where(Product.account_id == world.accounts[name]).order_by(Product.id)
    ).all()
    return [row(session, Product, i) for i in ids]


def _plans(session, world, name: str) -> list[int]:
    return [p["service_plan_id"] for p in _products(session, world, name)]


def _statuses(session, world, name: str) -> list[str]:
    return [p["status"] for p in _products(session, world, name)]


def _events(session, account_id: int, action: str) -> list[AuditEvent]:
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.account_id == account_id, AuditEvent.action == action))
    )


def _failures(result) -> dict[str, str]:
    return {f.name: f.message for f in result.failures}


def _plan(session, name: str, owner: int | None, products: list[str]) -> int:
    plan = ServicePlan(name=name, edition="Business", products=products, owner_account_id=owner)
    session.add(plan)
    session.flush()
    return plan.id


# ---------------------------------------------------------------- what is selected


def test_bulk_all_matching_is_the_views_customers_in_scope(session, world):
    """'All matching' holds the customers the view matches, in the actor's scope: not resellers,
    not the actor's own tenant; the search narrows it like the list's."""
    dist = world.actor("dist_admin")
    found = list(bulk.chunks(session=session, actor=dist, selection=Selection.all_matching(ALL), size=2))
    assert [len(chunk) for chunk in found] == [2, 2, 2]
    ids = {i for chunk in found for i in chunk}
    assert world.names(ids) == {"sandbox", "r1_cust1", "r1_cust2", "r2_cust1", "r2_cust2", "dist_cust1"}
    assert bulk.count_selected(session=session, actor=dist, selection=Selection.all_matching(ALL)) == 6

    r1 = world.actor("r1_admin")
    ids = bulk.matching_ids(session=session, actor=r1, query=ALL)
    assert world.names(ids) == {"r1_cust1", "r1_cust2"}

    harbor = ListQuery.parse(search="harbor log")
    assert world.names(bulk.matching_ids(session=session, actor=dist, query=harbor)) == {"r1_cust2"}
    assert bulk.count_selected(session=session, actor=dist, selection=Selection.all_matching(harbor)) == 1

    # A customer's perspective: its own tenant is the only row, and not selectable.
    in_customer = world.actor("dist_admin", perspective="r1_cust1")
    assert bulk.matching_ids(session=session, actor=in_customer, query=ALL) == []


def test_bulk_explicit_ids_are_cleaned_and_capped():
    assert Selection.of_ids(["3", 1, 3, "x", -2, None, 0]).ids == (1, 3)
    with pytest.raises(DomainError):
        Selection.of_ids(range(1, bulk.MAX_EXPLICIT_IDS + 2))


# ---------------------------------------------------------------- assign a plan


def test_bulk_assign_plan_to_all_matching_and_to_ids(session, world):
    """All matching: every customer's products go on the plan (the Sandbox's plan may change,
    SANDBOX-2); customers without products, or already on it, are unchanged. Ids: only those."""
    dist = world.actor("dist_admin")
    premium = plan_id(session, "Premium Protect")
    result = bulk.assign_plan(
        session=session, actor=dist, selection=Selection.all_matching(ALL), plan_id=premium, chunk_size=2
    )
    assert (result.processed, result.changed, result.unchanged, result.failures) == (6, 2, 4, [])
    assert _plans(session, world, "sandbox") == [premium]
    assert _plans(session, world, "r1_cust1") == [premium]
    assert session.get(Account, world.accounts["r1_cust1"]).service_plan_summary == "Premium Protect"

    default = plan_id(session)
    result = bulk.assign_plan(
        session=session, actor=dist, selection=Selection.of_ids([world.accounts["r2_cust1"]]), plan_id=default
    )
    assert (result.changed, result.failures) == (1, [])
    assert _plans(session, world, "r2_cust1") == [default]
    assert _plans(session, world, "r1_cust1") == [premium]  # not selected: unchanged


def test_bulk_all_matching_keeps_going_when_the_change_moves_customers_out_of_the_view(session, world):
    """Filtered on the Default Service Plan and moved to Premium: customers leave the view as
    they change, yet none is skipped (chunks are read by id, not by offset)."""
    dist = world.actor("dist_admin")
    default, premium = plan_id(session), plan_id(session, "Premium Protect")
    for i in range(5):
        extra = add_account(session, kind=AccountKind.CUSTOMER, name=f"Bulk {i}", parent_id=world.accounts["r1"])
        add_product(session, account_id=extra.id, plan_id=default, product_type=ProductType.HYBRID_WORKLOADS,
                    storage_regions=["US East"])
    on_default = ListQuery.parse(service_plans=[default])
    before = bulk.count_selected(session=session, actor=dist, selection=Selection.all_matching(on_default))
    assert before == 7  # the Sandbox, r1_cust1 and the five new ones
    result = bulk.assign_plan(
        session=session, actor=dist, selection=Selection.all_matching(on_default), plan_id=premium, chunk_size=1
    )
    assert (result.changed, result.failures) == (7, [])
    assert bulk.count_selected(session=session, actor=dist, selection=Selection.all_matching(on_default)) == 0


def test_bulk_assign_plan_only_to_the_chosen_product_type(session, world):
    dist = world.actor("dist_admin")
    premium = plan_id(session, "Premium Protect")
    result = bulk.assign_plan(
        session=session,
        actor=dist,
        selection=Selection.all_matching(ALL),
        plan_id=premium,
        product_type=ProductType.MICROSOFT_365.value,
    )
    assert result.changed == 1
    assert _plans(session, world, "r1_cust1") == [premium]
    assert _plans(session, world, "sandbox") == [plan_id(session)]  # Hybrid Workloads: not chosen


def test_bulk_assign_plan_reports_customers_the_plan_is_not_sold_to_and_changes_the_others(session, world):
    """A reseller's own plan: its customers take it; the Sandbox and the other reseller's customer
    are reported with the rule's message, unchanged."""
    dist = world.actor("dist_admin")
    r1_plan = _plan(session, "Harbor Gold", world.accounts["r1"], [t.value for t in ProductType])
    result = bulk.assign_plan(session=session, actor=dist, selection=Selection.all_matching(ALL), plan_id=r1_plan)
    assert result.changed == 1
    assert _plans(session, world, "r1_cust1") == [r1_plan]
    assert _failures(result) == {
        "Sandbox": "Choose one of the service plans offered.",
        "Peak Bakery": "Choose one of the service plans offered.",
    }
    assert _plans(session, world, "sandbox") == [plan_id(session)]
    assert _plans(session, world, "r2_cust1") == [plan_id(session, "Premium Protect")]


def test_bulk_assign_plan_refuses_a_plan_the_actor_cannot_offer_and_changes_nothing(session, world):
    r2_plan = _plan(session, "Peak Platinum", world.accounts["r2"], [t.value for t in ProductType])
    before = database_state(session)
    with pytest.raises(ValidationError) as excinfo:
        bulk.assign_plan(
            session=session, actor=world.actor("r1_admin"), selection=Selection.all_matching(ALL), plan_id=r2_plan
        )
    assert excinfo.value.errors == {"service_plan_id": "Choose one of the service plans offered."}
    with pytest.raises(ValidationError):
        bulk.assign_plan(
            session=session, actor=world.actor("r1_admin"), selection=Selection.all_matching(ALL), plan_id=MISSING_ID
        )
    assert database_state(session) == before
    r1_choices = {p.name for p in bulk.plan_choices(session=session, actor=world.actor("r1_admin"))}
    assert r1_choices == {"Default Service Plan", "Premium Protect"}


def test_bulk_one_refused_product_leaves_that_customers_other_products_unchanged(session, world):
    """Nothing half-done per customer: its first product would take the plan, its second is refused
    (the plan does not include Microsoft 365): neither changes, and nothing is audited for it."""
    dist = world.actor("dist_admin")
    default = plan_id(session)
    hybrid_only = _plan(session, "Hybrid Only", world.accounts["dist"], [ProductType.HYBRID_WORKLOADS.value])
    both = add_account(session, kind=AccountKind.CUSTOMER, name="Two Products", parent_id=world.accounts["dist"])
    add_product(session, account_id=both.id, plan_id=default, product_type=ProductType.HYBRID_WORKLOADS,
                storage_regions=["US East"])
    add_product(session, account_id=both.id, plan_id=default, product_type=ProductType.MICROSOFT_365,
                storage_regions=["US East"])
    one = add_account(session, kind=AccountKind.CUSTOMER, name="One Product", parent_id=world.accounts["dist"])
    add_product(session, account_id=one.id, plan_id=default, product_type=ProductType.HYBRID_WORKLOADS,
                storage_regions=["US East"])

    result = bulk.assign_plan(session=session, actor=dist, selection=Selection.of_ids([both.id, one.id]),
                              plan_id=hybrid_only)
    assert _failures(result) == {"Two Products": "The plan Hybrid Only does not include Microsoft 365."}
    assert result.changed == 1
    stored = [row(session, Product, p.id) for p in session.exec(select(Product).where(Product.account_id == both.id))]
    assert [p["service_plan_id"] for p in stored] == [default, default]
    assert _events(session, both.id, "product.update") == []
    assert len(_events(session, one.id, "product.update")) == 1


# ---------------------------------------------------------------- suspend and activate


def test_bulk_suspend_reports_the_sandbox_and_suspends_the_others(session, world):
    """SANDBOX-3 through the product service: the Sandbox is reported with its rule, the others'
    products are suspended and each change is audited on its customer."""
    dist = world.actor("dist_admin")
    result = bulk.suspend_products(session=session, actor=dist, selection=Selection.all_matching(ALL))
    assert _failures(result) == {"Sandbox": "The Sandbox customer's products cannot be suspended."}
    assert (result.changed, result.products_changed, result.unchanged) == (2, 2, 3)
    assert _statuses(session, world, "sandbox") == [ProductStatus.ACTIVE]
    assert _statuses(session, world, "r1_cust1") == [ProductStatus.SUSPENDED]
    assert _statuses(session, world, "r2_cust1") == [ProductStatus.SUSPENDED]
    for name in ("r1_cust1", "r2_cust1"):
        [event] = _events(session, world.accounts[name], "product.suspend")
        assert event.actor_user_id == world.users["dist_admin"]
        assert event.after == {"status": "Suspended"}
    assert _events(session, world.accounts["sandbox"], "product.suspend") == []

    # Again: already suspended is nothing to do, not an error.
    again = bulk.suspend_products(session=session, actor=dist, selection=Selection.all_matching(ALL))
    assert (again.changed, again.unchanged) == (0, 5)

    back = bulk.activate_products(session=session, actor=dist, selection=Selection.all_matching(ALL))
    assert (back.changed, back.failures) == (2, [])
    assert _statuses(session, world, "r1_cust1") == [ProductStatus.ACTIVE]
    assert len(_events(session, world.accounts["r1_cust1"], "product.activate")) == 1


def test_bulk_auth_4_foreign_and_missing_ids_are_not_found_and_unchanged(session, world):
    """A reseller admin's selection with another reseller's customer and a missing id: both are
    reported alike ("not found", no name), unchanged; its own customer changes."""
    r1 = world.actor("r1_admin")
    foreign, own = world.accounts["r2_cust1"], world.accounts["r1_cust1"]
    result = bulk.suspend_products(session=session, actor=r1, selection=Selection.of_ids([own, foreign, MISSING_ID]))
    assert _failures(result) == {
        f"Customer #{foreign}": "Customer not found.",
        f"Customer #{MISSING_ID}": "Customer not found.",
    }
    assert result.changed == 1
    assert _statuses(session, world, "r2_cust1") == [ProductStatus.ACTIVE]
    assert _statuses(session, world, "r1_cust1") == [ProductStatus.SUSPENDED]
    assert _events(session, foreign, "product.suspend") == []


def test_bulk_resellers_and_the_own_tenant_are_reported_not_changed(session, world):
    dist = world.actor("dist_admin")
    result = bulk.suspend_products(
        session=session, actor=dist, selection=Selection.of_ids([world.accounts["r1"], world.accounts["dist"]])
    )
    assert result.changed == 0
    assert _failures(result) == {
        "Blue Harbor Resellers": bulk.NOT_A_CUSTOMER,
        "Northwind Distribution": "You do not have permission to do this.",
    }


def test_bulk_tenant_admin_changes_only_its_assigned_customers(session, world):
    """permissions.allowed lets a tenant admin change its assigned customers' products (SPEC 1):
    so does a bulk action; any other id is "not found"."""
    tenant = world.actor("tenant_admin")
    assert bulk.may_change_products(tenant)
    assert world.names(bulk.matching_ids(session=session, actor=tenant, query=ALL)) == {"r1_cust1"}
    other = world.accounts["r1_cust2"]
    result = bulk.suspend_products(
        session=session, actor=tenant, selection=Selection.of_ids([world.accounts["r1_cust1"], other])
    )
    assert result.changed == 1
    assert _failures(result) == {f"Customer #{other}": "Customer not found."}


@pytest.mark.parametrize("user", ["dist_viewer", "r1_viewer"])
@pytest.mark.parametrize("action", ["assign", "suspend", "activate"])
def test_bulk_viewers_are_refused_and_nothing_changes(session, world, user, action):
    viewer = world.actor(user)
    assert not bulk.may_change_products(viewer)
    before = database_state(session)
    selection = Selection.all_matching(ALL)
    run = {
        "assign": lambda: bulk.assign_plan(
            session=session, actor=viewer, selection=selection, plan_id=plan_id(session, "Premium Protect")
        ),
        "suspend": lambda: bulk.suspend_products(session=session, actor=viewer, selection=selection),
        "activate": lambda: bulk.activate_products(session=session, actor=viewer, selection=selection),
    }[action]
    with pytest.raises(PermissionDenied):
        run()
    assert database_state(session) == before


def test_bulk_progress_is_reported_per_chunk(session, world):
    dist = world.actor("dist_admin")
    seen = []
    bulk.suspend_products(
        session=session, actor=dist, selection=Selection.all_matching(ALL), chunk_size=4,
        progress=lambda r: seen.append(r.processed),
    )
    assert seen == [4, 6]


def test_bulk_change_for_names_the_actions(session, world):
    dist = world.actor("dist_admin")
    for action in (bulk.BulkAction.SUSPEND, bulk.BulkAction.ACTIVATE):
        assert callable(bulk.change_for(session=session, actor=dist, action=action))
    assert callable(
        bulk.change_for(session=session, actor=dist, action=bulk.BulkAction.ASSIGN_PLAN, plan_id=plan_id(session))
    )
    with pytest.raises(DomainError):
        bulk.change_for(session=session, actor=dist, action="delete")
