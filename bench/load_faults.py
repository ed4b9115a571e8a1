"""Faults during the load benchmark (issue 7): ``bench/load.py --fault kill-worker|db-outage``.

    .venv/bin/python bench/load.py --steps 200 --fault kill-worker --reuse
    .venv/bin/python bench/load.py --steps 200 --fault db-outage --reuse

Halfway through the step's steady phase, with every simulated user browsing:

- ``kill-worker``: one of the server's backend workers gets SIGKILL. Its users' websockets drop; each
  reconnects (a new page load with the same client token, as the browser's page does) and lands on the
  surviving worker, which reads the user's Reflex state from Redis.
- ``db-outage``: the server reaches PostgreSQL through a TCP proxy (tests/e2e/tcp_proxy.py), which is cut
  for ``OUTAGE_SECONDS``: every open connection drops and new ones are refused, then it listens again.

Besides the browsing users, one *writer* (a distributor admin over the same websocket protocol) saves
the Edit Customer dialog of one customer about every second (``EditCustomerState.open_for`` then
``submit``), with a new Customer Name each time, and keeps which saves the server acknowledged.

Reported (``fault`` in the step's JSON and printed):
- errors before the fault, in the fault window (from the fault to ``WINDOW_SECONDS`` after it ended) and
  after it; what the users read ("MSC is temporarily unavailable." toasts); when the last error of the
  window happened, counted from the end of the fault (the recovery time);
- reconnects (page reloads after a lost websocket): how many, and how many came back signed out or with
  another search than the one in their URL (both should be 0: state survives in Redis);
- the writer: saves tried, acknowledged and refused; afterwards, in the database, every acknowledged
  save is there (the final name is the last acknowledged one, or a later one whose answer was lost), and
  nothing is half-written: the customer's version grew exactly by its number of audit events, each save
  being one transaction that bumps the version and writes the audit event.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from sqlmodel import func, select

from msc_app.db import session_scope
from msc_app.exception_handler import UNAVAILABLE_TITLE
from msc_app.models import Account, AccountKind, AuditEvent, Role, User, UserStatus
from msc_app.services import auth
from msc_app.state.customer_edit import EditCustomerState
from app_server import worker_pids  # scripts/app_server.py
from reflex_client import ReflexClient, until_any, until_var

FAULTS = ("kill-worker", "db-outage")
OUTAGE_SECONDS = 5.0
WINDOW_SECONDS = 15.0  # errors up to this long after the fault ended are the fault's
WRITE_EVERY = 1.0
EDIT = EditCustomerState.get_full_name()


@dataclass
class FaultRun:
    """What one fault run records besides the step's own figures."""

    kind: str
    at: float = 0.0  # seconds from the step's start
    ended: float = 0.0
    detail: str = ""
    reconnects: int = 0
    signed_out_after_reconnect: int = 0
    view_lost_after_reconnect: int = 0
    writes_tried: list[str] = field(default_factory=list)
    writes_acked: list[str] = field(default_factory=list)
    writes_refused: list[str] = field(default_factory=list)
    opens_refused: list[str] = field(default_factory=list)  # the dialog could not even be opened


# ------------------------------------------------------------------ the database behind a proxy


def proxied(db_url: str):
    """(the URL through a new TCP proxy, the proxy) for ``db-outage``."""
    from tests.e2e.tcp_proxy import TcpProxy

    url = sa.make_url(db_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    return url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy


# ------------------------------------------------------------------ injecting


async def inject(run: FaultRun, step, server_pid: int, proxy, at: float) -> None:
    """At ``at`` (perf_counter), make the fault happen."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    run.at = time.perf_counter() - step.started
    if run.kind == "kill-worker":
        victim = worker_pids(server_pid)[0]
        os.kill(victim, signal.SIGKILL)
        run.ended, run.detail = run.at, f"SIGKILL to worker pid {victim}"
    else:
        await asyncio.to_thread(proxy.cut, OUTAGE_SECONDS)
        run.ended, run.detail = run.at + OUTAGE_SECONDS, f"database unreachable for {OUTAGE_SECONDS:.0f} s"


# ------------------------------------------------------------------ after a reconnect


def check_reconnect(run: FaultRun, client: ReflexClient, session_state: str, list_state: str) -> None:
    """A page reloaded after its websocket dropped: still signed in, and on the list the same search."""
    run.reconnects += 1
    if not client.var(session_state, "signed_in"):
        run.signed_out_after_reconnect += 1
    parts = urlsplit(client.url)
    if parts.path == "/customers":
        wanted = dict(parse_qsl(parts.query)).get("q", "")
        if (client.var(list_state, "search") or "") != wanted:
            run.view_lost_after_reconnect += 1


# ------------------------------------------------------------------ the writer


def writer_login(db_url: str) -> tuple[str, int, dict]:
    """A distributor admin's session token, a customer it edits, and what the database holds of it."""
    with session_scope(db_url) as session:
        admin = session.exec(
            select(User).join(Account, Account.id == User.account_id)
            .where(Account.kind == AccountKind.DISTRIBUTOR, User.role == Role.ADMIN,
                   User.status == UserStatus.ACTIVE, User.totp_enabled_at.is_(None)).order_by(User.id)
        ).first()
        customer = session.exec(
            select(Account).where(Account.kind == AccountKind.CUSTOMER, Account.is_sandbox.is_(False))
            .order_by(Account.id.desc())
        ).first()
        token = auth.start_session(session=session, user=admin)
    return token, customer.id, customer_record(db_url, customer.id)


def customer_record(db_url: str, account_id: int) -> dict:
    with session_scope(db_url) as session:
        account = session.get(Account, account_id)
        audits = session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.account_id == account_id)).one()
        return {"customer_name": account.customer_name, "version": account.version, "audits": audits}


