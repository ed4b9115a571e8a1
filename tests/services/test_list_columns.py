"""LIST-2 columns beyond the account's own fields: their values, their sort order,
how ``services.summaries`` keeps them right after changes, and what a page costs.

STATUS-1/2 (onboarding progress), SOURCE-1 (billing health over downstream
tenants), CONTRACT-1 (contracts by status), and Edition, Tenant Admin, Admin,
Credit Quota, Quota Effective / End Date, Consumption (last 90 days).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from msc_app.models import (
    SOURCE_DATA_RANKS,
    Account,
    AccountKind,
    BillingIngestion,
    Contract,
    ContractStatus,
    DailyConsumption,
    IngestionStatus,
    OnboardingTask,
    OnboardingTaskKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    User,
    UserStatus,
)
from msc_app.services import summaries
from msc_app.services.customers import NULLS_LAST, ListQuery, SortKey, list_customers
from tests.conftest import World, add_account, add_product

TODAY = date(2025, 6, 1)
FILLERS = 50
NEW_KEYS = (
    SortKey.EDITION, SortKey.TENANT_ADMIN, SortKey.ADMIN, SortKey.STATUS, SortKey.SOURCE_DATA,
    SortKey.CONTRACTS, SortKey.CREDIT_QUOTA, SortKey.QUOTA_EFFECTIVE, SortKey.QUOTA_END,
    SortKey.CONSUMPTION, SortKey.CREATED,
)  # fmt: skip
TASKS = list(OnboardingTaskKind)
STATUSES = list(ContractStatus)
INGESTION = [
    IngestionStatus.SUCCESS,
    IngestionStatus.WARNING,
    IngestionStatus.FAILED,
    IngestionStatus.NOT_AVAILABLE,
]


@dataclass
class ColumnsWorld:
    world: World
    ids: dict[str, int]  # this module's own accounts and users by name
    premium_plan_id: int
    default_plan_id: int


def _tasks(
    session: Session, account_id: int, done: int, total: int = len(TASKS)
) -> None:
    for n, kind in enumerate(TASKS[:total]):
        status = (
            TaskStatus.DONE
            if n < done
            else (TaskStatus.IN_PROGRESS if n % 2 else TaskStatus.NOT_STARTED)
        )
        session.add(OnboardingTask(account_id=account_id, kind=kind, status=status))


_CONTRACT_NUMBERS = itertools.count(1)


def _contracts(
    session: Session, account_id: int, statuses: list[ContractStatus]
) -> None:
    for status in statuses:
        number = f"T-{account_id}-{next(_CONTRACT_NUMBERS)}"
        session.add(Contract(account_id=account_id, number=number, title="Agreement", status=status,
                             start_date=TODAY - timedelta(days=100)))  # fmt: skip
        session.flush()


def _ingestion(session: Session, account_id: int, status: IngestionStatus) -> None:
    row = session.get(BillingIngestion, account_id) or BillingIngestion(
        account_id=account_id
    )
    row.status = status
    session.add(row)


def _user(
    session: Session,
    *,
    name: str,
    role: Role,
    home: int,
    created: datetime,
    status=UserStatus.ACTIVE,
    email: str | None = None,
) -> User:
    user = User(email=email or f"{name.lower().replace(' ', '.')}@cols.example", name=name, role=role,
                account_id=home, status=status, created_at=created)  # fmt: skip
    session.add(user)
    session.flush()
    return user


def _refresh_everything(session: Session) -> None:
    for account_id in session.exec(select(Account.id).order_by(Account.id)):
        summaries.refresh_list_columns(
            session=session, account_id=account_id, today=TODAY
        )


@pytest.fixture(scope="module")
def cols(world, database) -> ColumnsWorld:
    """The shared world plus customers whose every list column is known, and fillers for ties and paging."""
    with Session(database.engine, expire_on_commit=False) as session:
        acc = world.accounts
        default_plan = session.exec(
            select(ServicePlan).where(ServicePlan.is_default)
        ).one()
        premium = session.exec(
            select(ServicePlan).where(ServicePlan.name == "Premium Protect")
        ).one()
        ids: dict[str, int] = {}

        def customer(name: str, parent: str, day: int) -> int:
            account = add_account(session, kind=AccountKind.CUSTOMER, name=name, parent_id=acc[parent],
                                  created_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day))  # fmt: skip
            ids[name] = account.id
            return account.id

        # Col Alpha (R2): two products on an Elite and a Business plan, 2/5 tasks, contracts, failed billing.
        alpha = customer("Col Alpha", "r2", 1)
        hybrid = add_product(
            session,
            account_id=alpha,
            plan_id=premium.id,
            product_type=ProductType.HYBRID_WORKLOADS,
            credit_quota=300,
            quota_effective_date=date(2025, 1, 1),
            quota_end_date=date(2025, 12, 31),
        )
        add_product(
            session,
            account_id=alpha,
            plan_id=default_plan.id,
            product_type=ProductType.MICROSOFT_365,
            credit_quota=200,
            quota_effective_date=date(2024, 6, 1),
            quota_end_date=date(2026, 6, 1),
        )
        _tasks(session, alpha, done=2)
        _contracts(
            session,
            alpha,
            [ContractStatus.EXPIRED, ContractStatus.ACTIVE, ContractStatus.ACTIVE],
        )
        _ingestion(session, alpha, IngestionStatus.FAILED)
        for day, units in (
            (TODAY, 10),
            (TODAY - timedelta(days=89), 20),  # inside the 90 days
            (TODAY - timedelta(days=90), 1000),
            (TODAY + timedelta(days=1), 500),
        ):  # outside
            session.add(
                DailyConsumption(
                    account_id=alpha, product_id=hybrid.id, day=day, units=units
                )
            )
        # admins whose home is Col Alpha: the earliest-created admin wins, whatever its id or status
        _user(
            session,
            name="Later Admin",
            role=Role.ADMIN,
            home=alpha,
            created=datetime(2025, 2, 1, tzinfo=UTC),
        )
        _user(
            session,
            name="First Admin",
            role=Role.ADMIN,
            home=alpha,
            created=datetime(2025, 1, 1, tzinfo=UTC),
            status=UserStatus.PENDING,
        )
        _user(
            session,
            name="Early Viewer",
            role=Role.VIEWER,
            home=alpha,
            created=datetime(2024, 1, 1, tzinfo=UTC),
        )
        for name in ("Zoe Tenant", "adam Tenant"):
            user = _user(
                session,
                name=name,
                role=Role.TENANT_ADMIN,
                home=acc["r2"],
                created=datetime(2024, 1, 1, tzinfo=UTC),
            )
            ids[name] = user.id
            session.add(TenantAdminAssignment(user_id=user.id, account_id=alpha))

        # Col Beta (R2): nothing at all but a warning from billing.
        beta = customer("Col Beta", "r2", 2)
        _ingestion(session, beta, IngestionStatus.WARNING)
        # R1's customers: one fine, one warning; R1 itself has no ingestion row.
        gamma = customer("Col Gamma", "r1", 3)
        _tasks(session, gamma, done=5)
        _ingestion(session, gamma, IngestionStatus.SUCCESS)
        delta = customer("Col Delta", "r1", 4)
        _ingestion(session, delta, IngestionStatus.WARNING)
        _ingestion(session, acc["r2"], IngestionStatus.SUCCESS)

        # fillers under the distributor: ties in every column, and enough rows for pages of 50
        for i in range(FILLERS):
            fid = customer(f"Filler {i:02d}", "dist", 10 + i // 4)
            if i % 3:
                p = add_product(
                    session,
                    account_id=fid,
                    plan_id=[default_plan.id, premium.id][i % 2],
                    product_type=ProductType.SAAS_APPS_ENDPOINTS,
                    credit_quota=100 * (i % 4),
                    quota_effective_date=TODAY - timedelta(days=10 * (i % 5)),
                    quota_end_date=TODAY + timedelta(days=10 * (i % 3)),
                )
                session.add(
                    DailyConsumption(
                        account_id=fid, product_id=p.id, day=TODAY, units=5 * (i % 4)
                    )
                )
            _tasks(session, fid, done=min(5, i % 6), total=5 if i % 7 else 3)
            _contracts(session, fid, [STATUSES[(i + k) % 4] for k in range(i % 4)])
            _ingestion(session, fid, INGESTION[i % 4])
            if i % 5 == 0:
                session.add(
                    TenantAdminAssignment(
                        user_id=ids["adam Tenant" if i % 2 else "Zoe Tenant"],
                        account_id=fid,
                    )
                )
            if i % 9 == 0:
                _user(
                    session,
                    name=f"Admin {i % 2}",
                    role=Role.ADMIN,
                    home=fid,
                    created=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(days=i),
                    email=f"admin{i}@cols.example",
                )
        session.flush()
        _refresh_everything(session)
        session.commit()
    return ColumnsWorld(
        world=world,
        ids=ids,
        premium_plan_id=premium.id,
        default_plan_id=default_plan.id,
    )


def _row(session, cols: ColumnsWorld, account_id: int, user: str = "dist_admin"):
    actor = cols.world.actor(user)
    for number in range(1, 100):
        page = list_customers(
            session=session, actor=actor, query=ListQuery(page=number, page_size=100)
        )
        for row in page.rows:
            if row.id == account_id:
                return row
        if number >= page.page_count:
            break
    raise AssertionError(f"account {account_id} not listed")


def _all_rows(session, actor, **query) -> list:
    first = list_customers(
        session=session, actor=actor, query=ListQuery(page=1, **query)
    )
    rows = list(first.rows)
    for number in range(2, first.page_count + 1):
        rows += list_customers(
            session=session, actor=actor, query=ListQuery(page=number, **query)
        ).rows
    # Context rows (a parent repeated above its children on a later page) are not matches.
    return [r for r in rows if not r.is_context]


def _tree_order(rows: list, sort_key) -> list:
    """LIST-6: top-level rows in ``sort_key`` order, each reseller followed by its own customers in that order."""
    ids = {r.id for r in rows}
    top = [r for r in rows if r.parent_id not in ids]
    children: dict[int, list] = {}
    for r in rows:
        if r.parent_id in ids:
            children.setdefault(r.parent_id, []).append(r)
    ordered = []
    for r in sort_key(top):
        ordered.append(r)
        ordered += sort_key(children.get(r.id, []))
    return ordered


# ---------------------------------------------------------------- values


def test_list_2_product_columns_edition_quota_and_dates(session, cols):
    """LIST-2: Edition (by edition order), Credit Quota (sum), Quota Effective (earliest) / End (latest)."""
    row = _row(session, cols, cols.ids["Col Alpha"])
    assert row.edition == "Business, Elite"
    assert row.credit_quota == 500
    assert (row.quota_effective_date, row.quota_end_date) == (
        date(2024, 6, 1),
        date(2026, 6, 1),
    )
    empty = _row(session, cols, cols.ids["Col Beta"])
    assert (
        empty.edition,
        empty.credit_quota,
        empty.quota_effective_date,
        empty.quota_end_date,
    ) == ("", 0, None, None)


def test_list_2_consumption_counts_only_the_last_90_days(session, cols):
    """LIST-2: Consumption sums the 90 days up to today: today and today-89 count, today-90 and tomorrow do not."""
    assert _row(session, cols, cols.ids["Col Alpha"]).consumption_90d == 30
    assert _row(session, cols, cols.ids["Col Beta"]).consumption_90d == 0


def test_list_2_admin_is_the_first_invited_admin_and_tenant_admins_are_joined(
    session, cols
):
    """LIST-2: Admin is the earliest-created admin of the account (pending or not; viewers do not count);
    Tenant Admin lists the assigned tenant admins by name."""
    alpha = _row(session, cols, cols.ids["Col Alpha"])
    assert alpha.admin == "First Admin"
    assert alpha.tenant_admins == "adam Tenant, Zoe Tenant"
    beta = _row(session, cols, cols.ids["Col Beta"])
    assert (beta.admin, beta.tenant_admins) == ("", "")
    r1 = _row(session, cols, cols.world.accounts["r1"])
    assert r1.admin == "R1 Admin"  # created before the pending "Pending" admin of R1
    assert (
        _row(session, cols, cols.world.accounts["r1_cust1"]).tenant_admins
        == "Tenant Admin"
    )


def test_status_1_onboarding_done_and_total(session, cols):
    """STATUS-1: the Status column carries done / total of the customer's onboarding tasks."""
    alpha = _row(session, cols, cols.ids["Col Alpha"])
    assert (
        alpha.onboarding_done,
        alpha.onboarding_total,
        alpha.onboarding_complete,
    ) == (2, 5, False)


