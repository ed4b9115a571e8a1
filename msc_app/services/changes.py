"""Which customers changed: noted in the transaction, announced when it commits (issue 7, live updates).

Every change is audited (``audit.record``), and the audit event names the customer's account, so
the audit hook notes that account on the session (``note``). When the transaction commits, the
accounts are announced once: on the installation's Redis channel (``channel()``) when ``REFLEX_REDIS_URL`` is set (every
backend worker subscribes, msc_app/live.py), else to the in-process ``listeners`` (one worker).
A rolled-back transaction announces nothing. The announcement carries only account ids; each open
page reloads what its own user may see, so it reveals nothing outside a viewer's scope.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from msc_app.settings import database_url, redis_url

_PREFIX = "msc:changes:"
_KEY = "msc_changed_accounts"
log = logging.getLogger(__name__)

# In-process subscribers (used when there is no Redis): each gets the set of changed account ids.
listeners: list[Callable[[set[int]], None]] = []


def channel() -> str:
    """The Redis channel of this installation: workers that share a database share it (and servers of
    other databases on the same Redis, such as test servers, do not hear each other)."""
    import hashlib

    return _PREFIX + hashlib.sha256(database_url().encode()).hexdigest()[:16]


def note(session: Session, account_id: int | None) -> None:
    if account_id:
        session.info.setdefault(_KEY, set()).add(int(account_id))


@cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def encode(ids: Iterable[int]) -> str:
    return json.dumps(sorted(ids))


def decode(payload: bytes | str) -> set[int]:
    try:
        return {int(i) for i in json.loads(payload)}
    except (ValueError, TypeError):
        return set()


def announce(ids: set[int]) -> None:
    """Tell every worker that these accounts changed; never fails the change that was committed."""
    url = redis_url()
    if url:
        try:
            _redis_client(url).publish(channel(), encode(ids))
        except Exception:  # Redis away: the change stands; open pages catch up on their next action
            log.warning("could not announce a change on Redis", exc_info=True)
        return
    for listener in list(listeners):
        listener(set(ids))


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ids = session.info.pop(_KEY, None)
    if ids:
        announce(ids)


@sa.event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
