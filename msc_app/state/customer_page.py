"""Opening /customers/<id>: every section of both tabs read in one event, so the page arrives in one delta.

Each section (products, consumption, contacts, health) keeps its own state and
its own ``load_section``; this loader only runs them in one event after the
header's ``CustomerDetailState`` has found the customer. One event instead of
one per section matters: each event is a round trip with its own state
locking and delta, which cost far more than the sections' few queries.
"""

from __future__ import annotations

import reflex as rx

from msc_app import live
from msc_app.state.customer_consumption import ConsumptionState
from msc_app.state.customer_contacts import ContactsState
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.customer_health import HealthState
from msc_app.state.customer_products import ProductsState
from msc_app.state.session import guarded

SECTIONS = (ProductsState, ConsumptionState, ContactsState, HealthState)


class CustomerPageState(CustomerDetailState):
    @rx.event
    @guarded(page=True)
    async def load_page(self):
        """on_load of /customers/<id>: the session check, the header and every section, with one actor lookup
        (the ``guarded`` seam's) shared by all of them."""
        detail = await self.get_state(CustomerDetailState)
        redirect = detail.load_customer()
        if redirect is not None or not detail.found:
            return redirect
        for section in SECTIONS:
            (await self.get_state(section)).load_section()
        live.watch(self, customer_id=detail._customer_id())
        return None

    async def _live_refresh(self) -> None:
        """Issue 7: the customer changed elsewhere: read the page again, as this user."""
        await self.load_page()
