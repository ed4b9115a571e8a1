"""The customers list's filter panel (LIST-5): its values, its SQL and its choices.

- ``clean_*`` turn untrusted input (a list of strings, or one comma-separated
  string, as a URL or a form sends them) into a sorted tuple of known values:
  anything unknown is dropped silently, duplicates go, so that two equal
  views give two equal queries.
- ``filter_conditions(entity, query)`` is the SQL of the search box (LIST-4)
  and the filters for ``Account`` or an alias of it: OR within one filter,
  AND across filters. Product, service plan, storage region and tenant type
  match an account with at least one product that has the attribute (see
  the function for how, fast).
- ``filter_options(session=, actor=)`` lists the choices the actor may pick,
  from its own scope only; ``narrow_plans`` narrows the service-plan choices
  by product, edition and workload.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from msc_app.models import (
    SOURCE_DATA_RANKS,
    STORAGE_REGIONS,
    Account,
    Edition,
    Product,
    ProductType,
    ServicePlan,
    TenantAdminAssignment,
    TenantType,
    User,
)
from msc_app.services.permissions import Actor, visible_accounts
from msc_app.services.search import ESCAPE, name_search
from msc_app.services.summaries import COMPLETE

# A bound on what one filter takes from the outside (there are 9 regions and a few plans).
MAX_VALUES = 100
_MAX_ID = 2**31 - 1

STATUS_COMPLETE = "complete"
STATUS_IN_PROGRESS = "in_progress"
STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    (STATUS_COMPLETE, "Complete"),
    (STATUS_IN_PROGRESS, "In progress"),
)
PRODUCT_CHOICES = tuple(p.value for p in ProductType)
TENANT_TYPE_CHOICES = tuple(t.value for t in TenantType)
REGION_CHOICES = tuple(STORAGE_REGIONS)
# SOURCE-1 statuses in severity order (Not available, Success, Warning, Failed).
SOURCE_DATA_CHOICES = tuple(SOURCE_DATA_RANKS)


# ---------------------------------------------------------------- cleaning untrusted input


def _items(raw) -> list[str]:
    """Strings from ``None``, one comma-separated string, or a list of (comma-separated) strings."""
    if raw is None:
        return []
    if isinstance(raw, (str, bytes, int)):
        raw = [raw]
    items: list[str] = []
    try:
        iterator = iter(raw)
    except TypeError:
        return []
    for item in iterator:
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            continue
        items.extend(part.strip() for part in str(item).split(","))
        if len(items) >= MAX_VALUES:
            break
    return [item for item in items[:MAX_VALUES] if item]


def _folded(text: str) -> str:
    """The form two spellings of one choice share: case, '_' and '-' do not matter."""
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _clean_choices(raw, choices: Iterable[str]) -> tuple[str, ...]:
    known = {_folded(choice): choice for choice in choices}
    found = {known[_folded(item)] for item in _items(raw) if _folded(item) in known}
    return tuple(sorted(found))


def clean_products(raw) -> tuple[str, ...]:
    return _clean_choices(raw, PRODUCT_CHOICES)


def clean_tenant_types(raw) -> tuple[str, ...]:
    return _clean_choices(raw, TENANT_TYPE_CHOICES)


def clean_regions(raw) -> tuple[str, ...]:
    return _clean_choices(raw, REGION_CHOICES)


def clean_source_data(raw) -> tuple[str, ...]:
    return _clean_choices(raw, SOURCE_DATA_CHOICES)


def clean_ids(raw) -> tuple[int, ...]:
    """Positive database ids; anything else (signs, decimals, words, huge numbers) is dropped."""
    ids = set()
    for item in _items(raw):
        if item.isascii() and item.isdigit() and 0 < int(item) <= _MAX_ID:
            ids.add(int(item))
    return tuple(sorted(ids))


def clean_status(raw) -> str:
    """'complete', 'in_progress' or '' (no filter)."""
    for item in _items(raw):
        folded = _folded(item).replace(" ", "_")
        if folded in (STATUS_COMPLETE, STATUS_IN_PROGRESS):
            return folded
    return ""


# ---------------------------------------------------------------- SQL


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mentions(column, values) -> Any:
    """``column`` (a ", "-joined summary) mentions one of ``values`` (from a closed list).

    Exact, because no choice of a closed list contains another (a test keeps it so).
    """
    return sa.or_(*(column.like(f"%{_escaped(v)}%", escape=ESCAPE) for v in values))


def _plan_pattern(plan_id: int) -> Any:
    """A LIKE pattern (``ESCAPE '\\'``) matching the plan's name anywhere: one scalar subquery,
    computed once per statement, not per row."""
    pattern = ServicePlan.name
    for char in ("\\", "%", "_"):
        pattern = func.replace(pattern, char, "\\" + char, type_=sa.String)
    return select(sa.literal("%") + pattern + sa.literal("%")).where(ServicePlan.id == plan_id).scalar_subquery()


def _plan_condition(entity, plan_ids: tuple[int, ...]) -> Any:
    """The account has a product on one of ``plan_ids``, read from ``service_plan_summary`` where exact.

    The summary holds the account's plan names, ", "-joined. Finding a plan's
    name there is proof of a product on that plan when no other plan's name
    holds it (as LIKE reads it), it holds no ", ", and the summary is not cut
    at its column's length: then the test costs a LIKE on the list's index.
    Otherwise an EXISTS on the products decides.
    """
    summary = entity.service_plan_summary
    cut = func.length(summary) >= summary.type.length
    any_product = sa.exists().where(Product.account_id == entity.id, Product.service_plan_id.in_(plan_ids))
    found = []
    for plan_id in plan_ids:
        pattern = _plan_pattern(plan_id)
        other = aliased(ServicePlan)
        unambiguous = sa.and_(
            ~sa.exists().where(ServicePlan.id == plan_id, ServicePlan.name.like("%, %")),
            ~sa.exists().where(other.id != plan_id, other.name.like(pattern, escape=ESCAPE)),
        )
        has_product = sa.exists().where(Product.account_id == entity.id, Product.service_plan_id == plan_id)
        found.append(
            sa.and_(
                summary.like(pattern, escape=ESCAPE),
                sa.case((sa.and_(unambiguous, ~cut), sa.true()), else_=has_product),
            )
        )
    return sa.or_(*found, sa.and_(cut, any_product))


def indexed_columns(query) -> set[str]:
    """The list columns the query's search and filters read, each covered by its own list index.

    Two or more cannot be answered from one index: a scan of every account
    then beats a look-up in the table for each row of an index.
    """
    columns = {
        "name_sort": bool(query.search),
        "products_summary": bool(query.products),
        "service_plan_summary": bool(query.service_plans),
        "storage_regions_summary": bool(query.storage_regions),
        "tenant_type_summary": bool(query.tenant_types),
        "onboarding_progress": bool(query.status),
        "source_data_rank": bool(query.source_data),
    }
    return {column for column, used in columns.items() if used}


def filter_conditions(entity, query, *, own_account_id: int | None = None) -> list:
    """SQL conditions on ``entity`` (``Account`` or an alias) for the query's search and filters.

    ``query`` is a ``customers.ListQuery`` (anything with its attributes).
    An empty list means: every row matches.

    The list's denormalised columns (``services.summaries`` keeps them in the
    same transaction as every product, assignment or task change) answer the
    filters from the list's own indexes, without a per-row look at the
    products, which costs a hundred milliseconds at 100,000 customers:

    - Products, Tenant Type, Storage Regions: the account's products' values,
      ", "-joined in ``products_summary`` / ``tenant_type_summary`` /
      ``storage_regions_summary`` (the same as "has a product with");
    - Service Plans are chosen by id; plan names need not be unique, so the
      ``service_plan_summary`` of names decides only where it cannot be
      mistaken, an EXISTS on the products elsewhere (``_plan_condition``);
    - Tenant Admin: the (few) accounts assigned to the chosen users;
    - Status: ``onboarding_progress`` is 1000 exactly when done == total
      (nothing to do included), below 1000 while in progress;
    - Source Data: the SOURCE-1 rank.
    """
    conditions = []
    if query.search:
        conditions.append(name_search(entity, query.search))
    if query.products:
        conditions.append(_mentions(entity.products_summary, query.products))
    if query.service_plans:
        conditions.append(_plan_condition(entity, query.service_plans))
    if query.storage_regions:
        conditions.append(_mentions(entity.storage_regions_summary, query.storage_regions))
    if query.tenant_types:
        conditions.append(_mentions(entity.tenant_type_summary, query.tenant_types))
    if query.tenant_admins:
        # Few accounts per tenant admin: the set of their accounts is small, read once.
        conditions.append(
            entity.id.in_(
                select(TenantAdminAssignment.account_id).where(
                    TenantAdminAssignment.user_id.in_(query.tenant_admins)
                )
            )
        )
    # STATUS-2: the tenant the actor works as always shows its own status as ---, i.e. complete.
    own = entity.id == (own_account_id if own_account_id is not None else -1)
    if query.status == STATUS_COMPLETE:
        conditions.append(sa.or_(entity.onboarding_progress >= COMPLETE, own))
    elif query.status == STATUS_IN_PROGRESS:
        conditions.append(sa.and_(entity.onboarding_progress < COMPLETE, sa.not_(own)))
    if query.source_data:
        ranks = sorted(SOURCE_DATA_RANKS.index(label) for label in query.source_data)
        conditions.append(entity.source_data_rank.in_(ranks))
    return conditions


# ---------------------------------------------------------------- the choices


@dataclass(frozen=True)
class PlanOption:
    id: int
    name: str
    edition: str
    products: tuple[str, ...]
    workloads: tuple[str, ...]


@dataclass(frozen=True)
class AdminOption:
    id: int
    name: str


@dataclass(frozen=True)
class FilterOptions:
    """What the filter panel offers an actor (LIST-5); nothing outside its scope."""

    products: tuple[str, ...]
    service_plans: tuple[PlanOption, ...]
    storage_regions: tuple[str, ...]
    tenant_types: tuple[str, ...]
    tenant_admins: tuple[AdminOption, ...]
    statuses: tuple[tuple[str, str], ...]  # (value, label)
    source_data: tuple[str, ...]
    editions: tuple[str, ...]  # of the plans offered, in Edition order
    workloads: tuple[str, ...]  # of the plans offered, sorted


def _visible_ids(actor: Actor):
    return select(Account.id).where(visible_accounts(actor))


def _sees_everything(actor: Actor) -> bool:
    """The actor's scope is the whole installation (``visible_accounts`` is no condition at all)."""
    return isinstance(visible_accounts(actor), sa.sql.elements.True_)


