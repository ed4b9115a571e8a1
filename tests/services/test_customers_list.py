"""LIST-1 paging and sorting, LIST-4 search, LIST-6 hierarchy, and the list's scope (AUTH-4), on the database.

The expected orders are computed here in Python from the accounts, not from the
service: a distributor's top level (its resellers and own customers) sorted by
the column then the id (undated rows last), each reseller's matching customers
right under it in the same order; a reseller's list is itself, then its customers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, ProductType, ServicePlan, TenantType
from msc_app.services.customers import MAX_PAGE_SIZE, ListQuery, SortKey, list_customers
from tests.conftest import World, add_account, add_product

LISTED_KINDS = (AccountKind.RESELLER, AccountKind.CUSTOMER)
PAGE_SIZE = 7
BASE = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2025, 6, 1)

# Names chosen so that search wildcards would over-match if they were not literal.
SEARCH_NAMES = {
    "percent": "100% Uptime Ltd",
    "percent_decoy": "1000 Uptime Co",
    "underscore": "a_b Systems",
    "underscore_decoy": "axb Systems",
    "backslash": "Back\\slash Co",
    "accented": "Éclair Bakery",
}


@dataclass
class ListWorld:
    world: World
    extra_r1: list[int]
    search_ids: dict[str, int]
    hidden_name_id: int


@pytest.fixture(scope="module")
def list_world(world, database) -> ListWorld:
    """The shared world plus enough customers for several pages, with ties in every sort column."""
    with Session(database.engine, expire_on_commit=False) as session:
        plans = session.exec(select(ServicePlan).order_by(ServicePlan.id)).all()
        types = list(ProductType)
        extra_r1 = []
        for i in range(40):
            # duplicates in organization, products, plan, tenant type, regions, expiry and created
            parent = "r1" if i % 4 else "dist"
            account = add_account(
                session,
                kind=AccountKind.CUSTOMER,
                name=f"Client {i:02d}",
                customer_name=f"Holding {i % 13:02d}",
                parent_id=world.accounts[parent],
                organization=["Org A", "Org B", "Org C"][i % 3],
                created_at=BASE + timedelta(days=i // 5),
            )
            if parent == "r1":
                extra_r1.append(account.id)
            for n in range(i % 3):  # 0, 1 or 2 products
                add_product(
                    session,
                    account_id=account.id,
                    plan_id=plans[(i + n) % len(plans)].id,
                    product_type=types[(i + n) % len(types)],
                    tenant_type=[TenantType.EVALUATION, TenantType.COMMERCIAL][(i // 2) % 2],
                    storage_regions=[["US East"], ["EU Ireland", "US East"], ["Canada"]][i % 3],
                    license_expiry=TODAY + timedelta(days=10 * (i % 4)),
                    credit_quota=100 * (i % 5),
                    quota_effective_date=TODAY - timedelta(days=30 * (i % 3)),
                    quota_end_date=TODAY + timedelta(days=100 * ((i + n) % 4)),
                )
        # the same name under three parents: a tie in the Name column across the tree
        for parent in ("r1", "r2", "dist"):
            add_account(session, kind=AccountKind.CUSTOMER, name="Shared Name", parent_id=world.accounts[parent])

        search_ids = {
            key: add_account(session, kind=AccountKind.CUSTOMER, name=name, parent_id=world.accounts["dist"]).id
            for key, name in SEARCH_NAMES.items()
        }
        hidden = add_account(
            session,
            kind=AccountKind.CUSTOMER,
            name="ACC-7781",
            customer_name="Zebra Secret Holdings",
            hide_name=True,
            parent_id=world.accounts["r1"],
        )
        session.commit()
    return ListWorld(world=world, extra_r1=extra_r1, search_ids=search_ids, hidden_name_id=hidden.id)


def _sort_value(account: Account, key: SortKey):
    return {
        SortKey.NAME: account.name_sort,
        SortKey.CUSTOMER_NAME: account.customer_name_sort,
        SortKey.ORGANIZATION: account.organization,
        SortKey.PRODUCTS: account.products_summary,
        SortKey.SERVICE_PLAN: account.service_plan_summary,
        SortKey.TENANT_TYPE: account.tenant_type_summary,
        SortKey.STORAGE_REGIONS: account.storage_regions_summary,
        SortKey.LICENSE_EXPIRY: account.license_expiry,
        SortKey.CREATED: account.created_at,
        SortKey.EDITION: account.edition_summary,
        SortKey.TENANT_ADMIN: account.tenant_admin_summary,
        SortKey.ADMIN: account.admin_name,
        SortKey.STATUS: account.onboarding_progress,
        SortKey.SOURCE_DATA: account.source_data_rank,
        SortKey.CONTRACTS: account.contracts_total,
        SortKey.CREDIT_QUOTA: account.credit_quota_total,
        SortKey.QUOTA_EFFECTIVE: account.quota_effective_date,
        SortKey.QUOTA_END: account.quota_end_date,
        SortKey.CONSUMPTION: account.consumption_90d,
    }[key]


NULLS_LAST = (SortKey.LICENSE_EXPIRY, SortKey.QUOTA_EFFECTIVE, SortKey.QUOTA_END)


def sibling_sorted(items: Iterable, value: Callable, descending: bool, *, key_id=lambda item: item.id) -> list:
    """One sibling group in the list's order: by ``value``, then the id; undated (None) rows last, by id."""
    items = list(items)
    dated = [i for i in items if value(i) is not None]
    undated = [i for i in items if value(i) is None]
    dated.sort(key=lambda i: (value(i), key_id(i)), reverse=descending)
    undated.sort(key=key_id, reverse=descending)
    return dated + undated


