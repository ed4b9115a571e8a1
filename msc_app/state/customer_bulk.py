"""Bulk actions on the customers list (issue 8): the selection, the action dialog and its progress.

The selection is either ids ticked by hand — kept while the user pages, so rows
of several pages can be chosen — or "all N matching" the list's view, which
holds the view (search and filters), never the ids: the server finds them when
the action runs (``services.bulk``). A new search or filter makes another set of
rows, so it clears the selection; sorting and paging do not.

Only the ids of the current page's selectable rows can be ticked (customers,
not context rows, resellers or the tenant the user works as), and every id is
judged again by the service, in the signed-in actor's scope, when it runs.

The dialog: choose (the plan, for an assignment) -> confirm ("This changes N
customers") -> running (a background task: each chunk of customers in a
transaction of its own, in a worker thread, with the progress sent between
chunks) -> done (how many changed, and each refused customer with the rule's
reason).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from urllib.parse import urlencode

import reflex as rx

from msc_app.api.export import EXPORT_PATH
from msc_app.db import session_scope
from msc_app.models import ProductType
from msc_app.services import auth, bulk, customer_export
from msc_app.services.bulk import BulkAction, BulkResult, Selection
from msc_app.services.customers import ListQuery
from msc_app.services.errors import DomainError, PermissionDenied, ValidationError
from msc_app.state.customers import FILTER_LISTS, CustomersState
from msc_app.state.form_errors import form_errors
from msc_app.state.session import SessionState, guarded

ALL_PRODUCTS = "all"
PRODUCT_TYPE_CHOICES = [(ALL_PRODUCTS, "All products"), *[(t.value, t.value) for t in ProductType]]
SHOWN_FAILURES = 100  # refused customers listed in the dialog; the count says how many in all
EXPORT_REPORT_FORM_ID = "msc-bulk-export-report"
ACTION_LABELS = {
    BulkAction.ASSIGN_PLAN: "Assign service plan",
    BulkAction.SUSPEND: "Suspend products",
    BulkAction.ACTIVATE: "Activate products",
}


@dataclasses.dataclass
class SelectionView:
    """The selection as the page shows it (empty when it belongs to another view)."""

    count: int = 0  # customers selected
    all_matching: bool = False
    ids: list[int] = dataclasses.field(default_factory=list)
    page: str = "none"  # the current page's selectable rows: "all", "some" or "none" selected
    page_selectable: int = 0


@dataclasses.dataclass
class PlanChoice:
    value: str
    label: str


@dataclasses.dataclass
class FailureRow:
    key: str
    name: str
    message: str


def view_key(search: str, filters: dict, status: str) -> str:
    """The rows a view holds: its search and filters (not its sort, page or page size)."""
    query = ListQuery.parse(search=search, status=status, **{name: filters.get(name, []) for name in FILTER_LISTS})
    params = query.to_params()
    for key in ("sort", "desc", "page", "size"):
        params.pop(key, None)
    return urlencode(sorted(params.items()))


def selectable_ids(rows, own_account_id: int) -> list[int]:
    """The rows of a page a bulk action can take: customers, not context rows nor the own tenant."""
    return [r.id for r in rows if not r.is_context and not r.is_reseller and r.id != own_account_id]


def _apply_chunk(token: str, selection: Selection, action: str, plan_id, product_type, after_id: int):
    """One chunk in a transaction of its own (run in a worker thread): (result, last id), or None when
    the selection is exhausted. The actor is looked up again from the session token each time, so a
    session that ends stops the run."""
    with session_scope() as session:
        actor = auth.actor_for_token(session=session, token=token) if token else None
        if actor is None:
            raise DomainError("Your session has ended. Sign in again to continue.")
        ids = bulk.next_chunk(session=session, actor=actor, selection=selection, after_id=after_id)
        if not ids:
            return None
        change = bulk.change_for(session=session, actor=actor, action=action, plan_id=plan_id, product_type=product_type)
        return bulk.apply_to_ids(session=session, actor=actor, account_ids=ids, change=change), ids[-1]


class BulkState(SessionState):
    can_select: bool = False
    # The selection: ids ticked by hand, or every customer matching the view it was made in.
    selected_ids: list[int] = []
    all_matching: bool = False
    matching_count: int = 0  # customers the view matches (for "Select all N matching")
    selection_view: str = ""  # view_key() of the view the selection belongs to
    _matching_params: dict[str, str] = {}  # the "all matching" view, as URL parameters

    # The dialog.
    dialog_open: bool = False
    action: str = ""
    step: str = "choose"  # choose, confirm, running, done
    plans: list[PlanChoice] = []
    plan_id: str = ""
    product_type: str = ALL_PRODUCTS
    errors: dict[str, str] = {}
    error: str = ""
    affected: int = 0  # the confirmation's count
    processed: int = 0
    changed: int = 0
    products_changed: int = 0
    unchanged: int = 0
    failures: list[FailureRow] = []
    failure_count: int = 0

    # The selection's CSV export (streamed by api/export.py, progress reported by assets/msc-export.js).
    export_running: bool = False
    export_rows: int = 0
    export_total: int = 0
    export_message: str = ""

    @rx.var
    async def selection(self) -> SelectionView:
        view = await self.get_state(CustomersState)
        page = selectable_ids(view.rows, self.current_account_id)
        if self.selection_view != view_key(view.search, view.filters, view.filter_status):
            return SelectionView(page_selectable=len(page))
        if self.all_matching:
            return SelectionView(
                count=self.matching_count, all_matching=True, page="all" if page else "none", page_selectable=len(page)
            )
        chosen = set(self.selected_ids)
        on_page = sum(1 for i in page if i in chosen)
        state = "none" if on_page == 0 else "all" if on_page == len(page) else "some"
        return SelectionView(count=len(chosen), ids=list(self.selected_ids), page=state, page_selectable=len(page))

    @rx.var
    def percent(self) -> int:
        return min(100, 100 * self.processed // self.affected) if self.affected else 0

    @rx.var
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, "")

    @rx.var
    def plan_name(self) -> str:
        return next((p.label for p in self.plans if p.value == self.plan_id), "")

    # ------------------------------------------------------------ the selection

    async def _view(self) -> tuple[CustomersState, str]:
        view = await self.get_state(CustomersState)
        return view, view_key(view.search, view.filters, view.filter_status)

    async def _current(self) -> CustomersState:
        """The list's state, with the selection cleared if it belongs to another view."""
        view, key = await self._view()
        if self.selection_view != key:
            self._clear()
            self.selection_view = key
        return view

    def _clear(self) -> None:
        self.selected_ids = []
        self.all_matching = False
        self.matching_count = 0
        self._matching_params = {}

    def _count_matching(self, view: CustomersState) -> None:
        with session_scope() as session:
            self.matching_count = bulk.count_selected(
                session=session, actor=self._signed_actor(), selection=Selection.all_matching(view._current_query())
            )

    def _may_select(self) -> bool:
        """Checked on every selection event too: hiding the checkboxes is not the protection."""
        return bulk.may_change_products(self._signed_actor())

    @rx.event
    @guarded
    def prepare(self):
        """The list was (re)mounted: who may select, and no selection left over from elsewhere."""
        self.can_select = self._may_select()
        self._clear()
        self.selection_view = ""
        self.dialog_open = False

    @rx.event
    @guarded
    async def toggle_row(self, account_id: int, checked: bool):
        if not self._may_select():
            return
        view = await self._current()
        page = selectable_ids(view.rows, self.current_account_id)
        try:
            account_id = int(account_id)
        except (TypeError, ValueError):
            return
        if account_id not in page:
            return  # only the rows on the page can be ticked
        if self.all_matching:
            if not checked:  # leave "all matching" for this page's rows but the one unticked
                self._clear()
                self.selected_ids = [i for i in page if i != account_id]
            return
        chosen = [i for i in self.selected_ids if i != account_id]
        self.selected_ids = [*chosen, account_id] if checked else chosen
        if len(self.selected_ids) > bulk.MAX_EXPLICIT_IDS:
            self.selected_ids = chosen
            return rx.toast.error(f"Select at most {bulk.MAX_EXPLICIT_IDS:,} customers by hand, or select all matching.")
        if checked and set(page) <= set(self.selected_ids):
            self._count_matching(view)  # the whole page is ticked: offer all matching

    @rx.event
    @guarded
    async def toggle_page(self, checked: bool):
        """The header checkbox: every selectable row of this page."""
        if not self._may_select():
            return
        view = await self._current()
        page = selectable_ids(view.rows, self.current_account_id)
        if checked:
            if not self.all_matching:
                self.selected_ids = [*[i for i in self.selected_ids if i not in page], *page]
                self._count_matching(view)
        else:
            if self.all_matching:
                self._clear()
            else:
                self.selected_ids = [i for i in self.selected_ids if i not in page]

    @rx.event
    @guarded
    async def select_all_matching(self):
        if not self._may_select():
            return
        view = await self._current()
        self._clear()
        self._count_matching(view)
        params = view._current_query().to_params()
        for key in ("page", "size", "sort", "desc"):
            params.pop(key, None)
        self._matching_params = params
        self.all_matching = True

    @rx.event
    def clear_selection(self):
        self._clear()

    async def _selection_now(self) -> Selection | None:
        """The selection for an action, or None when there is none (or it belongs to another view)."""
        await self._current()
        if self.all_matching:
            return Selection.all_matching(ListQuery.from_params(self._matching_params))
        if self.selected_ids:
            return Selection.of_ids(self.selected_ids)
        return None

    # ------------------------------------------------------------ the dialog

    def _reset_dialog(self, action: str) -> None:
        self.action = action
        self.step = "choose"
        self.errors = {}
        self.error = ""
        self.affected = self.processed = self.changed = self.products_changed = self.unchanged = 0
        self.failures = []
        self.failure_count = 0

    @rx.event
    @guarded
    async def open_action(self, action: str):
        if action not in ACTION_LABELS:
            return
        actor = self._signed_actor()
        if not bulk.may_change_products(actor):
            return rx.toast.error(PermissionDenied().message)
        selection = await self._selection_now()
        if selection is None:
            return rx.toast.info("Select customers first.")
        self._reset_dialog(action)
        if action == BulkAction.ASSIGN_PLAN:
            with session_scope() as session:
                choices = bulk.plan_choices(session=session, actor=actor)
            self.plans = [PlanChoice(value=str(p.id), label=f"{p.name} ({p.edition})") for p in choices]
            self.plan_id = ""
            self.product_type = ALL_PRODUCTS
        else:
            self._confirm(actor, selection)
        self.dialog_open = True

    def _confirm(self, actor, selection: Selection) -> None:
        with session_scope() as session:
            self.affected = bulk.count_selected(session=session, actor=actor, selection=selection)
        self.step = "confirm"

    @rx.event
    def set_plan_id(self, value: str):
        self.plan_id = str(value)
        self.errors = {k: v for k, v in self.errors.items() if k != "service_plan_id"}

    @rx.event
    def set_product_type(self, value: str):
        self.product_type = str(value)
        self.errors = {}

    def _product_type(self) -> str | None:
        return None if self.product_type == ALL_PRODUCTS else self.product_type

    @rx.event
    @guarded
    async def review(self):
        """Assign: the plan chosen, checked by the service, then the confirmation with the count."""
        actor = self._signed_actor()
        selection = await self._selection_now()
        if selection is None:
            self.error = "The selection was cleared because the list changed. Select customers again."
            return
        try:
            with session_scope() as session:
                bulk.change_for(
                    session=session, actor=actor, action=self.action, plan_id=self.plan_id, product_type=self._product_type()
                )
        except ValidationError as exc:
            self.errors, self.error = form_errors(exc)
            return
        except DomainError as exc:
            self.error = exc.message
            return
        self.errors, self.error = {}, ""
        self._confirm(actor, selection)

    @rx.event
    def back(self):
        self.step = "choose"

    @rx.event
    def set_dialog_open(self, value: bool):
        if self.step == "running":
            return  # the run goes on; the dialog shows its progress until it ends
        self.dialog_open = value
        if not value and self.step == "done":
            self._clear()

    @rx.event(background=True)
    async def run(self):
        """Run the confirmed action chunk by chunk, sending the progress between chunks.

        Not behind the ``guarded`` seam: a background task changes its state only inside ``async with self``
        and runs for longer than one event, so each chunk looks the session up again (``_apply_chunk``) and a
        session that ends stops the run there."""
        async with self:
            if self.step != "confirm":
                return
            token = self.session_token
            selection = await self._selection_now()
            if selection is None or not token:
                self.error = "The selection was cleared because the list changed. Select customers again."
                return
            action, plan_id, product_type = self.action, self.plan_id, self._product_type()
            self.step = "running"
            self.error = ""
        result, after = BulkResult(), 0
        try:
            while True:
                done = await asyncio.to_thread(_apply_chunk, token, selection, action, plan_id, product_type, after)
                if done is None:
                    break
                part, after = done
                result = result.merge(part)
                async with self:
                    self._show_result(result)
        except DomainError as exc:
            async with self:
                self.error = exc.message
        async with self:
            self._show_result(result)
            self.step = "done"
        yield CustomersState.reload

    def _show_result(self, result: BulkResult) -> None:
        self.processed = result.processed
        self.affected = max(self.affected, result.processed)
        self.changed = result.changed
        self.products_changed = result.products_changed
        self.unchanged = result.unchanged
        self.failure_count = len(result.failures)
        self.failures = [
            FailureRow(key=f"{f.account_id}", name=f.name, message=f.message) for f in result.failures[:SHOWN_FAILURES]
        ]

    # ------------------------------------------------------------ export

    @rx.event
    @guarded
    async def export_selection(self):
        """All matching: the list's CSV export of the view (api/export.py), in the visible columns."""
        view = await self._current()
        if not self.all_matching:
            return rx.toast.info("Select all matching customers to export them.")
        params = dict(self._matching_params)
        params["columns"] = ",".join(customer_export.selected_columns(view.visible_columns))
        url = f"{EXPORT_PATH}?{urlencode(params)}"
        self.export_running = True
        self.export_rows = 0
        self.export_total = self.matching_count
        self.export_message = ""
        return rx.call_script(f"window.mscExport({json.dumps(url)}, {json.dumps(EXPORT_REPORT_FORM_ID)})")

    @rx.event
    def export_report(self, form_data: dict):
        def number(value) -> int:
            try:
                return max(0, int(float(value)))
            except (TypeError, ValueError):
                return 0

        self.export_rows = number(form_data.get("rows"))
        self.export_total = number(form_data.get("total")) or self.export_total
        error = str(form_data.get("error", ""))[:300]
        if str(form_data.get("done", "")) == "1":
            self.export_running = False
            self.export_message = error or f"Exported {self.export_rows} rows."

