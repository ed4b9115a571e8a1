"""Customers: the list (LIST-1, LIST-2, LIST-4).

The list is one page from the database, scoped by ``permissions``, sorted by
an indexed column with the id as tie-breaker, plus a count of all matches.
Every LIST-2 column is a column of ``Account`` (kept by ``services.summaries``)
except the contracts' counts by status, read for the whole page in one
grouped query: a page costs three queries whatever its size.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, ContractStatus, CustomerRead
from msc_app.services.permissions import Actor, visible_accounts
from msc_app.services.search import ESCAPE, contains_pattern
from msc_app.services.summaries import contract_counts, source_data_status

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25


class SortKey(enum.StrEnum):
    NAME = "name"
    CUSTOMER_NAME = "customer_name"
    ORGANIZATION = "organization"
    PRODUCTS = "products"
    SERVICE_PLAN = "service_plan"
    TENANT_TYPE = "tenant_type"
    STORAGE_REGIONS = "storage_regions"
    LICENSE_EXPIRY = "license_expiry"
    CREATED = "created"
    EDITION = "edition"
    TENANT_ADMIN = "tenant_admin"
    ADMIN = "admin"
    # Onboarding progress (done / total): ascending puts the least advanced
    # first and the complete ones (shown as ---, also when there are no tasks) last.
    STATUS = "status"
    # SOURCE-1 by severity: ascending Not available, Success, Warning, Failed.
    SOURCE_DATA = "source_data"
    CONTRACTS = "contracts"  # the total number of contracts
    CREDIT_QUOTA = "credit_quota"
    QUOTA_EFFECTIVE = "quota_effective"
    QUOTA_END = "quota_end"
    CONSUMPTION = "consumption"


SORT_COLUMNS = {
    SortKey.NAME: Account.name_sort,
    SortKey.CUSTOMER_NAME: Account.customer_name_sort,
    SortKey.ORGANIZATION: Account.organization,
    SortKey.PRODUCTS: Account.products_summary,
    SortKey.SERVICE_PLAN: Account.service_plan_summary,
    SortKey.TENANT_TYPE: Account.tenant_type_summary,
    SortKey.STORAGE_REGIONS: Account.storage_regions_summary,
    SortKey.LICENSE_EXPIRY: Account.license_expiry,
    SortKey.CREATED: Account.created_at,
    SortKey.EDITION: Account.edition_summary,
    SortKey.TENANT_ADMIN: Account.tenant_admin_summary,
    SortKey.ADMIN: Account.admin_name,
    SortKey.STATUS: Account.onboarding_progress,
    SortKey.SOURCE_DATA: Account.source_data_rank,
    SortKey.CONTRACTS: Account.contracts_total,
    SortKey.CREDIT_QUOTA: Account.credit_quota_total,
    SortKey.QUOTA_EFFECTIVE: Account.quota_effective_date,
    SortKey.QUOTA_END: Account.quota_end_date,
    SortKey.CONSUMPTION: Account.consumption_90d,
}
# Date columns that customers without products lack: those rows stay last in both directions.
NULLS_LAST = frozenset(
    {SortKey.LICENSE_EXPIRY, SortKey.QUOTA_EFFECTIVE, SortKey.QUOTA_END}
)


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    sort: SortKey = SortKey.NAME
    descending: bool = False
    page: int = 1  # 1-based
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def parse(
        cls,
        *,
        search="",
        sort="name",
        descending=False,
        page=1,
        page_size=DEFAULT_PAGE_SIZE,
    ):
        """A query from untrusted input: unknown sort keys and bad numbers fall back to defaults."""
        try:
            sort_key = SortKey(sort)
        except ValueError:
            sort_key = SortKey.NAME
        try:
            page = max(1, int(page))
        except (TypeError, ValueError):
            page = 1
        try:
            page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
        except (TypeError, ValueError):
            page_size = DEFAULT_PAGE_SIZE
        return cls(
            search=str(search or "").strip()[:200],
            sort=sort_key,
            descending=_truthy(descending),
            page=page,
            page_size=page_size,
        )


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRead]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _truthy(value) -> bool:
    """Booleans from the URL or a form arrive as text: only explicit yes-values count."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "desc")
    return bool(value)


def _list_conditions(actor: Actor, query: ListQuery) -> list:
    conditions = [
        visible_accounts(actor),
        Account.kind.in_([AccountKind.RESELLER.value, AccountKind.CUSTOMER.value]),
    ]
    if query.search:
        pattern = contains_pattern(query.search)
        conditions.append(
            sa.or_(
                Account.name_sort.like(pattern, escape=ESCAPE),
                Account.customer_name_sort.like(pattern, escape=ESCAPE),
            )
        )
    return conditions


