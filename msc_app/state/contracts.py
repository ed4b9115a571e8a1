"""Contracts (CONTRACT-1/2): the list's pop-up, the contracts list and a contract's details.

Thin states over ``services.contracts``: every handler goes through the
``guarded`` seam (the actor resolved again from the session for each event) and
reads through the scoped service, so an id from the browser (a URL, a forged
event) is never trusted; without a live session it goes to sign-in. The list holds one page of rows.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from urllib.parse import urlencode

import reflex as rx

from msc_app import live
from msc_app.db import session_scope
from msc_app.models import ContractStatus
from msc_app.services import contracts
from msc_app.services.contracts import ContractRead, ContractSort, ContractSummary
from msc_app.services.errors import NotFound
from msc_app.state.paging import PagedListMixin
from msc_app.state.session import SessionState, guarded

ALL_STATUSES = "all"  # the status select's "All statuses" (a Radix select item cannot have "" as value)
STATUS_CHOICES = [s.value for s in ContractStatus]
_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


def format_date(value: date | None) -> str:
    return value.strftime("%b %d, %Y") if value else ""


def format_money(cents: int, currency: str) -> str:
    """``123456, "USD"`` -> ``$1,234.56``; an unknown currency is written after the amount."""
    amount = f"{cents / 100:,.2f}"
    if cents < 0:
        amount = amount.removeprefix("-")
    sign = "-" if cents < 0 else ""
    symbol = _CURRENCY_SYMBOLS.get((currency or "").upper())
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}".strip()


def _int_or_zero(value) -> int:
    try:
        return max(0, int(str(value).strip()))
    except (TypeError, ValueError):
        return 0


@dataclasses.dataclass
class ContractItem:
    """One contract in the Contracts pop-up (``components.contracts.contracts_popover``)."""

    id: int = 0
    number: str = ""
    title: str = ""
    status: str = ""
    start: str = ""
    end: str = ""


def contract_items(summaries: list[ContractSummary]) -> list[ContractItem]:
    return [
        ContractItem(
            id=c.id,
            number=c.number,
            title=c.title,
            status=c.status,
            start=format_date(c.start_date),
            end=format_date(c.end_date),
        )
        for c in summaries
    ]


@dataclasses.dataclass
class ContractRow:
    """One row of the contracts list, formatted for display."""

    id: int = 0
    number: str = ""
    title: str = ""
    status: str = ""
    start: str = ""
    end: str = ""
    value: str = ""
    account_id: int = 0
    account_name: str = ""


def _row(read: ContractRead) -> ContractRow:
    return ContractRow(
        id=read.id,
        number=read.number,
        title=read.title,
        status=read.status,
        start=format_date(read.start_date),
        end=format_date(read.end_date),
        value=format_money(read.value_cents, read.currency),
        account_id=read.account_id,
        account_name=read.account_name,
    )


# ---------------------------------------------------------------- /contracts (CONTRACT-2)


class ContractsState(PagedListMixin, SessionState):
    rows: list[ContractRow] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    page_size: int = contracts.DEFAULT_PAGE_SIZE
    sort: str = ContractSort.CUSTOMER.value
    descending: bool = False
    search: str = ""
    status: str = ""  # "" = all statuses
    # The customer filter ("View all contracts"): 0 = every customer in scope.
    account_id: int = 0
    account_name: str = ""
    account_missing: bool = False  # the filtered customer does not exist or is outside scope
    loaded: bool = False

    @rx.var
    def first_row_number(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @rx.var
    def last_row_number(self) -> int:
        return min(self.total, self.page * self.page_size)

    @rx.var
    def status_choice(self) -> str:
        """The status select's value."""
        return self.status or ALL_STATUSES

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search or self.status or self.account_id)

    def _load(self) -> None:
        actor = self._signed_actor()
        self.account_missing = False
        try:
            with session_scope() as session:
                result = contracts.list_contracts(
                    session=session,
                    actor=actor,
                    account_id=self.account_id or None,
                    status=self.status,
                    search=self.search,
                    page=self.page,
                    page_size=self.page_size,
                    sort=self.sort,
                    descending=self.descending,
                )
        except NotFound:
            # A customer outside scope looks exactly like a missing one.
            self.rows = []
            self.total = 0
            self.page = self.page_count = 1
            self.account_name = ""
            self.account_missing = True
            self.loaded = True
            return
        self.rows = [_row(r) for r in result.rows]
        self.total = result.total
        self.page = result.page
        self.page_count = result.page_count
        self.page_size = result.page_size
        self.status = result.status
        self.search = result.search
        self.sort = result.sort
        self.descending = result.descending
        self.account_name = result.account_name
        self.loaded = True
        live.watch(self, scope_account_id=actor.account_id)

    @guarded
    async def _live_refresh(self) -> None:
        """Issue 7: a customer in this list's scope changed elsewhere: read the same page again."""
        self._load()

    def _view_query(self) -> str:
        """The view as URL parameters: only what differs from the defaults."""
        params = {}
        if self.account_id:
            params["account"] = str(self.account_id)
        if self.status:
            params["status"] = self.status
        if self.search:
            params["q"] = self.search
        if self.sort != ContractSort.CUSTOMER.value:
            params["sort"] = self.sort
        if self.descending:
            params["desc"] = "1"
        if self.page > 1:
            params["page"] = str(self.page)
        return urlencode(params)

    def _refresh(self):
        """Load the page, then put the view in the address bar without navigating."""
        self._load()
        query = self._view_query()
        url = "/contracts" + (f"?{query}" if query else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    @rx.event
    @guarded(page=True)
    def on_load(self):
        """Read the view from the URL (``account``, ``status``, ``q``, ``sort``, ``desc``, ``page``)."""
        params = self.router.url.query_parameters
        self.account_id = _int_or_zero(params.get("account", ""))
        self.status = contracts.clean_status(params.get("status", ""))
        self.search = contracts.clean_search(params.get("q", ""))
        self.sort = params.get("sort", ContractSort.CUSTOMER.value)
        self.descending = params.get("desc", "").strip().lower() in ("1", "true", "yes")
        self.page = _int_or_zero(params.get("page", "")) or 1
        self.account_name = ""
        self.loaded = False
        self._load()

    @rx.event
    @guarded
    def apply_search(self, form_data: dict):
        """The search box's Enter."""
        self.search = contracts.clean_search(form_data.get("search", ""))
        self.page = 1
        return self._refresh()

    @rx.event
    @guarded
    def set_status(self, value: str):
        self.status = "" if value == ALL_STATUSES else contracts.clean_status(value)
        self.page = 1
        return self._refresh()

    @rx.event
    @guarded
    def clear_account(self):
        """The filter chip's ×: every customer's contracts again."""
        self.account_id = 0
        self.account_name = ""
        self.page = 1
        return self._refresh()

    @rx.event
    @guarded
    def clear_filters(self):
        self.account_id = 0
        self.account_name = ""
        self.search = ""
        self.status = ""
        self.page = 1
        return self._refresh()


# ---------------------------------------------------------------- /contracts/[contract_id] (CONTRACT-2)


@dataclasses.dataclass
class ContractView:
    """A contract's details page, formatted for display."""

    id: int = 0
    number: str = ""
    title: str = ""
    status: str = ""
    start: str = ""
    end: str = ""
    value: str = ""
    currency: str = ""
    account_id: int = 0
    account_name: str = ""
    customer_name: str = ""
    account_kind: str = ""


class ContractDetailState(SessionState):
    contract: ContractView = ContractView()
    found: bool = False
    loaded: bool = False

    def _contract_id_from_url(self) -> int:
        # /contracts/<id>: the last path segment (works under a frontend_path prefix too).
        return _int_or_zero(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])

    @rx.event
    @guarded(page=True)
    def on_load(self):
        self.loaded = False
        self.found = False
        self.contract = ContractView()
        actor = self._signed_actor()
        contract_id = self._contract_id_from_url()
        try:
            with session_scope() as session:
                detail = contracts.get_contract(session=session, actor=actor, contract_id=contract_id)
        except NotFound:
            self.loaded = True
            return None
        self.contract = ContractView(
            id=detail.id,
            number=detail.number,
            title=detail.title,
            status=detail.status,
            start=format_date(detail.start_date),
            end=format_date(detail.end_date),
            value=format_money(detail.value_cents, detail.currency),
            currency=detail.currency,
            account_id=detail.account_id,
            account_name=detail.account_name,
            customer_name=detail.customer_name,
            account_kind=detail.account_kind,
        )
        self.found = True
        self.loaded = True
        return None


