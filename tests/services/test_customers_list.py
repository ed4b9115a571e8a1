"""LIST-1 paging and sorting, LIST-4 search, and the list's scope (AUTH-4), on the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
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


def _expected_order(accounts: list[Account], key: SortKey, descending: bool) -> list[int]:
    """The order the spec asks for, computed in Python: by the column, then by id; no expiry last."""
    if key in NULLS_LAST:
        dated = [a for a in accounts if _sort_value(a, key) is not None]
        undated = [a for a in accounts if _sort_value(a, key) is None]
        dated.sort(key=lambda a: (_sort_value(a, key), a.id), reverse=descending)
        undated.sort(key=lambda a: a.id, reverse=descending)
        return [a.id for a in dated + undated]
    ordered = sorted(accounts, key=lambda a: (_sort_value(a, key), a.id), reverse=descending)
    return [a.id for a in ordered]


def _all_listed(session) -> list[Account]:
    return list(session.exec(select(Account).where(Account.kind.in_([k.value for k in LISTED_KINDS]))))


def _walk(session, actor, **query) -> tuple[list[int], list]:
    """Every page of a query, first to last: the ids in order, and the pages."""
    first = list_customers(session=session, actor=actor, query=ListQuery(page=1, **query))
    pages = [first]
    for number in range(2, first.page_count + 1):
        pages.append(list_customers(session=session, actor=actor, query=ListQuery(page=number, **query)))
    return [row.id for page in pages for row in page.rows], pages


def _ids(session, actor, **query) -> set[int]:
    page = list_customers(session=session, actor=actor, query=ListQuery(page_size=MAX_PAGE_SIZE, **query))
    assert page.total <= MAX_PAGE_SIZE
    return {row.id for row in page.rows}


# ---------------------------------------------------------------- LIST-1 paging


def test_list_1_pages_respect_size_and_total(session, list_world):
    """LIST-1: every page but the last is full, the last is partial, and the total counts all matches."""
    actor = list_world.world.actor("dist_admin")
    expected_total = len(_all_listed(session))
    ids, pages = _walk(session, actor, page_size=PAGE_SIZE)

    assert expected_total % PAGE_SIZE != 0, "the data set should end on a partial page"
    assert all(page.total == expected_total for page in pages)
    assert len(pages) == pages[0].page_count == -(-expected_total // PAGE_SIZE)
    assert all(len(page.rows) == PAGE_SIZE for page in pages[:-1])
    assert len(pages[-1].rows) == expected_total % PAGE_SIZE
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
    """LIST-1: sorted by any column, ties broken by id, so walking the pages never repeats or skips a row."""
    actor = list_world.world.actor("dist_admin")
    expected = _expected_order(_all_listed(session), key, descending)
    values = [_sort_value(a, key) for a in _all_listed(session)]
    assert len(values) > len(set(values)), f"the data set should have ties in {key}"

    ids, _pages = _walk(session, actor, page_size=PAGE_SIZE, sort=key, descending=descending)
    assert ids == expected


def test_list_1_reseller_walk_by_name_covers_exactly_its_scope(session, list_world):
    """LIST-1 / AUTH-4: R1's admin pages through R1 and its customers only, in name order."""
    world = list_world.world
    actor = world.actor("r1_admin")
    r1 = world.accounts["r1"]
    mine = [a for a in _all_listed(session) if a.id == r1 or a.parent_id == r1]
    ids, pages = _walk(session, actor, page_size=PAGE_SIZE, sort=SortKey.NAME)
    assert ids == _expected_order(mine, SortKey.NAME, False)
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
    (row,) = page.rows
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
    assert world.names(r.id for r in page.rows) == expected
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
