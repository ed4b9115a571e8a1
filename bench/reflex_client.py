"""A small client for Reflex 0.10's websocket event protocol, as the built frontend speaks it.

Used by bench/load.py (simulated users) and meant for other tools that drive the app without a
browser (e.g. issue 7's fault test). What it does, after ``.web-e2e/utils/state.js``:

- **Connect.** socket.io (engine.io v4, websocket transport only) on path ``/_event``, namespace
  ``/_event``, with the client token in the query (``?token=...``: one per browser tab, kept across
  page reloads as the browser keeps it in sessionStorage). The first event rides in the CONNECT
  packet's auth: ``{"event": <State.hydrate_and_load>, "state_schema": ...}``; the server answers
  with the state snapshot as a delta, then runs the page's on_load chain
  (``OnLoadInternalState.on_load_internal`` -> the page's handlers -> ``set_is_hydrated(True)``).
  A session cookie goes in the handshake's ``Cookie`` header (``cookies=``).
- **Events.** ``emit("event", {name, payload, router_data: {pathname, asPath, query}})``. The server
  answers with zero or more ``"event"`` messages ``{delta?, events?}``: a delta after each handler
  (or yield) that changed state, and frontend events (``_call_script``, ``_call_function``,
  ``_redirect``...) in their own messages. Reflex 0.10 sends **no end-of-event marker** (the old
  ``final`` flag is gone, see ``reflex.state.StateUpdate``) and nothing at all for a handler that
  changed nothing; so a caller says what ends its action (``until=``, see the ``until_*``
  helpers): a page load ends with the delta that sets ``is_hydrated`` back to true, a list action
  with its ``history.replaceState`` script, and so on.
- **Navigation.** A client-side navigation (a link) sends ``on_load_internal`` with the new page's
  router data, over the same socket; a full page load (``window.location``) is a new connection
  (``open``). ``history.replaceState`` scripts from the server update ``url`` so later events
  carry the live URL as the browser's ``withRouterData`` does.
- **After a timeout** the action stays pending, so that its late end is not taken for the next
  action's: ``settle(seconds)`` waits for it, as a user waits for a slow page; if it does not come,
  reopen the page (``open(client.url, params=client.params)``), as a user reloads a stuck one
  (answers arriving on a closed socket are ignored).

Errors it notices (``errors``, and ``on_error(action, message)`` if given, once each): an
unexpected disconnect, an error toast (``rx.toast.error``, the default backend exception handler),
a ``_redirect`` to the sign-in page, a timeout waiting for ``until``, the server saying the build's
state schema is not its own.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import socketio

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATE_AND_LOAD = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD_INTERNAL = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
IS_HYDRATED = "is_hydrated_rx_state_"
VAR_SUFFIX = "_rx_state_"

Message = dict  # one "event" message from the server: {"delta": {...}, "events": [...]}
Until = Callable[[Message], bool]


# ------------------------------------------------------------------ what ends an action


def until_hydrated(message: Message) -> bool:
    """A page load's end: the delta that sets ``is_hydrated`` to true (after the on_load chain)."""
    return (message.get("delta") or {}).get(ROOT_STATE, {}).get(IS_HYDRATED) is True


def until_script(text: str) -> Until:
    """A ``_call_script`` event whose JavaScript contains ``text`` (e.g. ``"history.replaceState"``)."""

    def check(message: Message) -> bool:
        return any(
            e.get("name") == "_call_script" and text in str((e.get("payload") or {}).get("javascript_code", ""))
            for e in message.get("events") or []
        )

    return check


def until_var(state: str, var: str, value=None) -> Until:
    """A delta that sets ``state``'s ``var`` (to ``value``, if given)."""
    key = var + VAR_SUFFIX

    def check(message: Message) -> bool:
        changes = (message.get("delta") or {}).get(state)
        return changes is not None and key in changes and (value is None or changes[key] == value)

    return check


def until_any(*checks: Until) -> Until:
    return lambda message: any(check(message) for check in checks)


def error_of(message: Message) -> str | None:
    """What went wrong, if this message is an error toast or a redirect to the sign-in page."""
    for event in message.get("events") or []:
        name, payload = event.get("name"), event.get("payload") or {}
        if name == "_call_function" and "__toast" in str(payload.get("function", "")):
            if '["error"]' in str(payload["function"]):
                found = re.search(r'\["error"\]\("([^"]*)"', str(payload["function"]))
                return f"error toast: {found.group(1) if found else payload['function'][:120]}"
        if name == "_redirect" and str(payload.get("path", "")).startswith("/signin"):
            return f"redirected to {payload.get('path')}"
    return None


