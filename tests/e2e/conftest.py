"""E2E harness: the real app, built once, served per pytest worker, driven by real Chromium.

- The production frontend is built once (scripts/build_frontend.py) and shared.
- Each xdist worker serves it with its own backend and SQLite database on its
  own loopback address (127.0.0.2, 127.0.0.3, ... port 3100): see
  scripts/serve_built.py for why one build serves them all.
- Data is seeded through services, not by clicking (tests/e2e/seed.py).
- Browser console errors are printed with a failing test's report.
- ``MSC_E2E_PROFILE=production`` runs the same tests against the production configuration
  (issue 7): every server gets its own PostgreSQL database, keeps Reflex state in Redis and runs
  two backend workers (granian), so a page's events may land on either worker.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from msc_app.browser import launch_options
from msc_app.db import session_scope
from msc_app.migrations import upgrade_to_head
from tests.e2e import seed as seed_module
from tests.smtp import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_frontend  # noqa: E402
from app_server import (  # noqa: E402,F401  (scripts/app_server.py: shared with the benchmarks)
    PORT,
    Server,
    _wait_until_up,
    free_loopback_host,
    start_server,
    stop_server,
    worker_pids,
)

# Conditions, not sleeps: a loaded 2-core CI machine gets more time before a wait fails.
expect.set_options(timeout=15_000)


def _worker_index(worker_id: str) -> int:
    return int(worker_id[2:]) if worker_id.startswith("gw") else 0


@pytest.fixture(scope="session")
def frontend_build(tmp_path_factory):
    """Build the frontend once for all workers (``ensure_built`` locks: the others wait)."""
    build_frontend.ensure_built()


PROFILE = os.environ.get("MSC_E2E_PROFILE", "")
PRODUCTION = PROFILE == "production"
_POSTGRES = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
_databases = itertools.count()


def fresh_postgres_database(name: str) -> str:
    """An empty PostgreSQL database ``name`` on the test server (dropped first if left over), migrated
    to head; returns its URL."""
    import psycopg

    with psycopg.connect(_POSTGRES, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = _POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    upgrade_to_head(url)
    return url


def _fresh_database(directory: Path, worker_id: str = "master") -> str:
    if PRODUCTION:
        return fresh_postgres_database(f"msc_e2e_{_worker_index(worker_id)}_{next(_databases)}")
    url = f"sqlite:///{directory / 'msc.db'}"
    upgrade_to_head(url)
    return url


def _profile_env(worker_id: str) -> dict[str, str]:
    """The servers' environment for the profile: production adds Redis state and two workers."""
    if not PRODUCTION:
        return {}
    return {
        "REFLEX_REDIS_URL": f"redis://127.0.0.1:6379/{2 + _worker_index(worker_id)}",
        "REFLEX_STATE_MANAGER_MODE": "redis",
        "GRANIAN_WORKERS": "2",
    }


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback that the app's outbox sender delivers to."""
    server = SmtpServer(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_server(frontend_build, smtp_server, tmp_path_factory, worker_id):
    """The app with the seeded e2e world, one per pytest worker."""
    directory = tmp_path_factory.mktemp("app")
    db_url = _fresh_database(directory, worker_id)
    with session_scope(db_url) as session:
        world = seed_module.seed(session)
    host = free_loopback_host(0, _worker_index(worker_id))
    server = start_server(
        host=host, db_url=db_url, log_path=directory / "server.log", smtp_port=smtp_server.port,
        extra_env=_profile_env(worker_id),
    )
    server.world = world
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def private_server(frontend_build, smtp_server, tmp_path_factory, worker_id):
    """The seeded world on a server of its own, for tests that change it (creating customers
    would change the counts the other tests of the shared server check)."""
    directory = tmp_path_factory.mktemp("private")
    db_url = _fresh_database(directory, worker_id)
    with session_scope(db_url) as session:
        world = seed_module.seed(session)
    host = free_loopback_host(200, _worker_index(worker_id))
    server = start_server(
        host=host, db_url=db_url, log_path=directory / "server.log", smtp_port=smtp_server.port,
        extra_env=_profile_env(worker_id),
    )
    server.world = world
    yield server
    stop_server(server)


@pytest.fixture
def empty_server(frontend_build, tmp_path, worker_id):
    """A second app on an empty database, for first-run tests."""
    db_url = _fresh_database(tmp_path, worker_id)
    host = free_loopback_host(100, _worker_index(worker_id))
    server = start_server(host=host, db_url=db_url, log_path=tmp_path / "server.log", extra_env=_profile_env(worker_id))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def world(app_server) -> seed_module.World:
    return app_server.world


@pytest.fixture(scope="session")
def base_url(app_server) -> str:
    return app_server.base_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **launch_options()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}}


# ------------------------------------------------- console errors on failure


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _console_errors(request):
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and errors:
        print("\nBrowser console errors:\n  " + "\n  ".join(errors))
