"""CONTRACT-1 (the Contracts pop-up) and CONTRACT-2 (contracts list and details), on the database.

Each test seeds its own contracts in the rolled-back test transaction:

- Harbor Dental (r1_cust1): five contracts, two Active, one each of the others;
- Harbor Logistics (r1_cust2): one; Blue Harbor Resellers (r1 itself): one;
- Peak Bakery (r2_cust1): two; Direct Alpha Ltd (dist_cust1): one.

Scope is AUTH-4's: a contract of an account outside the actor's scope is
answered exactly like a missing one.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import Account, Contract, ContractStatus
from msc_app.services import contracts
from msc_app.services.contracts import ContractSort, contracts_preview, get_contract, list_contracts
from msc_app.services.errors import NotFound

MISSING_ID = 999_999
A, P, E, C = ContractStatus.ACTIVE, ContractStatus.PENDING, ContractStatus.EXPIRED, ContractStatus.CANCELLED

# account key -> [(number, title, status, start, end, value in cents)]
SEED = {
    "r1_cust1": [
        ("HD-001", "Backup agreement", A, date(2025, 1, 1), date(2026, 1, 1), 120_000),
        ("HD-002", "Microsoft 365 protection", P, date(2025, 5, 1), None, 48_000),
        ("HD-003", "Legacy support", E, date(2023, 1, 1), date(2024, 1, 1), 9_900),
        ("HD-004", "Storage add-on", A, date(2025, 3, 1), date(2026, 3, 1), 30_000),
        ("HD-005", "Trial 50%_off", C, date(2024, 6, 1), date(2024, 7, 1), 0),
    ],
    "r1_cust2": [("HL-001", "Fleet backup", A, date(2025, 2, 1), None, 55_000)],
    "r1": [("R1-001", "Reseller partnership", A, date(2024, 1, 1), None, 1_000_000)],
    "r2_cust1": [
        ("PB-001", "Bakery backup", A, date(2025, 4, 1), date(2026, 4, 1), 20_000),
        ("PB-002", "Bakery archive", E, date(2022, 4, 1), date(2023, 4, 1), 5_000),
    ],
    "dist_cust1": [("DA-001", "Direct deal", P, date(2025, 6, 1), None, 75_000)],
}
ALL_KEYS = set(SEED)
R1_KEYS = {"r1", "r1_cust1", "r1_cust2"}

# (user, perspective) -> the accounts whose contracts it sees
SCOPES = [
    ("dist_admin", None, ALL_KEYS),
    ("dist_viewer", None, ALL_KEYS),
    ("r1_admin", None, R1_KEYS),
    ("r1_viewer", None, R1_KEYS),
    ("r2_admin", None, {"r2_cust1"}),
    ("tenant_admin", None, {"r1_cust1"}),
    ("dist_admin", "r1", R1_KEYS),
    ("dist_admin", "r2_cust1", {"r2_cust1"}),
    ("r1_admin", "r1_cust2", {"r1_cust2"}),
]


@pytest.fixture
def deals(session, world) -> dict[str, int]:
    """Seed the contracts; contract number -> id."""
    ids = {}
    for key, rows in SEED.items():
        for number, title, status, start, end, value in rows:
            contract = Contract(
                account_id=world.accounts[key],
                number=number,
                title=title,
                status=status,
                start_date=start,
                end_date=end,
                value_cents=value,
            )
            session.add(contract)
            session.flush()
            ids[number] = contract.id
    return ids


def _numbers_of(keys) -> set[str]:
    return {number for key in keys for number, *_ in SEED[key]}


def _not_found(fn) -> str:
    with pytest.raises(NotFound) as excinfo:
        fn()
    return str(excinfo.value)


def _all_rows(session, actor, **filters) -> list:
    page = list_contracts(session=session, actor=actor, page_size=100, **filters)
    assert page.total == len(page.rows)
    return page.rows


# ---------------------------------------------------------------- CONTRACT-2: scope


@pytest.mark.parametrize(("user", "perspective", "keys"), SCOPES)
def test_contract_2_list_shows_exactly_the_contracts_in_scope(session, world, deals, user, perspective, keys):
    """CONTRACT-2 / AUTH-4 / TENANT-1: each actor lists exactly the contracts of the accounts it sees."""
    actor = world.actor(user, perspective=perspective)
    rows = _all_rows(session, actor)
    assert {r.number for r in rows} == _numbers_of(keys)
    names = {world.accounts[k]: k for k in keys}
    for r in rows:
        assert r.account_id in names
        assert r.account_name == session.get(Account, r.account_id).name


@pytest.mark.parametrize(("user", "perspective", "keys"), SCOPES)
def test_contract_2_details_of_a_foreign_contract_are_like_a_missing_one(session, world, deals, user, perspective, keys):
    """CONTRACT-2 / AUTH-4: get_contract answers every contract outside scope exactly like a missing id."""
    actor = world.actor(user, perspective=perspective)
    missing = _not_found(lambda: get_contract(session=session, actor=actor, contract_id=MISSING_ID))
    assert missing == "Contract not found."
    for number, contract_id in deals.items():
        if number in _numbers_of(keys):
            assert get_contract(session=session, actor=actor, contract_id=contract_id).number == number
        else:
            assert _not_found(lambda i=contract_id: get_contract(session=session, actor=actor, contract_id=i)) == missing


def test_contract_2_details_carry_every_field_and_the_customer(session, world, deals):
    """CONTRACT-2: the details page's contract: all fields, and the customer it belongs to."""
    detail = get_contract(session=session, actor=world.actor("r1_admin"), contract_id=deals["HD-001"])
    assert detail.model_dump() == {
        "id": deals["HD-001"],
        "number": "HD-001",
        "title": "Backup agreement",
        "status": "Active",
        "start_date": date(2025, 1, 1),
        "end_date": date(2026, 1, 1),
        "value_cents": 120_000,
        "currency": "USD",
        "account_id": world.accounts["r1_cust1"],
        "account_name": "Harbor Dental",
        "customer_name": "Harbor Dental",
        "account_kind": "customer",
    }


