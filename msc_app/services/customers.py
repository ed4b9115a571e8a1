"""Customers: the list (LIST-1, LIST-2, LIST-4, LIST-5, LIST-6).

The list is one page from the database, scoped by ``permissions``, searched
and filtered (``list_filters``), plus a count of all matches. Every LIST-2
column is a column of ``Account`` (kept by ``services.summaries``) except the
contracts' counts by status, read with the page.

LIST-6, the tree. A distributor's list is its top level (its resellers and its
own customers, sorted together) with each reseller's customers right under
the reseller; a reseller's list is itself with its customers under it. Every
sibling group (the top level, one reseller's customers) follows the chosen
column and direction, then the id; undated rows of a date column come last in
both directions. A tenant admin, or a customer's perspective, has no tree:
a flat list. When a page holds children whose parent row is not right above
them (the parent did not match, or it is on an earlier page), the parent comes
first as a *context* row, outside the count and the page size.

How a tree page stays cheap at 100,000 customers (SPEC 8). The *groups* (the
resellers with matching rows) are few. One query, the *outline*, gives each
group's size (its matching children, counted by parent) and how many matching
top-level rows lie between consecutive groups: SQLite counts those gaps as
ranges of the (parent_id, column, id) indexes (``models.accounts.
LIST_SORT_COLUMNS``), PostgreSQL by one window over the top level. From that
outline the page is located exactly, and a second query reads it as a few
index ranges with an OFFSET inside one gap or one group, with its contracts.
Two queries however deep the page, whatever its size (on PostgreSQL a third
statement turns JIT off); the flat list costs three (count, page, contracts).
The outline's statement depends only on the view, not on the page, and is
built once per view and actor.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from msc_app.models import (
    Account,
    AccountKind,
    Contract,
    ContractStatus,
    CustomerRead,
    Role,
)
from msc_app.services import list_filters
from msc_app.services.list_filters import filter_conditions
from msc_app.services.permissions import Actor, visible_accounts
from msc_app.services.search import uses_trigram_index
from msc_app.services.summaries import contract_counts, source_data_status

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
LISTED_KINDS = (AccountKind.RESELLER.value, AccountKind.CUSTOMER.value)


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

# URL parameter of each filter (LIST-9), in the order they appear in a URL.
FILTER_PARAMS = {
    "products": "product",
    "service_plans": "plan",
    "storage_regions": "region",
    "tenant_types": "type",
    "tenant_admins": "admin",
    "status": "status",
    "source_data": "source",
}


@dataclass(frozen=True)
class ListQuery:
    """One view of the list: search, sort, page and the LIST-5 filters.

    Build it from untrusted input with ``parse`` or ``from_params``; the
    filter values are tuples, sorted, so that equal views are equal queries.
    """

    search: str = ""
    sort: SortKey = SortKey.NAME
    descending: bool = False
    page: int = 1  # 1-based
    page_size: int = DEFAULT_PAGE_SIZE
    # LIST-5: OR within one filter, AND across filters.
    products: tuple[str, ...] = ()  # ProductType values
    service_plans: tuple[int, ...] = ()  # ServicePlan ids
    storage_regions: tuple[str, ...] = ()  # models.products.STORAGE_REGIONS
    tenant_types: tuple[str, ...] = ()  # TenantType values
    tenant_admins: tuple[int, ...] = ()  # ids of users assigned as tenant admins
    status: str = ""  # onboarding: "", "complete" or "in_progress"
    source_data: tuple[str, ...] = ()  # SOURCE-1 labels, e.g. "Failed"

    def __post_init__(self):
        for name in FILTER_PARAMS:
            value = getattr(self, name)
            if isinstance(value, (list, set, frozenset)):
                object.__setattr__(self, name, tuple(sorted(value)))

    @classmethod
    def parse(
        cls,
        *,
        search="",
        sort="name",
        descending=False,
        page=1,
        page_size=DEFAULT_PAGE_SIZE,
        products=None,
        service_plans=None,
        storage_regions=None,
        tenant_types=None,
        tenant_admins=None,
        status="",
        source_data=None,
    ):
        """A query from untrusted input: unknown sort keys and bad numbers fall back to defaults,
        unknown filter values are dropped (each filter: a list of strings or one comma-separated string)."""
        try:
            sort_key = SortKey(sort)
        except ValueError:
            sort_key = SortKey.NAME
        try:
            page = max(1, int(page))
        except (TypeError, ValueError, OverflowError):
            page = 1
        try:
            page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
        except (TypeError, ValueError, OverflowError):
            page_size = DEFAULT_PAGE_SIZE
        return cls(
            search=str(search or "").strip()[:200],
            sort=sort_key,
            descending=_truthy(descending),
            page=page,
            page_size=page_size,
            products=list_filters.clean_products(products),
            service_plans=list_filters.clean_ids(service_plans),
            storage_regions=list_filters.clean_regions(storage_regions),
            tenant_types=list_filters.clean_tenant_types(tenant_types),
            tenant_admins=list_filters.clean_ids(tenant_admins),
            status=list_filters.clean_status(status),
            source_data=list_filters.clean_source_data(source_data),
        )

    @property
    def filtered(self) -> bool:
        """Whether any LIST-5 filter is set (the search aside)."""
        return any(getattr(self, name) for name in FILTER_PARAMS)

    def to_params(self) -> dict[str, str]:
        """LIST-9: the view as URL parameters, only what differs from the defaults.

        ``q``, ``sort``, ``desc``, ``page``, ``size`` (page size) and one
        comma-joined parameter per filter (``product``, ``plan``, ``region``,
        ``type``, ``admin``, ``status``, ``source``). ``from_params`` reads it back.
        """
        params: dict[str, str] = {}
        if self.search:
            params["q"] = self.search
        if self.sort != SortKey.NAME:
            params["sort"] = self.sort.value
        if self.descending:
            params["desc"] = "1"
        if self.page > 1:
            params["page"] = str(self.page)
        if self.page_size != DEFAULT_PAGE_SIZE:
            params["size"] = str(self.page_size)
        for name, param in FILTER_PARAMS.items():
            value = getattr(self, name)
            if value:
                params[param] = value if isinstance(value, str) else ",".join(map(str, value))
        return params

    @classmethod
    def from_params(cls, params: Mapping) -> ListQuery:
        """LIST-9: the view from URL parameters (a dict, or a multi-dict such as Starlette's)."""

        def get(key: str, default=None):
            getlist = getattr(params, "getlist", None)
            if getlist is not None:
                values = getlist(key)
                if not values:
                    return default
                return values if len(values) > 1 else values[0]
            return params.get(key, default)

        return cls.parse(
            search=get("q", ""),
            sort=get("sort", SortKey.NAME.value),
            descending=get("desc", ""),
            page=get("page", 1),
            page_size=get("size", DEFAULT_PAGE_SIZE),
            **{name: get(param) for name, param in FILTER_PARAMS.items() if name != "status"},
            status=get("status", ""),
        )


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRead]  # in display order, context rows included
    total: int  # matching rows, context rows not counted
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


