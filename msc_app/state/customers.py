"""The customers list (LIST-1, LIST-4): one page of rows in state, never the table."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import urlencode
from datetime import date, timedelta

import reflex as rx

from msc_app import live
from msc_app.db import session_scope
from msc_app.models import CustomerRead
from msc_app.services import customers, list_filters, preferences
from msc_app.services.customers import ListQuery
from msc_app.state.paging import PagedListMixin
from msc_app.state.session import SessionState, guarded


@dataclasses.dataclass
class CustomerRow:
    id: int
    name: str
    customer_name: str
    organization: str
    products: str
    service_plan: str
    tenant_type: str
    storage_regions: str
    license_expiry: str
    license_state: str  # "expired", "soon" (within 30 days) or ""
    is_reseller: bool
    is_sandbox: bool
    parent_name: str
    edition: str = ""
    tenant_admins: str = ""
    admin: str = ""
    onboarding_done: int = 0
    onboarding_total: int = 0
    onboarding_percent: int = 100
    onboarding_complete: bool = True
    source_data: str = ""
    contract_labels: list[str] = dataclasses.field(default_factory=list)
    credit_quota: str = ""
    quota_effective: str = ""
    quota_end: str = ""
    consumption: str = ""
    created: str = ""
    depth: int = 0  # LIST-6: 1 for a customer nested under its reseller
    is_context: bool = False  # LIST-6: shown only as the parent of matching rows


EXPIRY_WARNING_DAYS = 30


def _license_state(expiry: date | None, today: date) -> str:
    if expiry is None:
        return ""
    if expiry < today:
        return "expired"
    return "soon" if expiry <= today + timedelta(days=EXPIRY_WARNING_DAYS) else ""


def _date(value: date | None) -> str:
    return value.strftime("%b %d, %Y") if value else ""


def _row(read: CustomerRead, today: date, own_account_id: int = 0) -> CustomerRow:
    # STATUS-2: a reseller always sees its own status as ---.
    own = read.id == own_account_id
    return CustomerRow(
        id=read.id,
        name=read.name,
        customer_name=read.customer_name,
        organization=read.organization,
        products=read.products,
        service_plan=read.service_plan,
        tenant_type=read.tenant_type,
        storage_regions=read.storage_regions,
        license_expiry=_date(read.license_expiry),
        license_state=_license_state(read.license_expiry, today),
        is_reseller=read.kind == "reseller",
        is_sandbox=read.is_sandbox,
        parent_name=read.parent_name,
        edition=read.edition,
        tenant_admins=read.tenant_admins,
        admin=read.admin,
        onboarding_done=read.onboarding_done,
        onboarding_total=read.onboarding_total,
        onboarding_percent=(100 * read.onboarding_done // read.onboarding_total) if read.onboarding_total else 100,
        onboarding_complete=read.onboarding_complete or own,
        source_data=read.source_data,
        contract_labels=[f"{count} {status}" for status, count in read.contracts.items()],
        credit_quota=f"{read.credit_quota:,}" if read.credit_quota else "",
        quota_effective=_date(read.quota_effective_date),
        quota_end=_date(read.quota_end_date),
        consumption=f"{read.consumption_90d:,}",
        created=_date(read.created_at.date()),
        depth=read.depth,
        is_context=read.is_context,
    )


# The list filters (LIST-5): ListQuery attribute -> chip label prefix.
FILTER_LISTS = {
    "products": "Product",
    "service_plans": "Plan",
    "storage_regions": "Region",
    "tenant_types": "Tenant type",
    "tenant_admins": "Tenant admin",
    "source_data": "Source data",
}
STATUS_LABELS = {"complete": "Onboarding complete", "in_progress": "Onboarding in progress"}


@dataclasses.dataclass
class FilterChip:
    kind: str  # a FILTER_LISTS key, or "status"
    value: str
    label: str


class CustomersState(PagedListMixin, SessionState):
    rows: list[CustomerRow] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    page_size: int = customers.DEFAULT_PAGE_SIZE
    sort: str = customers.SortKey.NAME.value
    descending: bool = False
    search: str = ""
    loaded: bool = False
    # LIST-5: the applied filters (ListQuery attribute -> values as text) and their chips.
    filters: dict[str, list[str]] = {}
    filter_status: str = ""
    chips: list[FilterChip] = []
    # Names of plan and tenant-admin ids for the chips, filled when the filter panel's choices load.
    _names: dict[str, str] = {}
    # LIST-3: the user's columns and density, from the database.
    visible_columns: list[str] = list(preferences.DEFAULT_PREFERENCES.columns)
    density: str = preferences.DEFAULT_DENSITY
    column_widths: dict[str, str] = {}  # column key -> CSS width, for the columns the user resized
    columns_dialog_open: bool = False
    # LIST-8: the one shared row-actions menu, opened for the row whose button was clicked.
    row_menu_id: int = 0
    row_menu_open: bool = False
    # LIST-9: columns named by the URL (a shared link) win over the user's saved ones for this view.
    _url_columns: list[str] = []

    @rx.var
    def first_row_number(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @rx.var
    def last_row_number(self) -> int:
        return min(self.total, self.page * self.page_size)

    @rx.var
    def filter_count(self) -> int:
        return len(self.chips)

    def _current_query(self) -> ListQuery:
        """The list's view as the service reads it (every value checked again there)."""
        return ListQuery.parse(
            search=self.search,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
            status=self.filter_status,
            **{name: self.filters.get(name, []) for name in FILTER_LISTS},
        )

    def _show_query(self, query: ListQuery) -> None:
        self.search = query.search
        self.sort = query.sort.value
        self.descending = query.descending
        self.page = query.page
        self.page_size = query.page_size
        self.filters = {name: [str(v) for v in getattr(query, name)] for name in FILTER_LISTS if getattr(query, name)}
        self.filter_status = query.status
        self._show_chips()

    def _show_chips(self) -> None:
        chips = []
        for name, prefix in FILTER_LISTS.items():
            for value in self.filters.get(name, []):
                shown = self._names.get(f"{name}:{value}", value)
                chips.append(FilterChip(kind=name, value=value, label=f"{prefix}: {shown}"))
        if self.filter_status:
            chips.append(FilterChip(kind="status", value=self.filter_status, label=STATUS_LABELS.get(self.filter_status, self.filter_status)))
        self.chips = chips

    def _load(self) -> None:
        actor = self._signed_actor()
        query = self._current_query()
        with session_scope() as session:
            result = customers.list_customers(session=session, actor=actor, query=query)
        today = date.today()
        self.rows = [_row(r, today, actor.account_id) for r in result.rows]
        self.total = result.total
        self._show_query(query)
        self.page = result.page
        self.page_count = result.page_count
        self.loaded = True
        live.watch(self, scope_account_id=actor.account_id)

    @guarded
    async def _live_refresh(self) -> None:
        """Issue 7: a customer in this list's scope changed elsewhere: read the same page again."""
        self._load()

    def _view_query(self) -> str:
        """The view as URL parameters (LIST-9): only what differs from the defaults."""
        params = self._current_query().to_params()
        if list(self.visible_columns) != list(preferences.DEFAULT_PREFERENCES.columns):
            params["cols"] = ",".join(self.visible_columns)
        return urlencode(params)

    def _refresh(self):
        """Load the page, then put the view in the address bar without navigating."""
        self._load()
        return self._sync_url()

    def _sync_url(self):
        query = self._view_query()
        url = "/customers" + (f"?{query}" if query else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    @rx.event
    @guarded(page=True)
    async def on_load(self):
        """Read the view from the URL, so a reload or a shared link shows the same list. The whole page load is
        this one event: the saved-views menu only closes here (it reads its views when it opens)."""
        from msc_app.state.saved_views import SavedViewsState  # it reads this list's view: imports this module

        params = self.router.url.query_parameters
        self._show_query(ListQuery.from_params(params))
        cols = [c for c in str(params.get("cols", "")).split(",") if c]
        self._url_columns = list(preferences.normalise(cols, None).columns) if cols else []
        self.loaded = False
        actor = self._signed_actor()
        if self.chips:
            self._load_names(actor)
        self._load()
        self._load_preferences(actor)
        (await self.get_state(SavedViewsState))._close()

    def _load_names(self, actor) -> None:
        """Plan and tenant-admin names for the chips (ids in the URL are only ids)."""
        with session_scope() as session:
            options = list_filters.filter_options(session=session, actor=actor)
        self._remember_names(options)
        self._show_chips()

    def _remember_names(self, options) -> None:
        names = {f"service_plans:{p.id}": p.name for p in options.service_plans}
        names |= {f"tenant_admins:{a.id}": a.name for a in options.tenant_admins}
        self._names = names

    @rx.event
    @guarded
    def remove_filter(self, kind: str, value: str):
        """A chip's close button."""
        if kind == "status":
            self.filter_status = ""
        elif kind in FILTER_LISTS:
            self.filters = {**self.filters, kind: [v for v in self.filters.get(kind, []) if v != value]}
        self.page = 1
        return self._refresh()

    @rx.event
    @guarded
    def clear_filters(self):
        self.filters = {}
        self.filter_status = ""
        self.page = 1
        return self._refresh()

    def _load_preferences(self, actor) -> None:
        with session_scope() as session:
            prefs = preferences.list_preferences(session=session, actor=actor)
        self._show_preferences(prefs)

    def _show_preferences(self, prefs) -> None:
        self.visible_columns = list(self._url_columns or prefs.columns)
        self.density = prefs.density
        self.column_widths = {key: f"{px}px" for key, px in prefs.widths}

    def _save_preferences(self, **changes) -> None:
        with session_scope() as session:
            prefs = preferences.save_list_preferences(session=session, actor=self._signed_actor(), **changes)
        self._show_preferences(prefs)

    @rx.event
    def set_columns_dialog_open(self, value: bool):
        self.columns_dialog_open = value

    @rx.event
    @guarded
    def save_columns(self, form_data: dict):
        """The Edit Columns window's checkboxes; default columns stay on whatever is sent."""
        chosen = [key for key, value in form_data.items() if value in ("on", True, "true")]
        self._url_columns = []
        self._save_preferences(columns=chosen)
        self.columns_dialog_open = False
        return [self._sync_url(), rx.toast.success("Columns saved.")]

    @rx.event
    @guarded
    def save_column_width(self, form_data: dict):
        """LIST-3: a column's border was dragged to a new width (sent by assets/msc-resize.js)."""
        column = str(form_data.get("column", ""))
        self._save_preferences(widths={column: form_data.get("width", "")})

    @rx.event
    @guarded
    def reset_column_widths(self):
        self._save_preferences(widths={})
        return rx.toast.success("Column widths reset.")

    @rx.event
    def open_row_menu(self, account_id: int):
        """LIST-8: open the shared More options menu for this row (what it offers: the page's rules)."""
        self.row_menu_id = account_id
        self.row_menu_open = True

    @rx.event
    def set_row_menu_open(self, is_open: bool):
        self.row_menu_open = is_open

    @rx.event
    @guarded
    def set_density(self, value: str):
        self._save_preferences(density=value)

    @rx.event
    @guarded
    def reload(self):
        """After a change elsewhere (e.g. a customer created): the same view, read again."""
        return self._refresh()

    @rx.event
    @guarded
    def apply_search(self, form_data: dict):
        self.search = str(form_data.get("search", ""))
        self.page = 1
        return self._refresh()
