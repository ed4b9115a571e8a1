"""Customers: the list (LIST-1, LIST-4) and, later, create/edit/delete.

The list is one page from the database, scoped by ``permissions``, sorted by
an indexed column with the id as tie-breaker, plus a count of all matches.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, CustomerRead
from msc_app.services.permissions import Actor, visible_accounts
from msc_app.services.search import ESCAPE, contains_pattern

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
}


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    sort: SortKey = SortKey.NAME
    descending: bool = False
    page: int = 1  # 1-based
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def parse(cls, *, search="", sort="name", descending=False, page=1, page_size=DEFAULT_PAGE_SIZE):
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
    """One page of the customers (and resellers) the actor sees, and the total count."""
    conditions = _list_conditions(actor, query)
    total = session.exec(select(func.count()).select_from(Account).where(*conditions)).one()
    page_count = max(1, -(-total // query.page_size))
    page = min(query.page, page_count)

    start = (page - 1) * query.page_size
    end = min(total, start + query.page_size)
    # An OFFSET costs as many rows as it skips: past the middle, read the page
    # from the other end in the reverse order and turn it around.
    from_end = start > total - end
    parent = aliased(Account)
    stmt = (
        select(Account, parent.name)
        .join(parent, parent.id == Account.parent_id, isouter=True)
        .where(*conditions)
        .order_by(*_order_by(query, reverse=from_end))
        .offset(total - end if from_end else start)
        .limit(max(0, end - start))
    )
    found = list(session.exec(stmt))
    if from_end:
        found.reverse()
    rows = [_read(account, parent_name) for account, parent_name in found]
    return CustomerPage(rows=rows, total=total, page=page, page_size=query.page_size)


def _order_by(query: ListQuery, *, reverse: bool) -> list:
    """The list's total order: the sort column, then the id, so pages never overlap."""
    column = SORT_COLUMNS[query.sort]
    keys = [(column, query.descending), (Account.id, query.descending)]
    if query.sort == SortKey.LICENSE_EXPIRY:
        # Customers without products have no expiry: keep them last in both directions.
        keys.insert(0, (column.is_(None), False))
    return [expr.desc() if desc != reverse else expr.asc() for expr, desc in keys]


def _read(account: Account, parent_name: str | None) -> CustomerRead:
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
    )
