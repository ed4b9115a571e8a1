"""SQL metacharacters in search and filters are harmless; CSV export cells are neutralised (LIST-4, LIST-5, LIST-7,
CONTRACT-2, TENANT-2).

"Harmless" means: no error, the answer holds exactly the rows whose text contains the typed characters
literally (``%`` and ``_`` are not wildcards, ``\\`` is not an escape), and every table is still there with
all its rows. Each search has a decoy that a wildcard reading would match, so a broken escape fails the test.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from msc_app.models import (
    AccountKind,
    Contact,
    Contract,
    ContractStatus,
    ProductType,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    TenantType,
    User,
    UserStatus,
)
from msc_app.models.contacts import ContactCreate
from msc_app.services import auth, contacts, contracts, customer_export, customers, onboarding, summaries, tenants
from msc_app.services.customer_export import neutralise
from msc_app.services.customers import ListQuery
from msc_app.services.errors import NotFound
from tests.conftest import World, add_account, add_product

DROP = '"; DROP TABLE account; --'
# Customer names under r1: each metacharacter with a decoy that a wildcard (or a lost escape) would also match.
R1_NAMES = (
    "O'Brien & Sons",
    "100% Pure",
    "100X Pure",  # decoy for "100%"
    "Under_score Ltd",
    "UnderXscore Ltd",  # decoy for "_"
    "Back\\slash Co",
    "Backslash Co",  # decoy for "\"
    DROP,
    "Ünïcode Straße GmbH",
    "Emoji 🚀 Rocket",
    'Quote "Double" Inc',
)
CSV_EVIL = {
    "tenant_admin": '=HYPERLINK("http://evil.example","x")',
    "admin": "@SUM(A1:A9)",
    "service_plan": "+cmd|' /C calc'!A0",
    "customer": "-1+2",
}

# (typed search, the R1_NAMES it must find: literal, case-insensitive substring)
SEARCHES = [
    ("'", {"O'Brien & Sons"}),
    ("o'brien", {"O'Brien & Sons"}),
    ("100%", {"100% Pure"}),
    ("%", {"100% Pure"}),
    ("_", {"Under_score Ltd"}),
    ("under_", {"Under_score Ltd"}),
    ("\\", {"Back\\slash Co"}),
    ("k\\s", {"Back\\slash Co"}),
    ("\\%", set()),
    (DROP, {DROP}),
    ("; drop table", {DROP}),
    ("--", {DROP}),
    ('"', {DROP, 'Quote "Double" Inc'}),
    ("ünïcode straße", {"Ünïcode Straße GmbH"}),
    ("🚀", {"Emoji 🚀 Rocket"}),
    ("' OR '1'='1", set()),
    ("%' OR 1=1 --", set()),
]


@dataclass
class InjectionWorld:
    world: World
    ids: dict[str, int]
    plans: dict[str, int]


@pytest.fixture(scope="module")
def iw(world: World, database) -> InjectionWorld:
    with Session(database.engine, expire_on_commit=False) as session:
        acc = world.accounts
        ids: dict[str, int] = {}
        for name in R1_NAMES:
            ids[name] = add_account(session, kind=AccountKind.CUSTOMER, name=name, parent_id=acc["r1"]).id
        # Plans whose names hold LIKE metacharacters, and a decoy a wildcard reading of them would match.
        plans = {}
        for name in ("50%_off\\", "50XYoffZ", CSV_EVIL["service_plan"]):
            plan = ServicePlan(name=name, edition="Business", products=[p.value for p in ProductType],
                               owner_account_id=acc["dist"])  # fmt: skip
            session.add(plan)
            session.flush()
            plans[name] = plan.id
        for customer, plan in (("100% Pure", "50%_off\\"), ("100X Pure", "50XYoffZ")):
            add_product(session, account_id=ids[customer], plan_id=plans[plan], product_type=ProductType.MICROSOFT_365,
                        tenant_type=TenantType.COMMERCIAL, storage_regions=["Canada"])  # fmt: skip
        # Contracts with metacharacters in their numbers and titles (CONTRACT-2 search).
        for n, title in enumerate(("Rate 100% fixed", "Rate 100X fixed", "snake_case deal", "snakeXcase deal", DROP)):
            session.add(Contract(account_id=ids["O'Brien & Sons"], number=f"INJ_{n}%", title=title,
                                 status=ContractStatus.ACTIVE, start_date=date(2025, 1, 1)))  # fmt: skip
        # LIST-7: a customer whose every user-written column starts like a formula.
        evil = add_account(session, kind=AccountKind.CUSTOMER, name="Csv Evil Co", customer_name=CSV_EVIL["customer"],
                           organization="\tTabbed Org", parent_id=acc["dist"])  # fmt: skip
        ids["Csv Evil Co"] = evil.id
        add_product(session, account_id=evil.id, plan_id=plans[CSV_EVIL["service_plan"]],
                    product_type=ProductType.HYBRID_WORKLOADS, storage_regions=["US East"])  # fmt: skip
        for role, name, home in ((Role.TENANT_ADMIN, CSV_EVIL["tenant_admin"], acc["dist"]),
                                 (Role.ADMIN, CSV_EVIL["admin"], evil.id)):  # fmt: skip
            user = User(email=f"{role.value}.evil@example.com", name=name, role=role, account_id=home,
                        status=UserStatus.ACTIVE)  # fmt: skip
            session.add(user)
            session.flush()
            if role == Role.TENANT_ADMIN:
                session.add(TenantAdminAssignment(user_id=user.id, account_id=evil.id))
        session.flush()
        for account_id in (*ids.values(),):
            summaries.refresh_list_columns(session=session, account_id=account_id, today=date(2025, 6, 1))
        session.commit()
    return InjectionWorld(world=world, ids=ids, plans=plans)


def _tables(session: Session) -> dict[str, int]:
    """Every table of the app and its row count: all must still be there after a malicious search."""
    return {
        table.name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def _names(session, actor, query: ListQuery) -> set[str]:
    page = customers.list_customers(session=session, actor=actor, query=query)
    return {r.name for r in page.rows if not r.is_context}


def _exported(session, actor, query: ListQuery, columns=("name",)) -> list[list[str]]:
    data = b"".join(customer_export.iter_csv(session=session, actor=actor, query=query, columns=list(columns)))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------- LIST-4: the search box


@pytest.mark.parametrize(("text", "expected"), SEARCHES, ids=[repr(t) for t, _ in SEARCHES])
@pytest.mark.parametrize("user", ["dist_admin", "r1_admin", "r1_viewer"])
def test_list_4_metacharacters_in_the_search_are_literal(session, iw: InjectionWorld, user, text, expected):
    """LIST-4 / AUTH-4: the search finds exactly the names holding the typed text literally (no wildcard, no
    escape, no SQL), counts them, exports them, and every table is still there."""
    actor = iw.world.actor(user)
    before = _tables(session)
    query = ListQuery.parse(search=text, page_size=100)
    assert query.search == text.strip()
    found = _names(session, actor, query) & set(R1_NAMES)
    assert found == expected
    # Nothing outside the injected names matches a quote, a percent sign or a DROP either.
    assert _names(session, actor, query) - set(R1_NAMES) <= {n for n in _names(session, actor, ListQuery(page_size=100))
                                                            if text.lower() in n.lower()}  # fmt: skip
    assert customers.count_matching(session=session, actor=actor, query=query) == len(_names(session, actor, query))
    exported = {row[0].removeprefix("'") for row in _exported(session, actor, query)[1:]}
    assert exported == _names(session, actor, query)
    assert _tables(session) == before


def test_list_9_metacharacters_survive_the_url(session, iw: InjectionWorld):
    """LIST-9: a search with metacharacters goes into the URL parameters and back unchanged."""
    for text, _expected in SEARCHES:
        query = ListQuery.parse(search=text)
        assert ListQuery.from_params(query.to_params()) == query


# ---------------------------------------------------------------- LIST-5: the filters


MALICIOUS_FILTERS = [
    dict(products=DROP),
    dict(products=["Microsoft 365' OR '1'='1"]),
    dict(service_plans="1 OR 1=1"),
    dict(service_plans=["0x1", "-1", "1;DROP TABLE account", "99999999999999999999"]),
    dict(storage_regions="%"),
    dict(storage_regions=["_", "\\"]),
    dict(tenant_types="Commercial' --"),
    dict(tenant_admins="1) OR (1=1"),
    dict(status="complete' OR '1'='1"),
    dict(source_data=[DROP, "%"]),
    dict(sort="name; DROP TABLE account", descending="1 OR 1=1", page="1 OR 1=1", page_size="%"),
]


@pytest.mark.parametrize("raw", MALICIOUS_FILTERS, ids=[str(sorted(r)) for r in MALICIOUS_FILTERS])
def test_list_5_malicious_filter_values_are_dropped(session, iw: InjectionWorld, raw):
    """LIST-5: filter values from a URL or a forged event that are not choices are dropped: the list is the
    unfiltered one, and every table is still there."""
    actor = iw.world.actor("dist_admin")
    before = _tables(session)
    query = ListQuery.parse(**({"page_size": 100} | raw))
    assert not query.filtered and not query.descending and query.page == 1
    assert _names(session, actor, query) == _names(session, actor, ListQuery(page_size=query.page_size))
    assert _tables(session) == before


def test_list_5_plan_names_with_metacharacters_filter_literally(session, iw: InjectionWorld):
    """LIST-5: filtering by a plan named ``50%_off\\`` finds its customer only, not the customer of a plan
    its name would match as a LIKE pattern (``50XYoffZ``)."""
    actor = iw.world.actor("dist_admin")
    query = ListQuery.parse(service_plans=[str(iw.plans["50%_off\\"])], page_size=100)
    assert _names(session, actor, query) == {"100% Pure"}
    decoy = ListQuery.parse(service_plans=[str(iw.plans["50XYoffZ"])], page_size=100)
    assert _names(session, actor, decoy) == {"100X Pure"}


# ---------------------------------------------------------------- other text searches and ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100%", {"Rate 100% fixed"}), ("_case", {"snake_case deal"}), ("inj_", None), ("'", set()), (DROP, {DROP})],
)
def test_contract_2_search_is_literal(session, iw: InjectionWorld, text, expected):
    """CONTRACT-2: the contracts list's search (number and title) reads metacharacters literally."""
    actor = iw.world.actor("r1_admin")
    before = _tables(session)
    page = contracts.list_contracts(session=session, actor=actor, search=text, page_size=100)
    if expected is None:  # every INJ_n% number holds "inj_" literally
        assert {r.number for r in page.rows} >= {f"INJ_{n}%" for n in range(5)}
    else:
        assert {r.title for r in page.rows} == expected
    assert _tables(session) == before