# ---------------------------------------------------------------- the list's pop-up (CONTRACT-1)


class ContractPreviewState(SessionState):
    """Backs ``contracts_popover`` in the customers list: one pop-up is open at a time.

    Wiring: ``contracts_popover(trigger=..., items=ContractPreviewState.items,
    total=ContractPreviewState.total, account_id=ContractPreviewState.account_id,
    loading=ContractPreviewState.loading, error=ContractPreviewState.error,
    on_open_change=lambda is_open: ContractPreviewState.toggle(row.id, is_open))``.
    """

    account_id: int = 0
    account_name: str = ""
    total: int = 0
    items: list[ContractItem] = []
    counts: list[str] = []  # "2 Active", "1 Pending", ... in status order
    loading: bool = False
    error: str = ""

    @rx.event
    @guarded
    def toggle(self, account_id: int, is_open: bool):
        """The pop-up of ``account_id`` opened (load its preview) or closed (nothing to do)."""
        if is_open:
            yield from self._load_preview(account_id)

    @rx.event
    @guarded
    def load(self, account_id: int):
        """Load the preview of ``account_id`` (for a pop-up opened some other way)."""
        yield from self._load_preview(account_id)

    def _load_preview(self, account_id):
        # First clear what another row's pop-up showed and say "loading", then read.
        self.items = []
        self.counts = []
        self.total = 0
        self.account_name = ""
        self.error = ""
        self.account_id = _int_or_zero(account_id)
        self.loading = True
        yield
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                preview = contracts.contracts_preview(session=session, actor=actor, account_id=self.account_id)
        except NotFound as error:
            self.error = error.message
        else:
            self.account_name = preview.account_name
            self.total = preview.total
            self.items = contract_items(preview.contracts)
            self.counts = [f"{n} {status}" for status, n in preview.counts.items()]
        self.loading = False
