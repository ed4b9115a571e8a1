"""The customers list (LIST-1, LIST-4): one page of rows in state, never the table."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import urlencode
from datetime import date, timedelta

import reflex as rx

from msc_app.db import session_scope
from msc_app.models import CustomerRead
from msc_app.services import customers, preferences
from msc_app.services.customers import ListQuery
from msc_app.state.session import SessionState


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
    )


class CustomersState(SessionState):
    rows: list[CustomerRow] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    page_size: int = customers.DEFAULT_PAGE_SIZE
    sort: str = customers.SortKey.NAME.value
    descending: bool = False
    search: str = ""
    loaded: bool = False
    # LIST-3: the user's columns and density, from the database.
    visible_columns: list[str] = list(preferences.DEFAULT_PREFERENCES.columns)
    density: str = preferences.DEFAULT_DENSITY
    column_widths: dict[str, str] = {}  # column key -> CSS width, for the columns the user resized
    columns_dialog_open: bool = False

    @rx.var
    def first_row_number(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @rx.var
    def last_row_number(self) -> int:
        return min(self.total, self.page * self.page_size)

    def _load(self, actor=None):
        actor = actor or self.actor()
        if actor is None:
            self._forget()
            return self._to_sign_in()
        query = ListQuery.parse(
            search=self.search,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )
        with session_scope() as session:
            result = customers.list_customers(session=session, actor=actor, query=query)
        today = date.today()
        self.rows = [_row(r, today, actor.account_id) for r in result.rows]
        self.total = result.total
        self.page = result.page
        self.page_count = result.page_count
        self.sort = query.sort.value
        self.search = query.search
        self.loaded = True
        return None

    def _view_query(self) -> str:
        """The view as URL parameters (LIST-9): only what differs from the defaults."""
        params = {}
        if self.search:
            params["q"] = self.search
        if self.sort != customers.SortKey.NAME.value or self.descending:
            params["sort"] = self.sort
        if self.descending:
            params["desc"] = "1"
        if self.page > 1:
            params["page"] = str(self.page)
        return urlencode(params)

    def _refresh(self):
        """Load the page, then put the view in the address bar without navigating."""
        redirect = self._load()
        if redirect is not None:
            return redirect
        query = self._view_query()
        url = "/customers" + (f"?{query}" if query else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    @rx.event
    def on_load(self):
        """Read the view from the URL, so a reload or a shared link shows the same list."""
        params = self.router.url.query_parameters
        query = ListQuery.parse(
            search=params.get("q", ""),
            sort=params.get("sort", customers.SortKey.NAME.value),
            descending=params.get("desc", ""),
            page=params.get("page", 1),
        )
        self.search = query.search
        self.sort = query.sort.value
        self.descending = query.descending
        self.page = query.page
        self.loaded = False
        actor = self.actor()
        redirect = self._load(actor)
        if redirect is None:
            self._load_preferences(actor)
        return redirect

    def _load_preferences(self, actor) -> None:
        with session_scope() as session:
            prefs = preferences.list_preferences(session=session, actor=actor)
        self._show_preferences(prefs)

    def _show_preferences(self, prefs) -> None:
        self.visible_columns = list(prefs.columns)
        self.density = prefs.density
        self.column_widths = {key: f"{px}px" for key, px in prefs.widths}

    def _save_preferences(self, **changes) -> None:
        actor = self.actor()
        if actor is None:
            return
        with session_scope() as session:
            prefs = preferences.save_list_preferences(session=session, actor=actor, **changes)
        self._show_preferences(prefs)

    @rx.event
    def set_columns_dialog_open(self, value: bool):
        self.columns_dialog_open = value

    @rx.event
    def save_columns(self, form_data: dict):
        """The Edit Columns window's checkboxes; default columns stay on whatever is sent."""
        chosen = [key for key, value in form_data.items() if value in ("on", True, "true")]
        self._save_preferences(columns=chosen)
        self.columns_dialog_open = False
        return rx.toast.success("Columns saved.")

    @rx.event
    def save_column_width(self, form_data: dict):
        """LIST-3: a column's border was dragged to a new width (sent by assets/msc-resize.js)."""
        column = str(form_data.get("column", ""))
        self._save_preferences(widths={column: form_data.get("width", "")})

    @rx.event
    def reset_column_widths(self):
        self._save_preferences(widths={})
        return rx.toast.success("Column widths reset.")

    @rx.event
    def set_density(self, value: str):
        self._save_preferences(density=value)

    @rx.event
    def reload(self):
        """After a change elsewhere (e.g. a customer created): the same view, read again."""
        return self._refresh()

    @rx.event
    def apply_search(self, form_data: dict):
        self.search = str(form_data.get("search", ""))
        self.page = 1
        return self._refresh()

    @rx.event
    def clear_search(self):
        self.search = ""
        self.page = 1
        return self._refresh()

    @rx.event
    def sort_by(self, key: str):
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort = key
            self.descending = False
        self.page = 1
        return self._refresh()

    @rx.event
    def next_page(self):
        if self.page < self.page_count:
            self.page += 1
            return self._refresh()

    @rx.event
    def previous_page(self):
        if self.page > 1:
            self.page -= 1
            return self._refresh()
