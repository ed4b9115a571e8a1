"""Issue 7: ``/api/health`` answers 200 while the database (and Redis, when configured) answer, 503 otherwise."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from msc_app.api import health


def _client() -> TestClient:
    return TestClient(Starlette(routes=health.routes))


def test_health_is_ok_when_the_database_answers(monkeypatch, database):
    monkeypatch.setattr(health, "get_engine", lambda: database.engine)
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    response = _client().get(health.HEALTH_PATH)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert response.headers["cache-control"] == "no-store"


def test_health_is_503_when_the_database_does_not_answer(monkeypatch):
    dead = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    monkeypatch.setattr(health, "get_engine", lambda: dead)
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    response = _client().get(health.HEALTH_PATH)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_health_checks_redis_when_configured(monkeypatch, database):
    monkeypatch.setattr(health, "get_engine", lambda: database.engine)
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    response = _client().get(health.HEALTH_PATH)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert _client().get(health.HEALTH_PATH).json()["redis"] == "ok"
