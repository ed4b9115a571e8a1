"""Helpers for the tests of changes: snapshots of the database to prove a refusal changed nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, func, select

from msc_app.models import (
    Account,
    AuditEvent,
    BillingIngestion,
    Contact,
    Contract,
    DailyConsumption,
    OnboardingTask,
    OutboxEmail,
    Product,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    User,
    UserStatus,
)
from tests.conftest import World

COUNTED = (
    Account,
    Product,
    TenantAdminAssignment,
    OnboardingTask,
    BillingIngestion,
    OutboxEmail,
    AuditEvent,
    Contact,
    Contract,
    DailyConsumption,
)


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of every table a customer change may touch."""
    return {
        model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
        for model in COUNTED
    }


def row(session: Session, model, row_id: int) -> dict:
    """The row as stored (read with Core, so the ORM's identity map cannot hide a change)."""
    table = model.__table__
    found = session.execute(sa.select(table).where(table.c.id == row_id)).mappings().first()
    return dict(found) if found is not None else None


def assigned(session: Session, account_id: int) -> set[int]:
    return set(
        session.exec(
            select(TenantAdminAssignment.user_id).where(TenantAdminAssignment.account_id == account_id)
        ).all()
    )


def database_state(session: Session, *account_ids: int) -> tuple:
    """Counts, the given accounts' rows and their tenant admins, and every product row."""
    products = session.execute(sa.select(Product.__table__).order_by(Product.__table__.c.id)).mappings().all()
    return (
        table_counts(session),
        [row(session, Account, i) for i in account_ids],
        [assigned(session, i) for i in account_ids],
        [dict(p) for p in products],
    )


def add_user(
    session: Session,
    world: World,
    key: str,
    *,
    role: Role = Role.TENANT_ADMIN,
    home: str = "r1",
    status: UserStatus = UserStatus.ACTIVE,
    name: str | None = None,
) -> User:
    user = User(
        email=f"{key}@example.com",
        name=name or key.replace("_", " ").title(),
        role=role,
        account_id=world.accounts[home],
        status=status,
    )
    session.add(user)
    session.flush()
    return user


def plan_id(session: Session, name: str = "Default Service Plan") -> int:
    return session.exec(select(ServicePlan.id).where(ServicePlan.name == name)).one()
