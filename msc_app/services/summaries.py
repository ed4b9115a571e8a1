"""Keeps the customers list's denormalised columns on ``Account`` (LIST-2).

Each ``refresh_*`` function recomputes one group of columns for one account
from the rows it summarises; every service that changes those rows calls the
matching one in the same transaction, so the list can sort and filter 100,000
rows with one indexed query instead of joining and aggregating per page:

- products (plans, editions, regions, quota, expiry): ``refresh_account_summary``
- onboarding tasks (STATUS-1): ``refresh_onboarding``
- contracts (CONTRACT-1): ``refresh_contracts``
- billing ingestion (SOURCE-1), also for every ancestor: ``refresh_source_data``
- users: ``refresh_admin`` (home account's admins), ``refresh_tenant_admins``
  (assignments), ``refresh_for_user`` (a user's name, role or assignments changed)
- daily consumption: ``refresh_consumption`` (the 90-day window moves every
  day: ``refresh_consumption(account_id=None)`` recomputes every account)

``refresh_list_columns`` runs them all for one account. The bulk demo
generator computes the same values in Python with ``summarise``,
``onboarding_values``, ``source_data_rank`` and ``consumption_window``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from msc_app.models import (
    SOURCE_DATA_RANKS,
    Account,
    BillingIngestion,
    Contract,
    DailyConsumption,
    Edition,
    IngestionStatus,
    OnboardingTask,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    User,
)

_PRODUCT_ORDER = {p.value: i for i, p in enumerate(ProductType)}
_EDITION_ORDER = {e.value: i for i, e in enumerate(Edition)}
CONSUMPTION_DAYS = 90
COMPLETE = 1000  # onboarding_progress of a finished (or task-less) onboarding


# ---------------------------------------------------------------- products


def summarise(
    products: Iterable[Product],
    plan_names: dict[int, str],
    plan_editions: dict[int, str] | None = None,
) -> dict:
    """The product-derived column values for one account's products."""
    products = list(products)
    plan_editions = plan_editions or {}
    types = sorted(
        {p.product_type for p in products}, key=lambda t: _PRODUCT_ORDER.get(t, 99)
    )
    plans = sorted({plan_names.get(p.service_plan_id, "") for p in products} - {""})
    editions = sorted(
        {plan_editions.get(p.service_plan_id, "") for p in products} - {""},
        key=lambda e: _EDITION_ORDER.get(e, 99),
    )
    tenant_types = sorted({p.tenant_type for p in products})
    regions = sorted({r for p in products for r in (p.storage_regions or [])})
    expiries = [p.license_expiry for p in products if p.license_expiry]
    effective = [p.quota_effective_date for p in products if p.quota_effective_date]
    ends = [p.quota_end_date for p in products if p.quota_end_date]
    return {
        "products_summary": ", ".join(types)[:200],
        "service_plan_summary": ", ".join(plans)[:200],
        "tenant_type_summary": ", ".join(tenant_types)[:100],
        "storage_regions_summary": ", ".join(regions)[:300],
        "license_expiry": min(expiries) if expiries else None,
        "edition_summary": ", ".join(editions)[:100],
        "credit_quota_total": sum(p.credit_quota or 0 for p in products),
        "quota_effective_date": min(effective) if effective else None,
        "quota_end_date": max(ends) if ends else None,
    }


def _apply(session: Session, account_id: int, values: dict) -> None:
    account = session.get(Account, account_id)
    if account is None:
        return
    for key, value in values.items():
        setattr(account, key, value)
    session.add(account)


def refresh_account_summary(*, session: Session, account_id: int) -> None:
    """Products changed: recompute the product-derived columns."""
    products = list(
        session.exec(select(Product).where(Product.account_id == account_id))
    )
    plan_ids = {p.service_plan_id for p in products}
    plan_names: dict[int, str] = {}
    plan_editions: dict[int, str] = {}
    if plan_ids:
        for plan_id, name, edition in session.exec(
            select(ServicePlan.id, ServicePlan.name, ServicePlan.edition).where(
                ServicePlan.id.in_(plan_ids)
            )
        ):
            plan_names[plan_id] = name
            plan_editions[plan_id] = edition
    _apply(session, account_id, summarise(products, plan_names, plan_editions))


# ---------------------------------------------------------------- onboarding (STATUS-1)