def test_status_2_complete_onboarding_and_resellers_show_as_complete(session, cols):
    """STATUS-2: a finished onboarding (the Sandbox's, Col Gamma's) and a reseller without tasks are complete (---)."""
    for account_id in (
        cols.world.accounts["sandbox"],
        cols.ids["Col Gamma"],
        cols.world.accounts["r1"],
    ):
        row = _row(session, cols, account_id)
        assert row.onboarding_complete, row.name
    assert (_row(session, cols, cols.ids["Col Gamma"]).onboarding_done, 5) == (5, 5)


def test_contract_1_counts_by_status_only_non_zero_in_status_order(session, cols):
    """CONTRACT-1: Contracts holds the count per status, Active before Expired, no zero entries."""
    row = _row(session, cols, cols.ids["Col Alpha"])
    assert list(row.contracts.items()) == [("Active", 2), ("Expired", 1)]
    assert _row(session, cols, cols.ids["Col Beta"]).contracts == {}


def test_source_1_failed_customer_makes_its_reseller_failed(session, cols):
    """SOURCE-1: R2 is Success itself, but its customer Col Alpha failed: R2 shows Failed."""
    assert _row(session, cols, cols.ids["Col Alpha"]).source_data == "Failed"
    assert _row(session, cols, cols.world.accounts["r2"]).source_data == "Failed"


