"""DEMO-1: the demo data generator fills a realistic, deterministic installation.

Self-contained: each test makes its own SQLite file (``get_engine`` caches one
engine per URL, so every path is unique) and creates the tables directly.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, func, select

import msc_app.models  # noqa: F401  (registers every table)
from msc_app import demo as demo_cli
from msc_app.db import get_engine
from msc_app.models import (
    Account,
    AccountKind,
    Contact,
    Contract,
    OnboardingTaskKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    User,
    UserStatus,
)
from msc_app.services import auth, summaries
from msc_app.services.demo import DEMO_PASSWORD, DemoSummary, generate
from msc_app.services.validation import email_error, phone_error

TODAY = date(2026, 3, 16)
CUSTOMERS = 40


def fresh_engine(directory: Path) -> sa.Engine:
    engine = get_engine(f"sqlite:///{directory / f'demo-{uuid.uuid4().hex}.db'}")
    SQLModel.metadata.create_all(engine)
    return engine


def generated(directory: Path, *, seed: int = 7) -> tuple[sa.Engine, DemoSummary]:
    engine = fresh_engine(directory)
    return engine, generate(engine=engine, customers=CUSTOMERS, seed=seed, today=TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[sa.Engine, DemoSummary]:
    return generated(tmp_path_factory.mktemp("demo"))


def test_demo_1_fills_every_table(demo):
    """DEMO-1: every table of the model holds rows after a small run."""
    engine, summary = demo
    with Session(engine) as session:
        empty = [
            table.name
            for table in SQLModel.metadata.sorted_tables
            if session.exec(select(func.count()).select_from(table)).one() == 0
        ]
        customers = session.exec(
            select(func.count()).select_from(Account).where(Account.kind == AccountKind.CUSTOMER)
        ).one()
        resellers = session.exec(
            select(func.count()).select_from(Account).where(Account.kind == AccountKind.RESELLER)
        ).one()
    assert empty == []
    assert customers == CUSTOMERS + 1  # and the Sandbox
    assert resellers == 3
    assert summary.counts["customers"] == CUSTOMERS + 1
    assert summary.counts["product"] > 0


def test_demo_1_data_passes_the_forms_validation(demo):
    """DEMO-1: demo rows are what the forms would accept (CREATE-2): phones, emails, names."""
    engine, _ = demo
    with Session(engine) as session:
        accounts = session.exec(select(Account)).all()
        contacts = session.exec(select(Contact)).all()
        numbers = session.exec(select(Contract.number)).all()
        tasks = session.exec(
            sa.select(msc_app.models.OnboardingTask.account_id, msc_app.models.OnboardingTask.kind)
        ).all()
    for account in accounts:
        assert phone_error(account.phone) is None, account.phone
        assert account.name_sort == account.name.lower()
        assert account.customer_name_sort == account.customer_name.lower()
        assert account.created_at.tzinfo is not None
        if account.hide_name:
            assert account.name != account.customer_name
    for contact in contacts:
        assert email_error(contact.email) is None, contact.email
        assert phone_error(contact.phone) is None, contact.phone
    by_parent = defaultdict(list)
    for account in accounts:
        by_parent[account.parent_id].append(account.customer_name.lower())
    assert all(len(names) == len(set(names)) for names in by_parent.values())
    assert len(numbers) == len(set(numbers))
    kinds_per_customer = defaultdict(set)
    for account_id, kind in tasks:
        kinds_per_customer[account_id].add(kind)
    assert all(
        kinds == {k.value for k in OnboardingTaskKind} for kinds in kinds_per_customer.values()
    )
    assert any(a.hide_name for a in accounts)


def test_demo_1_users_of_every_role(demo):
    """DEMO-1: distributor and reseller admins and viewers, tenant admins, a pending user."""
    engine, summary = demo
    with Session(engine) as session:
        users = session.exec(
            select(User, Account).join(Account, Account.id == User.account_id)
        ).all()
        roles = {(user.role, account.kind, user.status) for user, account in users}
        assert (Role.ADMIN, AccountKind.DISTRIBUTOR, UserStatus.ACTIVE) in roles
        assert (Role.VIEWER, AccountKind.DISTRIBUTOR, UserStatus.ACTIVE) in roles
        assert (Role.ADMIN, AccountKind.RESELLER, UserStatus.ACTIVE) in roles
        assert (Role.VIEWER, AccountKind.RESELLER, UserStatus.ACTIVE) in roles
        pending = [u for u, _ in users if u.status == UserStatus.PENDING]
        assert len(pending) == 1 and pending[0].password_hash is None

        tenant_admins = [(u, a) for u, a in users if u.role == Role.TENANT_ADMIN]
        assert len(tenant_admins) == 2
        for user, home in tenant_admins:
            assigned = session.exec(
                select(Account)
                .join(TenantAdminAssignment, TenantAdminAssignment.account_id == Account.id)
                .where(TenantAdminAssignment.user_id == user.id)
            ).all()
            assert 2 <= len(assigned) <= 3
            assert all(a.kind == AccountKind.CUSTOMER and a.parent_id == home.id for a in assigned)

        # Every active demo user signs in with the documented password; one shared hash.
        active = [u for u, _ in users if u.status == UserStatus.ACTIVE]
        assert len({u.password_hash for u in active}) == 1
        assert all(u.email == u.email.lower() for u, _ in users)
        signed_in = auth.authenticate(
            session=session, email=active[-1].email, password=DEMO_PASSWORD
        )
        assert signed_in.id == active[-1].id

    labels = [s.role for s in summary.sign_ins]
    assert labels[0] == "Distributor admin"
    assert {"Distributor viewer", "Reseller admin", "Reseller viewer", "Tenant admin"} <= set(
        labels
    )
    assert {s.email for s in summary.sign_ins} == {u.email for u, _ in users}


def test_demo_1_same_seed_same_data(demo, tmp_path):
    """DEMO-1: the generator is deterministic: same seed, size and day give the same customers."""
    engine, _ = demo
    again, _ = generated(tmp_path)
    other, _ = generated(tmp_path, seed=8)

    def names(e: sa.Engine) -> list[tuple]:
        with Session(e) as session:
            return session.exec(
                select(Account.id, Account.name, Account.customer_name, Account.products_summary)
                .where(Account.kind == AccountKind.CUSTOMER)
                .order_by(Account.id)
            ).all()

    assert names(again) == names(engine)
    assert names(other) != names(engine)


def test_demo_1_summary_columns_match_summarise(demo):
    """DEMO-1: the list's denormalised columns equal ``summaries.summarise`` of the products."""
    engine, _ = demo
    with Session(engine) as session:
        plan_names = dict(session.exec(select(ServicePlan.id, ServicePlan.name)).all())
        plan_editions = dict(session.exec(select(ServicePlan.id, ServicePlan.edition)).all())
        products = defaultdict(list)
        for product in session.exec(select(Product)):
            products[product.account_id].append(product)
        customers = session.exec(select(Account).where(Account.kind == AccountKind.CUSTOMER)).all()
    checked = 0
    for account in customers:
        expected = summaries.summarise(products[account.id], plan_names, plan_editions)
        actual = {key: getattr(account, key) for key in expected}
        assert actual == expected, account.name
        checked += bool(products[account.id])
    assert checked > CUSTOMERS // 2
    # Products of one customer have distinct types.
    for items in products.values():
        assert len({p.product_type for p in items}) == len(items)
        assert {p.product_type for p in items} <= {t.value for t in ProductType}