def list_customers(*, session: Session, actor: Actor, query: ListQuery) -> CustomerPage:
    """One page of the customers (and resellers) the actor sees, in tree order (LIST-6), and the total count."""
    tree = _tree_for(actor)
    if tree is None:
        return _flat_page(session, actor, query)
    return _tree_page(session, actor, query, tree)


def count_matching(*, session: Session, actor: Actor, query: ListQuery) -> int:
    """How many rows match the query's search and filters in the actor's scope (the list's total)."""
    return session.exec(
        select(func.count()).select_from(Account).where(*_match_conditions(actor, query))
    ).one()


def _match_conditions(actor: Actor, query: ListQuery) -> list:
    return [
        visible_accounts(actor),
        Account.kind.in_(LISTED_KINDS),
        *filter_conditions(Account, query, own_account_id=actor.account_id),
    ]


# ---------------------------------------------------------------- sibling order


@dataclass(frozen=True)
class _Order:
    """The order within one sibling group: the column, then the id; undated rows last if ``nulls_last``."""

    column: str  # attribute of Account
    descending: bool
    nulls_last: bool

    @classmethod
    def of(cls, query: ListQuery) -> _Order:
        return cls(
            column=SORT_COLUMNS[query.sort].key,
            descending=query.descending,
            nulls_last=query.sort in NULLS_LAST,
        )

    @property
    def type(self):
        return Account.__table__.c[self.column].type

    def key(self, entity):
        return getattr(entity, self.column)

    def band_of(self, value) -> int:
        """0 for a value, 1 for an undated row (which comes after every dated one)."""
        return 1 if self.nulls_last and value is None else 0

    def terms(self, entity) -> list:
        """ORDER BY terms for ``entity`` (Account or an alias) in this order."""
        key = self.key(entity)
        terms = []
        if self.nulls_last:
            terms.append(sa.case((key.is_(None), 1), else_=0))
        return [*terms, self._dir(key), self._dir(entity.id)]

    def _dir(self, expression):
        return expression.desc() if self.descending else expression.asc()

    def after(self, left, right):
        """``left`` comes after ``right`` in this order's direction."""
        return left < right if self.descending else left > right

    def before(self, left, right):
        return left > right if self.descending else left < right

    # Open ends of an id range, as values compared with after() / before().
    @property
    def first_id(self) -> int:
        return 2**40 if self.descending else 0

    @property
    def last_id(self) -> int:
        return 0 if self.descending else 2**40


