"""Live updates (issue 7): a change committed on any worker shows on every open page that lists it.

Pages register what they show when they load (``watch``): the customers list and the contracts list
register the tenant whose scope they list, a customer's page its customer. This worker's lifespan task
(``live_updates``) receives the changed account ids (services/changes.py: Redis pub/sub when
``REFLEX_REDIS_URL`` is set, so every worker hears every change; in-process otherwise), widens them to
their ancestors (a reseller's and a distributor's list show their customers), and reloads each
affected page's state through ``app.modify_state``, which sends the delta to that browser. The reload
is the page's own scoped read as its own user, so an update never reveals anything outside a viewer's
scope. Registrations are per worker: a client's events, and so its ``watch``, run where its
websocket is connected; clients that went away are dropped.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass

import reflex as rx
from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import Account
from msc_app.services import changes
from msc_app.settings import redis_url

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.05  # changes arriving together reload each page once


@dataclass(frozen=True)
class Watch:
    state_cls: type
    scope_account_id: int = 0  # a list: the tenant whose scope it shows
    customer_id: int = 0  # a customer's page


_watches: dict[str, Watch] = {}


def watch(state: rx.State, *, scope_account_id: int = 0, customer_id: int = 0) -> None:
    """Called by a page state when it loads: reload me (``_live_refresh``) when what I show changes."""
    token = state.router.session.client_token
    if token:
        _watches[token] = Watch(type(state), scope_account_id=scope_account_id, customer_id=customer_id)


def _with_ancestors(ids: set[int]) -> set[int]:
    found, frontier = set(ids), set(ids)
    with session_scope() as session:
        for _ in range(4):  # customer -> reseller -> distributor (and a spare level)
            parents = set(session.exec(select(Account.parent_id).where(Account.id.in_(frontier))).all()) - {None}
            frontier = parents - found
            if not frontier:
                break
            found |= frontier
    return found


def affected(watches: dict[str, Watch], changed: set[int], chain: set[int]) -> list[tuple[str, Watch]]:
    """The registrations a change touches: a customer's page of a changed customer, a list whose scope
    holds one (its tenant is the customer or an ancestor)."""
    return [
        (token, w)
        for token, w in watches.items()
        if (w.customer_id and w.customer_id in changed) or (w.scope_account_id and w.scope_account_id in chain)
    ]


async def _dispatch(changed: set[int]) -> None:
    from msc_app.msc_app import app  # the running app (imported by the time lifespan tasks run)

    if not _watches:
        return
    chain = await asyncio.to_thread(_with_ancestors, changed)
    connected = app.event_namespace.token_to_sid if app.event_namespace else {}
    for token in [t for t in _watches if t not in connected]:
        _watches.pop(token, None)
    for token, w in affected(dict(_watches), changed, chain):
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=w.state_cls)) as root:
                state = await root.get_state(w.state_cls)
                await state._live_refresh()
        except Exception:  # one client's failure must not stop the others' updates
            log.warning("live update of a client failed", exc_info=True)


async def _drain(queue: asyncio.Queue) -> set[int]:
    changed = set(await queue.get())
    await asyncio.sleep(COALESCE_SECONDS)
    while not queue.empty():
        changed |= queue.get_nowait()
    return changed


async def _consume(queue: asyncio.Queue) -> None:
    while True:
        changed = await _drain(queue)
        await _dispatch(changed)


async def _listen_redis(url: str, queue: asyncio.Queue) -> None:
    import redis.asyncio as aioredis

    while True:
        try:
            client = aioredis.Redis.from_url(url)
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(changes.channel())
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        queue.put_nowait(changes.decode(message["data"]))
        except asyncio.CancelledError:
            raise
        except Exception:  # Redis restarting: listen again shortly
            log.warning("live updates: Redis subscription lost; retrying", exc_info=True)
            await asyncio.sleep(1)


@asynccontextmanager
async def live_updates():
    """Lifespan task of each backend worker."""
    queue: asyncio.Queue = asyncio.Queue()
    url = redis_url()
    tasks = [asyncio.create_task(_consume(queue))]
    listener = None
    if url:
        tasks.append(asyncio.create_task(_listen_redis(url, queue)))
    else:
        loop = asyncio.get_running_loop()

        def listener(ids: set[int]) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, ids)

        changes.listeners.append(listener)
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        if listener in changes.listeners:
            changes.listeners.remove(listener)