# ------------------------------------------------------------------ the build's schema


@dataclass(frozen=True)
class BuildInfo:
    """What the compiled frontend sends on its first connect: the state schema hash and the per-state
    hashes of its compiled initial state (the server then sends only what differs from it)."""

    state_schema: str | None = None
    hashes: tuple[str, ...] = ()

    @classmethod
    def from_web_dir(cls, web_dir: Path) -> BuildInfo:
        try:
            text = (web_dir / "utils" / "context.jsx").read_text()
        except OSError:
            return cls()
        schema = re.search(r'export const stateSchema = "([^"]*)"', text)
        hashes = re.search(r"export const initialStateHashes = (\[[^\]]*\])", text)
        return cls(schema.group(1) if schema else None, tuple(json.loads(hashes.group(1))) if hashes else ())


# ------------------------------------------------------------------ the client


class ActionTimeout(Exception):
    pass


class Disconnected(Exception):
    pass


@dataclass
class Result:
    """One action: its latency (emit -> the message ``until`` accepted), its messages, any error."""

    name: str
    started: float  # time.perf_counter() when emitted
    ms: float | None = None
    first_ms: float | None = None  # emit -> the first message of any kind
    messages: list[Message] = field(default_factory=list)
    error: str | None = None

    @property
    def bytes(self) -> int:
        return sum(len(json.dumps(m)) for m in self.messages)


