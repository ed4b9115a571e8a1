"""The database engine and sessions used by services, scripts and the UI.

One engine per process and URL. SQLite gets WAL and a busy timeout so the
app, the demo loader and tests can share a file.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session, create_engine

from msc_app.settings import database_url


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@cache
def get_engine(url: str | None = None) -> sa.Engine:
    url = normalise_url(url or database_url())
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # A 64 MB page cache and memory-mapped reads: the list's filtered pages look up
            # thousands of rows by index at 100,000 customers.
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute("PRAGMA mmap_size=268435456")
            cur.close()

        return engine
    # No JIT: the list's statements are short OLTP queries whose pessimistic cost estimates
    # would otherwise make PostgreSQL spend 100-800 ms compiling them.
    # No pre-ping on every checkout (a round trip per event): LIFO keeps the busy connections
    # hot, pool_recycle retires old ones, and only a connection idle for IDLE_PING_SECONDS is
    # pinged before use (after a database outage the idle ones are the stale ones). A disconnect
    # met by a statement still fails that one request ("temporarily unavailable",
    # exception_handler) and invalidates the pool's older connections.
    engine = create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_use_lifo=True,
        pool_recycle=1800,
        connect_args={"options": "-c jit=off"},
    )
    _ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 1.0


def _ping_when_idle(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "checkin")
    def _stamp(_dbapi_conn, record):
        if record is not None:
            record.info["checked_in"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy):
        checked_in = record.info.get("checked_in")
        if checked_in is None or time.monotonic() - checked_in < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_conn.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_conn.rollback()
        except Exception as exc:
            # The pool discards this connection and checks out (or opens) another one.
            raise sa.exc.DisconnectionError(str(exc)) from exc


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
