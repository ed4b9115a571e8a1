"""Products (DETAIL-5) and the Sandbox's product rules (SANDBOX-2, SANDBOX-3), on the database.

The Sandbox (from first run) has one Hybrid Workloads product on the Default
Service Plan, Evaluation, stored in "US East". Refusals are checked against a
snapshot of the database taken before the attempt.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from msc_app.models import (
    Account,
    AuditEvent,
    DailyConsumption,
    OnboardingTask,
    OnboardingTaskKind,
    Product,
    ProductStatus,
    ProductType,
    ServicePlan,
    TaskStatus,
    TenantType,
)
from msc_app.services import products
from msc_app.services.errors import DomainError, NotFound, PermissionDenied, ValidationError
from msc_app.services.products import ProductCreate, ProductUpdate
from tests.services.support import database_state, plan_id, row

MISSING_ID = 999_999


def _product_of(session, account_id: int) -> Product:
    return session.exec(select(Product).where(Product.account_id == account_id).order_by(Product.id)).first()


def _sandbox_product(session, world) -> Product:
    return _product_of(session, world.accounts["sandbox"])


def _errors(fn) -> dict[str, str]:
    with pytest.raises(ValidationError) as excinfo:
        fn()
    return excinfo.value.errors


def _m365(session, **extra) -> ProductCreate:
    values = dict(
        product_type=ProductType.MICROSOFT_365,
        service_plan_id=plan_id(session),
        storage_regions=["EU Ireland"],
        credit_quota=300,
        user_count=25,
    )
    return ProductCreate(**values | extra)


def _last_event(session) -> AuditEvent:
    return session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


# ---------------------------------------------------------------- DETAIL-5 (the rules every customer has)


def test_detail_5_add_product_refreshes_the_list_summary_and_onboarding(session, world):
    """DETAIL-5: a product added to a customer appears in the list's summary columns at once."""
    target = world.accounts["r1_cust2"]
    session.add(OnboardingTask(account_id=target, kind=OnboardingTaskKind.ADD_PRODUCT))
    session.flush()
    product = products.add_product(session=session, actor=world.actor("r1_admin"), account_id=target, data=_m365(session))
    assert (product.product_type, product.tenant_type, product.status) == (
        ProductType.MICROSOFT_365,
        TenantType.EVALUATION,
        ProductStatus.ACTIVE,
    )
    stored = row(session, Account, target)
    assert (stored["products_summary"], stored["storage_regions_summary"]) == ("Microsoft 365", "EU Ireland")
    task = session.exec(select(OnboardingTask).where(OnboardingTask.account_id == target)).one()
    assert task.status == TaskStatus.DONE
    event = _last_event(session)
    assert (event.action, event.entity_id, event.account_id) == ("product.create", product.id, target)


def test_detail_5_tenant_admin_manages_products_of_its_assigned_customer(session, world):
    """DETAIL-5 / AUTH-4: a tenant admin adds and edits products of the customer it is assigned to."""
    actor = world.actor("tenant_admin")
    target = world.accounts["r1_cust1"]
    added = products.add_product(
        session=session,
        actor=actor,
        account_id=target,
        data=_m365(session, product_type=ProductType.SAAS_APPS_ENDPOINTS),
    )
    products.update_product(session=session, actor=actor, product_id=added.id, data=ProductUpdate(user_count=40))
    assert row(session, Product, added.id)["user_count"] == 40


def test_detail_5_one_product_of_each_type_and_the_plan_must_include_it(session, world):
    """DETAIL-5: a second Microsoft 365 is refused; so is a plan that does not cover the product."""
    narrow = ServicePlan(name="Workloads Only", products=[ProductType.HYBRID_WORKLOADS.value], owner_account_id=world.accounts["dist"])
    session.add(narrow)
    session.flush()
    actor = world.actor("r1_admin")
    target = world.accounts["r1_cust1"]  # already has Microsoft 365
    before = database_state(session, target)
    errors = _errors(lambda: products.add_product(session=session, actor=actor, account_id=target, data=_m365(session)))
    assert errors == {"product_type": "Harbor Dental already has a Microsoft 365 product."}
    errors = _errors(
        lambda: products.add_product(
            session=session,
            actor=actor,
            account_id=target,
            data=_m365(session, product_type=ProductType.SAAS_APPS_ENDPOINTS, service_plan_id=narrow.id),
        )
    )
    assert errors == {"service_plan_id": "The plan Workloads Only does not include SaaS Apps and Endpoints."}
    assert database_state(session, target) == before