def _plans_in_scope(actor: Actor):
    """Plans used by a product of a visible account, or owned by a visible account.

    Another reseller's own plans are neither, so they never show.
    """
    if _sees_everything(actor):
        # The whole tree: any plan in use, found per plan through its index.
        used = sa.exists().where(Product.service_plan_id == ServicePlan.id)
        return sa.or_(used, ServicePlan.owner_account_id.is_not(None))
    used_ids = select(Product.service_plan_id).where(Product.account_id.in_(_visible_ids(actor)))
    return sa.or_(
        ServicePlan.id.in_(used_ids),
        ServicePlan.owner_account_id.in_(_visible_ids(actor)),
    )


def filter_options(*, session: Session, actor: Actor) -> FilterOptions:
    """LIST-5: the choices of the filter panel for ``actor`` (its perspective included)."""
    plans = tuple(
        PlanOption(
            id=plan.id,
            name=plan.name,
            edition=plan.edition,
            products=tuple(plan.products or ()),
            workloads=tuple(plan.workloads or ()),
        )
        for plan in session.exec(
            select(ServicePlan)
            .where(_plans_in_scope(actor))
            .order_by(func.lower(ServicePlan.name), ServicePlan.id)
        )
    )
    assigned_here = select(TenantAdminAssignment.user_id)
    if not _sees_everything(actor):
        assigned_here = assigned_here.where(TenantAdminAssignment.account_id.in_(_visible_ids(actor)))
    admins = tuple(
        AdminOption(id=user_id, name=name)
        for user_id, name in session.exec(
            select(User.id, User.name)
            .where(User.id.in_(assigned_here))
            .order_by(func.lower(User.name), User.id)
        )
    )
    edition_order = {e.value: i for i, e in enumerate(Edition)}
    editions = sorted({p.edition for p in plans}, key=lambda e: (edition_order.get(e, 99), e))
    workloads = sorted({w for p in plans for w in p.workloads}, key=lambda w: (w.lower(), w))
    return FilterOptions(
        products=PRODUCT_CHOICES,
        service_plans=plans,
        storage_regions=REGION_CHOICES,
        tenant_types=TENANT_TYPE_CHOICES,
        tenant_admins=admins,
        statuses=STATUS_CHOICES,
        source_data=SOURCE_DATA_CHOICES,
        editions=tuple(editions),
        workloads=tuple(workloads),
    )


def narrow_plans(
    plans: Iterable[PlanOption], *, product: str = "", edition: str = "", workload: str = ""
) -> tuple[PlanOption, ...]:
    """LIST-5: the plan choices covering ``product``, of ``edition``, protecting ``workload``.

    An empty criterion does not narrow.
    """
    return tuple(
        plan
        for plan in plans
        if (not product or product in plan.products)
        and (not edition or plan.edition == edition)
        and (not workload or workload in plan.workloads)
    )
