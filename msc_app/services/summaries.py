"""Keeps the customers list's denormalised product summaries on ``Account``.

Called by every service that adds, changes or removes a product, in the same
transaction, so the list can sort and filter 100,000 rows with one indexed
query instead of joining and aggregating products per page.
"""

from __future__ import annotations

from sqlmodel import Session, select

from msc_app.models import Account, Product, ProductType, ServicePlan

_PRODUCT_ORDER = {p.value: i for i, p in enumerate(ProductType)}


def summarise(products: list[Product], plan_names: dict[int, str]) -> dict:
    """The summary column values for one account's products."""
    types = sorted({p.product_type for p in products}, key=lambda t: _PRODUCT_ORDER.get(t, 99))
    plans = sorted({plan_names.get(p.service_plan_id, "") for p in products} - {""})
    tenant_types = sorted({p.tenant_type for p in products})
    regions = sorted({r for p in products for r in (p.storage_regions or [])})
    expiries = [p.license_expiry for p in products if p.license_expiry]
    return {
        "products_summary": ", ".join(types)[:200],
        "service_plan_summary": ", ".join(plans)[:200],
        "tenant_type_summary": ", ".join(tenant_types)[:100],
        "storage_regions_summary": ", ".join(regions)[:300],
        "license_expiry": min(expiries) if expiries else None,
    }


def refresh_account_summary(*, session: Session, account_id: int) -> None:
    products = list(session.exec(select(Product).where(Product.account_id == account_id)))
    plan_ids = {p.service_plan_id for p in products}
    plan_names = (
        {
            plan_id: name
            for plan_id, name in session.exec(
                select(ServicePlan.id, ServicePlan.name).where(ServicePlan.id.in_(plan_ids))
            )
        }
        if plan_ids
        else {}
    )
    account = session.get(Account, account_id)
    for key, value in summarise(products, plan_names).items():
        setattr(account, key, value)
    session.add(account)
