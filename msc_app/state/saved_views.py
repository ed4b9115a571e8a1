"""The customers list's "Views" menu (issue 8): save, apply, share, rename and delete saved views.

The state holds only what the menu shows (names, who shared what); the
views' contents stay on the server. Ids the browser sends (``apply(id)``,
``open_delete(id)``) only say which view was clicked: each is read again
through ``services.saved_views`` for the signed-in actor, so a forged id is
"View not found.", and only the owner's own views can be changed.

Applying a view puts its URL (LIST-9) in the address bar and asks the list to
load from the address bar, exactly as when that link is opened: the list
restores the view within the user's own scope. (The browser sends that
request itself, after changing the address, so that the list reads the new
URL; a server-side chained event would still carry the old one.)
"""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import urlencode

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import saved_views
from msc_app.services.errors import DomainError, NotFound
from msc_app.services.saved_views import DuplicateViewName, SavedViewRead
from msc_app.state.customers import CustomersState
from msc_app.state.form_errors import form_errors
from msc_app.state.session import SessionState, guarded

VIEW_NOT_FOUND = "View not found."
SAVE, RENAME = "save", "rename"


@dataclasses.dataclass
class ViewItem:
    id: int = 0
    name: str = ""
    shared: bool = False
    can_share: bool = False
    owner_name: str = ""
    tenant_name: str = ""
    active: bool = False  # the list shows exactly this view now


def view_url(view: SavedViewRead) -> str:
    """The customers list's address that shows ``view`` (LIST-9)."""
    return "/customers?" + urlencode(view.params)


def _checked(value) -> bool:
    return value in ("on", True, "true")


