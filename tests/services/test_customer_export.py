"""LIST-7: exporting the customers list to CSV, on the database.

The export must hold every row matching the list's search and filters in the
actor's scope (not one page), in the list's order, in the chosen columns, and
be safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from msc_app.models import (
    Account,
    AccountKind,
    Contract,
    ContractStatus,
    OnboardingTask,
    OnboardingTaskKind,
    ProductType,
    ServicePlan,
    TaskStatus,
    TenantType,
)
from msc_app.services import summaries
from msc_app.services.customer_export import (
    EXPORT_COLUMNS,
    count_matching,
    export_filename,
    iter_csv,
)
from msc_app.services.customers import ListQuery, SortKey, list_customers
from msc_app.services.preferences import CUSTOMER_COLUMNS
from tests.conftest import World, add_account, add_product

TODAY = date(2025, 6, 1)
FORMULA_NAME = '=cmd|" /C calc"!A0'
EXTRA = 23  # plain customers under each tier, for several pages and batches


@dataclass
class ExportWorld:
    world: World
    ids: dict[str, int]


@pytest.fixture(scope="module")
def ew(world, database) -> ExportWorld:
    with Session(database.engine, expire_on_commit=False) as session:
        acc = world.accounts
        ids = dict(acc)
        plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).one()

        def customer(key, parent, name, **extra) -> int:
            ids[key] = add_account(session, kind=AccountKind.CUSTOMER, name=name, parent_id=acc[parent], **extra).id
            return ids[key]

        customer("x_formula", "r1", FORMULA_NAME, customer_name="@SUM(1+1)", organization="-2+3")
        customer("x_tab", "dist", "\tTabbed", customer_name="+44 20 7946 0000", organization="\rCarriage")
        plain = customer("x_plain", "r2", 'Plain, "Quoted" Ltd', organization="Ünïcode GmbH")
        add_product(
            session,
            account_id=plain,
            plan_id=plan.id,
            product_type=ProductType.MICROSOFT_365,
            tenant_type=TenantType.COMMERCIAL,
            storage_regions=["UK London"],
            credit_quota=1500,
            quota_effective_date=date(2025, 1, 1),
            quota_end_date=date(2025, 12, 31),
            license_expiry=date(2026, 3, 4),
        )
        for n, status in enumerate([ContractStatus.PENDING, ContractStatus.ACTIVE, ContractStatus.ACTIVE]):
            session.add(Contract(account_id=plain, number=f"X-{n}", title="Agreement", status=status, start_date=TODAY))
        for n, kind in enumerate(OnboardingTaskKind):
            session.add(OnboardingTask(account_id=plain, kind=kind, status=TaskStatus.DONE if n < 2 else TaskStatus.NOT_STARTED))
        for parent in ("dist", "r1", "r2"):
            for i in range(EXTRA):
                customer(f"{parent}_extra{i}", parent, f"Extra {parent} {i:02d}",
                         created_at=datetime(2024, 1, 1 + i % 20, tzinfo=UTC))  # fmt: skip
        session.flush()
        summaries.refresh_contracts(session=session, account_id=plain)
        summaries.refresh_onboarding(session=session, account_id=plain)
        session.commit()
    return ExportWorld(world=world, ids=ids)


def _export(session, actor, query=None, columns=None, **kw) -> list[list[str]]:
    """The exported file parsed back: header first. Also checks the BOM and the encoding."""
    data = b"".join(iter_csv(session=session, actor=actor, query=query or ListQuery(), columns=columns, **kw))
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _list_names(session, actor, **query) -> list[str]:
    """Names of every matching row of the list, page after page, in order (context rows left out)."""
    names, number = [], 1
    while True:
        page = list_customers(session=session, actor=actor, query=ListQuery(page=number, page_size=7, **query))
        names += [r.name for r in page.rows if not r.is_context]
        if number >= page.page_count:
            return names
        number += 1


def _names(rows: list[list[str]]) -> list[str]:
    """The Name column of the data rows, the neutralising quote taken off again."""
    column = rows[0].index("Name")
    return [r[column][1:] if r[column][:1] == "'" else r[column] for r in rows[1:]]


# ---------------------------------------------------------------- what the file holds


def test_list_7_export_holds_every_matching_row_not_just_the_page(session, ew):
    """LIST-7: the page and page size of the view do not limit the file: it holds all rows, in list order."""
    actor = ew.world.actor("dist_admin")
    query = ListQuery(page=2, page_size=5)
    rows = _export(session, actor, query)
    expected = _list_names(session, actor)
    assert len(expected) > 3 * EXTRA
    assert _names(rows) == expected
    assert count_matching(session=session, actor=actor, query=query) == len(expected) == len(rows) - 1


@pytest.mark.parametrize(
    ("user", "query"),
    [
        ("dist_admin", {"sort": SortKey.CREATED, "descending": True}),
        ("dist_admin", {"sort": SortKey.LICENSE_EXPIRY}),
        ("dist_admin", {"sort": SortKey.QUOTA_END, "descending": True, "search": "e"}),
        ("r1_admin", {"sort": SortKey.ORGANIZATION, "descending": True}),
        ("r2_admin", {"search": "extra"}),
    ],
)
def test_list_7_export_follows_the_lists_order(session, ew, user, query):
    """LIST-7 / LIST-6: the rows come in the list's tree order for the chosen sort, without context rows."""
    actor = ew.world.actor(user)
    assert _names(_export(session, actor, ListQuery(**query))) == _list_names(session, actor, **query)


