"""The name search's trigram index (LIST-4), outside the models' metadata.

The search box matches a case-insensitive substring of the account name or
the customer name (``name_sort`` / ``customer_name_sort``, lower-cased
copies). A LIKE '%term%' reads every account; a trigram index finds the few
that hold the term's trigrams instead:

- SQLite: ``account_search``, an FTS5 table with the trigram tokenizer over
  those two columns, its content read from ``account`` (external content, so
  nothing is stored twice), kept in step by three triggers;
- PostgreSQL: ``pg_trgm`` GIN indexes on the two columns (the extension is
  installed in ``public`` so that every schema's search_path finds its
  operator class).

A term shorter than 3 characters has no trigram: the search then stays a
LIKE over the name index (``services.list_filters``).

The same DDL runs from ``SQLModel.metadata.create_all`` (tests: ``after_create``
on the account table) and from migration 0009. Autogenerate cannot compare
virtual tables, triggers or operator-class indexes: ``include_object`` keeps
them out of its comparison (alembic/env.py and the migration test use it).
"""

from __future__ import annotations

import sqlalchemy as sa

from msc_app.models.accounts import Account

FTS_TABLE = "account_search"
# The FTS5 table's shadow tables, and the PostgreSQL indexes: none is in the models' metadata.
SEARCH_OBJECT_PREFIX = FTS_TABLE
PG_INDEXES = {
    "account_search_name_trgm": "name_sort",
    "account_search_customer_name_trgm": "customer_name_sort",
}
MIN_TRIGRAM_TERM = 3

_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "name_sort, customer_name_sort, content='account', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON account BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, name_sort, customer_name_sort) "
    "VALUES (new.id, new.name_sort, new.customer_name_sort); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON account BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_sort, customer_name_sort) "
    "VALUES ('delete', old.id, old.name_sort, old.customer_name_sort); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF name_sort, customer_name_sort ON account BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_sort, customer_name_sort) "
    "VALUES ('delete', old.id, old.name_sort, old.customer_name_sort); "
    f"INSERT INTO {FTS_TABLE}(rowid, name_sort, customer_name_sort) "
    "VALUES (new.id, new.name_sort, new.customer_name_sort); END",
    # Index the rows already there (a no-op on an empty table).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
_SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
_PG_DDL = (
    # Normally installed by the database's owner once; IF NOT EXISTS makes it a no-op then.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
    *(
        f"CREATE INDEX IF NOT EXISTS {name} ON account USING gin ({column} public.gin_trgm_ops)"
        for name, column in PG_INDEXES.items()
    ),
)
_PG_DROP = tuple(f"DROP INDEX IF EXISTS {name}" for name in PG_INDEXES)


def create_search_index(connection: sa.Connection) -> None:
    """Build the trigram index for the connection's backend (idempotent)."""
    statements = {"sqlite": _SQLITE_DDL, "postgresql": _PG_DDL}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_index(connection: sa.Connection) -> None:
    statements = {"sqlite": _SQLITE_DROP, "postgresql": _PG_DROP}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: leave the search index's objects out of autogenerate."""
    return not (name or "").startswith(SEARCH_OBJECT_PREFIX)


def is_search_object(name: str) -> bool:
    return name.startswith(SEARCH_OBJECT_PREFIX)


# The FTS5 table as a selectable: its rowid is the account's id; the column named like the
# table stands for "any column" in MATCH.
fts_table = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column(FTS_TABLE, sa.String))


def fts_phrase(term: str) -> str:
    """An FTS5 query matching ``term`` as one phrase: with the trigram tokenizer, a substring."""
    return '"' + term.replace('"', '""') + '"'


@sa.event.listens_for(Account.__table__, "after_create")
def _after_account_created(target, connection, **_kw):
    create_search_index(connection)


@sa.event.listens_for(Account.__table__, "before_drop")
def _before_account_dropped(target, connection, **_kw):
    drop_search_index(connection)