class SavedViewsState(SessionState):
    my_views: list[ViewItem] = []
    shared_views: list[ViewItem] = []
    views_loaded: bool = False
    menu_open: bool = False
    can_share_current: bool = False  # may share a view saved as the tenant worked as now

    # The Save current view / Rename view dialog
    dialog_open: bool = False
    dialog_mode: str = SAVE
    dialog_name: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    form_key: str = ""
    replace_name: str = ""  # set when the name is taken: the dialog offers to replace that view

    # The Delete confirmation
    delete_open: bool = False
    delete_name: str = ""
    delete_shared: bool = False

    _rename_id: int = 0
    _delete_id: int = 0
    _pending: dict = {}  # {"name", "shared"} of a save waiting for "Replace"
    _opened: int = 0

    # ------------------------------------------------------------ reading

    async def _current_view(self) -> tuple[dict, list]:
        """The list's view as it stands: its URL parameters (without the page) and visible columns."""
        customers = await self.get_state(CustomersState)
        return customers._current_query().to_params(), list(customers.visible_columns)

    async def _read(self, actor, active_id: int | None = None) -> None:
        """Read the menu again; mark the view the list shows (``active_id``, else by comparing)."""
        with session_scope() as session:
            views = saved_views.list_views(session=session, actor=actor)
        self.can_share_current = saved_views.may_share_as(actor)
        if active_id is None:
            query, columns = await self._current_view()
            query, columns = saved_views.clean_query(query), saved_views.clean_columns(columns)
            active_id = next((v.id for v in views if v.query == query and v.columns == columns), 0)
        items = [
            ViewItem(
                id=v.id,
                name=v.name,
                shared=v.shared,
                can_share=v.can_share,
                owner_name=v.owner_name,
                tenant_name=v.tenant_name,
                active=v.id == active_id,
            )
            for v in views
        ]
        self.my_views = [i for i, v in zip(items, views, strict=True) if v.mine]
        self.shared_views = [i for i, v in zip(items, views, strict=True) if not v.mine]
        self.views_loaded = True

    def _close(self) -> None:
        """The list's page loaded: no menu or dialog left open from before. The views themselves are read
        when the menu opens (``set_menu_open``), the only place they show."""
        self.menu_open = self.dialog_open = self.delete_open = False

    @rx.event
    @guarded
    async def set_menu_open(self, value: bool):
        """Opening the menu reads it: views saved, shared or deleted since the page loaded show as they are."""
        if not value:
            self.menu_open = False
            return
        await self._read(self._signed_actor())
        self.menu_open = True

    # ------------------------------------------------------------ apply

    @rx.event
    @guarded
    async def apply(self, view_id: int):
        """Show a view: its URL in the address bar, then the list loads from it (LIST-9)."""
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                view = saved_views.get_view(session=session, actor=actor, view_id=view_id)
        except DomainError as exc:
            await self._read(actor)
            return rx.toast.error(exc.message)
        self.menu_open = False
        await self._read(actor, active_id=view.id)
        url = json.dumps(view_url(view))
        return rx.call_script(
            f"window.history.replaceState(window.history.state, '', {url})",
            callback=CustomersState.on_load,
        )

    # ------------------------------------------------------------ save and rename

    def _open_dialog(self, mode: str, name: str = "", rename_id: int = 0) -> None:
        self._opened += 1
        self.dialog_mode = mode
        self.dialog_name = name
        self._rename_id = rename_id
        self._pending = {}
        self.errors, self.form_error, self.replace_name = {}, "", ""
        self.form_key = f"view-{mode}-{rename_id}-{self._opened}"
        self.menu_open = False
        self.dialog_open = True

    @rx.event
    @guarded
    def open_save(self):
        self.can_share_current = saved_views.may_share_as(self._signed_actor())
        self._open_dialog(SAVE)

    @rx.event
    @guarded
    def open_rename(self, view_id: int):
        view = self._own_view(self._signed_actor(), view_id)
        self._open_dialog(RENAME, name=view.name, rename_id=view.id)

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    def _own_view(self, actor, view_id) -> SavedViewRead:
        """One of the actor's own views (a shared one is as unknown as a missing one, here)."""
        with session_scope() as session:
            view = saved_views.get_view(session=session, actor=actor, view_id=view_id)
        if not view.mine:
            raise NotFound("View")
        return view

    async def _save(self, actor, name: str, shared: bool, replace: bool):
        query, columns = await self._current_view()
        with session_scope() as session:
            view = saved_views.save_view(
                session=session,
                actor=actor,
                name=name,
                query_params=query,
                columns=columns,
                shared=shared,
                replace=replace,
            )
        return view

    def _show_refusal(self, exc: DomainError, *, name: str = "", shared: bool = False) -> None:
        self.errors, self.form_error = form_errors(exc)
        if isinstance(exc, DuplicateViewName) and self.dialog_mode == SAVE:
            self.replace_name = name
            self._pending = {"name": name, "shared": shared}
        else:
            self.replace_name, self._pending = "", {}

    async def _saved(self, actor, view: SavedViewRead, message: str):
        self.dialog_open = False
        self._pending, self.replace_name = {}, ""
        await self._read(actor)
        return rx.toast.success(message)

    @rx.event
    @guarded
    async def submit(self, form_data: dict):
        """Save the current view under a name, or rename a view; errors go next to the Name field."""
        self.errors, self.form_error = {}, ""
        actor = self._signed_actor()
        if not self.dialog_open:
            return None
        name = str(form_data.get("name") or "")
        shared = _checked(form_data.get("shared"))
        try:
            if self.dialog_mode == RENAME:
                with session_scope() as session:
                    view = saved_views.rename_view(session=session, actor=actor, view_id=self._rename_id, name=name)
                return await self._saved(actor, view, f"View renamed to “{view.name}”.")
            view = await self._save(actor, name, shared, replace=False)
        except DomainError as exc:
            self._show_refusal(exc, name=name, shared=shared)
            return None
        return await self._saved(actor, view, self._saved_message(view))

    @rx.event
    @guarded
    async def replace_existing(self):
        """The name was taken and the user chose to replace that view with what the list shows now."""
        actor = self._signed_actor()
        if not self.dialog_open or not self._pending:
            return None
        name, shared = self._pending["name"], self._pending["shared"]
        try:
            view = await self._save(actor, name, shared, replace=True)
        except DomainError as exc:
            self._show_refusal(exc)
            return None
        return await self._saved(actor, view, f"View “{view.name}” replaced.")

    @staticmethod
    def _saved_message(view: SavedViewRead) -> str:
        if view.shared:
            return f"View “{view.name}” saved and shared with the tenants below {view.tenant_name}."
        return f"View “{view.name}” saved."

    # ------------------------------------------------------------ share

    @rx.event
    @guarded
    async def set_shared(self, view_id: int, shared: bool):
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                view = saved_views.set_shared(session=session, actor=actor, view_id=view_id, shared=shared is True)
        except DomainError as exc:
            await self._read(actor)
            return rx.toast.error(exc.message)
        await self._read(actor)
        if view.shared:
            return rx.toast.success(f"“{view.name}” is shared with the tenants below {view.tenant_name}.")
        return rx.toast.success(f"“{view.name}” is no longer shared.")

    # ------------------------------------------------------------ delete

    @rx.event
    @guarded
    def open_delete(self, view_id: int):
        view = self._own_view(self._signed_actor(), view_id)
        self._delete_id = view.id
        self.delete_name = view.name
        self.delete_shared = view.shared
        self.menu_open = False
        self.delete_open = True
        return None

    @rx.event
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)
        if not value:
            self._delete_id = 0

    @rx.event
    @guarded
    async def confirm_delete(self):
        actor = self._signed_actor()
        if not self.delete_open or not self._delete_id:
            return None
        name = self.delete_name
        try:
            with session_scope() as session:
                saved_views.delete_view(session=session, actor=actor, view_id=self._delete_id)
        except DomainError as exc:
            self.delete_open, self._delete_id = False, 0
            await self._read(actor)
            return rx.toast.error(exc.message)
        self.delete_open, self._delete_id = False, 0
        await self._read(actor)
        return rx.toast.success(f"View “{name}” deleted.")