def test_list_7_export_applies_search_and_filters(session, ew):
    """LIST-7 / LIST-5: the search and the filters of the view select the exported rows."""
    actor = ew.world.actor("dist_admin")
    assert _names(_export(session, actor, ListQuery(products=(ProductType.MICROSOFT_365.value,)))) == [
        "Harbor Dental",  # under Blue Harbor Resellers
        'Plain, "Quoted" Ltd',  # under Crimson Peak IT
    ]
    assert _names(_export(session, actor, ListQuery(search="extra r2 0"))) == [f"Extra r2 {i:02d}" for i in range(10)]
    in_progress = ListQuery(status="in_progress", storage_regions=("UK London",))
    assert _names(_export(session, actor, in_progress)) == ['Plain, "Quoted" Ltd']
    assert count_matching(session=session, actor=actor, query=in_progress) == 1
    assert _export(session, actor, ListQuery(search="no such customer")) == [[label for _key, label in EXPORT_COLUMNS]]


@pytest.mark.parametrize(
    ("user", "perspective", "tree"),
    [
        ("dist_admin", None, None),
        ("dist_viewer", None, None),
        ("r1_admin", None, "r1"),
        ("r2_admin", None, "r2"),
        ("dist_admin", "r1", "r1"),
        ("tenant_admin", None, "tenant"),
    ],
)
def test_list_7_each_actor_exports_exactly_its_own_rows(session, ew, user, perspective, tree):
    """LIST-7 / AUTH-4 / TENANT-1: a distributor exports the whole tree, a reseller (or the distributor in its
    perspective) itself and its customers, a tenant admin its assigned customer: nothing more, nothing less."""
    actor = ew.world.actor(user, perspective=perspective)
    exported = _names(_export(session, actor))
    accounts = session.exec(select(Account).where(Account.kind != AccountKind.DISTRIBUTOR)).all()
    if tree is None:
        expected = {a.name for a in accounts}
    elif tree == "tenant":
        expected = {"Harbor Dental"}
    else:
        root = ew.ids[tree]
        expected = {a.name for a in accounts if root in (a.id, a.parent_id)}
    assert sorted(exported) == sorted(expected)
    assert exported == _list_names(session, actor)


# ---------------------------------------------------------------- cells


def test_list_7_cells_that_could_be_formulas_are_neutralised(session, ew):
    """LIST-7: cells starting with =, +, -, @, a tab or a carriage return get a leading quote; others do not."""
    rows = _export(session, ew.world.actor("dist_admin"), ListQuery(search="a"), columns=["name", "customer_name", "organization"])
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["'" + FORMULA_NAME] == ["'" + FORMULA_NAME, "'@SUM(1+1)", "'-2+3"]
    tabbed = ListQuery(search="tabbed")
    (header, row) = _export(session, ew.world.actor("dist_admin"), tabbed, columns=["name", "customer_name", "organization"])
    assert row == ["'\tTabbed", "'+44 20 7946 0000", "'\rCarriage"]
    assert by_name['Plain, "Quoted" Ltd'] == ['Plain, "Quoted" Ltd', 'Plain, "Quoted" Ltd', "Ünïcode GmbH"]
    for row in rows[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), row