def tree_sorted(rows: Iterable, value: Callable, descending: bool) -> list:
    """LIST-6 order of a complete, unfiltered list (e.g. every row of ``list_customers``' pages).

    A row whose parent is among the rows nests under it; the others are the
    top level. Usable for any column: ``value(row)`` gives the sort value.
    """
    rows = list(rows)
    ids = {r.id for r in rows}
    children: dict[int, list] = {}
    for r in rows:
        if r.parent_id in ids:
            children.setdefault(r.parent_id, []).append(r)
    top = [r for r in rows if r.parent_id not in ids]
    ordered = []
    for r in sibling_sorted(top, value, descending):
        ordered.append(r)
        ordered.extend(sibling_sorted(children.get(r.id, []), value, descending))
    return ordered


def _expected_tree(
    session, actor_key: str, world: World, key: SortKey, descending: bool, matching: set[int] | None = None
) -> list[int]:
    """The ids the list of ``actor_key`` (a distributor or reseller user) shows, outside context rows.

    ``matching``: the ids matching the search and filters (default: all). A
    parent that does not match still places its matching children.
    """
    accounts = {a.id: a for a in _all_listed(session)}
    home = world.actors[actor_key].home_account_id
    value = lambda a: _sort_value(a, key)  # noqa: E731
    if world.actors[actor_key].home_kind == AccountKind.RESELLER:
        top = [accounts[home]]
    else:
        top = [a for a in accounts.values() if a.parent_id == home]
    matching = set(accounts) if matching is None else matching
    ordered = []
    for entry in sibling_sorted(top, value, descending):
        if entry.id in matching:
            ordered.append(entry.id)
        kids = [a for a in accounts.values() if a.parent_id == entry.id and a.id in matching]
        ordered.extend(a.id for a in sibling_sorted(kids, value, descending))
    return ordered


def _all_listed(session) -> list[Account]:
    return list(session.exec(select(Account).where(Account.kind.in_([k.value for k in LISTED_KINDS]))))


def _matches(page) -> list:
    """The rows of a page that match the query: not the context parents."""
    return [row for row in page.rows if not row.is_context]


def _walk(session, actor, **query) -> tuple[list[int], list]:
    """Every page of a query, first to last: the matching rows' ids in order, and the pages."""
    first = list_customers(session=session, actor=actor, query=ListQuery(page=1, **query))
    pages = [first]
    for number in range(2, first.page_count + 1):
        pages.append(list_customers(session=session, actor=actor, query=ListQuery(page=number, **query)))
    return [row.id for page in pages for row in _matches(page)], pages


def _ids(session, actor, **query) -> set[int]:
    page = list_customers(session=session, actor=actor, query=ListQuery(page_size=MAX_PAGE_SIZE, **query))
    assert page.total <= MAX_PAGE_SIZE
    return {row.id for row in _matches(page)}


