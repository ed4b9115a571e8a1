"""Load benchmark (issue 7): simulated users speaking Reflex's websocket event protocol against the
built app with N backend workers, on PostgreSQL and Redis.

    .venv/bin/python bench/load.py --users 200                      # steps 50,100,200; 60 s each
    .venv/bin/python bench/load.py --steps 50 --duration 30 --reuse  # one quick step, data kept

Prepares the database as bench/list_query.py does (``prepare``; a dedicated PostgreSQL database,
``msc_load`` by default, created if missing, demo data of ``--customers`` customers unless
``--reuse`` finds it there), builds the production frontend if needed, then for each step starts a
fresh server (scripts/app_server.py: ``--workers`` granian workers, Redis state manager on the
dedicated Redis database of ``--redis-url``, which is emptied first, outbox sender off), warms it
up with two users, takes the idle baseline, and runs the step's users (bench/reflex_client.py):

- every ``--real-every``-th user signs in for real (the /signin page over the websocket,
  ``SignInState.sign_in``, the ``/api/session/start`` ticket URL, a new websocket carrying the
  cookie); the others get a session created in the database (``auth.start_session``) and open
  /customers with it. The users cycle through the demo's password sign-ins without two-factor.
- then, until ``--duration`` seconds after the ramp-up (``--ramp``), with ``--think`` (1-3 s) of
  think time before each action: search, open the filter panel, tick a product, apply, next page,
  open a customer (a link: ``on_load_internal`` of /customers/<id>), back to the list, clear the
  filters.

Latency is from emitting an event to the server message that ends it (reflex_client.py: Reflex
0.10 has no end-of-event marker, so each action names its last message). Errors: disconnects,
no answer within ``--timeout`` s (the user then waits up to 30 s more, and reloads the page if it
still has not answered), error toasts, redirects to sign-in, wrong results. Measured: the
server's process-tree RSS and Redis ``used_memory`` (the whole instance's) over their baselines
per connected user, the size of each user's state keys in Redis (STRLEN and MEMORY USAGE), the
CPU used by the server, PostgreSQL, Redis, this load generator and everything else on the machine
(other work skews the figures). Writes bench/results/load-<timestamp>.json (and the server's log
beside it) and prints a table.

``--fault kill-worker|db-outage`` kills a backend worker, or takes the database away for 5 s, halfway
through each step, while a writer saves a customer every second; bench/load_faults.py says what is
measured then (errors in the fault's window, recovery, reconnects that kept their session and view,
acknowledged saves kept, nothing half-written).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
for extra in (ROOT, ROOT / "bench", ROOT / "scripts"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import psycopg  # noqa: E402
import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

import app_server  # noqa: E402  (scripts/app_server.py)
import build_frontend  # noqa: E402  (scripts/build_frontend.py)
import load_faults  # noqa: E402  (bench/load_faults.py)
from list_query import prepare  # noqa: E402  (bench/list_query.py)
from list_browser import process_tree, rss_kb  # noqa: E402  (bench/list_browser.py)
from msc_app.db import session_scope  # noqa: E402
from msc_app.models import Role, User, UserStatus  # noqa: E402
from msc_app.services import auth  # noqa: E402
from msc_app.services.demo import DEMO_PASSWORD  # noqa: E402
from msc_app.state.customer_detail import CustomerDetailState  # noqa: E402
from msc_app.state.customer_filters import FilterPanelState  # noqa: E402
from msc_app.state.customers import CustomersState  # noqa: E402
from msc_app.state.session import SessionState  # noqa: E402
from msc_app.state.signin import SignInState  # noqa: E402
from reflex_client import BuildInfo, ReflexClient, Result, until_script, until_var  # noqa: E402

LIST = CustomersState.get_full_name()
PANEL = FilterPanelState.get_full_name()
DETAIL = CustomerDetailState.get_full_name()
SESSION = SessionState.get_full_name()
SIGN_IN = f"{SignInState.get_full_name()}.sign_in"
REPLACED = until_script("history.replaceState")  # the end of every list action (_sync_url)
SEARCH_TERMS = ("a", "e", "on", "in", "er", "tech", "son", "ab")
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/msc_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
HOST = "127.0.77.2"  # clear of the e2e tests' loopback hosts


@dataclass
class Step:
    """What one step's users record."""

    users: int
    started: float = field(default_factory=time.perf_counter)
    steady_from: float = 0.0
    samples: list[tuple[float, str, float]] = field(default_factory=list)  # (t, op, ms)
    first_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    error_times: list[tuple[float, str]] = field(default_factory=list)  # (t, "op: message")
    clients: list[ReflexClient] = field(default_factory=list)
    fault: load_faults.FaultRun | None = None

    @property
    def connected(self) -> int:
        return sum(client.connected for client in self.clients)

    @property
    def tokens(self) -> list[str]:
        return [client.token for client in self.clients]

    def record(self, result: Result) -> Result:
        if result.error is None and result.ms is not None:
            self.samples.append((result.started - self.started, result.name, result.ms))
            if result.first_ms is not None:
                self.first_ms.append(result.first_ms)
        return result

    def error(self, op: str, message: str) -> None:
        op, kind = re.sub(r"\d+", "N", op), re.sub(r"\d+", "N", message.split(":")[0])[:60]
        self.errors[f"{op}: {kind}"] += 1
        self.error_times.append((time.perf_counter() - self.started, f"{op}: {message}"))
        if len(self.error_examples) < 20:
            self.error_examples.append(f"{op}: {message}")


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
    return {"n": len(values), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


# ------------------------------------------------------------------ one simulated user


THINK = (1.0, 3.0)  # seconds of think time before each action (--think)
SETTLE = 30.0  # seconds a user waits for a page that timed out before reloading it


class GaveUp(Exception):
    """The page could not be reloaded after an error: this user stops."""


async def think(rng: random.Random, low: float | None = None, high: float | None = None) -> None:
    await asyncio.sleep(rng.uniform(low or THINK[0], high or THINK[1]))


async def act(step: Step, client: ReflexClient, result_coro, check=None) -> Result:
    """Await one action (named by its label), record its latency, or its error (``check`` returns an
    error or None)."""
    # After a timeout the user waits up to SETTLE more seconds for the page (its late answer must not be
    # taken for the next action's); a page that never answers, or a lost connection, is reloaded; if
    # the reload fails too, the user gives up.
    result = await result_coro  # the client reports its own errors (timeouts, disconnects, toasts)
    if result.error is None and check is not None and (wrong := check()) is not None:
        result.error = wrong
        step.error(result.name, wrong)
    step.record(result)
    if result.error and result.error.startswith(("timeout", "disconnected", "not connected")):
        if result.error.startswith("timeout") and await client.settle(SETTLE):
            return result
        if result.name != "reload":
            reload = await act(step, client, client.open(client.url, params=client.params, label="reload"))
            if step.fault is not None and reload.error is None:
                load_faults.check_reconnect(step.fault, client, SESSION, LIST)
        if not client.connected:
            raise GaveUp()
    return result


def failed(result: Result) -> bool:
    """An error the user cannot go on from (a timed-out action that ended late can be)."""
    return result.error is not None and not (result.error.startswith("timeout") and result.ms is not None)


async def real_sign_in(step: Step, client: ReflexClient, email: str) -> bool:
    """The browser's way: /signin, sign_in, the ticket URL (sets the cookie), a new page load."""
    if failed(await act(step, client, client.open("/signin"))):
        return False
    result = await act(
        step, client,
        client.send(SIGN_IN, {"form_data": {"email": email, "password": DEMO_PASSWORD}},
                    until=until_script("location.replace"), label="sign in"),
    )
    if failed(result):
        return False
    events = [e for m in result.messages for e in m.get("events") or []]
    scripts = [str((e.get("payload") or {}).get("javascript_code", "")) for e in events]
    found = next((re.search(r'location\.replace\("([^"]+)"\)', s) for s in scripts if "location.replace" in s), None)
    if found is None:
        step.error("sign in", "no ticket URL in the answer")
        return False
    try:
        status, headers, ms = await client.get(found.group(1))
    except Exception as exc:
        step.error("session/start", f"{type(exc).__name__}: {exc}")
        return False
    if status != 303 or auth.SESSION_COOKIE not in client.cookies:
        step.error("session/start", f"HTTP {status}, no session cookie")
        return False
    step.samples.append((time.perf_counter() - step.started - ms / 1000, "GET /api/session/start", ms))
    return await open_list(step, client, headers.get("location", "/customers"))


async def open_list(step: Step, client: ReflexClient, url: str = "/customers") -> bool:
    def check():
        if not client.var(SESSION, "signed_in"):
            return "not signed in"
        return None if client.var(LIST, "loaded") else "list not loaded"

    return not failed(await act(step, client, client.open(url, label="open /customers"), check))


async def browse(step: Step, client: ReflexClient, rng: random.Random, end: float) -> None:
    """The user's round of the list, repeated until ``end`` (perf_counter)."""

    def on_list(handler: str, label: str, payload: dict | None = None):
        return client.send(f"{LIST}.{handler}", payload, until=REPLACED, label=label)

    def expect(ok, error: str):
        return lambda: None if ok() else error

    while time.perf_counter() < end:
        await think(rng)
        term = rng.choice(SEARCH_TERMS)
        search = on_list("apply_search", "search", {"form_data": {"search": term}})
        await act(step, client, search, expect(lambda: client.var(LIST, "search") == term, "search not applied"))
        await think(rng)
        opened = await act(step, client, client.send(
            f"{PANEL}.open_panel", until=until_var(PANEL, "panel_open", True), label="filters: open panel"))
        if opened.error is None and (products := client.var(PANEL, "products")):
            await think(rng, 0.3, 1.0)
            tick = {"kind": "products", "value": rng.choice(products), "checked": True}
            await act(step, client, client.send(
                f"{PANEL}.toggle", tick, until=until_var(PANEL, "draft"), label="filters: tick"))
            await think(rng, 0.3, 1.0)
            await act(step, client, client.send(f"{PANEL}.apply", until=REPLACED, label="filters: apply"))
        if time.perf_counter() >= end:
            break
        await think(rng)
        if client.var(LIST, "page", 1) < client.var(LIST, "page_count", 1):
            await act(step, client, on_list("next_page", "next page"))
        else:
            await act(step, client, on_list("clear_filters", "clear filters"))
        rows = [r for r in client.var(LIST, "rows") or [] if not r.get("is_context")]
        if rows and time.perf_counter() < end:
            await think(rng)
            back, customer = client.url, rng.choice(rows)["id"]
            shown = expect(lambda: client.var(DETAIL, "found") and client.var(DETAIL, "account_id") == customer,
                           "customer not shown")
            page = client.navigate(f"/customers/{customer}", params={"customer_id": str(customer)}, label="open customer")
            await act(step, client, page, shown)
            await think(rng)
            loaded = expect(lambda: client.var(LIST, "loaded"), "list not loaded")
            await act(step, client, client.navigate(back, label="back to list"), loaded)
        if client.var(LIST, "filters"):
            await think(rng)
            await act(step, client, on_list("clear_filters", "clear filters"))


async def simulated_user(step: Step, index: int, args, base_url: str, build: BuildInfo, login: tuple[str, str | None],
                         start_at: float, end: float) -> None:
    rng = random.Random(args.seed * 100_003 + index)
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    client = ReflexClient(base_url, build=build, timeout=args.timeout, on_error=step.error)
    step.clients.append(client)
    email, token = login
    try:
        if token is None:
            ok = await real_sign_in(step, client, email)
        else:
            client.cookies[auth.SESSION_COOKIE] = token
            ok = await open_list(step, client)
        if ok:
            await browse(step, client, rng, end)
    except GaveUp:
        pass
    except Exception as exc:  # a bug in this script or the client: counted, never hidden
        step.error("exception", f"{type(exc).__name__}: {exc}")
    finally:
        await client.close()


# ------------------------------------------------------------------ measuring


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def pids_named(name: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(entry.path, "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine used (from /proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def cpu_stall_seconds() -> float:
    """Time in which some runnable task waited for a CPU (PSI ``some``), 0 where the kernel has no PSI."""
    try:
        return int(Path("/proc/pressure/cpu").read_text().split("total=")[1].split()[0]) / 1e6
    except (OSError, IndexError):
        return 0.0


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    ours = {
        "server": cpu_seconds(process_tree(server_pid)),
        "postgres": cpu_seconds(pids_named("postgres")),
        "redis": cpu_seconds(pids_named("redis-server")),
        "load generator": cpu_seconds([os.getpid()]),
    }
    return {**ours, "machine": machine_busy_seconds(), "cpu stall": cpu_stall_seconds()}


def rss_total_kb(server_pid: int) -> int:
    return sum(rss_kb(pid) for pid in process_tree(server_pid))


def redis_state_sizes(r: redis.Redis, tokens: list[str]) -> dict:
    """Per user: the bytes of its state keys (STRLEN) and Redis's accounting of them (MEMORY USAGE)."""
    values, usage, keys, by_state = [], [], [], Counter()
    for token in tokens[:50]:  # a sample is enough: users differ only in what page they are on
        names = list(r.scan_iter(match=f"{token}_*", count=1000))
        if not names:
            continue
        pipe = r.pipeline()
        for name in names:
            pipe.strlen(name)
            pipe.memory_usage(name)
        answers = pipe.execute()
        for name, size in zip(names, answers[0::2]):
            by_state[name.decode()[len(token) + 1:].rsplit(".", 1)[-1].rsplit("____", 1)[-1]] += size or 0
        values.append(sum(v or 0 for v in answers[0::2]))
        usage.append(sum(v or 0 for v in answers[1::2]))
        keys.append(len(names))
    if not values:
        return {}
    return {"users_sampled": len(values), "keys_per_user": statistics.mean(keys),
            "value_kb": statistics.mean(values) / 1024, "memory_usage_kb": statistics.mean(usage) / 1024,
            "value_kb_max": max(values) / 1024,
            "value_kb_by_state": {k: round(v / len(values) / 1024, 2) for k, v in by_state.most_common()}}


async def sampler(step: Step, server_pid: int, r: redis.Redis, out: list, stop: asyncio.Event) -> None:
    """Every second: RSS, Redis used_memory, connected users, and this event loop's lag."""
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(1.0)
        lag = (time.perf_counter() - before - 1.0) * 1000
        out.append({"t": round(time.perf_counter() - step.started, 1), "rss_kb": rss_total_kb(server_pid),
                    "redis_used": r.info("memory")["used_memory"], "connected": step.connected,
                    "loop_lag_ms": round(lag, 1)})


# ------------------------------------------------------------------ one step


def logins(db_url: str, users: int, real_every: int) -> list[tuple[str, str | None]]:
    """(email, session token or None for a real sign-in) per user, cycling through the demo sign-ins."""
    with session_scope(db_url) as session:
        people = session.exec(
            select(User).where(User.status == UserStatus.ACTIVE, User.password_hash.is_not(None),
                               User.totp_enabled_at.is_(None), User.role != Role.TENANT_ADMIN).order_by(User.id)
        ).all()
        result = []
        for i in range(users):
            user = people[i % len(people)]
            real = real_every > 0 and i % real_every == 0
            result.append((user.email, None if real else auth.start_session(session=session, user=user)))
    return result


async def run_users(step: Step, args, base_url: str, build: BuildInfo, plan, server_pid: int, r: redis.Redis,
                    fault: dict | None = None) -> dict:
    stop, timeline = asyncio.Event(), []
    monitor = asyncio.create_task(sampler(step, server_pid, r, timeline, stop))
    now = time.perf_counter()
    step.started, step.steady_from = now, now + args.ramp
    end = now + args.ramp + args.duration
    spacing = args.ramp / max(1, len(plan))
    tasks = [
        asyncio.create_task(simulated_user(step, i, args, base_url, build, login, now + i * spacing, end))
        for i, login in enumerate(plan)
    ]
    if fault is not None:  # --fault: halfway through the steady phase, while a writer saves
        step.fault = load_faults.FaultRun(kind=args.fault)
        at = now + args.ramp + args.duration / 2
        tasks.append(asyncio.create_task(load_faults.inject(step.fault, step, server_pid, fault["proxy"], at)))
        tasks.append(asyncio.create_task(load_faults.writer(
            step.fault, base_url, build, fault["token"], fault["account_id"], end, args.timeout)))
    await asyncio.sleep(max(0.0, end - time.perf_counter()))
    # All users connected: the moment to measure memory (before they start leaving).
    at_end = {"rss_kb": rss_total_kb(server_pid), "redis_used": r.info("memory")["used_memory"],
              "connected": step.connected, "state": redis_state_sizes(r, step.tokens)}
    await asyncio.gather(*tasks)
    stop.set()
    await monitor
    return {"at_end": at_end, "timeline": timeline}


def run_step(users: int, args, db_url: str, stamp: str) -> dict:
    # The work tree may change between steps: build again if needed, so the users speak the same
    # state schema as the server about to start (the server log would say if they did not).
    build_frontend.ensure_built()
    build = BuildInfo.from_web_dir(build_frontend.WEB_DIR)
    r = redis.Redis.from_url(args.redis_url)
    r.flushdb()  # the benchmark's own database number: a clean slate for the step
    log_path = RESULTS / f"load-{stamp}-{users}users.server.log"
    env = {"REFLEX_REDIS_URL": args.redis_url, "REFLEX_STATE_MANAGER_MODE": "redis", "MSC_OUTBOX_SENDER": "0"}
    print(f"\n== {users} users: starting {args.workers} workers (log: {log_path.name}) ...", flush=True)
    fault, server_db_url = None, db_url
    if args.fault:
        token, account_id, before = load_faults.writer_login(db_url)
        proxy = None
        if args.fault == "db-outage":
            server_db_url, proxy = load_faults.proxied(db_url)
        fault = {"token": token, "account_id": account_id, "before": before, "proxy": proxy}
    server = app_server.start_server(
        host=HOST, db_url=server_db_url, log_path=log_path, extra_env=env, workers=args.workers)
    try:
        plan = logins(db_url, users + 2, args.real_every)
        warm, plan = plan[:2], plan[2:]
        # Warm-up: two users' quick rounds, so first-use costs are not charged to the step's users.
        warm_step = Step(users=2)
        warm_args = argparse.Namespace(**{**vars(args), "ramp": 0.5, "duration": 8})
        asyncio.run(run_users(warm_step, warm_args, server.base_url, build, warm, server.process.pid, r))
        time.sleep(2)
        base = {"rss_kb": rss_total_kb(server.process.pid), "redis_used": r.info("memory")["used_memory"]}
        db_before = db_counters(db_url)
        cpu_before, load_before, wall = cpu_snapshot(server.process.pid), os.getloadavg(), time.perf_counter()
        print(f"   baseline: server RSS {base['rss_kb'] / 1024:.0f} MB, Redis used_memory "
              f"{base['redis_used'] / 1024:.0f} KB; ramp {args.ramp:.0f}s, then {args.duration:.0f}s", flush=True)
        step = Step(users=users)
        measured = asyncio.run(run_users(step, args, server.base_url, build, plan, server.process.pid, r, fault))
        wall = time.perf_counter() - wall
        cpu_after = cpu_snapshot(server.process.pid)
        db_after = db_counters(db_url)
        load_after = os.getloadavg()
    finally:
        app_server.stop_server(server)
        if fault and fault["proxy"] is not None:
            fault["proxy"].close()
    result = summarise(step, base, measured, {k: cpu_after[k] - cpu_before[k] for k in cpu_after}, wall,
                       load_before, load_after, warm_step)
    actions = max(1, result["events"] + result["errors"])
    log = log_path.read_text(errors="replace")
    result["server_log"] = {"state schema mismatches": log.count("does not match the backend state schema"),
                            "state locks held > 1 s": log.count("was held too long"), "log": log_path.name}
    result["db_per_action"] = {k: (db_after[k] - db_before[k]) / actions for k in db_after}
    if fault:
        after = load_faults.customer_record(db_url, fault["account_id"])
        result["fault"] = load_faults.report(step.fault, step, fault["before"], after)
    return result


def db_counters(db_url: str) -> dict[str, int]:
    """PostgreSQL's counters for the benchmark's database (pg_stat_database): transactions, rows read."""
    parsed = sa.make_url(db_url)
    if not parsed.get_backend_name().startswith("postgresql"):
        return {}
    with psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        xacts, rows = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s",
            (parsed.database,),
        ).fetchone()
    return {"transactions": xacts, "rows read": rows}


def by_op(samples: list[tuple[float, str, float]]) -> dict:
    ops: dict[str, list[float]] = {}
    for _, op, ms in samples:
        ops.setdefault(op, []).append(ms)
    return {op: percentiles(values) for op, values in sorted(ops.items())}


def summarise(step: Step, base: dict, measured: dict, cpu: dict, wall: float, load_before, load_after,
              warm: Step) -> dict:
    end = measured["at_end"]
    users = max(1, end["connected"])
    latencies = [ms for _, _, ms in step.samples]
    steady = [ms for t, _, ms in step.samples if t >= step.steady_from - step.started]
    lags = [s["loop_lag_ms"] for s in measured["timeline"]]
    ours = sum(cpu[k] for k in ("server", "postgres", "redis", "load generator"))
    return {
        "users": step.users,
        "connected_at_end": end["connected"],
        "events": len(latencies),
        "errors": sum(step.errors.values()),
        "events_per_second_steady": len(steady) / max(1e-9, wall - (step.steady_from - step.started)),
        "all": percentiles(latencies),
        "steady": percentiles(steady),
        "first_message": percentiles(step.first_ms),
        "ops": by_op(step.samples),
        "unloaded_ops": by_op(warm.samples),  # the warm-up's two users: the same actions on an idle server
        "error_counts": dict(step.errors),
        "error_examples": step.error_examples,
        "rss_baseline_mb": base["rss_kb"] / 1024,
        "rss_end_mb": end["rss_kb"] / 1024,
        "rss_kb_per_user": (end["rss_kb"] - base["rss_kb"]) / users,
        "redis_used_baseline_kb": base["redis_used"] / 1024,
        "redis_kb_per_user": (end["redis_used"] - base["redis_used"]) / 1024 / users,
        "redis_state_per_user": end["state"],
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "cpu_cores_busy": {k: v / wall for k, v in cpu.items()},
        "other_processes_cores": (cpu["machine"] - ours) / wall,  # other work on the machine
        "server_cpu_ms_per_event": cpu["server"] * 1000 / max(1, len(latencies)),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "loop_lag_ms": percentiles(lags),
        "warmup_errors": dict(warm.errors),
        "timeline": measured["timeline"],
    }


# ------------------------------------------------------------------ main


def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database if it is missing (never drops anything)."""
    parsed = sa.make_url(url)
    if not parsed.get_backend_name().startswith("postgresql"):
        return
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{parsed.database}"')


def print_summary(steps: list[dict]) -> None:
    print(f"\n{'users':>5} {'events':>6} {'ev/s':>5} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'steady p95':>10} {'RSS KB/user':>11} {'Redis KB/user':>13} {'state KB/user':>13} {'load avg':>8} "
          f"{'others':>6}")
    for s in steps:
        a, steady, state = s["all"], s["steady"], s["redis_state_per_user"]
        print(f"{s['users']:>5} {s['events']:>6} {s['events_per_second_steady']:>5.1f} {s['errors']:>6} "
              f"{a.get('p50', 0):>7.0f} {a.get('p95', 0):>7.0f} {a.get('p99', 0):>7.0f} {steady.get('p95', 0):>10.0f} "
              f"{s['rss_kb_per_user']:>11.0f} {s['redis_kb_per_user']:>13.1f} {state.get('value_kb', 0):>13.1f} "
              f"{s['load_average_after'][0]:>8.1f} {s['other_processes_cores']:>6.2f}")
    print("(latency: emit -> the message that ends the action, over all the step's actions incl. ramp-up;\n"
          " steady: after it; ev/s: actions per second after it; RSS, Redis: increase over the idle baseline\n"
          " per connected user; state: a user's Redis state keys (STRLEN); load avg: 1 min, at the end;\n"
          " others: CPU cores that other processes used)")


def print_details(s: dict) -> None:
    busy = s["cpu_cores_busy"]
    print(f"\n{s['users']} users: server CPU {busy['server']:.2f} cores "
          f"({s['server_cpu_ms_per_event']:.0f} ms per action), "
          f"postgres {busy['postgres']:.2f}, redis {busy['redis']:.2f}, load generator {busy['load generator']:.2f}, "
          f"other processes {s['other_processes_cores']:.2f} (of {os.cpu_count()}); some task waited for a CPU "
          f"{100 * busy['cpu stall']:.0f}% of the time; load generator loop lag p95 "
          f"{s['loop_lag_ms'].get('p95', 0):.0f} ms")
    print(f"  {'action (ms)':<24} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}   {'idle p50':>8}")
    for op, p in s["ops"].items():
        idle = s["unloaded_ops"].get(op, {}).get("p50")
        print(f"  {op:<24} {p['n']:>5} {p['p50']:>7.0f} {p['p95']:>7.0f} {p['p99']:>7.0f} {p['max']:>7.0f}   "
              + (f"{idle:>8.0f}" if idle is not None else f"{'':>8}"))
    for kind, count in s["error_counts"].items():
        print(f"  ERROR {kind}: {count}")
    print(f"  server log: {s['server_log']}")
    if s.get("db_per_action"):
        print("  PostgreSQL per action: " + ", ".join(f"{v:.1f} {k}" for k, v in s["db_per_action"].items()))
    state = s["redis_state_per_user"].get("value_kb_by_state", {})
    print("  state KB per user by substate: " + ", ".join(f"{k} {v:.1f}" for k, v in state.items()))
    if s.get("fault"):
        load_faults.print_report(s["fault"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="the largest step")
    parser.add_argument("--steps", default=None, help="comma-separated user counts (default: 50,100,200 up to --users)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of browsing after the ramp-up")
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which the users arrive")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="a Redis database of its own: it is emptied")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="use the demo data already in the database")
    parser.add_argument("--real-every", type=int, default=10, help="every N-th user signs in for real (0: none)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before an action counts as an error")
    parser.add_argument("--think", default="1,3", help="think time before each action: min,max seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault", choices=load_faults.FAULTS, default=None,
                        help="halfway through each step: kill a worker, or take the database away for 5 s")
    args = parser.parse_args(argv)
    global THINK
    THINK = tuple(float(v) for v in args.think.split(","))
    steps = [int(s) for s in args.steps.split(",")] if args.steps else [
        *(n for n in (50, 100, 200) if n < args.users), args.users]

    RESULTS.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database_url)
    engine = prepare(args.database_url, customers=args.customers, reuse=args.reuse, default_db=None)
    db_url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    results = []
    for users in steps:
        results.append(run_step(users, args, db_url, stamp))
        print_details(results[-1])
    print_summary(results)
    out = RESULTS / f"load-{stamp}.json"
    database = engine.url.render_as_string(hide_password=True)
    out.write_text(json.dumps({"when": stamp, "settings": vars(args), "steps_run": steps, "cpus": os.cpu_count(),
                               "database": database, "steps": results}, indent=1))
    print(f"\nResults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