def onboarding_values(done: int, total: int) -> dict:
    progress = COMPLETE if total <= 0 else min(COMPLETE, COMPLETE * done // total)
    return {
        "onboarding_done": done,
        "onboarding_total": total,
        "onboarding_progress": progress,
    }


def refresh_onboarding(*, session: Session, account_id: int) -> None:
    done, total = session.exec(
        select(
            func.coalesce(
                func.sum(
                    sa.case(
                        (OnboardingTask.status == TaskStatus.DONE.value, 1), else_=0
                    )
                ),
                0,
            ),
            func.count(),
        ).where(OnboardingTask.account_id == account_id)
    ).one()
    _apply(session, account_id, onboarding_values(int(done), int(total)))


# ---------------------------------------------------------------- contracts (CONTRACT-1)


def refresh_contracts(*, session: Session, account_id: int) -> None:
    total = session.exec(
        select(func.count())
        .select_from(Contract)
        .where(Contract.account_id == account_id)
    ).one()
    _apply(session, account_id, {"contracts_total": int(total)})


def contract_counts(
    *, session: Session, account_ids: list[int]
) -> dict[int, dict[str, int]]:
    """Contracts per status for a page of accounts, in one grouped query."""
    counts: dict[int, dict[str, int]] = {account_id: {} for account_id in account_ids}
    if not account_ids:
        return counts
    rows = session.exec(
        select(Contract.account_id, Contract.status, func.count())
        .where(Contract.account_id.in_(account_ids))
        .group_by(Contract.account_id, Contract.status)
    )
    for account_id, status, count in rows:
        counts[account_id][status] = int(count)
    return counts


# ---------------------------------------------------------------- source data (SOURCE-1)


def source_data_rank(status: str | None) -> int:
    """Severity rank of one ingestion status; an unknown or missing one is 'Not available'."""
    try:
        return SOURCE_DATA_RANKS.index(status or IngestionStatus.NOT_AVAILABLE.value)
    except ValueError:
        return 0


def source_data_status(rank: int) -> str:
    return SOURCE_DATA_RANKS[max(0, min(rank, len(SOURCE_DATA_RANKS) - 1))]


def refresh_source_data(*, session: Session, account_id: int) -> None:
    """Ingestion of ``account_id`` changed: recompute its aggregate, then its ancestors'.

    The aggregate is the highest severity over the account's own ingestion and
    its children's aggregates (Failed > Warning > Success > Not available).
    """
    session.flush()  # the ingestion row and the children's values, as the query sees them
    seen: set[int] = set()
    current: int | None = account_id
    while current is not None and current not in seen:
        seen.add(current)
        own = session.exec(
            select(BillingIngestion.status).where(
                BillingIngestion.account_id == current
            )
        ).first()
        children = session.exec(
            select(func.max(Account.source_data_rank)).where(
                Account.parent_id == current
            )
        ).one()
        rank = max(source_data_rank(own), children or 0)
        account = session.get(Account, current)
        if account is None:
            return
        account.source_data_rank = rank
        session.add(account)
        session.flush()
        current = account.parent_id


# ---------------------------------------------------------------- users


def refresh_admin(*, session: Session, account_id: int) -> None:
    """The first invited admin: the earliest-created admin whose home is this account."""
    name = session.exec(
        select(User.name)
        .where(User.account_id == account_id, User.role == Role.ADMIN.value)
        .order_by(User.created_at, User.id)
        .limit(1)
    ).first()
    _apply(session, account_id, {"admin_name": (name or "")[:200]})


def tenant_admin_summary(names: Iterable[str]) -> str:
    return ", ".join(sorted(names, key=lambda n: (n.lower(), n)))[:300]


def refresh_tenant_admins(*, session: Session, account_id: int) -> None:
    names = session.exec(
        select(User.name)
        .join(TenantAdminAssignment, TenantAdminAssignment.user_id == User.id)
        .where(TenantAdminAssignment.account_id == account_id)
    ).all()
    _apply(session, account_id, {"tenant_admin_summary": tenant_admin_summary(names)})


def refresh_for_user(
    *, session: Session, user_id: int, previous_account_id: int | None = None
) -> None:
    """A user was created, renamed, re-roled or (re)assigned: refresh every account showing it."""
    session.flush()
    user = session.get(User, user_id)
    homes = {a for a in (previous_account_id, user.account_id if user else None) if a}
    for account_id in homes:
        refresh_admin(session=session, account_id=account_id)
    assigned = session.exec(
        select(TenantAdminAssignment.account_id).where(
            TenantAdminAssignment.user_id == user_id
        )
    ).all()
    for account_id in assigned:
        refresh_tenant_admins(session=session, account_id=account_id)


# ---------------------------------------------------------------- consumption (DETAIL-3)


def consumption_window(today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of the 90 days up to ``today``."""
    return today - timedelta(days=CONSUMPTION_DAYS - 1), today


def refresh_consumption(
    *, session: Session, account_id: int | None, today: date | None = None
) -> None:
    """Recompute ``consumption_90d`` for one account, or (``None``) for every account in one statement.

    The window moves every day, so a daily job calls this with ``None``.
    """
    first, last = consumption_window(today or date.today())
    units = (
        select(func.coalesce(func.sum(DailyConsumption.units), 0))
        .where(
            DailyConsumption.account_id == Account.id,
            DailyConsumption.day >= first,
            DailyConsumption.day <= last,
        )
        .scalar_subquery()
    )
    session.flush()
    stmt = sa.update(Account).values(consumption_90d=units)
    if account_id is not None:
        stmt = stmt.where(Account.id == account_id)
    session.execute(stmt.execution_options(synchronize_session=False))
    if account_id is not None:
        account = session.get(Account, account_id)
        if account is not None:
            session.refresh(account, ["consumption_90d"])
    else:
        session.expire_all()


# ---------------------------------------------------------------- all of them


def refresh_list_columns(
    *, session: Session, account_id: int, today: date | None = None
) -> None:
    """Every denormalised list column of one account (e.g. after creating a customer)."""
    refresh_account_summary(session=session, account_id=account_id)
    refresh_onboarding(session=session, account_id=account_id)
    refresh_contracts(session=session, account_id=account_id)
    refresh_admin(session=session, account_id=account_id)
    refresh_tenant_admins(session=session, account_id=account_id)
    refresh_source_data(session=session, account_id=account_id)
    refresh_consumption(session=session, account_id=account_id, today=today)