def assert_nesting_is_consistent(page) -> None:
    """LIST-6 on one page: a child sits under its parent's row (real or context) with only siblings between;
    a context row is followed by a child of it; depth 0 is for rows without a parent on the page."""
    current_parent = None
    for index, row in enumerate(page.rows):
        if row.depth == 0:
            current_parent = row.id
            if row.is_context:
                following = page.rows[index + 1] if index + 1 < len(page.rows) else None
                assert following is not None and following.depth == 1 and following.parent_id == row.id, row
        else:
            assert row.depth == 1 and not row.is_context, row
            assert row.parent_id == current_parent, (row, current_parent)


# ---------------------------------------------------------------- LIST-1 paging


def test_list_1_pages_respect_size_and_total(session, list_world):
    """LIST-1: every page but the last is full, the last is partial, and the total counts all matches."""
    actor = list_world.world.actor("dist_admin")
    expected_total = len(_all_listed(session))
    ids, pages = _walk(session, actor, page_size=PAGE_SIZE)

    assert expected_total % PAGE_SIZE != 0, "the data set should end on a partial page"
    assert all(page.total == expected_total for page in pages)
    assert len(pages) == pages[0].page_count == -(-expected_total // PAGE_SIZE)
    assert all(len(_matches(page)) == PAGE_SIZE for page in pages[:-1])
    assert len(_matches(pages[-1])) == expected_total % PAGE_SIZE
    assert [page.page for page in pages] == list(range(1, len(pages) + 1))
    assert len(ids) == len(set(ids)) == expected_total


@pytest.mark.parametrize("page", [99, 10_000])
def test_list_1_page_beyond_the_end_clamps_to_the_last_page(session, list_world, page):
    """LIST-1: asking for a page after the last returns the last page, not an empty one."""
    actor = list_world.world.actor("dist_admin")
    last = list_customers(session=session, actor=actor, query=ListQuery(page_size=PAGE_SIZE, page=1))
    last = list_customers(session=session, actor=actor, query=ListQuery(page_size=PAGE_SIZE, page=last.page_count))
    beyond = list_customers(session=session, actor=actor, query=ListQuery(page_size=PAGE_SIZE, page=page))
    assert beyond.page == last.page
    assert [r.id for r in beyond.rows] == [r.id for r in last.rows]
    assert beyond.rows


def test_list_1_empty_result_is_one_empty_page(session, list_world):
    """LIST-1: no matches gives page 1 of 1 with total 0."""
    actor = list_world.world.actor("dist_admin")
    page = list_customers(session=session, actor=actor, query=ListQuery(search="no such customer", page=3))
    assert (page.total, page.page, page.page_count, page.rows) == (0, 1, 1, [])


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey), ids=[k.value for k in SortKey])
def test_list_1_sort_by_each_column_walks_all_pages_in_order(session, list_world, key, descending):
    """LIST-1 / LIST-6: sorted by any column within each sibling group (ties by id, undated last), resellers'
    customers under them, so walking the pages never repeats or skips a row."""
    world = list_world.world
    actor = world.actor("dist_admin")
    expected = _expected_tree(session, "dist_admin", world, key, descending)
    values = [_sort_value(a, key) for a in _all_listed(session)]
    assert len(values) > len(set(values)), f"the data set should have ties in {key}"

    ids, pages = _walk(session, actor, page_size=PAGE_SIZE, sort=key, descending=descending)
    assert ids == expected
    for page in pages:
        assert_nesting_is_consistent(page)


def test_list_1_reseller_walk_by_name_covers_exactly_its_scope(session, list_world):
    """LIST-1 / AUTH-4: R1's admin pages through R1 and its customers only, in name order."""
    world = list_world.world
    actor = world.actor("r1_admin")
    r1 = world.accounts["r1"]
    mine = [a for a in _all_listed(session) if a.id == r1 or a.parent_id == r1]
    ids, pages = _walk(session, actor, page_size=PAGE_SIZE, sort=SortKey.NAME)
    assert ids == [r1] + [a.id for a in sorted(mine, key=lambda a: (a.name_sort, a.id)) if a.id != r1]
    assert pages[0].total == len(mine)


def test_list_1_untrusted_query_input_falls_back_to_safe_defaults(session, list_world):
    """LIST-1 / LIST-9: URL input with an unknown sort, a bad page or a huge page size stays bounded."""
    query = ListQuery.parse(sort="password_hash", page="-3", page_size="100000", search="  x  ")
    assert (query.sort, query.page, query.page_size, query.search) == (SortKey.NAME, 1, MAX_PAGE_SIZE, "x")
    query = ListQuery.parse(sort="created", descending=1, page="abc", page_size="zero")
    assert (query.sort, query.descending, query.page) == (SortKey.CREATED, True, 1)
    assert ListQuery.parse(page_size=0).page_size == 1