LIST_COLUMNS = (
    "onboarding_done", "onboarding_total", "onboarding_progress", "contracts_total",
    "source_data_rank", "consumption_90d", "admin_name", "tenant_admin_summary",
)  # fmt: skip


def test_demo_1_bulk_list_columns_equal_the_refresh_functions(demo):
    """DEMO-1 / LIST-2 / STATUS-1 / SOURCE-1 / CONTRACT-1: the values the bulk path computes in Python
    are the ones ``summaries.refresh_list_columns`` computes from the rows, for every account."""
    engine, _ = demo
    with Session(engine) as session:
        accounts = session.exec(select(Account).order_by(Account.id)).all()
        bulk = {a.id: {key: getattr(a, key) for key in LIST_COLUMNS} for a in accounts}
        for account in accounts:
            summaries.refresh_list_columns(session=session, account_id=account.id, today=TODAY)
        session.flush()
        refreshed = {
            a.id: {key: getattr(a, key) for key in LIST_COLUMNS}
            for a in session.exec(select(Account).order_by(Account.id))
        }
        session.rollback()
    assert bulk == refreshed
    values = list(bulk.values())
    # the data exercises every column: some customers consumed, signed, failed, have admins
    assert any(v["consumption_90d"] for v in values)
    assert any(v["contracts_total"] for v in values)
    assert {v["source_data_rank"] for v in values} >= {1, 3}
    assert any(v["admin_name"] for v in values) and any(v["tenant_admin_summary"] for v in values)
    assert any(0 < v["onboarding_progress"] < 1000 for v in values)


def test_demo_1_cli_migrates_and_honours_if_empty(tmp_path, capsys):
    """DEMO-1: ``python -m msc_app.demo`` migrates an empty database, then --if-empty is a no-op."""
    url = f"sqlite:///{tmp_path / f'cli-{uuid.uuid4().hex}.db'}"
    assert demo_cli.main(["--customers", "5", "--database-url", url, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "admin@northwind.example" in out and DEMO_PASSWORD in out

    assert demo_cli.main(["--customers", "5", "--database-url", url, "--if-empty"]) == 0
    assert "already has users" in capsys.readouterr().out
    assert demo_cli.main(["--customers", "5", "--database-url", url, "--quiet"]) == 1
    with Session(get_engine(url)) as session:
        assert (
            session.exec(
                select(func.count())
                .select_from(Account)
                .where(Account.kind == AccountKind.CUSTOMER)
            ).one()
            == 6
        )
