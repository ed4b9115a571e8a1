"""Issue 14: one seam on SessionState that every handler uses (``session.guarded``).

Every event handler of every state in ``msc_app.state`` either goes through ``guarded`` (the actor resolved once
per event, a signed-out client sent to sign-in before the handler runs, an uncaught ``DomainError`` shown as an
error toast) or is on one of two explicit lists below: PUBLIC (works without a session on purpose) and UI_ONLY
(touches no data: a dialog toggle, a field of a form). A new handler that is on neither list and not guarded fails
``test_every_data_handler_is_guarded``; a UI_ONLY handler that reaches the database, the session or another state
(itself or through the state's own helpers) fails ``test_ui_only_handlers_touch_no_data``.
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import re
import textwrap

import pytest

from msc_app.state import session as session_module
from msc_app.state.session import SessionState, guarded, is_guarded, is_page_gate
from tests.security import handlers as h

HANDLERS = h.event_handlers()  # "Class.handler" -> (class, name)

# Handlers that work without a session, on purpose (class name alone: every handler of that state).
PUBLIC = {
    "SignInState": "the sign-in page: signs a visitor in",
    "FirstRunState": "the first-run page: creates the first admin of an empty installation",
    "InviteState": "the invitation link: its token is the only key (AUTH-3)",
    "SessionState.sign_out": "ends this client's session by its token; nothing to refuse",
    "SessionState.sign_out_everywhere": "ends the user's sessions by this client's token; nothing to refuse",
    "BulkState.run": "a background task (state changes only inside `async with self`): each chunk looks the "
    "session up again from its token (customer_bulk._apply_chunk), so an ended session stops the run",
}

# Handlers that touch no data: they set vars of their own state from what the browser sent, nothing else.
UI_ONLY = {
    "CustomersState.set_columns_dialog_open",
    "CustomersState.open_row_menu",
    "CustomersState.set_row_menu_open",
    "ContactsState.set_contact_dialog_open",
    "ContactsState.set_delete_dialog_open",
    "ProductsState.set_form_open",
    "ProductsState.set_confirm_open",
    "EditCustomerState.set_open",
    "DeleteCustomerState.set_open",
    "CreateCustomerState.set_open",
    "CreateCustomerState.set_hide_name",
    "OnboardingState.set_open",
    "TenantSwitchState.set_dialog_open",
    "UsersState.set_invite_open",
    "UsersState.set_deactivate_open",
    "ExportState.set_export_open",
    "ExportState.toggle_export_column",
    "ExportState.select_all_export",
    "ExportState.export_report",
    "FilterPanelState.set_panel_open",
    "FilterPanelState.toggle",
    "FilterPanelState.set_draft_status",
    "FilterPanelState.set_narrow_product",
    "FilterPanelState.set_narrow_edition",
    "FilterPanelState.set_narrow_workload",
    "SecurityState.dismiss_codes",
    "ApiTokensState.open_create",
    "ApiTokensState.set_create_open",
    "ApiTokensState.dismiss_new_token",
    "ApiTokensState.ask_revoke",
    "ApiTokensState.set_revoke_open",
    "SavedViewsState.set_dialog_open",
    "SavedViewsState.set_delete_open",
    "BulkState.clear_selection",
    "BulkState.set_plan_id",
    "BulkState.set_product_type",
    "BulkState.back",
    "BulkState.set_dialog_open",
    "BulkState.export_report",
}

# What a handler that touches no data never names: the database, the session and its actor, other states.
DATA_NAMES = {"session_scope", "_actor", "_signed_actor", "_lookup_actor", "session_token", "get_state", "auth"}


def _public(key: str) -> bool:
    return key in PUBLIC or key.split(".", 1)[0] in PUBLIC


def _reflex_setvar(key: str) -> bool:
    """Reflex's own ``setvar``: it only calls the state's explicit ``set_<name>`` handlers, each listed here."""
    return key.endswith(".setvar")


def test_every_data_handler_is_guarded():
    """Every handler that is neither public nor UI-only goes through the seam; a new unguarded one fails here."""
    unguarded = sorted(
        key
        for key, (cls, name) in HANDLERS.items()
        if not is_guarded(cls.event_handlers[name]) and not _public(key) and key not in UI_ONLY
        and not _reflex_setvar(key)
    )  # fmt: skip
    assert not unguarded, f"handlers without the guarded seam (decorate them, or list them with a reason): {unguarded}"


def test_the_lists_name_only_existing_unguarded_handlers():
    """The allow-lists stay honest: nothing listed that is gone, or that is guarded after all."""
    classes = {key.split(".", 1)[0] for key in HANDLERS}
    stale = sorted(key for key in (*PUBLIC, *UI_ONLY) if key not in HANDLERS and key not in classes)
    assert not stale, f"listed handlers that no longer exist: {stale}"
    listed_guarded = sorted(key for key in UI_ONLY if is_guarded(HANDLERS[key][0].event_handlers[HANDLERS[key][1]]))
    assert not listed_guarded, f"guarded handlers listed as UI-only: {listed_guarded}"
    assert not (set(PUBLIC) & UI_ONLY)


def _names_reached(cls: type, fn, seen: set[str]) -> set[str]:
    """Every name and attribute the function's source uses, and those of the ``self.<method>`` it calls."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(fn))))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            if isinstance(node.value, ast.Name) and node.value.id == "self" and node.attr not in seen:
                method = inspect.getattr_static(cls, node.attr, None)
                if inspect.isfunction(method):
                    seen.add(node.attr)
                    names |= _names_reached(cls, method, seen)
    return names


