"""DETAIL-2 / DETAIL-5: a customer's products as its details page reads them, and the controls it may offer.

The world: Harbor Dental (r1_cust1) has one Microsoft 365 product on the
Default Service Plan; the Sandbox one Hybrid Workloads product; Harbor
Logistics (r1_cust2) none.
"""

from __future__ import annotations

from datetime import date

import pytest

from msc_app.models import ProductStatus, ProductType
from msc_app.services import products
from msc_app.services.customer_products import get_product, list_products, product_permissions
from msc_app.services.errors import NotFound
from msc_app.services.products import ProductCreate
from tests.services.support import plan_id

MISSING_ID = 999_999
ALL_TYPES = tuple(t.value for t in ProductType)


def _add(session, world, account: str, product_type: ProductType, **extra):
    values = dict(
        product_type=product_type,
        service_plan_id=plan_id(session, "Premium Protect"),
        storage_regions=["Canada", "US West"],
        credit_quota=2500,
        quota_effective_date=date(2025, 3, 4),
        quota_end_date=date(2026, 3, 3),
        user_count=12,
        preserved_user_count=3,
    )
    return products.add_product(
        session=session,
        actor=world.actor("dist_admin"),
        account_id=world.accounts[account],
        data=ProductCreate(**values | extra),
    )


def test_detail_2_lists_each_product_with_its_plan_name_and_edition(session, world):
    """DETAIL-2 / DETAIL-5: every product of the customer, with the plan's name and edition, in type order."""
    added = _add(session, world, "r1_cust1", ProductType.HYBRID_WORKLOADS)
    rows = list_products(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"])
    assert [r.product_type for r in rows] == ["Hybrid Workloads", "Microsoft 365"]
    hybrid, m365 = rows
    assert (hybrid.id, hybrid.plan_name, hybrid.edition, hybrid.service_plan_id) == (
        added.id,
        "Premium Protect",
        "Elite",
        plan_id(session, "Premium Protect"),
    )
    assert hybrid.storage_regions == ["Canada", "US West"]
    assert (hybrid.credit_quota, hybrid.quota_effective_date, hybrid.quota_end_date) == (
        2500,
        date(2025, 3, 4),
        date(2026, 3, 3),
    )
    assert (hybrid.user_count, hybrid.preserved_user_count, hybrid.status) == (12, 3, ProductStatus.ACTIVE)
    assert (m365.plan_name, m365.edition, m365.tenant_type, m365.license_expiry) == (
        "Default Service Plan",
        "Business",
        "Commercial",
        date(2025, 8, 30),
    )


def test_detail_5_list_is_empty_for_a_customer_without_products(session, world):
    """DETAIL-5: a customer without products reads as an empty list, not as missing."""
    assert list_products(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust2"]) == []


@pytest.mark.parametrize(
    ("user", "account"),
    [("r2_admin", "r1_cust1"), ("tenant_admin", "r2_cust1"), ("r1_viewer", "r2_cust1"), ("tenant_admin", "r1_cust2")],
)
def test_auth_4_another_tenants_products_read_like_a_missing_customer(session, world, user, account):
    """AUTH-4: products of a customer outside the actor's scope are "not found", like a missing customer."""
    actor = world.actor(user)
    for read in (list_products, product_permissions):
        with pytest.raises(NotFound) as foreign:
            read(session=session, actor=actor, account_id=world.accounts[account])
        with pytest.raises(NotFound) as missing:
            read(session=session, actor=actor, account_id=MISSING_ID)
        assert str(foreign.value) == str(missing.value)


def test_auth_4_get_product_only_answers_for_the_customer_in_view(session, world):
    """AUTH-4: a product id is read through the customer in view; another customer's product is "not found"."""
    actor = world.actor("r1_admin")
    own = list_products(session=session, actor=actor, account_id=world.accounts["r1_cust1"])[0]
    assert get_product(session=session, actor=actor, account_id=world.accounts["r1_cust1"], product_id=own.id) == own
    foreign = list_products(session=session, actor=world.actor("r2_admin"), account_id=world.accounts["r2_cust1"])[0]
    attempts = [
        (world.accounts["r1_cust1"], foreign.id),  # another tenant's product under my customer's id
        (world.accounts["r2_cust1"], foreign.id),  # another tenant's customer
        (world.accounts["r1_cust2"], own.id),  # my product, but of another of my customers
        (world.accounts["r1_cust1"], MISSING_ID),
    ]
    for account_id, product_id in attempts:
        with pytest.raises(NotFound, match="^Product not found.$"):
            get_product(session=session, actor=actor, account_id=account_id, product_id=product_id)


@pytest.mark.parametrize(
    ("user", "account", "can_manage"),
    [
        ("dist_admin", "r1_cust1", True),
        ("r1_admin", "r1_cust1", True),
        ("tenant_admin", "r1_cust1", True),
        ("r1_viewer", "r1_cust1", False),
        ("dist_viewer", "r2_cust1", False),
    ],
)
def test_detail_5_permissions_follow_the_role(session, world, user, account, can_manage):
    """DETAIL-5 / AUTH-4: admins and assigned tenant admins manage products; viewers only read them."""
    answer = product_permissions(session=session, actor=world.actor(user), account_id=world.accounts[account])
    assert answer.can_manage is can_manage
    assert answer.can_add is can_manage
    assert answer.can_delete is can_manage
    assert not answer.is_sandbox


def test_detail_5_missing_types_shrink_as_products_are_added(session, world):
    """DETAIL-5: "Add Product" offers only the types the customer lacks, and none once it has all three."""
    actor = world.actor("r1_admin")
    target = world.accounts["r1_cust2"]
    assert product_permissions(session=session, actor=actor, account_id=target).missing_types == ALL_TYPES
    _add(session, world, "r1_cust2", ProductType.SAAS_APPS_ENDPOINTS)
    answer = product_permissions(session=session, actor=actor, account_id=target)
    assert answer.missing_types == ("Hybrid Workloads", "Microsoft 365")
    _add(session, world, "r1_cust2", ProductType.HYBRID_WORKLOADS)
    _add(session, world, "r1_cust2", ProductType.MICROSOFT_365)
    answer = product_permissions(session=session, actor=actor, account_id=target)
    assert answer.missing_types == ()
    assert answer.can_manage and not answer.can_add


def test_sandbox_3_sandbox_products_are_edited_but_never_deleted_or_suspended(session, world):
    """SANDBOX-2/3: on the Sandbox the admin may add and edit products, not delete, suspend or activate them."""
    answer = product_permissions(session=session, actor=world.actor("dist_admin"), account_id=world.accounts["sandbox"])
    assert answer.is_sandbox
    assert answer.can_manage and answer.can_add
    assert not answer.can_delete
    assert answer.missing_types == ("SaaS Apps and Endpoints", "Microsoft 365")


def test_detail_5_a_reseller_has_no_products_to_manage(session, world):
    """SPEC 1: products belong to customers; a reseller's page offers no product controls."""
    for user in ("dist_admin", "r1_admin"):
        answer = product_permissions(session=session, actor=world.actor(user), account_id=world.accounts["r1"])
        assert (answer.can_manage, answer.missing_types) == (False, ())
        assert list_products(session=session, actor=world.actor(user), account_id=world.accounts["r1"]) == []