def test_source_1_warning_wins_over_success_and_missing_is_not_available(session, cols):
    """SOURCE-1: R1 (no data itself; customers Success and Warning) shows Warning; a customer without data Not available."""
    assert _row(session, cols, cols.world.accounts["r1"]).source_data == "Warning"
    assert _row(session, cols, cols.ids["Col Gamma"]).source_data == "Success"
    assert (
        _row(session, cols, cols.world.accounts["r1_cust1"]).source_data
        == "Not available"
    )


def test_source_1_tenant_admin_sees_its_customers_own_status(session, cols):
    """SOURCE-1 / AUTH-4: the value is the same for every viewer; a tenant admin sees its customer's."""
    row = _row(session, cols, cols.world.accounts["r1_cust1"], user="tenant_admin")
    assert row.source_data == "Not available"


# ---------------------------------------------------------------- sorting


def _display_key(row, key: SortKey):
    """The order the spec asks for, from what the row shows (not from the stored sort column)."""
    progress = (
        1000
        if row.onboarding_total == 0
        else 1000 * row.onboarding_done // row.onboarding_total
    )
    return {
        SortKey.EDITION: row.edition,
        SortKey.TENANT_ADMIN: row.tenant_admins,
        SortKey.ADMIN: row.admin,
        SortKey.STATUS: progress,
        SortKey.SOURCE_DATA: SOURCE_DATA_RANKS.index(row.source_data),
        SortKey.CONTRACTS: sum(row.contracts.values()),
        SortKey.CREDIT_QUOTA: row.credit_quota,
        SortKey.QUOTA_EFFECTIVE: row.quota_effective_date,
        SortKey.QUOTA_END: row.quota_end_date,
        SortKey.CONSUMPTION: row.consumption_90d,
        SortKey.CREATED: row.created_at,
    }[key]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", NEW_KEYS, ids=[k.value for k in NEW_KEYS])