def test_tenant_2_switch_search_is_literal(session, iw: InjectionWorld):
    """TENANT-2: the tenant switcher's search reads metacharacters literally."""
    actor = iw.world.actor("r1_admin")
    assert {t.name for t in tenants.switchable_tenants(session=session, actor=actor, search="100%")} == {"100% Pure"}
    assert {t.name for t in tenants.switchable_tenants(session=session, actor=actor, search="_")} == {"Under_score Ltd"}
    assert tenants.switchable_tenants(session=session, actor=actor, search="' OR 1=1 --") == []


@pytest.mark.parametrize("forged", ["1 OR 1=1", "1; DROP TABLE account", "' OR ''='", "-1", "", None, "1e3"])
def test_auth_4_ids_that_are_not_numbers_are_not_found(session, iw: InjectionWorld, forged):
    """AUTH-4: an id that is text (as a forged event may send) is "not found" like a missing one."""
    actor = iw.world.actor("dist_admin")
    before = _tables(session)
    for call, message in (
        (lambda: contracts.get_contract(session=session, actor=actor, contract_id=forged), "Contract not found."),
        (lambda: contracts.contracts_preview(session=session, actor=actor, account_id=forged), "Customer not found."),
        (lambda: onboarding.start_task(session=session, actor=actor, task_id=forged), "Onboarding task not found."),
    ):
        with pytest.raises(NotFound) as refused:
            call()
        assert refused.value.message == message
    assert _tables(session) == before