def list_customers(*, session: Session, actor: Actor, query: ListQuery) -> CustomerPage:
    """One page of the customers (and resellers) the actor sees, and the total count.

    Three queries (count, page, contracts by status) whatever the page size;
    up to five for a date column, whose undated rows come last in both directions.
    """
    conditions = _list_conditions(actor, query)
    total = session.exec(
        select(func.count()).select_from(Account).where(*conditions)
    ).one()
    page_count = max(1, -(-total // query.page_size))
    page = min(query.page, page_count)

    start = (page - 1) * query.page_size
    end = min(total, start + query.page_size)
    if query.sort in NULLS_LAST:
        found = _nulls_last_slice(session, conditions, query, start, end)
    else:
        found = _slice(session, conditions, _order_by(query), start, end, total)
    counts = contract_counts(
        session=session, account_ids=[account.id for account, _ in found]
    )
    rows = [
        _read(account, parent_name, counts[account.id])
        for account, parent_name in found
    ]
    return CustomerPage(rows=rows, total=total, page=page, page_size=query.page_size)


def _slice(
    session: Session,
    conditions: list,
    order: list[tuple],
    start: int,
    end: int,
    total: int,
) -> list:
    """Rows ``start:end`` of ``total`` matching rows in ``order`` (a list of (expression, descending))."""
    if end <= start:
        return []
    # An OFFSET costs as many rows as it skips: past the middle, read the page
    # from the other end in the reverse order and turn it around.
    from_end = start > total - end
    parent = aliased(Account)
    stmt = (
        select(Account, parent.name)
        .join(parent, parent.id == Account.parent_id, isouter=True)
        .where(*conditions)
        .order_by(*_sql_order(order, reverse=from_end))
        .offset(total - end if from_end else start)
        .limit(end - start)
    )
    found = list(session.exec(stmt))
    if from_end:
        found.reverse()
    return found


def _nulls_last_slice(
    session: Session, conditions: list, query: ListQuery, start: int, end: int
) -> list:
    """A page of a date column: dated rows in order, then the undated by id, each read by its index.

    ``ORDER BY col IS NULL, col`` cannot use the column's index, so the dated
    and the undated part are read separately; the undated part is counted only
    when the page lies wholly beyond the dated rows.
    """
    column = SORT_COLUMNS[query.sort]
    size = end - start
    if size <= 0:
        return []
    parent = aliased(Account)
    base = select(Account, parent.name).join(
        parent, parent.id == Account.parent_id, isouter=True
    )
    dated = list(
        session.exec(
            base.where(*conditions, column.is_not(None))
            .order_by(
                *_sql_order(
                    [(column, query.descending), (Account.id, query.descending)]
                )
            )
            .offset(start)
            .limit(size)
        )
    )
    if len(dated) == size:
        return dated
    if dated:
        undated_start = 0
    else:
        dated_total = session.exec(
            select(func.count())
            .select_from(Account)
            .where(*conditions, column.is_not(None))
        ).one()
        undated_start = start - dated_total
    undated = session.exec(
        base.where(*conditions, column.is_(None))
        .order_by(*_sql_order([(Account.id, query.descending)]))
        .offset(undated_start)
        .limit(size - len(dated))
    )
    return dated + list(undated)


def _order_by(query: ListQuery) -> list[tuple]:
    """The list's total order: the sort column, then the id, so pages never overlap."""
    column = SORT_COLUMNS[query.sort]
    return [(column, query.descending), (Account.id, query.descending)]


def _sql_order(keys: list[tuple], *, reverse: bool = False) -> list:
    return [expr.desc() if desc != reverse else expr.asc() for expr, desc in keys]


def _read(
    account: Account, parent_name: str | None, contracts: dict[str, int]
) -> CustomerRead:
    return CustomerRead(
        id=account.id,
        kind=account.kind,
        parent_id=account.parent_id,
        parent_name=parent_name or "",
        name=account.name,
        customer_name=account.customer_name,
        organization=account.organization,
        products=account.products_summary,
        service_plan=account.service_plan_summary,
        tenant_type=account.tenant_type_summary,
        storage_regions=account.storage_regions_summary,
        license_expiry=account.license_expiry,
        is_sandbox=account.is_sandbox,
        created_at=account.created_at,
        edition=account.edition_summary,
        tenant_admins=account.tenant_admin_summary,
        admin=account.admin_name,
        onboarding_done=account.onboarding_done,
        onboarding_total=account.onboarding_total,
        source_data=source_data_status(account.source_data_rank),
        contracts={status: n for status, n in _by_status_order(contracts) if n},
        credit_quota=account.credit_quota_total,
        quota_effective_date=account.quota_effective_date,
        quota_end_date=account.quota_end_date,
        consumption_90d=account.consumption_90d,
    )


def _by_status_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts in ContractStatus order (Active, Pending, Expired, Cancelled), unknown ones after."""
    order = {s.value: i for i, s in enumerate(ContractStatus)}
    return sorted(
        counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
    )