def test_contract_2_reseller_r1_never_sees_r2s_contracts(session, world, deals):
    """CONTRACT-2 / AUTH-4: r1's admin neither lists nor opens nor filters by Peak Bakery (r2)."""
    actor = world.actor("r1_admin")
    assert not {"PB-001", "PB-002"} & {r.number for r in _all_rows(session, actor)}
    assert not _all_rows(session, actor, search="bakery")
    foreign = world.accounts["r2_cust1"]
    missing = _not_found(lambda: list_contracts(session=session, actor=actor, account_id=MISSING_ID))
    assert missing == "Customer not found."
    assert _not_found(lambda: list_contracts(session=session, actor=actor, account_id=foreign)) == missing


# ---------------------------------------------------------------- CONTRACT-1: the pop-up


def test_contract_1_preview_shows_three_contracts_counts_and_the_total(session, world, deals):
    """CONTRACT-1: up to three contracts (Active first, newest first), counts per status in status order."""
    preview = contracts_preview(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"])
    assert (preview.account_id, preview.account_name, preview.total) == (world.accounts["r1_cust1"], "Harbor Dental", 5)
    assert list(preview.counts.items()) == [("Active", 2), ("Pending", 1), ("Expired", 1), ("Cancelled", 1)]
    assert [c.number for c in preview.contracts] == ["HD-004", "HD-001", "HD-002"]
    assert [c.status for c in preview.contracts] == ["Active", "Active", "Pending"]
    assert preview.contracts[0].id == deals["HD-004"]
    assert preview.has_more


def test_contract_1_preview_of_few_or_no_contracts(session, world, deals):
    """CONTRACT-1: with three or fewer contracts all are shown and there is no "View all"; none: empty."""
    actor = world.actor("dist_admin")
    two = contracts_preview(session=session, actor=actor, account_id=world.accounts["r2_cust1"])
    assert [c.number for c in two.contracts] == ["PB-001", "PB-002"]
    assert (two.total, two.counts, two.has_more) == (2, {"Active": 1, "Expired": 1}, False)
    none = contracts_preview(session=session, actor=actor, account_id=world.accounts["r2_cust2"])
    assert (none.total, none.counts, none.contracts, none.has_more) == (0, {}, [], False)
    one = contracts_preview(session=session, actor=actor, account_id=world.accounts["r1_cust1"], limit=1)
    assert [c.number for c in one.contracts] == ["HD-004"]


@pytest.mark.parametrize(("user", "perspective", "keys"), SCOPES)
def test_contract_1_preview_outside_scope_is_like_a_missing_customer(session, world, deals, user, perspective, keys):
    """CONTRACT-1 / AUTH-4: the pop-up of an account outside scope answers exactly like a missing account."""
    actor = world.actor(user, perspective=perspective)
    missing = _not_found(lambda: contracts_preview(session=session, actor=actor, account_id=MISSING_ID))
    for key in ALL_KEYS:
        account_id = world.accounts[key]
        if key in keys:
            assert contracts_preview(session=session, actor=actor, account_id=account_id).total == len(SEED[key])
        else:
            assert _not_found(lambda a=account_id: contracts_preview(session=session, actor=actor, account_id=a)) == missing


# ---------------------------------------------------------------- CONTRACT-2: filters, sort, pages


def test_contract_2_view_all_contracts_filters_to_one_customer(session, world, deals):
    """CONTRACT-1 / CONTRACT-2: "View all contracts" lists that customer's contracts, named for the chip."""
    page = list_contracts(session=session, actor=world.actor("tenant_admin"), account_id=world.accounts["r1_cust1"])
    assert (page.total, page.account_id, page.account_name) == (5, world.accounts["r1_cust1"], "Harbor Dental")
    assert [r.number for r in page.rows] == ["HD-001", "HD-002", "HD-003", "HD-004", "HD-005"]
    unfiltered = list_contracts(session=session, actor=world.actor("tenant_admin"))
    assert (unfiltered.account_id, unfiltered.account_name) == (0, "")


def test_contract_2_status_filter_and_search(session, world, deals):
    """CONTRACT-2: status filter; case-insensitive search on number and title, LIKE metacharacters literal."""
    actor = world.actor("dist_admin")
    assert {r.number for r in _all_rows(session, actor, status="Expired")} == {"HD-003", "PB-002"}
    assert {r.number for r in _all_rows(session, actor, status="Pending", search="hd-")} == {"HD-002"}
    assert {r.number for r in _all_rows(session, actor, search="BACKUP")} == {"HD-001", "HL-001", "PB-001"}
    assert {r.number for r in _all_rows(session, actor, search="pb-00")} == {"PB-001", "PB-002"}
    assert {r.number for r in _all_rows(session, actor, search="50%_")} == {"HD-005"}
    assert _all_rows(session, actor, search="5%off") == []
    # An unknown status means "all statuses" (a hand-edited URL), and is reported as such.
    page = list_contracts(session=session, actor=actor, status="Bogus")
    assert (page.status, page.total) == ("", len(deals))


def test_contract_2_default_order_is_customer_then_number(session, world, deals):
    """CONTRACT-2: sorted by the customer's account name, then by contract number."""
    rows = _all_rows(session, world.actor("dist_admin"))
    keys = [(r.account_name.lower(), r.number) for r in rows]
    assert keys == sorted(keys)
    assert rows[0].account_name == "Blue Harbor Resellers"


@pytest.mark.parametrize("sort", list(ContractSort))
@pytest.mark.parametrize("descending", [False, True])
def test_contract_2_pages_walk_every_contract_once_in_order(session, world, deals, sort, descending):
    """CONTRACT-2: pages of 3 in any sort order cover every contract exactly once, in that order."""
    actor = world.actor("dist_admin")
    first = list_contracts(session=session, actor=actor, page_size=3, sort=sort, descending=descending)
    assert (first.total, first.page_count, first.sort, first.descending) == (len(deals), 4, sort.value, descending)
    seen = []
    for page in range(1, first.page_count + 1):
        result = list_contracts(session=session, actor=actor, page=page, page_size=3, sort=sort, descending=descending)
        assert result.page == page
        seen += result.rows
    assert sorted(r.id for r in seen) == sorted(deals.values())
    whole = _all_rows(session, actor, sort=sort, descending=descending)
    assert [r.id for r in seen] == [r.id for r in whole]
    if sort == ContractSort.START:
        starts = [r.start_date for r in whole]
        assert starts == sorted(starts, reverse=descending)
    if sort == ContractSort.END:
        ends = [r.end_date for r in whole]
        dated = [e for e in ends if e is not None]
        assert ends == sorted(dated, reverse=descending) + [None] * (len(ends) - len(dated))


def test_contract_2_page_beyond_the_last_and_bad_url_values(session, world, deals):
    """CONTRACT-2: a page past the end shows the last page; nonsense paging and sort fall back to defaults."""
    actor = world.actor("r1_admin")
    last = list_contracts(session=session, actor=actor, page=99, page_size=3)
    assert (last.total, last.page, last.page_count, len(last.rows)) == (7, 3, 3, 1)
    fallback = list_contracts(session=session, actor=actor, page="x", page_size="lots", sort="evil; drop")
    assert (fallback.page, fallback.page_size, fallback.sort) == (1, contracts.DEFAULT_PAGE_SIZE, "customer")
    huge = list_contracts(session=session, actor=actor, page_size=10_000)
    assert huge.page_size == contracts.MAX_PAGE_SIZE
    assert _not_found(lambda: list_contracts(session=session, actor=actor, account_id="abc")) == "Customer not found."


def test_contract_2_empty_scope_lists_nothing(session, world, deals):
    """CONTRACT-2: r2's admin in the perspective of a customer without contracts sees an empty first page."""
    page = list_contracts(session=session, actor=world.actor("r2_admin", perspective="r2_cust2"))
    assert (page.rows, page.total, page.page, page.page_count) == ([], 0, 1, 1)


# ---------------------------------------------------------------- SPEC 8: cost


def _statements(engine: sa.Engine, run) -> tuple[list[str], object]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return statements, result


def test_contract_2_a_page_costs_a_fixed_number_of_queries(session, database, world, deals):
    """CONTRACT-1 / CONTRACT-2 / SPEC 8: list pages of any size, the pop-up and the details cost a fixed few queries."""
    actor = world.actor("dist_admin")
    session.exec(select(Account.id).limit(1)).all()  # the test transaction has begun
    costs = {}
    for size in (2, 50):
        statements, page = _statements(
            database.engine, lambda s=size: list_contracts(session=session, actor=actor, page_size=s)
        )
        assert len(page.rows) == min(size, len(deals))
        costs[size] = len(statements)
    assert costs[2] == costs[50] == 2, costs
    statements, _ = _statements(
        database.engine,
        lambda: list_contracts(session=session, actor=actor, account_id=world.accounts["r1_cust1"], search="a"),
    )
    assert len(statements) == 3
    statements, _ = _statements(
        database.engine,
        lambda: contracts_preview(session=session, actor=actor, account_id=world.accounts["r1_cust1"]),
    )
    assert len(statements) == 3
    statements, _ = _statements(
        database.engine, lambda: get_contract(session=session, actor=actor, contract_id=deals["HD-001"])
    )
    assert len(statements) == 1