def test_list_2_sort_by_each_new_column_walks_all_pages_in_order(
    session, cols, key, descending
):
    """LIST-1 / LIST-2 / LIST-6: sorted by any new column (status by progress, source data by severity,
    contracts by total, dates with the undated last), ties broken by id, across all pages, within the
    tree (resellers and the distributor's own customers, each reseller's customers under it)."""
    actor = cols.world.actor("dist_admin")
    rows = _all_rows(session, actor, page_size=7, sort=key, descending=descending)
    values = [_display_key(r, key) for r in rows]
    assert len(set(values)) > 2 and len(values) > len(set(values)), (
        "data should vary and tie"
    )

    def in_order(group: list) -> list:
        dated = [r for r in group if _display_key(r, key) is not None]
        undated = [r for r in group if _display_key(r, key) is None]
        ordered = sorted(dated, key=lambda r: (_display_key(r, key), r.id), reverse=descending)
        return ordered + sorted(undated, key=lambda r: r.id, reverse=descending)

    expected = _tree_order(rows, in_order)
    assert [r.id for r in rows] == [r.id for r in expected]
    assert len({r.id for r in rows}) == len(rows)


def _sibling_groups(rows: list) -> list[list]:
    """LIST-6: the top-level rows, then each reseller's customers: the lists the sort orders."""
    ids = {r.id for r in rows}
    groups: dict[int | None, list] = {}
    for r in rows:
        groups.setdefault(r.parent_id if r.parent_id in ids else None, []).append(r)
    return list(groups.values())