def test_detail_5_update_validates_like_create_and_saves_nothing_on_error(session, world):
    """DETAIL-5 / CREATE-2: negative numbers, an end date before the start and no storage region are refused."""
    product = _product_of(session, world.accounts["r1_cust1"])
    before = database_state(session, world.accounts["r1_cust1"])
    errors = _errors(
        lambda: products.update_product(
            session=session,
            actor=world.actor("r1_admin"),
            product_id=product.id,
            data=ProductUpdate(
                credit_quota=-5,
                preserved_user_count=-1,
                storage_regions=[],
                quota_effective_date=date(2025, 9, 1),
                quota_end_date=date(2025, 8, 1),
            ),
        )
    )
    assert set(errors) == {"credit_quota", "preserved_user_count", "storage_regions", "quota_end_date"}
    assert database_state(session, world.accounts["r1_cust1"]) == before


def test_detail_5_update_changes_only_what_is_sent_and_records_it(session, world):
    """DETAIL-5: the fields sent change (tenant type and regions too, off the sandbox); the rest stay."""
    product = _product_of(session, world.accounts["r2_cust1"])
    original = row(session, Product, product.id)
    products.update_product(
        session=session,
        actor=world.actor("r2_admin"),
        product_id=product.id,
        data=ProductUpdate(tenant_type=TenantType.COMMERCIAL, storage_regions=["Canada"], license_expiry=None),
    )
    stored = row(session, Product, product.id)
    assert (stored["tenant_type"], stored["storage_regions"], stored["license_expiry"]) == ("Commercial", ["Canada"], None)
    assert stored["service_plan_id"] == original["service_plan_id"]
    account = row(session, Account, world.accounts["r2_cust1"])
    assert (account["tenant_type_summary"], account["storage_regions_summary"], account["license_expiry"]) == (
        "Commercial",
        "Canada",
        None,
    )
    event = _last_event(session)
    assert event.action == "product.update"
    assert event.before == {"tenant_type": "Evaluation", "storage_regions": ["US West", "Canada"], "license_expiry": "2025-07-01"}
    assert event.after == {"tenant_type": "Commercial", "storage_regions": ["Canada"], "license_expiry": None}


def test_detail_5_suspend_and_activate(session, world):
    """DETAIL-5: suspend then activate a product; each writes an audit event; a repeat is refused."""
    actor = world.actor("r1_admin")
    product = _product_of(session, world.accounts["r1_cust1"])
    products.suspend_product(session=session, actor=actor, product_id=product.id)
    assert row(session, Product, product.id)["status"] == ProductStatus.SUSPENDED
    assert (_last_event(session).action, _last_event(session).after) == ("product.suspend", {"status": "Suspended"})
    before = database_state(session, world.accounts["r1_cust1"])
    with pytest.raises(DomainError, match="already suspended"):
        products.suspend_product(session=session, actor=actor, product_id=product.id)
    assert database_state(session, world.accounts["r1_cust1"]) == before
    products.activate_product(session=session, actor=actor, product_id=product.id)
    assert row(session, Product, product.id)["status"] == ProductStatus.ACTIVE
    assert _last_event(session).action == "product.activate"


def test_detail_5_delete_product_removes_its_consumption_and_clears_the_summary(session, world):
    """DETAIL-5 / DELETE-1: a deleted product leaves no summary behind, so the customer can then be deleted."""
    target = world.accounts["r1_cust1"]
    product = _product_of(session, target)
    session.add(DailyConsumption(account_id=target, product_id=product.id, day=date(2025, 5, 1), units=7))
    session.flush()
    products.delete_product(session=session, actor=world.actor("r1_admin"), product_id=product.id)
    assert row(session, Product, product.id) is None
    assert session.exec(select(DailyConsumption).where(DailyConsumption.account_id == target)).all() == []
    account = row(session, Account, target)
    assert (account["products_summary"], account["service_plan_summary"], account["license_expiry"]) == ("", "", None)
    event = _last_event(session)
    assert (event.action, event.before["product_type"], event.after) == ("product.delete", "Microsoft 365", None)


