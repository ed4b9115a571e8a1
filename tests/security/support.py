"""Helpers of the security suite: a whole-database snapshot, and the objects each customer of the world owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from msc_app.models import (
    Account,
    AccountKind,
    Contact,
    Contract,
    ContractStatus,
    OnboardingTask,
    OnboardingTaskKind,
    Product,
    ProductType,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    TenantType,
)
from tests.conftest import World, add_account, add_product

MISSING_ID = 987_654
# The customers that own one object of every kind (contact, product, contract, onboarding task).
OWNERS = ("r1_cust1", "r1_cust2", "r2_cust1", "dist_cust1")


def database_snapshot(session: Session) -> dict[str, list[dict]]:
    """Every row of every table, read with Core in primary-key order (the ORM's identity map cannot hide a change).

    Reading autoflushes: anything a refused service left pending in the session shows up as a change.
    """
    snapshot = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings().all()
        snapshot[table.name] = [dict(r) for r in rows]
    return snapshot


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


@dataclass
class SecurityWorld:
    """The conftest world plus, for each of ``OWNERS``, a contact, a product, a contract and onboarding tasks."""

    world: World
    contacts: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)  # the owner's "sign contract" task

    def account(self, key: str) -> int:
        return self.world.accounts[key]


def build_security_world(session: Session, world: World) -> SecurityWorld:
    sw = SecurityWorld(world=world)
    default_plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).one()
    for n, key in enumerate(OWNERS):
        account_id = world.accounts[key]
        product = session.exec(select(Product).where(Product.account_id == account_id)).first()
        if product is None:
            product = add_product(
                session,
                account_id=account_id,
                plan_id=default_plan.id,
                product_type=ProductType.MICROSOFT_365,
                tenant_type=TenantType.COMMERCIAL,
                storage_regions=["EU Ireland"],
            )
        sw.products[key] = product.id
        contact = Contact(account_id=account_id, name=f"Contact of {key}", email=f"contact.{n}@{key}.example")
        contract = Contract(
            account_id=account_id, number=f"SEC-{n}", title=f"Deal of {key}", status=ContractStatus.ACTIVE,
            start_date=date(2025, 1, 1),
        )
        session.add_all([contact, contract])
        tasks = [
            OnboardingTask(account_id=account_id, kind=k, status=TaskStatus.NOT_STARTED) for k in OnboardingTaskKind
        ]
        session.add_all(tasks)
        session.flush()
        sw.contacts[key], sw.contracts[key] = contact.id, contract.id
        sw.tasks[key] = tasks[0].id
    return sw


def blank_sibling(session: Session, sw: SecurityWorld, target: str, name: str) -> int:
    """A customer with nothing that blocks deleting it, beside ``target`` and assigned to the same tenant admins."""
    target_id = sw.account(target)
    parent_id = session.get(Account, target_id).parent_id
    account = add_account(session, kind=AccountKind.CUSTOMER, name=name, parent_id=parent_id)
    for user_id in session.exec(
        select(TenantAdminAssignment.user_id).where(TenantAdminAssignment.account_id == target_id)
    ).all():
        session.add(TenantAdminAssignment(user_id=user_id, account_id=account.id))
    session.flush()
    return account.id

