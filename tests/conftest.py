"""Shared test harness: a real database per backend, a session per test, a known world.

Backends: SQLite always; PostgreSQL too when ``TEST_DATABASE_URL`` is set (no
skipped tests otherwise: the parameter is simply not generated).

Isolation, so that ``pytest -n 2`` can share one PostgreSQL database with
other people's work:

- every database a test gets is its own: a fresh SQLite file under tmp_path,
  or a fresh PostgreSQL schema ``t_<worker>_<random>`` that the engine reaches
  through ``search_path`` (carried in the URL as ``options=-csearch_path=...``);
  the schema is dropped afterwards;
- ``database`` is one schema per test module with every table created; the
  ``session`` fixture runs each test inside an outer transaction that is rolled
  back afterwards (service commits become savepoints), so tests never see one
  another's writes;
- ``world`` is built once per module and committed, so read-only tests share it;
- ``db_url`` is a fresh, empty database per test (for the migration tests).

No browser imports here: tests/e2e has its own conftest.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine, select

import msc_app.models  # noqa: F401  (registers every table)
from msc_app.db import normalise_url
from msc_app.models import (
    Account,
    AccountKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    TenantType,
    User,
    UserStatus,
)
from msc_app.services import auth, summaries
from msc_app.services.permissions import Actor

PG_URL = os.environ.get("TEST_DATABASE_URL") or None
# The tests' own key for secrets at rest (two-factor), inherited by the app servers the e2e tests start:
# no test reads or creates the project's .msc-secret-key.
os.environ.setdefault("MSC_SECRET_KEY", "msc-tests-only-secret-key")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]

PASSWORD = "correct horse battery"


# ---------------------------------------------------------------- databases


def _sqlite_engine(url: str) -> sa.Engine:
    """An SQLite engine with the app's foreign-key pragma and working SAVEPOINTs.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; the
    SQLAlchemy-documented recipe hands transaction control to SQLAlchemy.
    """
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def make_engine(url: str) -> sa.Engine:
    """A private engine for a test database URL (not msc_app.db.get_engine, which caches forever)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=2, max_overflow=2)