def test_status_1_sort_puts_complete_onboarding_last_ascending(session, cols):
    """STATUS-1: ascending by Status starts with the least advanced onboarding and ends with the complete
    ones, among the top-level rows and among each reseller's customers (LIST-6)."""
    rows = _all_rows(session, cols.world.actor("dist_admin"), page_size=50, sort=SortKey.STATUS)
    for group in _sibling_groups(rows):
        complete = [r.onboarding_complete for r in group]
        assert complete == sorted(complete)
    assert any(not r.onboarding_complete for r in rows) and rows[-1].onboarding_complete
    customers = min(_sibling_groups(rows), key=lambda g: g[0].onboarding_done)
    assert customers[0].onboarding_done == 0


def test_source_1_sort_descending_puts_failed_first(session, cols):
    """SOURCE-1: descending by Source Data lists Failed, then Warning, Success, Not available (within
    each group of siblings of the tree, LIST-6)."""
    rows = _all_rows(
        session,
        cols.world.actor("dist_admin"),
        page_size=50,
        sort=SortKey.SOURCE_DATA,
        descending=True,
    )
    order = ["Failed", "Warning", "Success", "Not available"]
    for group in _sibling_groups(rows):
        ranks = [order.index(r.source_data) for r in group]
        assert ranks == sorted(ranks)
    assert {r.source_data for r in rows} == set(order)


# ---------------------------------------------------------------- keeping the columns right


def _account(session, account_id) -> Account:
    session.flush()
    session.expire_all()
    return session.get(Account, account_id)


def test_list_2_refresh_after_product_change(session, cols):
    """LIST-2: a new product changes Edition, Credit Quota and the quota dates after refresh_account_summary."""
    beta = cols.ids["Col Beta"]
    add_product(
        session,
        account_id=beta,
        plan_id=cols.premium_plan_id,
        product_type=ProductType.MICROSOFT_365,
        credit_quota=700,
        quota_effective_date=date(2025, 2, 2),
        quota_end_date=date(2026, 2, 2),
    )
    account = _account(session, beta)
    assert (account.edition_summary, account.credit_quota_total) == ("Elite", 700)
    assert (account.quota_effective_date, account.quota_end_date) == (
        date(2025, 2, 2),
        date(2026, 2, 2),
    )


def test_status_1_refresh_after_completing_tasks(session, cols):
    """STATUS-1: completing the remaining tasks makes the onboarding complete after refresh_onboarding."""
    alpha = cols.ids["Col Alpha"]
    for task in session.exec(
        select(OnboardingTask).where(OnboardingTask.account_id == alpha)
    ):
        task.status = TaskStatus.DONE
        session.add(task)
    session.flush()
    summaries.refresh_onboarding(session=session, account_id=alpha)
    account = _account(session, alpha)
    assert (
        account.onboarding_done,
        account.onboarding_total,
        account.onboarding_progress,
    ) == (5, 5, 1000)


def test_contract_1_refresh_after_adding_a_contract(session, cols):
    """CONTRACT-1: a new pending contract shows in the counts at once and in the sort total after refresh_contracts."""
    beta = cols.ids["Col Beta"]
    _contracts(session, beta, [ContractStatus.PENDING])
    summaries.refresh_contracts(session=session, account_id=beta)
    assert _account(session, beta).contracts_total == 1
    assert _row(session, cols, beta).contracts == {"Pending": 1}


def test_source_1_refresh_carries_a_customer_change_to_its_reseller(session, cols):
    """SOURCE-1: R2's value follows its customers: Failed while Col Alpha fails, Warning once Col Alpha recovers
    (Col Beta still warns), and a failing R1 customer turns R1 (and the distributor) Failed."""
    r2, alpha = cols.world.accounts["r2"], cols.ids["Col Alpha"]
    _ingestion(session, alpha, IngestionStatus.SUCCESS)
    summaries.refresh_source_data(session=session, account_id=alpha)
    assert _account(session, alpha).source_data_rank == SOURCE_DATA_RANKS.index(
        "Success"
    )
    assert _account(session, r2).source_data_rank == SOURCE_DATA_RANKS.index("Warning")

    r1_cust1 = cols.world.accounts["r1_cust1"]
    _ingestion(session, r1_cust1, IngestionStatus.FAILED)
    summaries.refresh_source_data(session=session, account_id=r1_cust1)
    assert _row(session, cols, cols.world.accounts["r1"]).source_data == "Failed"
    assert _account(
        session, cols.world.accounts["dist"]
    ).source_data_rank == SOURCE_DATA_RANKS.index("Failed")