def test_list_2_rows_carry_parent_and_product_summaries(session, list_world):
    """LIST-1 / LIST-2: a row shows its parent's name and its products' summary columns."""
    world = list_world.world
    page = list_customers(
        session=session, actor=world.actor("dist_admin"), query=ListQuery(search="harbor dental")
    )
    (row,) = _matches(page)
    assert row.id == world.accounts["r1_cust1"]
    assert row.parent_name == "Blue Harbor Resellers"
    assert row.products == ProductType.MICROSOFT_365.value
    assert row.service_plan == "Default Service Plan"
    assert row.tenant_type == TenantType.COMMERCIAL.value
    assert row.storage_regions == "EU Frankfurt"


# ---------------------------------------------------------------- LIST-4 search


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("HARBOR", {"r1", "r1_cust1", "r1_cust2"}, id="upper-case"),
        pytest.param("harbor", {"r1", "r1_cust1", "r1_cust2"}, id="lower-case"),
        pytest.param("aRbOr DeN", {"r1_cust1"}, id="mixed-case-substring"),
        pytest.param("peak", {"r2", "r2_cust1", "r2_cust2"}, id="substring-in-the-middle"),
        pytest.param("  peak clinic ", {"r2_cust2"}, id="surrounding-spaces"),
    ],
)
def test_list_4_search_is_case_insensitive_substring_on_name(session, list_world, search, expected):
    """LIST-4: the search matches any part of the account name, ignoring case."""
    world = list_world.world
    query = ListQuery.parse(search=search, page_size=MAX_PAGE_SIZE)
    page = list_customers(session=session, actor=world.actor("dist_admin"), query=query)
    assert world.names(r.id for r in _matches(page)) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize("search", ["zebra secret", "ZEBRA", "secret hold", "acc-7781", "7781"])
def test_list_4_search_matches_customer_name_and_account_name(session, list_world, search):
    """LIST-4: a customer with a hidden name is found by its customer name and by its account name."""
    actor = list_world.world.actor("dist_admin")
    assert _ids(session, actor, search=search) == {list_world.hidden_name_id}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("100%", {"percent"}, id="percent"),
        pytest.param("0% u", {"percent"}, id="percent-inside"),
        pytest.param("a_b", {"underscore"}, id="underscore"),
        pytest.param("_", {"underscore"}, id="lone-underscore"),
        pytest.param("%", {"percent"}, id="lone-percent"),
        pytest.param("\\", {"backslash"}, id="backslash"),
        pytest.param("k\\s", {"backslash"}, id="backslash-inside"),
        pytest.param("ÉCLAIR", {"accented"}, id="accented-upper-case"),
    ],
)
def test_list_4_wildcards_in_search_are_literal(session, list_world, search, expected):
    """LIST-4: ``%``, ``_`` and ``\\`` in the search box match themselves, not any characters."""
    actor = list_world.world.actor("dist_admin")
    found = _ids(session, actor, search=search)
    assert found == {list_world.search_ids[key] for key in expected}


@pytest.mark.parametrize(
    "search",
    [
        "'; drop table account; --",
        "' OR '1'='1",
        "\") OR 1=1 --",
        "%' OR name LIKE '%",
    ],
)
def test_list_4_sql_metacharacters_in_search_are_harmless(session, list_world, search):
    """LIST-4 / AUTH-4: SQL in the search box finds nothing, breaks nothing and widens no scope."""
    world = list_world.world
    count_before = session.exec(select(func.count()).select_from(Account)).one()
    for user in ("dist_admin", "r1_admin", "tenant_admin"):
        page = list_customers(session=session, actor=world.actor(user), query=ListQuery(search=search))
        assert (page.total, page.rows) == (0, [])
    assert session.exec(select(func.count()).select_from(Account)).one() == count_before


def test_list_4_search_stays_within_scope(session, list_world):
    """LIST-4 / AUTH-4: R1's admin searching for R2's customers finds none of them."""
    world = list_world.world
    assert _ids(session, world.actor("r1_admin"), search="peak") == set()
    assert _ids(session, world.actor("r1_admin"), search="shared name") == {
        a.id
        for a in _all_listed(session)
        if a.name == "Shared Name" and a.parent_id == world.accounts["r1"]
    }
    assert _ids(session, world.actor("tenant_admin"), search="harbor") == {world.accounts["r1_cust1"]}