@dataclass
class PgSchemas:
    """Creates and drops this worker's private PostgreSQL schemas."""

    admin: sa.Engine
    prefix: str
    created: list[str] = field(default_factory=list)

    def create(self) -> tuple[str, str]:
        """A new empty schema; returns (schema, URL whose connections use only that schema)."""
        schema = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        self.created.append(schema)
        url = make_url(normalise_url(PG_URL)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        return schema, url.render_as_string(hide_password=False)

    def drop(self, schema: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '20s'")
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.created.remove(schema)


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PgSchemas]:
    """This process's schemas: named after the xdist worker, plus a random part per schema."""
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    worker = re.sub(r"[^a-z0-9]", "", os.environ.get("PYTEST_XDIST_WORKER", "main").lower()) or "main"
    schemas = PgSchemas(admin=admin, prefix=f"t_{worker}")
    yield schemas
    for schema in list(schemas.created):  # anything a failed teardown left behind
        schemas.drop(schema)
    admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    """The database backend under test: 'sqlite', and 'postgresql' when TEST_DATABASE_URL is set."""
    return request.param


def _new_database(backend: str, request, directory: Path) -> Iterator[str]:
    """Yield the URL of a fresh, empty database of ``backend``; remove it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'test.db'}"
        return
    schemas: PgSchemas = request.getfixturevalue("pg_schemas")
    schema, url = schemas.create()
    try:
        yield url
    finally:
        schemas.drop(schema)


@pytest.fixture
def db_url(backend, request, tmp_path) -> Iterator[str]:
    """A fresh, empty database (no tables) for one test: SQLite file or PostgreSQL schema."""
    yield from _new_database(backend, request, tmp_path)


@dataclass(frozen=True)
class Database:
    backend: str
    url: str
    engine: sa.Engine


@pytest.fixture(scope="module")
def database(backend, request, tmp_path_factory) -> Iterator[Database]:
    """One database per test module (and backend) with every table created."""
    directory = tmp_path_factory.mktemp("db")
    for url in _new_database(backend, request, directory):
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        try:
            yield Database(backend=backend, url=url, engine=engine)
        finally:
            engine.dispose()


@pytest.fixture
def session(database) -> Iterator[Session]:
    """A session whose every write is rolled back after the test (commits become savepoints)."""
    with database.engine.connect() as connection:
        outer = connection.begin()
        with Session(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        ) as db_session:
            yield db_session
        outer.rollback()


# ---------------------------------------------------------------- the world


@cache
def password_hash() -> str:
    """One argon2 hash of PASSWORD, reused for every seeded user (hashing is slow on purpose)."""
    return auth.hash_password(PASSWORD)


@dataclass
class World:
    """A small known installation. Names map to ids; ``actor(name)`` signs a user in."""

    accounts: dict[str, int]
    kinds: dict[str, AccountKind]
    users: dict[str, int]
    emails: dict[str, str]
    actors: dict[str, Actor]
    # the actors' names in a fixed order, for parametrizing
    ACTORS = ("dist_admin", "dist_viewer", "r1_admin", "r1_viewer", "r2_admin", "tenant_admin")

    def actor(self, user: str, *, perspective: str | None = None) -> Actor:
        actor = self.actors[user]
        if perspective is None:
            return actor
        return replace(
            actor,
            perspective_account_id=self.accounts[perspective],
            perspective_kind=self.kinds[perspective],
        )

    def names(self, ids) -> set[str]:
        by_id = {v: k for k, v in self.accounts.items()}
        return {by_id.get(i, f"#{i}") for i in ids}


# Account tree: name -> (kind, parent name). "dist" and "sandbox" come from first run.
WORLD_ACCOUNTS = {
    "r1": (AccountKind.RESELLER, "dist"),
    "r1_cust1": (AccountKind.CUSTOMER, "r1"),
    "r1_cust2": (AccountKind.CUSTOMER, "r1"),
    "r2": (AccountKind.RESELLER, "dist"),
    "r2_cust1": (AccountKind.CUSTOMER, "r2"),
    "r2_cust2": (AccountKind.CUSTOMER, "r2"),
    "dist_cust1": (AccountKind.CUSTOMER, "dist"),
}
WORLD_DISPLAY_NAMES = {
    "r1": "Blue Harbor Resellers",
    "r1_cust1": "Harbor Dental",
    "r1_cust2": "Harbor Logistics",
    "r2": "Crimson Peak IT",
    "r2_cust1": "Peak Bakery",
    "r2_cust2": "Peak Clinic",
    "dist_cust1": "Direct Alpha Ltd",
}
# user -> (role, home account, status)
WORLD_USERS = {
    "dist_admin": (Role.ADMIN, "dist", UserStatus.ACTIVE),  # from create_first_admin
    "dist_viewer": (Role.VIEWER, "dist", UserStatus.ACTIVE),
    "r1_admin": (Role.ADMIN, "r1", UserStatus.ACTIVE),
    "r1_viewer": (Role.VIEWER, "r1", UserStatus.ACTIVE),
    "r2_admin": (Role.ADMIN, "r2", UserStatus.ACTIVE),
    "tenant_admin": (Role.TENANT_ADMIN, "r1", UserStatus.ACTIVE),
    "pending": (Role.ADMIN, "r1", UserStatus.PENDING),
}
TENANT_ADMIN_ASSIGNMENTS = {"tenant_admin": ["r1_cust1"]}
WORLD_CREATED = datetime(2025, 1, 1, tzinfo=UTC)


def add_account(
    session: Session,
    *,
    kind: AccountKind,
    name: str,
    parent_id: int | None,
    customer_name: str | None = None,
    created_at: datetime | None = None,
    **extra,
) -> Account:
    """Insert an account with its lower-cased sort copies filled in."""
    customer_name = name if customer_name is None else customer_name
    account = Account(
        kind=kind,
        parent_id=parent_id,
        name=name,
        name_sort=name.lower(),
        customer_name=customer_name,
        customer_name_sort=customer_name.lower(),
        organization=extra.pop("organization", name),
        created_at=created_at or WORLD_CREATED,
        **extra,
    )
    session.add(account)
    session.flush()
    return account


def add_product(session: Session, *, account_id: int, plan_id: int, **extra) -> Product:
    product = Product(account_id=account_id, service_plan_id=plan_id, **extra)
    session.add(product)
    session.flush()
    summaries.refresh_account_summary(session=session, account_id=account_id)
    session.flush()
    return product


def build_world(session: Session, *, today: date | None = None) -> World:
    """The distributor (first run, with its Sandbox), two resellers, customers and users."""
    today = today or date(2025, 6, 1)
    admin = auth.create_first_admin(
        session=session,
        distributor_name="Northwind Distribution",
        admin_name="Dana Distributor",
        email="dist_admin@example.com",
        password=PASSWORD,
        today=today,
    )
    sandbox = session.exec(select(Account).where(Account.is_sandbox)).one()
    accounts = {"dist": admin.account_id, "sandbox": sandbox.id}
    kinds = {"dist": AccountKind.DISTRIBUTOR, "sandbox": AccountKind.CUSTOMER}
    for i, (key, (kind, parent)) in enumerate(WORLD_ACCOUNTS.items()):
        account = add_account(
            session,
            kind=kind,
            name=WORLD_DISPLAY_NAMES[key],
            parent_id=accounts[parent],
            created_at=WORLD_CREATED + timedelta(days=i + 1),
        )
        accounts[key] = account.id
        kinds[key] = kind

    default_plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).one()
    premium = ServicePlan(
        name="Premium Protect",
        edition="Elite",
        products=[p.value for p in ProductType],
        owner_account_id=accounts["dist"],
    )
    session.add(premium)
    session.flush()
    add_product(
        session,
        account_id=accounts["r1_cust1"],
        plan_id=default_plan.id,
        product_type=ProductType.MICROSOFT_365,
        tenant_type=TenantType.COMMERCIAL,
        storage_regions=["EU Frankfurt"],
        license_expiry=today + timedelta(days=90),
    )
    add_product(
        session,
        account_id=accounts["r2_cust1"],
        plan_id=premium.id,
        product_type=ProductType.HYBRID_WORKLOADS,
        storage_regions=["US West", "Canada"],
        license_expiry=today + timedelta(days=30),
    )

    users = {"dist_admin": admin.id}
    emails = {"dist_admin": admin.email}
    for key, (role, home, status) in WORLD_USERS.items():
        if key in users:
            continue
        user = User(
            email=f"{key}@example.com",
            name=key.replace("_", " ").title(),
            role=role,
            account_id=accounts[home],
            status=status,
            password_hash=password_hash() if status == UserStatus.ACTIVE else None,
        )
        session.add(user)
        session.flush()
        users[key] = user.id
        emails[key] = user.email
    for user_key, customer_keys in TENANT_ADMIN_ASSIGNMENTS.items():
        for customer in customer_keys:
            session.add(TenantAdminAssignment(user_id=users[user_key], account_id=accounts[customer]))
    session.flush()

    actors = {
        key: Actor(
            user_id=users[key],
            role=role,
            home_account_id=accounts[home],
            home_kind=kinds[home],
            name=key,
            email=emails[key],
        )
        for key, (role, home, status) in WORLD_USERS.items()
        if status == UserStatus.ACTIVE
    }
    return World(accounts=accounts, kinds=kinds, users=users, emails=emails, actors=actors)


@pytest.fixture(scope="module")
def world(database) -> World:
    """The known world, built and committed once per module; tests' own writes roll back."""
    with Session(database.engine, expire_on_commit=False) as db_session:
        built = build_world(db_session)
        db_session.commit()
    return built
