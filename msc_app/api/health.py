"""``GET /api/health``: is this worker able to serve? For a load balancer's health check (issue 7).

200 when the database answers (and Redis, when configured); 503 otherwise, with which part failed.
Reflex's own ``/ping`` only says the process is up.
"""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from msc_app.db import get_engine
from msc_app.settings import redis_url

HEALTH_PATH = "/api/health"


def _database() -> str:
    try:
        with get_engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception:
        return "unavailable"


def _redis() -> str:
    url = redis_url()
    if not url:
        return "not configured"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception:
        return "unavailable"


def health(request: Request) -> JSONResponse:
    checks = {"database": _database(), "redis": _redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


routes = [Route(HEALTH_PATH, health, methods=["GET"])]