# ---------------------------------------------------------------- scope (AUTH-4)


def test_auth_4_distributor_list_holds_every_reseller_and_customer_but_not_itself(session, list_world):
    """AUTH-4 / LIST-1: the distributor's list is the whole tree below it."""
    world = list_world.world
    actor = world.actor("dist_admin")
    ids, _ = _walk(session, actor, page_size=MAX_PAGE_SIZE)
    assert set(ids) == {a.id for a in _all_listed(session)}
    assert world.accounts["dist"] not in ids


@pytest.mark.parametrize("user", ["r1_admin", "r1_viewer"])
def test_auth_4_reseller_list_holds_only_itself_and_its_customers(session, list_world, user):
    """AUTH-4 / LIST-6: R1's admin and viewer list R1 and R1's customers, nothing of R2 or the distributor."""
    world = list_world.world
    r1 = world.accounts["r1"]
    ids, _ = _walk(session, world.actor(user), page_size=MAX_PAGE_SIZE)
    expected = {a.id for a in _all_listed(session) if a.id == r1 or a.parent_id == r1}
    assert set(ids) == expected
    assert {world.accounts[k] for k in ("r1", "r1_cust1", "r1_cust2")} | set(list_world.extra_r1) <= expected


def test_auth_4_tenant_admin_list_holds_only_its_assigned_customer(session, list_world):
    """AUTH-4: a tenant admin's list is its assigned customer, whatever the sort or page asked for."""
    world = list_world.world
    actor = world.actor("tenant_admin")
    for key in SortKey:
        page = list_customers(session=session, actor=actor, query=ListQuery(sort=key, page=5))
        assert [r.id for r in page.rows] == [world.accounts["r1_cust1"]]
        assert page.total == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("false", False), ("0", False), ("", False), ("true", True), ("1", True), (True, True), (False, False)],
)
def test_list_1_sort_direction_from_text_is_parsed_not_truth_tested(raw, expected):
    """LIST-1: a direction arriving as text (URL, form) is read, so "false" is ascending."""
    assert ListQuery.parse(descending=raw).descending is expected


# ---------------------------------------------------------------- LIST-6 hierarchy


def _page(session, actor, **query):
    return list_customers(session=session, actor=actor, query=ListQuery(**query))


def _shape(world: World, page) -> list[tuple[str, int, bool]]:
    """(name in the world, depth, is_context) of each row, for the world's own accounts."""
    by_id = {v: k for k, v in world.accounts.items()}
    return [(by_id.get(r.id, r.name), r.depth, r.is_context) for r in page.rows]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_list_6_distributor_sees_resellers_with_their_customers_nested(session, list_world, descending):
    """LIST-6: each reseller (depth 0) is followed by all of its customers (depth 1), then the next top-level
    row; the distributor's own customers are top-level rows (depth 0)."""
    world = list_world.world
    ids, pages = _walk(session, world.actor("dist_admin"), page_size=MAX_PAGE_SIZE, descending=descending)
    rows = [r for page in pages for r in page.rows]
    assert not any(r.is_context for r in rows), "nothing is filtered: no context rows"
    by_id = {r.id: r for r in rows}
    for reseller in ("r1", "r2"):
        rid = world.accounts[reseller]
        start = ids.index(rid)
        children = {a.id for a in _all_listed(session) if a.parent_id == rid}
        assert set(ids[start + 1 : start + 1 + len(children)]) == children
        assert by_id[rid].depth == 0
        assert all(by_id[c].depth == 1 and by_id[c].parent_id == rid for c in children)
    for direct in ("sandbox", "dist_cust1"):
        assert by_id[world.accounts[direct]].depth == 0
    assert ids == _expected_tree(session, "dist_admin", world, SortKey.NAME, descending)


@pytest.mark.parametrize("user", ["r1_admin", "r1_viewer"])
@pytest.mark.parametrize("key", [SortKey.NAME, SortKey.LICENSE_EXPIRY, SortKey.CREATED])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_list_6_reseller_sees_itself_on_top_and_its_customers_under_it(session, list_world, user, key, descending):
    """LIST-6: a reseller's list starts with its own row (depth 0) in any sort, its customers follow at depth 1
    in the chosen order."""
    world = list_world.world
    ids, pages = _walk(session, world.actor(user), page_size=PAGE_SIZE, sort=key, descending=descending)
    assert ids[0] == world.accounts["r1"]
    assert pages[0].rows[0].id == world.accounts["r1"] and pages[0].rows[0].depth == 0
    assert all(r.depth == 1 for page in pages for r in page.rows if r.id != world.accounts["r1"])
    assert ids == _expected_tree(session, "r1_admin", world, key, descending)


