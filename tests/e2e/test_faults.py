"""Issue 7, fault test: the database stops for 5 s under a server in the production configuration
(PostgreSQL, Redis state, two workers). The user reads a clear "temporarily unavailable" message,
nothing half-written remains, the app recovers by itself, and the user is still signed in with the
same view.

The outage is made by a TCP proxy between this server and PostgreSQL (tests/e2e/tcp_proxy.py), so the
other tests, which share the PostgreSQL server, are not disturbed.
"""

from __future__ import annotations

import re
import time

import pytest
import redis
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from msc_app.db import session_scope
from msc_app.exception_handler import UNAVAILABLE_TITLE
from msc_app.models import Account, AuditEvent
from tests.e2e import seed as seed_module
from tests.e2e.conftest import (
    _worker_index,
    free_loopback_host,
    fresh_postgres_database,
    start_server,
    stop_server,
    worker_pids,
)
from tests.e2e.helpers import customer_row, sign_in
from tests.e2e.tcp_proxy import TcpProxy

OUTAGE_SECONDS = 5


@pytest.fixture(scope="module")
def server_behind_proxy(frontend_build, tmp_path_factory, worker_id):
    index = _worker_index(worker_id)
    name = f"msc_fault_{index}"
    direct_url = fresh_postgres_database(name)
    with session_scope(direct_url) as session:
        world = seed_module.seed(session)
    proxy = TcpProxy("127.0.0.1", 5432)
    proxied_url = f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}"
    redis_url = f"redis://127.0.0.1:6379/{12 + index}"
    redis.Redis.from_url(redis_url).flushdb()
    directory = tmp_path_factory.mktemp("faults")
    server = start_server(
        host=free_loopback_host(180, index),
        db_url=proxied_url,
        log_path=directory / "server.log",
        extra_env={
            "REFLEX_REDIS_URL": redis_url,
            "REFLEX_STATE_MANAGER_MODE": "redis",
            "GRANIAN_WORKERS": "2",
            "MSC_OUTBOX_SENDER": "0",
        },
    )
    server.world, server.direct_url, server.proxy = world, direct_url, proxy
    yield server
    stop_server(server)
    proxy.close()


def _customer(url: str, name: str) -> tuple[str, int]:
    with session_scope(url) as session:
        account = session.exec(select(Account).where(Account.name == name)).one()
        audits = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.account_id == account.id)).one()
        return account.customer_name, audits


def _wait_until_healthy(page: Page, base_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.request.get(f"{base_url}/api/health").status == 200:
            return
        page.wait_for_timeout(200)  # polling an HTTP condition; nothing to subscribe to
    raise AssertionError("the app did not recover within 30 s after the database came back")


def test_database_outage_says_temporarily_unavailable_saves_nothing_and_recovers(page: Page, server_behind_proxy):
    server = server_behind_proxy
    world, base_url = server.world, server.base_url
    name = world.r1_customers[3]
    before_name, before_audits = _customer(server.direct_url, name)

    sign_in(page, base_url, world.reseller_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(name)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q="))
    customer_row(page, name).get_by_role("button", name=f"More options for {name}").click()
    page.get_by_role("menu").get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Customer"))
    dialog.get_by_role("textbox", name="Customer Name").fill("Saved After The Outage")

    server.proxy.cut(OUTAGE_SECONDS)
    assert page.request.get(f"{base_url}/api/health").status == 503
    dialog.get_by_role("button", name="Save").click()
    toast = page.get_by_text(UNAVAILABLE_TITLE)
    expect(toast).to_be_visible()
    expect(page.get_by_text("Nothing was saved.", exact=False)).to_be_visible()
    expect(dialog).to_be_visible()  # what the user typed is still there
    expect(dialog.get_by_role("textbox", name="Customer Name")).to_have_value("Saved After The Outage")
    assert _customer(server.direct_url, name) == (before_name, before_audits)  # nothing half-written

    _wait_until_healthy(page, base_url)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(customer_row(page, name)).to_contain_text("Saved After The Outage")
    # Still signed in, still the same view: the search survived the outage.
    expect(page).to_have_url(re.compile(r"q="))
    expect(search).to_have_value(name)
    assert _customer(server.direct_url, name) == ("Saved After The Outage", before_audits + 1)


def _workers(server) -> list[int]:
    return worker_pids(server.process.pid)


def _listening_socket_inodes(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port`` (state 0A in /proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def _listens(pid: int, port: int) -> bool:
    """Whether the process holds a socket listening on ``port``: a granian worker binds its own socket
    (SO_REUSEPORT) only once the app is loaded, so this is "the worker is serving"."""
    import os

    inodes = _listening_socket_inodes(port)
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


def _wait_for_new_worker(server, gone: int, count: int, timeout: float = 60) -> None:
    """Until ``gone`` is replaced and every worker serves: killing the next one before its replacement
    has loaded the app would leave nobody listening, and clients would be refused meanwhile."""
    port = int(server.base_url.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = _workers(server)
        if gone not in workers and len(workers) == count and all(_listens(pid, port) for pid in workers):
            return
        time.sleep(0.2)  # polling the process table; nothing to subscribe to
    raise AssertionError(f"worker {gone} was not replaced by a serving worker within {timeout} s")


def test_killed_workers_are_replaced_and_clients_keep_their_session_view_and_data(page: Page, server_behind_proxy):
    """Each of the two workers is killed in turn (so the one holding this browser's websocket is killed
    at some point): the browser reconnects by itself, is still signed in with the same search, and a
    change committed before the kills is still there."""
    import os
    import signal

    server = server_behind_proxy
    world, base_url = server.world, server.base_url
    name = world.r1_customers[4]
    sign_in(page, base_url, world.reseller_admin, world.password)
    search = page.get_by_role("searchbox", name="Search customers")
    search.fill(name)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q="))
    customer_row(page, name).get_by_role("button", name=f"More options for {name}").click()
    page.get_by_role("menu").get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Customer"))
    dialog.get_by_role("textbox", name="Customer Name").fill("Committed Before The Kill")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    original = _workers(server)
    assert len(original) == 2
    for victim in original:
        os.kill(victim, signal.SIGKILL)
        _wait_for_new_worker(server, victim, count=2)
        # The next action works: the page reconnected to a live worker and kept its state.
        customer_row(page, name).get_by_role("button", name=f"More options for {name}").click()
        page.get_by_role("menu").get_by_role("menuitem", name="Edit").click()
        expect(dialog.get_by_role("textbox", name="Customer Name")).to_have_value("Committed Before The Kill")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        expect(search).to_have_value(name)
        expect(page.get_by_role("button", name="Account menu")).to_contain_text("Riley Reseller")
    assert _customer(server.direct_url, name)[0] == "Committed Before The Kill"