def test_list_7_values_contracts_status_and_dates(session, ew):
    """LIST-7: contracts as counts by status, status as done/total (--- when complete), dates in ISO format."""
    columns = ["contracts", "status", "license_expiry", "quota_effective", "quota_end", "created", "credit_quota",
               "products", "tenant_type", "storage_regions", "service_plan", "source_data"]  # fmt: skip
    (header, plain) = _export(session, ew.world.actor("dist_admin"), ListQuery(search="quoted"), columns=columns)
    assert plain == [
        "2 Active; 1 Pending", "2/5", "2026-03-04", "2025-01-01", "2025-12-31", "2025-01-01", "1500",
        "Microsoft 365", "Commercial", "UK London", "Default Service Plan", "Not available",
    ]  # fmt: skip
    (header, sandbox) = _export(session, ew.world.actor("dist_admin"), ListQuery(search="sandbox"), columns=["status", "contracts"])
    assert sandbox == ["---", ""]


def test_list_7_selected_columns_in_the_given_order_unknown_ones_dropped(session, ew):
    """LIST-7: the file has the chosen columns, in the order chosen; unknown keys and repeats are ignored."""
    rows = _export(session, ew.world.actor("r2_admin"), ListQuery(search="quoted"),
                   columns=["status", "name", "password_hash", "name", "tenant_admin"])  # fmt: skip
    assert rows == [["Status", "Name", "Tenant Admin"], ["2/5", 'Plain, "Quoted" Ltd', ""]]


@pytest.mark.parametrize("columns", [None, [], ["nope"]])
def test_list_7_no_selection_means_every_column_with_the_lists_labels(session, ew, columns):
    """LIST-7: with nothing (valid) selected, the header holds every column's label, in the list's order."""
    rows = _export(session, ew.world.actor("tenant_admin"), columns=columns)
    assert rows[0] == [c.label for c in CUSTOMER_COLUMNS]
    assert len(rows) == 2 and len(rows[1]) == len(CUSTOMER_COLUMNS)


def test_list_7_export_columns_are_the_lists_columns():
    """LIST-7: the exportable columns are the list's LIST-2 columns, same keys and labels."""
    assert EXPORT_COLUMNS == tuple((c.key, c.label) for c in CUSTOMER_COLUMNS)


def test_list_7_file_name_carries_the_date():
    assert export_filename(datetime(2026, 11, 23, 23, 59, tzinfo=UTC)) == "customers-2026-11-23.csv"
    assert export_filename(date(2026, 1, 5)) == "customers-2026-01-05.csv"


# ---------------------------------------------------------------- streaming


def test_list_7_export_streams_in_batches_and_reports_progress(session, database, ew):
    """LIST-7 / SPEC 8: rows are read and written a batch at a time, each batch's contracts in one query;
    nothing is read before the first chunk (the header) is taken; progress counts rows written."""
    actor = ew.world.actor("r2_admin")
    total = count_matching(session=session, actor=actor, query=ListQuery())
    seen: list[int] = []
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    session.exec(select(Account.id).limit(1)).all()  # the test transaction has begun
    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        chunks = iter_csv(session=session, actor=actor, query=ListQuery(), progress=seen.append, batch_size=4)
        header = next(chunks)
        assert statements == [] and header.startswith(b"\xef\xbb\xbfName,")
        rest = list(chunks)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)
    batches = -(-total // 4)
    assert len(rest) == batches and seen == [min(total, 4 * n) for n in range(1, batches + 1)]
    assert sum(chunk.count(b"\r\n") for chunk in rest) == total
    # the rows query, then one grouped contracts query per batch: not one per row
    assert len(statements) <= 1 + batches