def test_list_6_distributor_in_reseller_perspective_sees_the_reseller_tree(session, list_world):
    """LIST-6 / TENANT-1: switched into R1, the distributor gets exactly R1's admin's rows, depths and contexts."""
    world = list_world.world
    for query in ({"page_size": PAGE_SIZE, "page": 2}, {"search": "client", "page_size": 4, "page": 2}):
        switched = _page(session, world.actor("dist_admin", perspective="r1"), **query)
        native = _page(session, world.actor("r1_admin"), **query)
        assert switched == native


def test_list_6_search_shows_a_non_matching_parent_as_context(session, list_world):
    """LIST-6: a customer matching the search comes with its reseller as a context row, which is not counted."""
    world = list_world.world
    page = _page(session, world.actor("dist_admin"), search="harbor dental")
    assert _shape(world, page) == [("r1", 0, True), ("r1_cust1", 1, False)]
    assert page.total == 1
    # the reseller sees its own row as the context of its customer, too
    page = _page(session, world.actor("r1_admin"), search="dental")
    assert _shape(world, page) == [("r1", 0, True), ("r1_cust1", 1, False)]
    assert page.total == 1


def test_list_6_matching_parent_is_a_row_not_a_context(session, list_world):
    """LIST-6: when the reseller matches too ('harbor'), it is an ordinary row, counted, followed by its customers."""
    world = list_world.world
    page = _page(session, world.actor("dist_admin"), search="harbor")
    assert _shape(world, page) == [("r1", 0, False), ("r1_cust1", 1, False), ("r1_cust2", 1, False)]
    assert page.total == 3


def test_list_6_parent_continues_as_context_on_the_next_page(session, list_world):
    """LIST-6: a page that starts inside a reseller's customers repeats the reseller on top, as context,
    without taking a place: the page still holds page_size matching rows."""
    world = list_world.world
    actor = world.actor("dist_admin")
    r1 = world.accounts["r1"]
    ids, pages = _walk(session, actor, page_size=PAGE_SIZE)
    r1_pages = [p for p in pages if any(r.parent_id == r1 and r.depth == 1 for r in p.rows)]
    assert len(r1_pages) >= 3, "R1's customers should span several pages"
    first, *continued = r1_pages
    assert not any(r.is_context for r in first.rows)
    for page in continued:
        assert page.rows[0].id == r1 and page.rows[0].is_context and page.rows[0].depth == 0
        assert page.rows[1].parent_id == r1 and page.rows[1].depth == 1
        assert [r.id for r in page.rows].count(r1) == 1
        if page is not pages[-1]:
            assert len(_matches(page)) == PAGE_SIZE and len(page.rows) == PAGE_SIZE + 1
    assert all(p.total == len(ids) for p in pages)


@pytest.mark.parametrize(
    ("user", "query"),
    [
        ("dist_admin", {"search": "client"}),
        ("dist_admin", {"search": "client", "sort": SortKey.LICENSE_EXPIRY, "descending": True}),
        ("dist_admin", {"search": "n", "sort": SortKey.PRODUCTS}),
        ("dist_admin", {"search": "holding 0", "sort": SortKey.QUOTA_END}),
        ("dist_admin", {"search": "shared", "sort": SortKey.CREATED, "descending": True}),
        ("r1_admin", {"search": "client", "sort": SortKey.ORGANIZATION}),
        ("r1_admin", {"search": "client", "sort": SortKey.QUOTA_EFFECTIVE, "descending": True}),
    ],
)
@pytest.mark.parametrize("page_size", [1, 3, 10])
def test_list_6_filtered_walk_keeps_tree_order_and_counts_only_matches(session, list_world, user, query, page_size):
    """LIST-6 / LIST-4: with a search, every page holds page_size matching rows in tree order, each group's rows
    after their parent (a context row when the parent does not match or is on an earlier page), and the
    total counts matches only."""
    world = list_world.world
    needle = query["search"].lower()
    matching = {
        a.id for a in _all_listed(session) if needle in a.name_sort or needle in a.customer_name_sort
    }
    expected = _expected_tree(
        session, user, world, query.get("sort", SortKey.NAME), query.get("descending", False), matching
    )
    ids, pages = _walk(session, world.actor(user), page_size=page_size, **query)
    assert ids == expected and len(expected) >= 3
    for number, page in enumerate(pages, start=1):
        assert page.total == len(expected)
        assert len(_matches(page)) == len(expected[(number - 1) * page_size : number * page_size])
        assert_nesting_is_consistent(page)
        first_here = ids.index(_matches(page)[0].id)
        for row in page.rows:
            if row.is_context:  # a parent that does not match, or whose own row was on an earlier page
                assert row.id not in matching or ids.index(row.id) < first_here