ACTIONS = {
    "add": lambda s, w, actor, pid, aid: products.add_product(
        session=s, actor=actor, account_id=aid, data=_m365(s, product_type=ProductType.SAAS_APPS_ENDPOINTS)
    ),
    "update": lambda s, w, actor, pid, aid: products.update_product(
        session=s, actor=actor, product_id=pid, data=ProductUpdate(credit_quota=1)
    ),
    "delete": lambda s, w, actor, pid, aid: products.delete_product(session=s, actor=actor, product_id=pid),
    "suspend": lambda s, w, actor, pid, aid: products.suspend_product(session=s, actor=actor, product_id=pid),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("user", "account", "refusal"),
    [
        ("r1_viewer", "r1_cust1", PermissionDenied),
        ("dist_viewer", "r2_cust1", PermissionDenied),
        ("r2_admin", "r1_cust1", NotFound),
        ("tenant_admin", "r2_cust1", NotFound),
    ],
)
def test_detail_5_auth_4_product_changes_refused_outside_scope(session, world, user, account, refusal, action):
    """DETAIL-5 / AUTH-4: viewers change no product; another tenant's product is as good as missing."""
    target = world.accounts[account]
    product = _product_of(session, target)
    actor = world.actor(user)
    before = database_state(session, target)
    with pytest.raises(refusal) as excinfo:
        ACTIONS[action](session, world, actor, product.id, target)
    if refusal is NotFound:
        with pytest.raises(NotFound) as missing:
            ACTIONS[action](session, world, actor, MISSING_ID, MISSING_ID)
        assert str(excinfo.value) == str(missing.value)
    assert database_state(session, target) == before


# ---------------------------------------------------------------- SANDBOX-2


def test_sandbox_2_permitted_product_changes_are_saved(session, world):
    """SANDBOX-2: service plan, quota, quota dates, an added storage region, user counts all change."""
    product = _sandbox_product(session, world)
    premium = plan_id(session, "Premium Protect")
    products.update_product(
        session=session,
        actor=world.actor("dist_admin"),
        product_id=product.id,
        data=ProductUpdate(
            service_plan_id=premium,
            credit_quota=4000,
            quota_effective_date=date(2025, 8, 1),
            quota_end_date=date(2026, 7, 31),
            storage_regions=["US East", "EU Frankfurt"],
            user_count=50,
            preserved_user_count=5,
        ),
    )
    stored = row(session, Product, product.id)
    assert (stored["service_plan_id"], stored["credit_quota"], stored["user_count"], stored["preserved_user_count"]) == (
        premium,
        4000,
        50,
        5,
    )
    assert (stored["quota_effective_date"], stored["quota_end_date"]) == (date(2025, 8, 1), date(2026, 7, 31))
    assert stored["storage_regions"] == ["US East", "EU Frankfurt"]
    sandbox = row(session, Account, world.accounts["sandbox"])
    assert (sandbox["service_plan_summary"], sandbox["storage_regions_summary"]) == (
        "Premium Protect",
        "EU Frankfurt, US East",
    )


def test_sandbox_2_a_missing_product_licence_can_be_added_but_not_a_second_one(session, world):
    """SANDBOX-2: the sandbox gains Microsoft 365, which it lacked; another Hybrid Workloads is refused."""
    sandbox = world.accounts["sandbox"]
    actor = world.actor("dist_admin")
    added = products.add_product(session=session, actor=actor, account_id=sandbox, data=_m365(session))
    assert row(session, Product, added.id)["product_type"] == ProductType.MICROSOFT_365
    assert row(session, Account, sandbox)["products_summary"] == "Hybrid Workloads, Microsoft 365"
    before = database_state(session, sandbox)
    errors = _errors(
        lambda: products.add_product(
            session=session,
            actor=actor,
            account_id=sandbox,
            data=_m365(session, product_type=ProductType.HYBRID_WORKLOADS),
        )
    )
    assert set(errors) == {"product_type"}
    assert database_state(session, sandbox) == before