class ReflexClient:
    """One browser tab: a token, a session cookie, a current URL, the state merged from deltas."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        cookies: dict[str, str] | None = None,
        build: BuildInfo | None = None,
        timeout: float = 10.0,
        on_error: Callable[[str, str], None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token or str(uuid.uuid4())
        self.cookies = dict(cookies or {})
        self.build = build or BuildInfo()
        self.timeout = timeout
        self.on_error = on_error
        self.url = "/"  # path + query, as in the browser's address bar
        self.params: dict[str, str] = {}  # the dynamic route's params (e.g. customer_id)
        self.state: dict[str, dict] = {}  # substate name -> vars (names without the _rx_state_ suffix)
        self.errors: list[str] = []
        self.messages = 0
        self._sio: socketio.AsyncClient | None = None
        self._waiter: tuple[Until, asyncio.Future, Result] | None = None

    # -------------------------------------------------------------- connection

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected

    def router_data(self) -> dict:
        parts = urlsplit(self.url)
        data = {"pathname": parts.path, "asPath": self.url}
        query = {**dict(parse_qsl(parts.query)), **self.params}
        if query:
            data["query"] = query
        return data

    async def open(
        self, url: str, *, params: dict[str, str] | None = None, first: bool = True, label: str | None = None
    ) -> Result:
        """A full page load of ``url``: a new websocket whose CONNECT carries ``hydrate_and_load``;
        returns when the page's on_load chain has finished (``is_hydrated``)."""
        await self.close()
        self.url, self.params = url, dict(params or {})
        payload = {"hashes": list(self.build.hashes)} if first and self.build.hashes else {}
        event = {"name": HYDRATE_AND_LOAD, "payload": payload, "router_data": self.router_data()}
        auth = {"event": event}
        if self.build.state_schema:
            auth["state_schema"] = self.build.state_schema
        sio = socketio.AsyncClient(reconnection=False, request_timeout=self.timeout)
        sio.on("event", lambda message: self._on_message(sio, message), namespace=NAMESPACE)
        sio.on("disconnect", lambda *reason: self._on_disconnect(sio, reason), namespace=NAMESPACE)
        mismatch = "state schema mismatch: the build is not the server's"
        sio.on("state_mismatch", lambda info: self._note(f"{mismatch} ({info})"), namespace=NAMESPACE)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._sio = sio
        result = self._expect(label or f"open {urlsplit(url).path}", until_hydrated)
        try:
            await sio.connect(
                f"{self.base_url}?token={self.token}",
                socketio_path="/_event",
                namespaces=[NAMESPACE],
                transports=["websocket"],
                headers=headers,
                auth=auth,
                wait_timeout=self.timeout,
            )
        except Exception as exc:  # refused, or no answer in time
            return self._fail(result, f"connect failed: {type(exc).__name__}: {exc}")
        return await self._wait(result)

    async def close(self) -> None:
        sio, self._sio = self._sio, None  # its disconnect is then no error (see _on_disconnect)
        self._waiter = None  # whatever was pending on it will never end
        if sio is not None:
            try:
                await sio.disconnect()
            except Exception:
                pass

    def _on_disconnect(self, sio: socketio.AsyncClient, reason: tuple) -> None:
        if sio is not self._sio:  # closed by us
            return
        self._note(f"disconnected by the server ({reason[0] if reason else 'no reason'})")
        if self._waiter is not None and not self._waiter[1].done():
            self._waiter[1].set_exception(Disconnected())

    # -------------------------------------------------------------- events

    async def send(self, name: str, payload: dict | None = None, *, until: Until, label: str | None = None) -> Result:
        """Emit the event ``name`` (a handler's full name) and wait for the message ``until`` accepts."""
        result = self._expect(label or name.rsplit(".", 1)[-1], until)
        if not self.connected:
            return self._fail(result, "not connected")
        event = {"name": name, "payload": payload or {}, "router_data": self.router_data()}
        try:
            await self._sio.emit("event", event, namespace=NAMESPACE)
        except Exception as exc:
            return self._fail(result, f"emit failed: {type(exc).__name__}: {exc}")
        return await self._wait(result)

    async def navigate(self, url: str, *, params: dict[str, str] | None = None, label: str | None = None) -> Result:
        """A client-side navigation (a link): ``on_load_internal`` for ``url`` on the open socket."""
        self.url, self.params = url, dict(params or {})
        return await self.send(ON_LOAD_INTERNAL, until=until_hydrated, label=label or f"navigate {urlsplit(url).path}")

    def _expect(self, label: str, until: Until) -> Result:
        if self._waiter is not None and not self._waiter[1].done():
            raise RuntimeError("one action at a time per client (after a timeout: settle() or open())")
        result = Result(name=label, started=time.perf_counter())
        self._waiter = (until, asyncio.get_running_loop().create_future(), result)
        return result

    async def _wait(self, result: Result) -> Result:
        future = self._waiter[1]
        try:
            await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError:
            # The action stays pending: its late end must not be taken for the next action's (settle).
            result.error = f"timeout: no answer in {self.timeout:.0f}s"
            self._note(result.error, result.name)
            return result
        except Disconnected:
            result.error = "disconnected"  # noted by _on_disconnect
        self._waiter = None
        return result

    async def settle(self, timeout: float) -> bool:
        """After a timeout: wait up to ``timeout`` more seconds for the action's late end, as a user
        waits for a slow page. False if it did not come (then reopen the page: ``open``)."""
        if self._waiter is None:
            return True
        try:
            await asyncio.wait_for(asyncio.shield(self._waiter[1]), timeout)
            return True
        except (TimeoutError, Disconnected):
            return False
        finally:
            self._waiter = None

    def _fail(self, result: Result, error: str) -> Result:
        self._waiter = None
        result.error = error
        self._note(error, result.name)
        return result

    def _note(self, error: str, action: str | None = None) -> None:
        if action is None:
            action = self._waiter[2].name if self._waiter is not None else "idle"
        self.errors.append(f"{action}: {error}")
        if self.on_error is not None:
            self.on_error(action, error)

    def _on_message(self, sio: socketio.AsyncClient, message: Message) -> None:
        now = time.perf_counter()
        if sio is not self._sio:  # a late answer on a socket this client has closed: the page is gone
            return
        self.messages += 1
        for substate, changes in (message.get("delta") or {}).items():
            self.state.setdefault(substate, {}).update(
                {key.removesuffix(VAR_SUFFIX): value for key, value in changes.items()}
            )
        for event in message.get("events") or []:
            script = str((event.get("payload") or {}).get("javascript_code", ""))
            found = re.search(r"history\.replaceState\([^,]*,\s*[^,]*,\s*\"([^\"]*)\"", script)
            if found:
                self.url = found.group(1)
        error = error_of(message)
        if error is not None:
            self._note(error)
        if self._waiter is None:
            return
        until, future, result = self._waiter
        if future.done():
            return
        result.messages.append(message)
        if result.first_ms is None:
            result.first_ms = (now - result.started) * 1000
        if error is not None:
            result.error = error
        if until(message) or error is not None:
            result.ms = (now - result.started) * 1000
            future.set_result(True)

    # -------------------------------------------------------------- state

    def var(self, state: str, name: str, default=None):
        return self.state.get(state, {}).get(name, default)

    # -------------------------------------------------------------- HTTP

    async def get(self, path: str) -> tuple[int, dict[str, str], float]:
        """GET ``path`` without following redirects, with the session cookies; keeps the cookies the
        response sets. Returns (status, headers, ms)."""
        started = time.perf_counter()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.get(self.base_url + path, headers=headers, allow_redirects=False) as response:
                await response.read()
                for name, morsel in response.cookies.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
                return response.status, dict(response.headers), (time.perf_counter() - started) * 1000