@pytest.mark.parametrize("key", sorted(UI_ONLY))
def test_ui_only_handlers_touch_no_data(key):
    """A UI-only handler (and every helper of its state it calls) names no database session, no actor or session
    token and no other state: what it changes is its own state's vars, from the browser's arguments."""
    cls, name = HANDLERS[key]
    reached = _names_reached(cls, cls.event_handlers[name].fn, set())
    assert not reached & DATA_NAMES, f"{key} reaches {sorted(reached & DATA_NAMES)}: guard it instead"


PUBLIC_ROUTES = {"/", "/signin", "/setup", "/invite/[token]"}  # pages.shell.public_page


def _registered_pages() -> dict[str, list]:
    """route -> on_load list of every page of ``msc_app.pages`` (as ``rx.page`` registered it)."""
    import importlib
    import pkgutil

    from reflex_base.registry import RegistrationContext

    import msc_app.pages as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"msc_app.pages.{module.name}")
    found = RegistrationContext.ensure_context().decorated_pages
    return {kwargs["route"]: list(kwargs.get("on_load") or []) for _fn, kwargs in found if "route" in kwargs}


def test_every_protected_page_opens_with_one_gated_loader():
    """Each protected page's on_load is one ``guarded(page=True)`` loader: the session check and the page's data
    in one event, without ``require_session`` chained in front of it or a second loader after it."""
    pages = _registered_pages()
    protected = {route: loaders for route, loaders in pages.items() if route not in PUBLIC_ROUTES}
    assert PUBLIC_ROUTES <= set(pages) and len(protected) >= 7, sorted(pages)
    for route, loaders in protected.items():
        names = [getattr(getattr(x, "fn", None), "__qualname__", repr(x)) for x in loaders]
        assert len(loaders) == 1 and is_page_gate(loaders[0]), f"{route}: on_load is {names}"


def test_no_state_looks_the_actor_up_but_the_seam():
    """``self._actor()`` (a lookup of its own) only in session.py and on the public sign-in page; every other
    state reads the seam's actor (``self._signed_actor()``)."""
    root = pathlib.Path(session_module.__file__).parent
    users = sorted(p.name for p in root.glob("*.py") if "self._actor()" in p.read_text())
    assert set(users) <= {"session.py", "signin.py"}, users


# ---------------------------------------------------------------- the seam itself, without a database


class _Lookups:
    def __init__(self, actor):
        self.actor, self.calls = actor, 0

    def __call__(self, *_state):  # a class attribute that is no function: called without the state
        self.calls += 1
        return self.actor


def _state(path: str = "/customers"):
    return h.substate(h.new_tree(token="a-session-token", path=path), SessionState)


def test_signed_actor_outside_a_guarded_handler_is_an_error():
    with pytest.raises(RuntimeError, match="outside a @guarded handler"):
        _state()._signed_actor()


def test_the_seam_resolves_the_actor_once_per_event_and_shares_it(monkeypatch):
    """Nested guarded calls (a handler, the substates' loaders it runs) share one lookup; the next event looks
    again, so a session revoked in between stops there."""
    actor = object()
    lookups = _Lookups(actor)
    monkeypatch.setattr(SessionState, "_lookup_actor", lookups)
    state = _state()
    inner = guarded(lambda self: self._signed_actor())
    outer = guarded(lambda self: (self._signed_actor(), inner(self), self._actor()))
    assert outer(state) == (actor, actor, actor)
    assert lookups.calls == 1
    with pytest.raises(RuntimeError):
        state._signed_actor()  # nothing is kept after the event
    lookups.actor = None  # the session was revoked
    assert h.describe(outer(state)) == ("redirect", "/signin?next=/customers")
    assert lookups.calls == 2


def test_a_signed_out_client_never_runs_the_handler_and_is_forgotten(monkeypatch):
    monkeypatch.setattr(SessionState, "_lookup_actor", _Lookups(None))
    state = _state(path="/users")
    state.signed_in, state.user_name = True, "Someone"
    ran = []
    handler = guarded(lambda self: ran.append(True))
    assert h.describe(handler(state)) == ("redirect", "/signin?next=/users")
    assert ran == [] and state.signed_in is False and state.user_name == ""


def test_an_uncaught_domain_error_is_an_error_toast(monkeypatch):
    from msc_app.services.errors import NotFound

    monkeypatch.setattr(SessionState, "_lookup_actor", _Lookups(object()))

    def handler(self):
        raise NotFound("Contact")

    assert h.describe(guarded(handler)(_state())) == ("toast.error", NotFound("Contact").message)