# ---------------------------------------------------------------- the flat list (tenant admins)


def _flat_page(session: Session, actor: Actor, query: ListQuery) -> CustomerPage:
    """Count, page, contracts: three queries whatever the page size."""
    conditions = _match_conditions(actor, query)
    total = session.exec(select(func.count()).select_from(Account).where(*conditions)).one()
    page_count = max(1, -(-total // query.page_size))
    page = min(query.page, page_count)

    start = (page - 1) * query.page_size
    end = min(total, start + query.page_size)
    if query.sort in NULLS_LAST:
        found = _nulls_last_slice(session, conditions, query, start, end)
    else:
        found = _slice(session, conditions, _order_by(query), start, end, total)
    counts = contract_counts(session=session, account_ids=[account.id for account, _ in found])
    rows = [to_read(account, parent_name, counts[account.id]) for account, parent_name in found]
    return CustomerPage(rows=rows, total=total, page=page, page_size=query.page_size)


def _slice(session: Session, conditions: list, order: list[tuple], start: int, end: int, total: int) -> list:
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


def _nulls_last_slice(session: Session, conditions: list, query: ListQuery, start: int, end: int) -> list:
    """A page of a date column: dated rows in order, then the undated by id."""
    column = SORT_COLUMNS[query.sort]
    size = end - start
    if size <= 0:
        return []
    parent = aliased(Account)
    base = select(Account, parent.name).join(parent, parent.id == Account.parent_id, isouter=True)
    dated = list(
        session.exec(
            base.where(*conditions, column.is_not(None))
            .order_by(*_sql_order([(column, query.descending), (Account.id, query.descending)]))
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
            select(func.count()).select_from(Account).where(*conditions, column.is_not(None))
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
    """The flat list's total order: the sort column, then the id, so pages never overlap."""
    column = SORT_COLUMNS[query.sort]
    return [(column, query.descending), (Account.id, query.descending)]


def _sql_order(keys: list[tuple], *, reverse: bool = False) -> list:
    return [expr.desc() if desc != reverse else expr.asc() for expr, desc in keys]


# ---------------------------------------------------------------- the tree (LIST-6)


@dataclass(frozen=True)
class _Tree:
    """The shape of an actor's list.

    ``top``: the top-level rows; ``groups``: the top-level rows whose children
    nest under them; ``mixed``: the top level also holds rows that are not
    groups (a distributor's own customers).
    """

    top: Any
    groups: Any
    mixed: bool
    root_id: int


def _tree_for(actor: Actor) -> _Tree | None:
    """The tree an actor's list shows, or None for a flat list.

    Below a distributor, by construction, are resellers and customers, and
    below a reseller customers (three tiers at most): the structural
    conditions below therefore also select only listed kinds. A tenant admin
    sees customers without their parents: flat.
    """
    if actor.role == Role.TENANT_ADMIN and not actor.in_perspective:
        return None
    if actor.kind == AccountKind.DISTRIBUTOR:
        return _Tree(
            top=Account.parent_id == actor.account_id,
            # Resellers are the distributor's children (not repeated here: the
            # planner should read them by kind, not scan the top level).
            groups=Account.kind == AccountKind.RESELLER.value,
            mixed=True,
            root_id=actor.account_id,
        )
    if actor.kind == AccountKind.RESELLER:
        own = Account.id == actor.account_id
        return _Tree(top=own, groups=own, mixed=False, root_id=actor.account_id)
    return None


@dataclass(frozen=True)
class _Group:
    """A top-level row with matching children, or a matching reseller."""

    id: int
    key: Any
    band: int
    matches: bool  # the group row itself matches the search and filters
    children: int  # its matching children
    children_undated: int  # of which undated (NULLS_LAST columns only)


@dataclass(frozen=True)
class _Run:
    """Top-level rows (not groups) in one band, between two consecutive groups (None: an end)."""

    band: int
    lo: _Group | None
    hi: _Group | None
    length: int


@dataclass(frozen=True)
class _GroupRow:
    group: _Group
    length: int = 1


@dataclass(frozen=True)
class _Children:
    group: _Group
    band: int
    length: int


@dataclass(frozen=True)
class _Piece:
    """What to read for one part of the page."""

    kind: str  # "run", "row", "context", "children"
    depth: int
    segment: Any
    offset: int = 0
    limit: int = 0


# A search matching at most this many rows is placed in the tree from its matches alone.
SMALL_MATCH_LIMIT = 5000


def _tree_page(session: Session, actor: Actor, query: ListQuery, tree: _Tree) -> CustomerPage:
    order = _Order.of(query)
    conditions = filter_conditions(Account, query, own_account_id=actor.account_id)
    visible = visible_accounts(actor)
    if query.search and uses_trigram_index(query.search):
        page = _small_tree_page(session, query, order, tree, visible, conditions)
        if page is not None:
            return page
    groups, runs = _outline(session, actor, query, tree)
    segments = _segments(groups, runs)
    total = sum(segment.length for segment in segments)

    page_count = max(1, -(-total // query.page_size))
    page = min(query.page, page_count)
    start = (page - 1) * query.page_size
    pieces = _page_pieces(segments, start, min(total, start + query.page_size))
    rows = _read_pieces(session, order, tree, visible, conditions, pieces) if pieces else []
    return CustomerPage(rows=rows, total=total, page=page, page_size=query.page_size)


def _small_tree_page(session: Session, query: ListQuery, order: _Order, tree: _Tree, visible, conditions):
    """A searched list's page from its matches alone, or None when more than SMALL_MATCH_LIMIT match.

    A search of 3+ characters matches few rows, which the trigram index finds
    without a scan (a shorter one takes the outline: its scan is the same).
    One query reads the matches and the groups above them, in the sibling
    order (the database orders: its collation decides, as on every page); the
    tree is then laid out from those ids here, with the context rows
    (LIST-6), and a second query reads the page's rows. The outline's counts
    over the whole top level are not needed.
    """
    matches = (
        select(Account.id.label("id"), Account.parent_id.label("parent_id"))
        .where(visible, Account.kind.in_(LISTED_KINDS), *conditions)
        .limit(SMALL_MATCH_LIMIT + 1)
        .cte("small_matches")
    )
    matched = Account.id.in_(select(matches.c.id))
    stmt = (
        select(Account.id, Account.parent_id, matched.label("matched"))
        .where(sa.or_(matched, sa.and_(Account.id.in_(select(matches.c.parent_id)), tree.top, visible)))
        .order_by(*order.terms(Account))
    )
    rows = session.execute(stmt).all()
    if sum(1 for row in rows if row[2]) > SMALL_MATCH_LIMIT:
        return None

    def is_top(row) -> bool:
        return row[1] == tree.root_id if tree.mixed else row[0] == tree.root_id

    children: dict[int, list[int]] = {}
    for row in rows:
        if row[2] and not is_top(row):
            children.setdefault(row[1], []).append(row[0])
    listed: list[tuple[int, int | None]] = []  # (id, parent shown above it or None), counted rows only
    for row in rows:
        if not is_top(row):
            continue
        if row[2]:
            listed.append((row[0], None))
        listed.extend((child, row[0]) for child in children.get(row[0], ()))
    total = len(listed)
    page_count = max(1, -(-total // query.page_size))
    page = min(query.page, page_count)
    start = (page - 1) * query.page_size
    pieces: list[_Piece] = []
    shown: set[int] = set()
    for account_id, parent_id in listed[start : start + query.page_size]:
        if parent_id is not None and parent_id not in shown:
            pieces.append(_Piece("context", 0, _Ref(parent_id)))
            shown.add(parent_id)
        pieces.append(_Piece("row", 0 if parent_id is None else 1, _Ref(account_id)))
        shown.add(account_id)
    rows_read = _read_pieces(session, order, tree, visible, conditions, pieces) if pieces else []
    return CustomerPage(rows=rows_read, total=total, page=page, page_size=query.page_size)


@dataclass(frozen=True)
class _Ref:
    id: int


def _outline(
    session: Session, actor: Actor, query: ListQuery, tree: _Tree
) -> tuple[list[_Group], dict[tuple[int, int], int]]:
    """The groups in display order, with their matching children counted, and the lengths of the
    runs of other matching top-level rows between them: {(gap, band): n}, gap j lying before the
    j-th group (0-based), gap len(groups) after the last one. One query.

    Two shapes of the same answer, each the one its database runs best:
    SQLite steps through many small index ranges at almost no cost per range
    (``_outline_by_ranges``); PostgreSQL pays tens of microseconds per subplan
    run but sorts and windows fast (``_outline_by_window``).
    """
    by_window = session.get_bind().dialect.name == "postgresql"
    if by_window:
        # PostgreSQL's JIT compiles a plan whose estimated cost passes jit_above_cost,
        # which these statements' pessimistic estimates of their subqueries do: it then
        # spends 100-800 ms compiling a query that runs in 20. Off for this transaction
        # (better: jit=off in the engine's connection options, for every OLTP query).
        session.execute(sa.text("SET LOCAL jit = off"))
    # The statement does not depend on the page: built once per view, then reused.
    view = replace(query, page=1, page_size=DEFAULT_PAGE_SIZE)
    rows = session.execute(_outline_statement(by_window, actor, view)).all()
    groups = [_group(row) for row in sorted(rows, key=lambda row: row[0]) if row[0]]
    totals = next((row for row in rows if not row[0]), None)
    if not tree.mixed:
        return groups, {}
    matching, undated = (int(totals[-2] or 0), int(totals[-1] or 0)) if totals else (0, 0)
    return groups, (_window_runs if by_window else _range_runs)(rows, groups, matching, undated)


@functools.lru_cache(maxsize=512)
def _outline_statement(by_window: bool, actor: Actor, view: ListQuery):
    tree = _tree_for(actor)
    build = _outline_by_window if by_window else _outline_by_ranges
    return build(view, _Order.of(view), tree, visible_accounts(actor), filter_conditions(Account, view, own_account_id=actor.account_id))


@dataclass(frozen=True)
class _OutlineParts:
    """What both shapes of the outline share."""

    shown: Any  # CTE: the groups (id, k, band, m, n, nu), matching or with matching children
    group_columns: list
    totals: Any  # SELECT (0, …, matching top-level rows, of which undated)
    in_matching: Any  # condition on Account: a matching top-level row (None: every row matches)


def _outline_parts(
    query: ListQuery, order: _Order, tree: _Tree, visible, conditions, extra: int, *, hash_kids: bool = False
) -> _OutlineParts:
    """The groups with their children counted, and the matching top level's totals.

    Matching rows are counted once, grouped by parent, by whatever index or
    scan suits the filters (``tree_kids``): the groups' children, and the top
    level under the root. Filtered, the matching top-level rows' ids are
    read once (``tree_matching``); the ordered passes over the (parent_id,
    column, id) index then test membership in that set instead of reading
    every row's filter columns from the table.
    """
    key = order.key(Account)
    zero = sa.literal(0, sa.Integer)
    undated = sa.case((key.is_(None), 1), else_=0) if order.nulls_last else zero
    parent = Account.parent_id
    if hash_kids or len(list_filters.indexed_columns(query)) > 1:
        # Grouped by an expression, not in the parent_id index's order: when no one
        # index covers the filters, one pass over the table beats a look-up in the
        # table for each entry of an index; PostgreSQL always counts best by hashing.
        parent = parent + 0
    kids = (
        select(parent.label("parent_id"), func.count().label("n"), func.sum(undated).label("nu"))
        .where(visible, *conditions)
        .group_by(parent)
        .cte("tree_kids")
        .prefix_with("MATERIALIZED")
    )
    groups = (
        select(
            Account.id.label("id"),
            key.label("k"),
            (sa.case((key.is_(None), 1), else_=0) if order.nulls_last else zero).label("band"),
            (sa.case((sa.and_(*conditions), 1), else_=0) if conditions else sa.literal(1, sa.Integer)).label("m"),
        )
        .where(tree.groups, visible)
        .subquery("tree_groups")
    )
    shown = (
        select(
            groups.c.id,
            groups.c.k,
            groups.c.band,
            groups.c.m,
            func.coalesce(kids.c.n, 0).label("n"),
            func.coalesce(kids.c.nu, 0).label("nu"),
        )
        .select_from(groups.outerjoin(kids, kids.c.parent_id == groups.c.id))
        .where(sa.or_(groups.c.m == 1, kids.c.n > 0))
        .cte("tree_shown")
    )
    group_columns = [shown.c.id, shown.c.k, shown.c.band, shown.c.m, shown.c.n, shown.c.nu]
    nothing = sa.null()
    totals = select(
        zero, *([nothing] * (len(group_columns) + extra)), kids.c.n, kids.c.nu
    ).where(kids.c.parent_id == tree.root_id)
    in_matching = None
    if conditions:
        matching = (
            select(Account.id).where(tree.top, visible, *conditions).cte("tree_matching").prefix_with("MATERIALIZED")
        )
        # id + 0: a membership test on each row the index walk meets, not a lookup per listed id.
        in_matching = (Account.id + 0).in_(select(matching.c.id))
    return _OutlineParts(shown=shown, group_columns=group_columns, totals=totals, in_matching=in_matching)


def _outline_by_window(query: ListQuery, order: _Order, tree: _Tree, visible, conditions):
    """``_outline``'s statement as one ordered pass over the top level.

    The top level to place the groups in is every matching top-level row
    plus the groups; a window over it in display order gives each group its
    position and the number of dated rows up to it (``_window_runs``).
    """
    parts = _outline_parts(query, order, tree, visible, conditions, extra=1, hash_kids=bool(conditions))
    shown, group_columns = parts.shown, parts.group_columns
    if not tree.mixed:
        window = [shown.c.band.asc(), order._dir(shown.c.k), order._dir(shown.c.id)]
        return select(func.row_number().over(order_by=window), *group_columns)
    key = order.key(Account)
    dated = sa.case((key.is_(None), 0), else_=1) if order.nulls_last else sa.literal(1, sa.Integer)
    terms = order.terms(Account)
    in_top = [] if parts.in_matching is None else [sa.or_(parts.in_matching, Account.id.in_(select(shown.c.id)))]
    top = (
        select(
            Account.id.label("id"),
            func.row_number().over(order_by=terms).label("p"),
            func.sum(dated).over(order_by=terms).label("dated_upto"),
        )
        .where(tree.top, visible, *in_top)
        .subquery("tree_top")
    )
    per_group = select(
        top.c.p, *group_columns, top.c.dated_upto, sa.literal(0, sa.Integer), sa.literal(0, sa.Integer)
    ).join(top, top.c.id == shown.c.id)
    return sa.union_all(per_group, parts.totals)


def _window_runs(rows, groups: list[_Group], matching: int, undated: int) -> dict:
    """Runs from ``_outline_by_window``'s rows: (position in the top level, group columns, dated rows
    up to it, 0, 0), the groups already read from them."""
    positions = sorted((row[0], int(row[7])) for row in rows if row[0])
    runs: dict[tuple[int, int], int] = {}
    previous_position = previous_dated = 0
    for number, (group, (position, dated_upto)) in enumerate(zip(groups, positions, strict=True)):
        gap = position - previous_position - 1
        gap_dated = dated_upto - (group.band == 0) - previous_dated
        runs[(number, 0)] = gap_dated
        runs[(number, 1)] = gap - gap_dated
        previous_position, previous_dated = position, dated_upto
    # The window also counted the groups that do not match; the totals do not.
    unmatched = [g for g in groups if not g.matches]
    total = matching + len(unmatched)
    dated_total = matching - undated + sum(1 for g in unmatched if g.band == 0)
    runs[(len(groups), 0)] = dated_total - previous_dated
    runs[(len(groups), 1)] = (total - previous_position) - (dated_total - previous_dated)
    return runs


def _outline_by_ranges(query: ListQuery, order: _Order, tree: _Tree, visible, conditions):
    """``_outline``'s statement as counts of index ranges.

    Each gap between two consecutive groups is counted in at most three
    ranges of the (parent_id, column, id) index, from the previous group's
    key and id (a window over the groups): the statement's size does not grow
    with the number of groups. The rows after the last group are what the
    totals leave (``_range_runs``).
    """
    parts = _outline_parts(query, order, tree, visible, conditions, extra=2)
    shown = parts.shown
    key = order.key(Account)
    window = [shown.c.band.asc(), order._dir(shown.c.k), order._dir(shown.c.id)]
    ordered = select(
        *shown.c,
        func.row_number().over(order_by=window).label("j"),
        func.lag(shown.c.id).over(order_by=window).label("prev_id"),
        func.lag(shown.c.k).over(order_by=window).label("prev_k"),
        func.lag(shown.c.band).over(order_by=window).label("prev_band"),
    ).subquery("tree_ordered")
    b = ordered.c
    columns = [b.j, b.id, b.k, b.band, b.m, b.n, b.nu]
    if not tree.mixed:
        return select(*columns)

    base = [tree.top, visible, *([] if parts.in_matching is None else [parts.in_matching])]

    def count(*where):
        return select(func.count()).select_from(Account).where(*base, *where).scalar_subquery()

    after, before = order.after, order.before
    zero = sa.literal(0, sa.Integer)
    eq_prev_after = count(key == b.prev_k, after(Account.id, b.prev_id))
    between = count(after(key, b.prev_k), before(key, b.k))
    eq_before = count(key == b.k, before(Account.id, b.id))
    eq_between = count(key == b.k, after(Account.id, b.prev_id), before(Account.id, b.id))
    if order.nulls_last:
        gap_dated = sa.case(
            (sa.and_(b.prev_id.is_(None), b.band == 0), count(before(key, b.k)) + eq_before),
            (b.prev_id.is_(None), count(key.is_not(None))),  # the first group is undated: every dated row
            (b.prev_band == 1, 0),  # after an undated group only undated rows
            (b.band == 1, eq_prev_after + count(after(key, b.prev_k))),  # the dated rows after prev
            (b.prev_k == b.k, eq_between),
            else_=eq_prev_after + between + eq_before,
        )
        open_first = sa.literal(order.first_id, sa.BigInteger)
        gap_undated = sa.case(
            (
                b.band == 1,
                count(
                    key.is_(None),
                    after(Account.id, sa.case((b.prev_band == 1, b.prev_id), else_=open_first)),
                    before(Account.id, b.id),
                ),
            ),
            else_=0,
        )
    else:
        gap_dated = sa.case(
            (b.prev_id.is_(None), count(before(key, b.k)) + eq_before),
            (b.prev_k == b.k, eq_between),
            else_=eq_prev_after + between + eq_before,
        )
        gap_undated = zero
    per_group = select(*columns, gap_dated.label("gap_dated"), gap_undated.label("gap_undated"), zero, zero)
    return sa.union_all(per_group, parts.totals)


def _range_runs(rows, groups: list[_Group], matching: int, undated: int) -> dict:
    """Runs from ``_outline_by_ranges``' rows: (group number, group columns, its gap's rows dated and
    undated, 0, 0); the rows after the last group are the matching ones no gap or group holds."""
    runs: dict[tuple[int, int], int] = {}
    for row in sorted(rows, key=lambda row: row[0]):
        if row[0]:
            runs[(row[0] - 1, 0)] = int(row[7])
            runs[(row[0] - 1, 1)] = int(row[8])
    placed_dated = sum(runs.get((j, 0), 0) for j in range(len(groups)))
    placed_undated = sum(runs.get((j, 1), 0) for j in range(len(groups)))
    matching_groups = [g for g in groups if g.matches]
    runs[(len(groups), 0)] = (matching - undated) - placed_dated - sum(1 for g in matching_groups if g.band == 0)
    runs[(len(groups), 1)] = undated - placed_undated - sum(1 for g in matching_groups if g.band == 1)
    return runs


def _group(row) -> _Group:
    _j, group_id, key, band, matches, children, undated = row[:7]
    return _Group(
        id=group_id,
        key=key,
        band=int(band),
        matches=bool(matches),
        children=int(children),
        children_undated=int(undated),
    )


def _segments(groups: list[_Group], runs: dict) -> list:
    """The whole list in display order as runs of top-level rows, group rows and runs of children."""
    segments: list = []
    for j in range(len(groups) + 1):
        lo = groups[j - 1] if j > 0 else None
        hi = groups[j] if j < len(groups) else None
        for band in (0, 1):
            length = runs.get((j, band), 0)
            if length:
                segments.append(_Run(band=band, lo=lo, hi=hi, length=length))
        if hi is None:
            continue
        if hi.matches:
            segments.append(_GroupRow(hi))
        dated = hi.children - hi.children_undated
        if dated:
            segments.append(_Children(hi, 0, dated))
        if hi.children_undated:
            segments.append(_Children(hi, 1, hi.children_undated))
    return segments


def _page_pieces(segments: list, start: int, end: int) -> list[_Piece]:
    """What rows ``start:end`` of the list are made of, with the context parents they need."""
    pieces: list[_Piece] = []
    shown: set[int] = set()
    position = 0
    for segment in segments:
        if position >= end:
            break
        first, last = position, position + segment.length
        position = last
        if last <= start:
            continue
        offset = max(0, start - first)
        limit = min(last, end) - first - offset
        if isinstance(segment, _Run):
            pieces.append(_Piece("run", 0, segment, offset, limit))
        elif isinstance(segment, _GroupRow):
            pieces.append(_Piece("row", 0, segment.group))
            shown.add(segment.group.id)
        else:
            if segment.group.id not in shown:
                pieces.append(_Piece("context", 0, segment.group))
                shown.add(segment.group.id)
            pieces.append(_Piece("children", 1, segment, offset, limit))
    return pieces


def _range_select(number: int, order: _Order, where: list, band: int, offset: int, limit: int):
    """(piece number, row number, id) of rows ``offset:offset+limit`` of one band of a sibling range."""
    key = order.key(Account)
    if order.nulls_last:
        where = [*where, key.is_(None) if band else key.is_not(None)]
    sort = [order._dir(Account.id)] if band else [order._dir(key), order._dir(Account.id)]
    inner = (
        select(Account.id.label("id"), key.label("k"))
        .where(*where)
        .order_by(*sort)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    inner_sort = [order._dir(inner.c.id)] if band else [order._dir(inner.c.k), order._dir(inner.c.id)]
    return select(
        sa.literal(number, sa.Integer).label("piece"),
        func.row_number().over(order_by=inner_sort).label("rn"),
        inner.c.id,
    )


def _run_bounds(order: _Order, run: _Run) -> list:
    """Conditions for the rows of ``run``: after its lower group and before its upper one, in its band."""
    key = order.key(Account)
    where = []
    for group, compare in ((run.lo, order.after), (run.hi, order.before)):
        if group is None or group.band != run.band:
            continue
        if run.band == 0:
            where.append(compare(sa.tuple_(key, Account.id), sa.tuple_(sa.literal(group.key, order.type), group.id)))
        else:
            where.append(compare(Account.id, group.id))
    return where


def _read_pieces(session: Session, order: _Order, tree: _Tree, visible, conditions, pieces: list[_Piece]) -> list[CustomerRead]:
    """The page's rows and their contracts by status, in one query."""
    selects = []
    by_id: dict[int, int] = {}
    for number, piece in enumerate(pieces):
        if piece.kind == "run":
            where = [tree.top, visible, *conditions, *_run_bounds(order, piece.segment)]
            selects.append(_range_select(number, order, where, piece.segment.band, piece.offset, piece.limit))
        elif piece.kind == "children":
            where = [Account.parent_id == piece.segment.group.id, visible, *conditions]
            selects.append(_range_select(number, order, where, piece.segment.band, piece.offset, piece.limit))
        else:
            by_id[piece.segment.id] = number
    if by_id:
        selects.append(
            select(
                sa.case(by_id, value=Account.id).label("piece"),
                sa.literal(0, sa.Integer).label("rn"),
                Account.id,
            ).where(Account.id.in_(list(by_id)))
        )
    ids = (sa.union_all(*selects) if len(selects) > 1 else selects[0]).cte("page_ids")
    contracts = (
        select(Contract.account_id, Contract.status, func.count().label("n"))
        .where(Contract.account_id.in_(select(ids.c.id)))
        .group_by(Contract.account_id, Contract.status)
        .subquery("contract_counts")
    )
    parent = aliased(Account)
    stmt = (
        select(Account, parent.name, ids.c.piece, ids.c.rn, contracts.c.status, contracts.c.n)
        .join(ids, ids.c.id == Account.id)
        .join(parent, parent.id == Account.parent_id, isouter=True)
        .join(contracts, contracts.c.account_id == Account.id, isouter=True)
    )
    found: dict[int, list] = {}
    for account, parent_name, number, rn, status, n in session.execute(stmt):
        entry = found.setdefault(account.id, [(number, rn), account, parent_name, {}])
        if status is not None:
            entry[3][status] = int(n)
    rows = []
    for (number, _rn), account, parent_name, counts in sorted(found.values(), key=lambda e: e[0]):
        piece = pieces[number]
        row = to_read(account, parent_name, counts)
        rows.append(row.model_copy(update={"depth": piece.depth, "is_context": piece.kind == "context"}))
    return rows


# ---------------------------------------------------------------- the whole list, in order (exports)


def tree_ordered(*, actor: Actor, query: ListQuery, plain_rows: bool = False):
    """SELECT (Account, parent name) of every row matching the query, in the list's order (LIST-6, LIST-7).

    Without context rows and without paging: the order of all pages of
    ``list_customers`` put together, for a caller that streams it (an export).
    It sorts every matching row: meant to be read once, not per page.
    ``plain_rows``: select the account's columns and ``parent_name`` as plain
    rows instead of ORM objects (nothing kept in the session while streaming).
    """
    order = _Order.of(query)
    tree = _tree_for(actor)
    parent = aliased(Account)
    columns = (
        [*Account.__table__.c, parent.name.label("parent_name")] if plain_rows else [Account, parent.name]
    )
    stmt = (
        select(*columns)
        .join(parent, parent.id == Account.parent_id, isouter=True)
        .where(*_match_conditions(actor, query))
    )
    if tree is None:
        return stmt.order_by(*order.terms(Account))
    if tree.mixed:
        group = aliased(Account)
        group_id = sa.case((Account.parent_id == tree.root_id, Account.id), else_=Account.parent_id)
        return stmt.join(group, group.id == group_id).order_by(
            *order.terms(group),
            sa.case((Account.id == group.id, 0), else_=1),
            *order.terms(Account),
        )
    return stmt.order_by(sa.case((Account.id == tree.root_id, 0), else_=1), *order.terms(Account))


# ---------------------------------------------------------------- rows


def to_read(account: Account, parent_name: str | None, contracts: dict[str, int]) -> CustomerRead:
    """One list row from an account (or a row with its columns), its parent's name and its contracts by status."""
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


_STATUS_ORDER = {s.value: i for i, s in enumerate(ContractStatus)}


def _by_status_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts in ContractStatus order (Active, Pending, Expired, Cancelled), unknown ones after."""
    if len(counts) < 2:
        return list(counts.items())
    return sorted(counts.items(), key=lambda item: (_STATUS_ORDER.get(item[0], len(_STATUS_ORDER)), item[0]))