def test_detail_4_sql_in_a_contact_is_stored_as_text(session, iw: InjectionWorld):
    """DETAIL-4: a contact named like an SQL statement is stored and read back as that text."""
    actor = iw.world.actor("r1_admin")
    before = _tables(session)
    added = contacts.add_contact(session=session, actor=actor, account_id=iw.ids["O'Brien & Sons"],
                                 data=ContactCreate(name=DROP, email="o'brien@example.com"))  # fmt: skip
    listed = contacts.list_contacts(session=session, actor=actor, account_id=iw.ids["O'Brien & Sons"])
    assert [(c.name, c.email) for c in listed] == [(DROP, "o'brien@example.com")]
    assert session.exec(select(Contact.name).where(Contact.id == added.id)).one() == DROP
    after = _tables(session)
    assert after["contact"] == before["contact"] + 1 and after["account"] == before["account"]


# ---------------------------------------------------------------- LIST-7: formulas in the CSV file


def test_list_7_every_user_written_column_is_neutralised(session, iw: InjectionWorld):
    """LIST-7: customer name, organization, tenant admin, admin and service plan cells that start like a
    formula get a leading quote; the file still has one line per row."""
    actor = iw.world.actor("dist_admin")
    columns = ["name", "customer_name", "organization", "tenant_admin", "admin", "service_plan"]
    rows = _exported(session, actor, ListQuery(search="csv evil"), columns=columns)
    assert len(rows) == 2, rows
    assert rows[1] == [
        "Csv Evil Co",
        "'" + CSV_EVIL["customer"],
        "'\tTabbed Org",
        "'" + CSV_EVIL["tenant_admin"],
        "'" + CSV_EVIL["admin"],
        "'" + CSV_EVIL["service_plan"],
    ]


def test_list_7_quotes_commas_and_line_breaks_stay_inside_their_cell(session, iw: InjectionWorld):
    """LIST-7: a name with quotes, and one that is an SQL statement, round-trip through the csv module."""
    actor = iw.world.actor("r1_admin")
    rows = _exported(session, actor, ListQuery(search='"'))
    assert sorted(r[0] for r in rows[1:]) == sorted([DROP, 'Quote "Double" Inc'])


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_list_7_neutralise_each_formula_start(start):
    """LIST-7: each character a spreadsheet reads as the start of a formula (OWASP's list) gets a quote."""
    assert neutralise(start + "1+1") == "'" + start + "1+1"


@pytest.mark.parametrize("text", ["", "a=1", "1+1", "O'Brien", " =1", "Ü=1"])
def test_list_7_neutralise_leaves_plain_text(text):
    assert neutralise(text) == text


def test_tables_survive_the_whole_module(session, iw: InjectionWorld):
    """After every malicious search above, each table of the app is still there and readable."""
    names = set(sa.inspect(session.connection()).get_table_names())
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= names
    assert auth.needs_first_run(session=session) is False