def test_list_2_refresh_after_user_changes(session, cols):
    """LIST-2: an earlier admin, a renamed tenant admin and a new assignment show after refresh_for_user."""
    alpha, beta = cols.ids["Col Alpha"], cols.ids["Col Beta"]
    earliest = _user(
        session,
        name="Founding Admin",
        role=Role.ADMIN,
        home=alpha,
        created=datetime(2024, 6, 1, tzinfo=UTC),
    )
    summaries.refresh_for_user(session=session, user_id=earliest.id)
    assert _account(session, alpha).admin_name == "Founding Admin"

    zoe = session.get(User, cols.ids["Zoe Tenant"])
    zoe.name = "Bea Tenant"
    session.add(zoe)
    session.add(TenantAdminAssignment(user_id=zoe.id, account_id=beta))
    summaries.refresh_for_user(session=session, user_id=zoe.id)
    assert _account(session, alpha).tenant_admin_summary == "adam Tenant, Bea Tenant"
    assert _account(session, beta).tenant_admin_summary == "Bea Tenant"


def test_list_2_refresh_consumption_for_one_account_and_when_the_window_moves(
    session, cols
):
    """LIST-2: new consumption counts after refresh_consumption; a day later the oldest day drops out for everyone."""
    alpha = cols.ids["Col Alpha"]
    product_id = session.exec(
        select(Product.id).where(Product.account_id == alpha)
    ).first()
    session.add(
        DailyConsumption(
            account_id=alpha,
            product_id=product_id,
            day=TODAY - timedelta(days=1),
            units=7,
        )
    )
    summaries.refresh_consumption(session=session, account_id=alpha, today=TODAY)
    assert _account(session, alpha).consumption_90d == 37
    # tomorrow: today-89 (20 units) leaves the window, tomorrow's 500 enters it
    summaries.refresh_consumption(
        session=session, account_id=None, today=TODAY + timedelta(days=1)
    )
    assert _account(session, alpha).consumption_90d == 10 + 7 + 500


# ---------------------------------------------------------------- cost of a page


def _statements(engine: sa.Engine, run) -> tuple[list[str], object]:
    """The SQL statements ``run()`` sends to the database (a ``before_cursor_execute`` listener)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return statements, result


@pytest.mark.parametrize(
    "key",
    [
        SortKey.NAME,
        SortKey.CONTRACTS,
        SortKey.CONSUMPTION,
        SortKey.STATUS,
        SortKey.QUOTA_END,
    ],
)
def test_list_2_a_page_costs_a_constant_number_of_queries(session, database, cols, key):
    """LIST-1 / LIST-2 / SPEC 8: a page of 5 and a page of 50, every column filled, cost the same few queries."""
    actor = cols.world.actor("dist_admin")
    session.exec(select(Account.id).limit(1)).all()  # the test transaction has begun
    counts = {}
    for size in (5, 50):
        query = ListQuery(page=1, page_size=size, sort=key)
        statements, page = _statements(
            database.engine,
            lambda q=query: list_customers(session=session, actor=actor, query=q),
        )
        assert len(page.rows) == size
        if size == 50:  # the grouped contracts query really ran and filled the rows
            assert any(row.contracts for row in page.rows)
        counts[size] = len(statements)
    if key in NULLS_LAST:
        # a date column reads its dated rows, then (page past them) its undated ones: at most 5
        assert max(counts.values()) <= 5, counts
    else:
        assert counts[5] == counts[50] <= 3, counts


@pytest.mark.parametrize("page_size", [5, 50])
@pytest.mark.parametrize("page", [1, 2, 99])
def test_list_2_date_column_page_costs_at_most_five_queries(
    session, database, cols, page, page_size
):
    """LIST-1 / SPEC 8: sorted by a date column, any page (dated, straddling, undated) costs at most five queries."""
    actor = cols.world.actor("dist_admin")
    session.exec(select(Account.id).limit(1)).all()
    query = ListQuery(page=page, page_size=page_size, sort=SortKey.QUOTA_END)
    statements, result = _statements(
        database.engine,
        lambda: list_customers(session=session, actor=actor, query=query),
    )
    assert result.rows
    assert len(statements) <= 5