@pytest.mark.parametrize("query", [{}, {"search": "dental"}, {"sort": SortKey.QUOTA_END, "descending": True}])
def test_list_6_tenant_admin_never_sees_the_reseller_row(session, list_world, query):
    """LIST-6 / AUTH-4: a tenant admin's customers show at depth 0 with no context parent: the reseller above
    its assigned customer stays invisible."""
    world = list_world.world
    page = _page(session, world.actor("tenant_admin"), **query)
    assert [(r.id, r.depth, r.is_context) for r in page.rows] == [(world.accounts["r1_cust1"], 0, False)]
    assert page.total == 1


def _statements(engine: sa.Engine, run) -> list[str]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return statements


@pytest.mark.parametrize(
    ("user", "query", "most"),
    [
        ("dist_admin", {"page": 1}, 2),
        ("dist_admin", {"page": 4, "page_size": 5}, 2),
        ("dist_admin", {"page": 3, "page_size": 5, "sort": SortKey.QUOTA_END, "descending": True}, 2),
        ("dist_admin", {"search": "client", "page": 2, "page_size": 5}, 2),
        ("dist_admin", {"products": (ProductType.MICROSOFT_365.value,), "page": 2, "page_size": 1}, 2),
        ("r1_admin", {"page": 2, "page_size": 5, "sort": SortKey.LICENSE_EXPIRY}, 2),
        ("tenant_admin", {}, 3),
    ],
)
def test_list_6_a_tree_page_costs_a_fixed_few_queries(session, database, list_world, user, query, most):
    """LIST-6 / SPEC 8: a tree page costs two queries (the outline of groups and runs, then the page with its
    contracts) however deep, filtered or not; a flat list three: never one per row or per group.
    (On PostgreSQL one more statement switches JIT off for the transaction.)"""
    actor = list_world.world.actor(user)
    session.exec(select(Account.id).limit(1)).all()  # the test transaction has begun
    statements = _statements(database.engine, lambda: _page(session, actor, **query))
    queries = [s for s in statements if not s.startswith("SET LOCAL jit")]
    assert len(queries) <= most and len(statements) - len(queries) <= 1, statements


# ---------------------------------------------------------------- issue 14: a search laid out from its matches


@pytest.mark.parametrize("search", ["client", "holding 0", "harbor", "ent", "shared name", "zz-none"])
@pytest.mark.parametrize("user", ["dist_admin", "r1_admin"])
@pytest.mark.parametrize(
    ("key", "descending"),
    [(SortKey.NAME, False), (SortKey.NAME, True), (SortKey.LICENSE_EXPIRY, False), (SortKey.QUOTA_END, True)],
)
def test_list_6_small_search_pages_equal_the_outline_pages(session, list_world, monkeypatch, search, user, key, descending):
    """LIST-4 / LIST-6: a search placed in the tree from its matches alone (few matches) gives every page
    exactly as the outline does (many matches): same rows, order, depth, context rows and total."""
    from msc_app.services import customers as service

    actor = list_world.world.actor(user)

    def pages(limit: int) -> list:
        monkeypatch.setattr(service, "SMALL_MATCH_LIMIT", limit)
        first = list_customers(session=session, actor=actor, query=ListQuery(search=search, sort=key, descending=descending, page_size=4))
        return [
            (p.total, p.page, [(r.id, r.depth, r.is_context) for r in p.rows])
            for p in (
                list_customers(session=session, actor=actor, query=ListQuery(search=search, sort=key, descending=descending, page=n, page_size=4))
                for n in range(1, first.page_count + 1)
            )
        ]

    small, outline = pages(5000), pages(-1)
    assert small == outline
    assert small[0][0] > 0 or search == "zz-none"