async def writer(run: FaultRun, base_url: str, build, token: str, account_id: int, end: float, timeout: float) -> None:
    client = ReflexClient(base_url, build=build, timeout=timeout)
    client.cookies[auth.SESSION_COOKIE] = token
    n = 0
    try:
        await client.open("/customers", label="writer: open /customers")
        while time.perf_counter() < end:
            await asyncio.sleep(WRITE_EVERY)
            if not client.connected:
                await client.open("/customers", label="writer: reload")
                continue
            opened = await client.send(f"{EDIT}.open_for", {"account_id": account_id},
                                       until=until_var(EDIT, "open", True), label="writer: open edit")
            if opened.error:
                run.opens_refused.append(opened.error)
                await client.settle(timeout)
                continue
            n += 1
            name = f"Load write {n:04d}"
            form = {f: client.var(EDIT, f) or "" for f in ("organization", "phone", "address")}
            run.writes_tried.append(name)
            saved = await client.send(
                f"{EDIT}.submit", {"form_data": {**form, "customer_name": name}},
                until=until_any(until_var(EDIT, "open", False), until_var(EDIT, "form_error")),
                label="writer: save",
            )
            if saved.error is None and client.var(EDIT, "open") is False:
                run.writes_acked.append(name)
            else:
                run.writes_refused.append(f"{name}: {saved.error or client.var(EDIT, 'form_error')}")
                if saved.error and saved.error.startswith("timeout"):
                    await client.settle(timeout)
    finally:
        await client.close()


# ------------------------------------------------------------------ the report


def report(run: FaultRun, step, before: dict, after: dict) -> dict:
    window_end = run.ended + WINDOW_SECONDS
    in_window = [(t, e) for t, e in step.error_times if run.at <= t <= window_end]
    last = max((t for t, _ in in_window), default=None)
    acked, tried = run.writes_acked, run.writes_tried
    final = after["customer_name"]
    later = tried[tried.index(acked[-1]) + 1:] if acked else tried
    return {
        "kind": run.kind,
        "detail": run.detail,
        "at_seconds": round(run.at, 1),
        "ended_seconds": round(run.ended, 1),
        "errors_before": sum(1 for t, _ in step.error_times if t < run.at),
        "errors_in_window": len(in_window),
        "errors_after_window": sum(1 for t, _ in step.error_times if t > window_end),
        "unavailable_messages": sum(UNAVAILABLE_TITLE in e for _, e in in_window),
        "window_error_kinds": _kinds(in_window),
        "last_window_error_after_fault_end_s": round(last - run.ended, 1) if last is not None else None,
        "reconnects": run.reconnects,
        "signed_out_after_reconnect": run.signed_out_after_reconnect,
        "view_lost_after_reconnect": run.view_lost_after_reconnect,
        "writes": {"tried": len(tried), "acked": len(acked), "refused": len(run.writes_refused),
                   "refused_examples": run.writes_refused[:5], "dialog_not_opened": len(run.opens_refused),
                   "dialog_not_opened_examples": run.opens_refused[:3]},
        "database": {"before": before, "after": after},
        "acked_write_kept": (final == acked[-1] or final in later) if acked else True,
        "half_written": (after["version"] - before["version"]) != (after["audits"] - before["audits"]),
        "committed_saves": after["audits"] - before["audits"],
    }


def _kinds(errors: list[tuple[float, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, e in errors:
        key = e.split(" (")[0][:90]
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def print_report(f: dict) -> None:
    w = f["writes"]
    print(f"\n  FAULT {f['kind']}: {f['detail']} at t={f['at_seconds']} s (ended t={f['ended_seconds']} s)")
    print(f"  errors: {f['errors_before']} before, {f['errors_in_window']} in the window "
          f"(the fault + {WINDOW_SECONDS:.0f} s), {f['errors_after_window']} after; "
          f"'{UNAVAILABLE_TITLE}' shown {f['unavailable_messages']} times; last window error "
          f"{f['last_window_error_after_fault_end_s']} s after the fault ended")
    for kind, count in f["window_error_kinds"].items():
        print(f"    {count:>4} {kind}")
    print(f"  reconnects: {f['reconnects']}; signed out after one: {f['signed_out_after_reconnect']}; "
          f"another search after one: {f['view_lost_after_reconnect']}")
    print(f"  writer: {w['tried']} saves tried, {w['acked']} acknowledged, {w['refused']} refused "
          f"(and {w['dialog_not_opened']} times the Edit dialog did not open); "
          f"committed {f['committed_saves']}; last acknowledged save kept: {f['acked_write_kept']}; "
          f"half-written: {f['half_written']}")
