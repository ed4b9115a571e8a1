"""The REST API's tests: a Starlette TestClient on ``Starlette(routes=v1.routes)`` against the test database.

Every backend of tests/conftest.py (SQLite, and PostgreSQL when ``TEST_DATABASE_URL`` is set). The
world (tests/conftest.py) is built once per module; each test runs in one outer transaction on one
connection that is rolled back afterwards: the test's ``session`` and every request's
``session_scope`` (the API's, monkeypatched) are sessions on that connection, whose commits are
savepoints. So a test sees what its requests wrote, and no test sees another's writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from msc_app.api import v1
from msc_app.api.v1 import framework
from msc_app.models import Contact, Contract, ContractStatus, DailyConsumption, Product, ServicePlan
from msc_app.services import api_tokens, summaries
from tests.conftest import World

# The world's users whose tokens the tests use (every role, both resellers).
TOKEN_USERS = ("dist_admin", "dist_viewer", "r1_admin", "r1_viewer", "r2_admin", "tenant_admin")


@pytest.fixture
def connection(database) -> Iterator:
    with database.engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


def _session(connection) -> Session:
    return Session(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(connection) -> Iterator[Session]:
    """The test's own session, on the connection the requests use (overrides tests/conftest.py's)."""
    with _session(connection) as db_session:
        yield db_session


@pytest.fixture
def client(connection, monkeypatch) -> TestClient:
    """A client of the v1 routes whose requests work on the test's connection."""

    @contextmanager
    def session_scope(url=None):
        with _session(connection) as db_session:
            try:
                yield db_session
                db_session.commit()
            except BaseException:
                db_session.rollback()
                raise

    monkeypatch.setattr(framework, "session_scope", session_scope)
    return TestClient(Starlette(routes=v1.routes), raise_server_exceptions=True)


def make_token(session: Session, world: World, user: str, *, perspective: str | None = None, **kw) -> str:
    token, _ = api_tokens.create_token(
        session=session, actor=world.actor(user, perspective=perspective), name=kw.pop("name", f"{user} {perspective}"),
        **kw,
    )
    session.commit()
    return token


@pytest.fixture
def tokens(session, world) -> dict[str, str]:
    """A live token for each of the world's active users (their own tenant)."""
    return {user: make_token(session, world, user) for user in TOKEN_USERS}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Extras:
    """Contacts, contracts and consumption added to the world for one test (ids by name)."""

    contacts: dict[str, int]
    contracts: dict[str, int]
    products: dict[str, int]


def add_extras(session: Session, world: World) -> Extras:
    """A contact and a contract for several customers of each reseller, the distributor's and the Sandbox."""
    contacts, contracts = {}, {}
    for i, key in enumerate(("r1_cust1", "r1_cust2", "r2_cust1", "r2_cust2", "dist_cust1", "sandbox")):
        contact = Contact(account_id=world.accounts[key], name=f"Contact of {key}", email=f"{key}@contacts.example")
        contract = Contract(
            account_id=world.accounts[key],
            number=f"C-{key.upper()}",
            title=f"Contract of {key}",
            status=ContractStatus.ACTIVE,
            start_date=date(2025, 1, 1) + timedelta(days=i),
            value_cents=1000 * (i + 1),
        )
        session.add_all([contact, contract])
        session.flush()
        contacts[key] = contact.id
        contracts[key] = contract.id
        summaries.refresh_account_summary(session=session, account_id=world.accounts[key])
    products = {
        key: session.exec(select(Product.id).where(Product.account_id == world.accounts[key])).first()
        for key in ("r1_cust1", "r2_cust1", "sandbox")
    }
    today = date.today()
    for key in ("r1_cust1", "r2_cust1"):
        for back in range(3):
            session.add(
                DailyConsumption(account_id=world.accounts[key], product_id=products[key],
                                 day=today - timedelta(days=back), units=5 + back)
            )
    session.commit()
    return Extras(contacts=contacts, contracts=contracts, products=products)


@pytest.fixture
def extras(session, world) -> Extras:
    return add_extras(session, world)


def plan_id(session: Session, name: str = "Default Service Plan") -> int:
    return session.exec(select(ServicePlan.id).where(ServicePlan.name == name)).one()


def problem(response, status: int) -> dict:
    """The RFC 9457 problem of a response, after checking its status, media type and shape."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) <= {"type", "title", "status", "detail", "errors"}
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def service_refusal(session: Session, call) -> str:
    """The message a service's refusal carries when called directly (as the UI calls it), changing nothing."""
    from msc_app.services.errors import DomainError

    nested = session.begin_nested()
    try:
        call()
    except DomainError as exc:
        return exc.message
    finally:
        nested.rollback()
    raise AssertionError("the service did not refuse")
