"""LIST-5: the filter panel. Choices come from the scoped service; Apply sets the list's filters.

The panel edits a draft; nothing changes in the list until Apply. Reset clears
every filter at once. Service-plan choices can be narrowed by Product, Edition
and Workload (the same ``narrow_plans`` the service offers).
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.services import list_filters
from msc_app.services.list_filters import PlanOption
from msc_app.state.customers import FILTER_LISTS, CustomersState
from msc_app.state.session import SessionState, guarded

ANY = "any"  # a select's "no narrowing" value (Radix selects cannot hold "")


@dataclasses.dataclass
class Choice:
    value: str
    label: str


@dataclasses.dataclass
class PlanChoice:
    value: str
    label: str
    edition: str = ""
    products: list[str] = dataclasses.field(default_factory=list)
    workloads: list[str] = dataclasses.field(default_factory=list)


def _plan_option(choice: PlanChoice) -> PlanOption:
    return PlanOption(
        id=int(choice.value),
        name=choice.label,
        edition=choice.edition,
        products=tuple(choice.products),
        workloads=tuple(choice.workloads),
    )


class FilterPanelState(SessionState):
    panel_open: bool = False
    draft: dict[str, list[str]] = {}
    draft_status: str = ""
    products: list[str] = []
    regions: list[str] = []
    tenant_types: list[str] = []
    source_data: list[str] = []
    statuses: list[Choice] = []
    plans: list[PlanChoice] = []
    admins: list[Choice] = []
    editions: list[str] = []
    workloads: list[str] = []
    narrow_product: str = ANY
    narrow_edition: str = ANY
    narrow_workload: str = ANY

    @rx.var
    def shown_plans(self) -> list[PlanChoice]:
        """The plan choices left by the Product / Edition / Workload narrowing, plus any chosen."""
        narrowed = list_filters.narrow_plans(
            [_plan_option(p) for p in self.plans],
            product="" if self.narrow_product == ANY else self.narrow_product,
            edition="" if self.narrow_edition == ANY else self.narrow_edition,
            workload="" if self.narrow_workload == ANY else self.narrow_workload,
        )
        keep = {str(p.id) for p in narrowed} | set(self.draft.get("service_plans", []))
        return [p for p in self.plans if p.value in keep]

    @rx.var
    def draft_count(self) -> int:
        return sum(len(v) for v in self.draft.values()) + (1 if self.draft_status else 0)

    @rx.event
    @guarded
    async def open_panel(self):
        with session_scope() as session:
            options = list_filters.filter_options(session=session, actor=self._signed_actor())
        self.products = list(options.products)
        self.regions = list(options.storage_regions)
        self.tenant_types = list(options.tenant_types)
        self.source_data = list(options.source_data)
        self.statuses = [Choice(value=v, label=label) for v, label in options.statuses]
        self.plans = [
            PlanChoice(
                value=str(p.id),
                label=f"{p.name} ({p.edition})",
                edition=p.edition,
                products=list(p.products),
                workloads=list(p.workloads),
            )
            for p in options.service_plans
        ]
        self.admins = [Choice(value=str(a.id), label=a.name) for a in options.tenant_admins]
        self.editions = list(options.editions)
        self.workloads = list(options.workloads)
        view = await self.get_state(CustomersState)
        view._remember_names(options)
        self.draft = {name: list(values) for name, values in view.filters.items()}
        self.draft_status = view.filter_status
        self.narrow_product = self.narrow_edition = self.narrow_workload = ANY
        self.panel_open = True

    @rx.event
    def set_panel_open(self, value: bool):
        self.panel_open = value

    @rx.event
    def toggle(self, kind: str, value: str, checked: bool):
        if kind not in FILTER_LISTS:
            return
        values = [v for v in self.draft.get(kind, []) if v != value]
        if checked:
            values.append(value)
        self.draft = {**self.draft, kind: values}

    @rx.event
    def set_draft_status(self, value: str):
        self.draft_status = "" if value == ANY else value

    @rx.event
    def set_narrow_product(self, value: str):
        self.narrow_product = value

    @rx.event
    def set_narrow_edition(self, value: str):
        self.narrow_edition = value

    @rx.event
    def set_narrow_workload(self, value: str):
        self.narrow_workload = value

    @rx.event
    @guarded
    async def apply(self):
        view = await self.get_state(CustomersState)
        view.filters = {name: values for name, values in self.draft.items() if values and name in FILTER_LISTS}
        view.filter_status = self.draft_status
        view.page = 1
        self.panel_open = False
        return view._refresh()

    @rx.event
    @guarded
    async def reset_filters(self):
        self.draft = {}
        self.draft_status = ""
        self.narrow_product = self.narrow_edition = self.narrow_workload = ANY
        view = await self.get_state(CustomersState)
        view.filters = {}
        view.filter_status = ""
        view.page = 1
        self.panel_open = False
        return view._refresh()
