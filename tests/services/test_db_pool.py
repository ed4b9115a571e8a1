"""Issue 14: the engine does not ping the database on every checkout, yet a connection the database
dropped while it sat idle in the pool is replaced before a request uses it (SPEC 12: a database
outage fails only what ran during it)."""

from __future__ import annotations

import sqlalchemy as sa

from msc_app import db


def test_no_pre_ping_per_checkout_and_a_dropped_idle_connection_is_replaced(db_url, backend, monkeypatch):
    engine = db.get_engine.__wrapped__(db_url)  # a private engine, not the process's cached one
    try:
        assert engine.pool._pre_ping is False
        if backend == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT 1").scalar() == 1
            return
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with engine.connect() as conn:  # used again at once: no ping, the same connection (LIFO)
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid
        # The database drops the connection while it is idle in the pool.
        with sa.create_engine(engine.url).connect() as admin:
            assert admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as conn:  # idle long enough: pinged, found dead, replaced
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        engine.dispose()