def test_sandbox_2_storage_regions_are_never_removed(session, world):
    """SANDBOX-2: a storage region can be added to a sandbox product, never removed (not even while adding)."""
    product = _sandbox_product(session, world)
    before = database_state(session, world.accounts["sandbox"])
    for regions in (["Canada"], []):
        errors = _errors(
            lambda regions=regions: products.update_product(
                session=session,
                actor=world.actor("dist_admin"),
                product_id=product.id,
                data=ProductUpdate(storage_regions=regions),
            )
        )
        assert "never removed (US East)" in errors["storage_regions"]
    assert database_state(session, world.accounts["sandbox"]) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("license_expiry", date(2030, 1, 1)),
        ("license_expiry", None),
    ],
)
def test_sandbox_2_other_product_fields_are_read_only(session, world, field, value):
    """SANDBOX-2: fields outside the permitted list (the licence expiry date) are refused on the sandbox."""
    product = _sandbox_product(session, world)
    before = database_state(session, world.accounts["sandbox"])
    errors = _errors(
        lambda: products.update_product(
            session=session,
            actor=world.actor("dist_admin"),
            product_id=product.id,
            data=ProductUpdate(**{field: value}, credit_quota=1),
        )
    )
    assert errors == {field: "The licence expiry date of the Sandbox customer's products cannot be changed."}
    assert database_state(session, world.accounts["sandbox"]) == before


# ---------------------------------------------------------------- SANDBOX-3


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (products.delete_product, "The Sandbox customer's products cannot be deleted."),
        (products.suspend_product, "The Sandbox customer's products cannot be suspended."),
        (products.activate_product, "The Sandbox customer's products cannot be activated."),
    ],
    ids=["delete", "suspend", "activate"],
)
def test_sandbox_3_sandbox_products_cannot_be_deleted_suspended_or_activated(session, world, action, message):
    """SANDBOX-3: delete, suspend and activate are refused for the sandbox's products; nothing changes."""
    product = _sandbox_product(session, world)
    before = database_state(session, world.accounts["sandbox"])
    with pytest.raises(DomainError) as excinfo:
        action(session=session, actor=world.actor("dist_admin"), product_id=product.id)
    assert str(excinfo.value) == message
    assert database_state(session, world.accounts["sandbox"]) == before


@pytest.mark.parametrize("tenant_type", [TenantType.COMMERCIAL, TenantType.NFR])
def test_sandbox_3_tenant_type_of_sandbox_products_cannot_change(session, world, tenant_type):
    """SANDBOX-3: the tenant type of a sandbox product is refused, even when sent with permitted changes."""
    product = _sandbox_product(session, world)
    before = database_state(session, world.accounts["sandbox"])
    errors = _errors(
        lambda: products.update_product(
            session=session,
            actor=world.actor("dist_admin"),
            product_id=product.id,
            data=ProductUpdate(tenant_type=tenant_type, credit_quota=9999),
        )
    )
    assert errors == {"tenant_type": "The tenant type of the Sandbox customer's products cannot be changed."}
    assert database_state(session, world.accounts["sandbox"]) == before


def test_sandbox_3_sending_the_unchanged_tenant_type_is_not_a_change(session, world):
    """SANDBOX-3: an edit form that sends the current tenant type back is accepted."""
    product = _sandbox_product(session, world)
    products.update_product(
        session=session,
        actor=world.actor("dist_admin"),
        product_id=product.id,
        data=ProductUpdate(tenant_type=TenantType.EVALUATION, credit_quota=1234),
    )
    stored = row(session, Product, product.id)
    assert (stored["tenant_type"], stored["credit_quota"]) == (TenantType.EVALUATION, 1234)


def test_detail_5_plan_choices_are_the_plans_sold_through_the_chain(session, world):
    """DETAIL-5 / CREATE-1: R1 is offered the distributor's plans and its own, never R2's."""
    session.add(ServicePlan(name="R1 Special", owner_account_id=world.accounts["r1"]))
    session.add(ServicePlan(name="R2 Special", owner_account_id=world.accounts["r2"]))
    session.flush()
    names = [
        p.name
        for p in products.plan_choices(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"])
    ]
    assert names == ["Default Service Plan", "Premium Protect", "R1 Special"]
