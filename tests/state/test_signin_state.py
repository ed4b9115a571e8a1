"""The sign-in page's state, its handlers called directly as Reflex dispatches them (no browser).

AUTH-1 / AUTH-5: a user who signs in before the page's on_load has run (fast typing, a password manager,
a loaded server) must still read the answer to that attempt. Reflex queues a page's on_load behind its
hydrate event, so a sign-in sent right after the page appeared can be handled first; on_load then must
not reset the message. CI's production run once lost "Incorrect email or password." exactly so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from reflex_base.constants import RouteVar

from msc_app.state.signin import SignInState
from tests.conftest import World
from tests.security import handlers as h

GENERIC = "Incorrect email or password."


@pytest.fixture(scope="module")
def route() -> Iterator[h.DatabaseRoute]:
    h.load_state_modules()
    route = h.DatabaseRoute()
    with pytest.MonkeyPatch.context() as mp:
        route.install(mp)
        yield route


@pytest.fixture
def client(route, database) -> Iterator[h.DatabaseRoute]:
    """The app's sessions run in one transaction of the test database, rolled back afterwards."""
    with database.engine.connect() as connection:
        outer = connection.begin()
        route.connection = connection
        try:
            yield route
        finally:
            route.connection = None
            outer.rollback()


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _page(connection_id: str):
    """A browser tab on /signin whose websocket connection is ``connection_id``."""
    root = h.new_tree(token=None, path="/signin")
    _reconnect(root, connection_id)
    return root


def _reconnect(root, connection_id: str) -> None:
    data = h.router_data(cookie=None, path="/signin")
    data[RouteVar.SESSION_ID] = connection_id
    root.router_data = root._update_router_vars(data, {})


def _wrong_password(root, world: World, loop) -> None:
    outcome = h.invoke(root, SignInState, "sign_in", ({"email": world.emails["r1_viewer"], "password": "wrong"},), loop)
    assert outcome.raised is None


def test_auth_5_an_attempt_that_overtook_on_load_keeps_its_message(client, world: World, loop):
    root = _page("connection-1")
    state = h.substate(root, SignInState)
    _wrong_password(root, world, loop)
    assert state.error == GENERIC
    h.invoke(root, SignInState, "on_load", (), loop)  # the page's on_load, handled after the attempt
    assert state.error == GENERIC


def test_auth_1_a_new_page_load_starts_without_the_old_message(client, world: World, loop):
    root = _page("connection-1")
    state = h.substate(root, SignInState)
    _wrong_password(root, world, loop)
    _reconnect(root, "connection-2")  # the user reloads the page: a new websocket
    h.invoke(root, SignInState, "on_load", (), loop)
    assert state.error == ""


def test_auth_5_the_attempt_was_counted(client, world: World, loop):
    """The positive control: the attempt above really reached the throttle (the message is its answer)."""
    from sqlmodel import Session, func, select

    from msc_app.models import LoginAttempt

    root = _page("connection-1")
    _wrong_password(root, world, loop)
    with Session(bind=client.connection) as session:
        counted = session.exec(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == world.emails["r1_viewer"])
        ).one()
    assert counted == 1
