"""The Alembic migrations build exactly the schema the models declare, and tear it down again.

SPEC 8: it runs on SQLite and on PostgreSQL. On PostgreSQL each test works in
its own schema (the connection's search_path), so the version table and every
table land there and autogenerate compares only that schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel

import msc_app.models  # noqa: F401  (registers every table)
from msc_app.models import Account
from msc_app.services.search import name_search
from msc_app.models.search_index import PG_INDEXES, include_object, is_search_object
from tests.conftest import add_account, make_engine

REPO_ROOT = Path(__file__).resolve().parents[2]


def _config(connection: sa.Connection) -> Config:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.attributes["connection"] = connection
    cfg.attributes["configure_logger"] = False
    return cfg


def _diff(connection: sa.Connection) -> list:
    """What autogenerate would put in a new migration, compared like alembic/env.py does."""
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "target_metadata": SQLModel.metadata,
            "include_schemas": False,
            "include_object": include_object,
        },
    )
    return compare_metadata(context, SQLModel.metadata)


def _tables(connection: sa.Connection) -> set[str]:
    """The tables, without the name search's FTS5 table and its shadow tables (SQLite)."""
    return {name for name in sa.inspect(connection).get_table_names() if not is_search_object(name)}


def _search_objects(connection: sa.Connection) -> set[str]:
    """The name search's trigram index objects (LIST-4): FTS5 table and triggers, or GIN indexes."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name IN "
            "('account_search', 'account_search_ai', 'account_search_ad', 'account_search_au')"
        )
    else:
        rows = connection.execute(
            sa.text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'account' AND indexdef LIKE :opclass"
                " AND schemaname = current_schema()"
            ),
            {"opclass": "%gin_trgm_ops%"},
        )
    return {row[0] for row in rows}


SEARCH_OBJECTS = {
    "sqlite": {"account_search", "account_search_ai", "account_search_ad", "account_search_au"},
    "postgresql": set(PG_INDEXES),
}


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_migrations_upgrade_to_head_matches_the_models(engine, backend):
    """SPEC 8: upgrading an empty database to head leaves nothing for autogenerate to add (compare_type on)."""
    with engine.begin() as connection:
        assert _tables(connection) == set()
        command.upgrade(_config(connection), "head")

    with engine.connect() as connection:
        assert _tables(connection) == set(SQLModel.metadata.tables) | {"alembic_version"}
        head = ScriptDirectory.from_config(_config(connection)).get_current_head()
        assert MigrationContext.configure(connection).get_current_revision() == head
        assert _diff(connection) == []
        assert _search_objects(connection) == SEARCH_OBJECTS[connection.dialect.name]


def test_migrations_downgrade_to_base_removes_every_table(engine, backend):
    """SPEC 8: the migrations also run backwards: after downgrade to base no domain table remains."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    with engine.begin() as connection:
        command.downgrade(_config(connection), "base")
    with engine.connect() as connection:
        assert _tables(connection) - {"alembic_version"} == set()
        assert _search_objects(connection) == set()
        assert MigrationContext.configure(connection).get_current_revision() is None
    # and up again, to prove the downgrade left a clean slate
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    with engine.connect() as connection:
        assert _diff(connection) == []


def test_migrations_detect_a_model_the_migrations_lack(engine, backend):
    """The comparison above can fail: a table missing from the migrations shows up in the diff."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
        connection.execute(sa.text("DROP TABLE contact"))
    with engine.connect() as connection:
        diff = _diff(connection)
    assert [(op[0], op[1].name) for op in diff if op[0] == "add_table"] == [("add_table", "contact")]


def test_migrations_upgrade_a_database_that_holds_data(engine, backend):
    """An installation in use upgrades in place: rows written at 0004 (accounts referred to by users,
    sessions, audit events) survive the later migrations, and new NOT NULL columns take their defaults."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0004")
        connection.execute(
            sa.text(
                "INSERT INTO account (id, kind, name, name_sort, customer_name, customer_name_sort, hide_name,"
                " organization, address, phone, is_sandbox, version, created_at, products_summary,"
                " service_plan_summary, tenant_type_summary, storage_regions_summary)"
                " VALUES (1, 'distributor', 'Dist', 'dist', 'Dist', 'dist', false, '', '', '', false, 1,"
                " '2026-01-01 00:00:00', '', '', '', '')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO user_account (id, email, name, role, account_id, status, created_at, preferences)"
                " VALUES (1, 'a@example.com', 'A', 'admin', 1, 'active', '2026-01-01 00:00:00', '{}')"
            )
        )
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT name FROM account")).scalars().all() == ["Dist"]
        assert connection.execute(sa.text("SELECT require_two_factor FROM account")).scalar() in (False, 0)
        assert connection.execute(sa.text("SELECT email FROM user_account")).scalars().all() == ["a@example.com"]
        assert _diff(connection) == []
    # LIST-4: the trigram index was built over the rows already there.
    with Session(engine) as session:
        actor_rows = session.execute(
            sa.select(Account.name).where(name_search(Account, "dis"))
        ).scalars().all()
    assert actor_rows == ["Dist"]


def test_upgrade_to_head_encrypts_two_factor_secrets_left_in_clear(tmp_path):
    """Issue 6: a secret an earlier version stored in base32 is encrypted by the upgrade, and still
    verifies codes (the data step runs in Python after the schema is current; SQLite file)."""
    from datetime import UTC, datetime

    from passlib.totp import TOTP
    from sqlmodel import Session, select

    from msc_app.migrations import upgrade_to_head
    from msc_app.models import AccountKind, Role, User, UserStatus
    from msc_app.services import two_factor

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_to_head(url)
    plain = TOTP.new().base32_key
    engine = sa.create_engine(url)
    with Session(engine) as session:
        account = add_account(session, kind=AccountKind.DISTRIBUTOR, name="Northwind", parent_id=None)
        session.add(User(email="a@example.com", name="A", role=Role.ADMIN, account_id=account.id,
                         status=UserStatus.ACTIVE, totp_secret=plain, totp_enabled_at=datetime.now(UTC)))
        session.commit()

    upgrade_to_head(url)
    with Session(engine) as session:
        stored = session.exec(select(User.totp_secret)).one()
    engine.dispose()
    assert stored != plain and plain not in stored
    assert two_factor.encrypt_secret(plain) != stored  # a fresh salt each time: not a deterministic mapping
    assert two_factor._load(stored)[0].base32_key == plain
