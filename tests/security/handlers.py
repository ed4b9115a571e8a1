"""In-process harness of the event-handler security matrix (test_handler_matrix.py): no browser, no server.

- ``state_classes()`` / ``event_handlers()``: every Reflex state class defined in ``msc_app.state`` and every
  event handler Reflex registers on it (``cls.event_handlers``: decorated handlers, public methods, ``setvar``
  and the handlers a mixin such as ``PagedListMixin`` adds).
- ``DatabaseRoute``: ``msc_app.db.session_scope`` (and every module's imported copy of it) replaced by one that
  opens its session on the test's connection, so a handler's commits become savepoints that the test rolls
  back; ``msc_app.db.get_engine`` is made to fail, so nothing can reach the real database.
- ``new_tree()``: a fresh root ``reflex.state.State`` with every substate, whose router data is what the
  websocket of a browser on ``path`` with cookie ``msc_session=<token>`` would carry (the same
  ``_update_router_vars`` Reflex's event processor calls).
- ``invoke()``: dispatches one event as Reflex's ``process_event`` does: the payload transformed by the
  handler's annotations (``_prepare_event_payload``), coroutines awaited, sync and async generators drained,
  and every returned or yielded value checked like ``chain_updates`` does (``_check_valid_yield``). The
  events are described as ``(kind, text)``: ``("toast.error", message)``, ``("redirect", path)``,
  ``("script", code)``, ``("event", handler)``.
- ``StatementWatch``: counts the statements a case sends that are not reads, so a case that only read can skip
  its after-snapshot (it cannot have changed a row).
- ``build_handler_world()``: the security world plus what the handlers need (users to deactivate, resend and
  reactivate per tenant, private service plans, tenant admins of other tenants, invitations, API tokens and
  saved views of other users, one live session per role, two in a tenant's perspective, and a signed-out
  one) and, per account, the strings only someone who sees it may see.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import importlib
import inspect
import json
import pkgutil
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from sqlmodel import Session, select

import msc_app.db
from msc_app.models import (
    Account,
    Contact,
    Contract,
    Invitation,
    ProductType,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    User,
    UserStatus,
)
from msc_app.services import api_tokens, auth, saved_views, summaries, tenants
from msc_app.services.permissions import Actor
from tests.conftest import World, password_hash
from tests.security.support import OWNERS, SecurityWorld, build_security_world

ORIGIN = "http://localhost:3000"
CLIENT_TOKEN = "handler-matrix-client"

# ---------------------------------------------------------------- the state classes and their handlers


def load_state_modules(attempts: int = 5) -> list[str]:
    """Import every module of ``msc_app.state`` (retried: others edit them while the suite runs)."""
    import msc_app.state as package

    names = [f"msc_app.state.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    for attempt in range(attempts):
        try:
            for name in names:
                importlib.import_module(name)
            return names
        except (ImportError, SyntaxError):
            if attempt == attempts - 1:
                raise
            time.sleep(5)
    return names


def state_classes() -> list[type]:
    """Every Reflex state class defined in a module of ``msc_app.state`` (mixins excluded: they have no instance)."""
    from reflex.state import BaseState, State

    modules = load_state_modules()
    found: dict[str, type] = {}

    def walk(cls) -> None:
        for sub in cls.get_substates():
            if sub.__module__.startswith("msc_app.state."):
                found[sub.__name__] = sub
            walk(sub)

    walk(State)
    for module_name in modules:
        for value in vars(sys.modules[module_name]).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseState)
                and value.__module__ == module_name
                and not value._mixin
            ):
                found.setdefault(value.__name__, value)
    return sorted(found.values(), key=lambda c: c.__name__)


def event_handlers() -> dict[str, tuple[type, str]]:
    """``"Class.handler" -> (state class, handler name)`` for every handler Reflex would dispatch."""
    handlers = {}
    for cls in state_classes():
        for name in cls.event_handlers:
            key = f"{cls.__name__}.{name}"
            assert key not in handlers, f"two state classes are named {cls.__name__}"
            handlers[key] = (cls, name)
    return handlers


# ---------------------------------------------------------------- the database the handlers reach


class DatabaseRoute:
    """Routes every ``session_scope()`` of the app to ``self.connection`` (a test's open transaction)."""

    def __init__(self) -> None:
        self.connection: sa.Connection | None = None
        self.sessions_opened = 0

    @contextmanager
    def session_scope(self, url: str | None = None) -> Iterator[Session]:
        assert url is None, f"a handler asked for database {url!r}"
        assert self.connection is not None, "a handler opened a database session outside a matrix case"
        self.sessions_opened += 1
        with Session(bind=self.connection, expire_on_commit=False, join_transaction_mode="create_savepoint") as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def install(self, monkeypatch) -> int:
        """Replace ``session_scope`` wherever the app imported it; make the real engine unreachable."""
        original = msc_app.db.session_scope
        patched = 0
        for name, module in list(sys.modules.items()):
            in_app = name == "msc_app" or name.startswith("msc_app.")
            if in_app and getattr(module, "session_scope", None) is original:
                monkeypatch.setattr(module, "session_scope", self.session_scope)
                patched += 1

        def no_engine(*_args, **_kwargs):
            raise AssertionError("a handler reached msc_app.db.get_engine (the real database)")

        monkeypatch.setattr(msc_app.db, "get_engine", no_engine)
        return patched


class StatementWatch:
    """Counts the statements a connection sends that may write (anything but reads and transaction control).

    A case that sent none cannot have changed a row, so its after-snapshot can be skipped; any other statement
    (INSERT, UPDATE, DELETE, a CTE, ...) makes the case take the whole-database snapshot and compare it.
    """

    READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA", "SHOW")

    def __init__(self, connection: sa.Connection) -> None:
        self.writes = 0
        sa.event.listen(connection, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
        if not statement.lstrip().upper().startswith(self.READS):
            self.writes += 1


# ---------------------------------------------------------------- a client's state tree


def router_data(*, cookie: str | None, path: str) -> dict[str, Any]:
    """The router data of an event sent by a browser on ``path`` (with query) holding ``cookie``."""
    from reflex_base.constants import RouteVar

    url_path, _, query = path.partition("?")
    headers = {"origin": ORIGIN, "host": "localhost:3000", "user-agent": "handler-matrix"}
    if cookie is not None:
        headers["cookie"] = cookie
    return {
        RouteVar.HEADERS: headers,
        RouteVar.PATH: url_path,
        RouteVar.ORIGIN: path,
        RouteVar.QUERY: dict(parse_qsl(query, keep_blank_values=True)),
        RouteVar.CLIENT_TOKEN: CLIENT_TOKEN,
        RouteVar.SESSION_ID: "handler-matrix-sid",
        RouteVar.CLIENT_IP: "203.0.113.7",
    }


def new_tree(*, token: str | None, path: str = "/customers", cookie: str | None = None):
    """A fresh root state with every substate, as Reflex builds one for a new client."""
    from reflex.state import State

    if cookie is None and token is not None:
        cookie = f"{auth.SESSION_COOKIE}={token}"
    root = State(_reflex_internal_init=True)
    root.router_data = root._update_router_vars(router_data(cookie=cookie, path=path), {})
    return root


def substate(root, cls):
    return root._get_state_from_cache(cls)


_TOAST = re.compile(r"""\["(\w+)"\]\((.*)\)\)\)$""", re.S)


def describe(event) -> tuple[str, str]:
    """One returned or yielded event as (kind, text)."""
    from reflex_base.event import EventHandler, EventSpec

    if isinstance(event, EventHandler):
        return "event", event.fn.__qualname__
    if isinstance(event, EventSpec):
        name = event.handler.fn.__qualname__
        args = {str(k): str(v) for k, v in event.args}

        def text(value: str) -> str:
            try:
                return str(json.loads(value))
            except ValueError:
                return value

        if name == "_call_function" and "__toast" in args.get("function", ""):
            found = _TOAST.search(args["function"])
            if found:
                return f"toast.{found.group(1)}", text(found.group(2))
            return "toast", args["function"]
        if name == "_redirect":
            return "redirect", text(args.get("path", ""))
        if name == "_call_script":
            return "script", text(args.get("javascript_code", ""))
        return "event", name
    return "event", repr(event)


@dataclass
class Outcome:
    events: list[tuple[str, str]] = field(default_factory=list)
    raised: BaseException | None = None


def _flatten(value, handler_name: str) -> list:
    from reflex_base.event.processor.base_state_processor import _check_valid_yield

    value = _check_valid_yield(value, handler_name)  # what Reflex refuses becomes a generic client error
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [e for e in value if e is not None]
    return [value]


def complete(loop: asyncio.AbstractEventLoop, awaitable):
    """Run ``awaitable`` to its end on ``loop``. Where this thread already runs a loop (pytest-playwright's
    sync API keeps one going in a pytest worker that ran e2e tests first), on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return loop.run_until_complete(awaitable)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(loop.run_until_complete, awaitable).result()


def invoke(root, cls, name: str, args: tuple, loop: asyncio.AbstractEventLoop) -> Outcome:
    """Dispatch one event to ``cls.<name>`` in ``root``'s tree, as Reflex's ``process_event`` does."""
    from reflex_base.event.processor.base_state_processor import _prepare_event_payload

    handler = cls.event_handlers[name]
    state = substate(root, cls)
    params = list(inspect.signature(handler.fn).parameters)[1:]
    assert len(args) <= len(params), f"{cls.__name__}.{name} takes {params}, got {args!r}"
    payload = _prepare_event_payload(handler, dict(zip(params, args, strict=False)))
    outcome = Outcome()
    collected: list = []
    try:
        result = handler.fn(state, **payload)
        if inspect.iscoroutine(result):
            result = complete(loop, result)
        if inspect.isasyncgen(result):

            async def drain():
                async for item in result:
                    collected.append(item)

            complete(loop, drain())
        elif inspect.isgenerator(result):
            try:
                while True:
                    collected.append(next(result))
            except StopIteration as stop:
                collected.append(stop.value)
        else:
            collected.append(result)
        for chunk in collected:
            outcome.events.extend(describe(e) for e in _flatten(chunk, handler.fn.__qualname__))
    except Exception as exc:  # noqa: BLE001  (reported by the caller: a handler must not raise)
        outcome.raised = exc
    return outcome


def raised_at(exc: BaseException) -> str:
    """Where the app raised: the handler's frame and the deepest frame of ``msc_app`` ("file:line func")."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/msc_app/" in f.filename]
    if not frames:
        return "(outside msc_app)"
    shown = [frames[0], frames[-1]] if len(frames) > 1 else frames
    return " -> ".join(f"{f.filename.split('/msc_app/')[-1]}:{f.lineno} {f.name}" for f in shown)


def state_text(root, outcome: Outcome, loop: asyncio.AbstractEventLoop) -> str:
    """Everything the client could be sent: every var of every state (async computed vars awaited, as Reflex
    does before sending), and the events' text."""
    from reflex.istate.delta import _resolve_delta

    values = complete(loop, _resolve_delta(root.dict()))
    return json.dumps(values, default=str, ensure_ascii=False) + json.dumps(outcome.events, ensure_ascii=False)


# ---------------------------------------------------------------- the world of the handler matrix

# Tenants whose users the users-page handlers act on; users of a customer's tenant are found via its reseller.
USER_TENANTS = ("r1", "r2", "dist")
USER_TENANT_OF = {"r1_cust1": "r1", "r1_cust2": "r1", "r2_cust1": "r2", "r2_cust2": "r2", "dist_cust1": "dist"}
PASSWORD = "a perfectly long password"
PERSPECTIVES = (("dist_admin", "r1"), ("r1_admin", "r1_cust1"))  # (actor, tenant it switched into)


@dataclass
class HandlerWorld:
    sw: SecurityWorld
    tokens: dict[str, str] = field(default_factory=dict)  # actor key (or "actor@tenant") -> live session token
    revoked_token: str = ""  # a session of dist_admin that was signed out
    users: dict[str, int] = field(default_factory=dict)  # "<tenant>_pend" / "_gone" / "_extra" -> user id
    plans: dict[str, int] = field(default_factory=dict)  # tenant -> its private service plan
    default_plan: int = 0
    tenant_admins: dict[str, int] = field(default_factory=dict)  # owner key -> a tenant admin of its tenant
    versions: dict[str, int] = field(default_factory=dict)  # account key -> Account.version
    invitations: dict[str, str] = field(default_factory=dict)  # label -> invitation token
    api_tokens: dict[str, int] = field(default_factory=dict)  # tenant -> an API token of its "_extra" user
    views: dict[str, int] = field(default_factory=dict)  # tenant -> a private saved view of its "_extra" user
    secrets: dict[str, set[str]] = field(default_factory=dict)  # account key -> strings of that account

    @property
    def world(self) -> World:
        return self.sw.world

    def account(self, key: str) -> int:
        return self.world.accounts[key]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def build_handler_world(session: Session, world: World) -> HandlerWorld:
    sw = build_security_world(session, world)
    hw = HandlerWorld(sw=sw)
    acc = world.accounts
    hw.default_plan = session.exec(select(ServicePlan.id).where(ServicePlan.is_default)).one()

    for tenant, name in (("r1", "Harbor Private Plan"), ("r2", "Peak Private Plan")):
        plan = ServicePlan(name=name, edition="Business", products=[p.value for p in ProductType],
                           owner_account_id=acc[tenant])  # fmt: skip
        session.add(plan)
        session.flush()
        hw.plans[tenant] = plan.id

    # A tenant admin of each other tenant, assigned to its first customer (the world has r1's).
    for tenant, customer, email, name in (
        ("r2", "r2_cust1", "peak.tenant@example.com", "Peak Tenant"),
        ("dist", "dist_cust1", "direct.tenant@example.com", "Direct Tenant"),
    ):
        user = User(email=email, name=name, role=Role.TENANT_ADMIN, account_id=acc[tenant],
                    status=UserStatus.ACTIVE, password_hash=password_hash())  # fmt: skip
        session.add(user)
        session.flush()
        session.add(TenantAdminAssignment(user_id=user.id, account_id=acc[customer]))
        hw.tenant_admins[tenant] = user.id
    hw.tenant_admins["r1"] = world.users["tenant_admin"]
    session.flush()

    # Per tenant: a pending user (resend), a deactivated one (reactivate), an active viewer (deactivate).
    for tenant in USER_TENANTS:
        for kind, status, hashed in (
            ("pend", UserStatus.PENDING, None),
            ("gone", UserStatus.DEACTIVATED, password_hash()),
            ("extra", UserStatus.ACTIVE, password_hash()),
        ):
            key = f"{tenant}_{kind}"
            user = User(email=f"{key}@example.com", name=f"{tenant.upper()} {kind.title()} Person", role=Role.VIEWER,
                        account_id=acc[tenant], status=status, password_hash=hashed)  # fmt: skip
            session.add(user)
            session.flush()
            hw.users[key] = user.id
    for user_id in (*hw.users.values(), *hw.tenant_admins.values()):
        summaries.refresh_for_user(session=session, user_id=user_id)

    # Per tenant, a personal API token and a private saved view of its "_extra" user (issue 8): nobody else's.
    for tenant in USER_TENANTS:
        user = session.get(User, hw.users[f"{tenant}_extra"])
        account = session.get(Account, user.account_id)
        owner = Actor(user_id=user.id, role=Role(user.role), home_account_id=account.id, home_kind=account.kind,
                      name=user.name, email=user.email)  # fmt: skip
        _text, token = api_tokens.create_token(session=session, actor=owner, name=f"Token of {tenant}_extra")
        hw.api_tokens[tenant] = token.id
        view = saved_views.save_view(session=session, actor=owner, name=f"View of {tenant}_extra",
                                     query_params={"q": "Harbor"}, columns=[])  # fmt: skip
        hw.views[tenant] = view.id

    # Invitations: links that must not work (expired, revoked, used) and one valid (a positive control).
    now = datetime.now(UTC)
    for label, user_key, extra in (
        ("expired", "r2_pend", {"expires_at": now - timedelta(days=1)}),
        ("revoked", "r2_pend", {"revoked_at": now - timedelta(hours=1)}),
        ("used", "r2_pend", {"used_at": now - timedelta(hours=1)}),
        ("valid", "r1_pend", {}),
    ):
        token = f"matrix-invitation-{label}-token"
        session.add(Invitation(user_id=hw.users[user_key], token_hash=_token_hash(token),
                               expires_at=extra.pop("expires_at", now + timedelta(days=7)), **extra))  # fmt: skip
        hw.invitations[label] = token
    session.flush()

    # One live session per role, two working in a tenant's perspective (TENANT-1), and a signed-out one.
    for key in World.ACTORS:
        hw.tokens[key] = auth.start_session(session=session, user=session.get(User, world.users[key]))
    for actor, tenant in PERSPECTIVES:
        token = auth.start_session(session=session, user=session.get(User, world.users[actor]))
        tenants.switch_into(session=session, token=token, account_id=acc[tenant])
        hw.tokens[f"{actor}@{tenant}"] = token
    hw.revoked_token = auth.start_session(session=session, user=session.get(User, world.users["dist_admin"]))
    auth.end_session(session=session, token=hw.revoked_token)
    session.flush()

    hw.versions = {key: session.get(Account, account_id).version for key, account_id in acc.items()}
    hw.secrets = _secrets(session, hw)
    return hw


def _secrets(session: Session, hw: HandlerWorld) -> dict[str, set[str]]:
    """Per account key: its name, its contacts and contracts, its users' emails and names, its private plan."""
    acc = hw.world.accounts
    secrets: dict[str, set[str]] = {key: set() for key in acc if key not in ("sandbox",)}
    for key in secrets:
        account = session.get(Account, acc[key])
        if key != "dist":  # the distributor's name is the parent of every row; it is no secret
            secrets[key] |= {account.name}
        for contact in session.exec(select(Contact).where(Contact.account_id == acc[key])).all():
            secrets[key] |= {contact.name, contact.email}
        for contract in session.exec(select(Contract).where(Contract.account_id == acc[key])).all():
            secrets[key] |= {contract.title}
        made_here = {*hw.users.values(), *hw.tenant_admins.values()} - {hw.world.users["tenant_admin"]}
        for user in session.exec(select(User).where(User.account_id == acc[key])).all():
            secrets[key] |= {user.email}
            if user.id in made_here:
                secrets[key] |= {user.name}  # "Peak Tenant", "R2 Gone Person": unique, unlike "Pending"
    for tenant, plan_id in hw.plans.items():
        secrets[tenant].add(session.get(ServicePlan, plan_id).name)
    for tenant in USER_TENANTS:
        secrets[tenant] |= {f"Token of {tenant}_extra", f"View of {tenant}_extra"}
    for owner in OWNERS:
        assert secrets[owner], owner
    return secrets
