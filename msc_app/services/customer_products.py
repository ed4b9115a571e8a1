"""A customer's products as its details page shows them (DETAIL-2, DETAIL-5), and what the actor may do.

``services/products.py`` changes products; this module only reads them, for
the Service Plan and Products cards: each product with its plan's name and
edition in one query, and the answers the page needs to decide which
controls to offer (``ProductPermissions``). The server decides again on every
change: these answers only spare a person controls that would be refused.

A customer outside the actor's scope is ``NotFound``, exactly like a missing
one; so is a product that is not the given customer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlmodel import Session, select

from msc_app.models import Account, AccountKind, Product, ProductType, ServicePlan
from msc_app.services.errors import NotFound
from msc_app.services.permissions import Action, Actor, allowed, in_id_range, require, visible_accounts

_TYPE_ORDER = {t.value: i for i, t in enumerate(ProductType)}


class ProductRead(BaseModel):
    """One product (tenant) of a customer, with its service plan's name and edition."""

    id: int
    product_type: str
    service_plan_id: int
    plan_name: str
    edition: str
    tenant_type: str
    storage_regions: list[str]
    credit_quota: int
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None
    user_count: int
    preserved_user_count: int
    status: str


@dataclass(frozen=True)
class ProductPermissions:
    """What the actor may do with a customer's products (the page's controls follow it)."""

    can_manage: bool  # add and edit products (Action.MANAGE_CONTENT on a customer)
    is_sandbox: bool  # SANDBOX-2/3: fewer fields change, nothing is deleted, suspended or activated
    missing_types: tuple[str, ...]  # product types the customer lacks, in ProductType order

    @property
    def can_add(self) -> bool:
        return self.can_manage and bool(self.missing_types)

    @property
    def can_delete(self) -> bool:
        """Delete, Suspend and Activate: never on the Sandbox (SANDBOX-3)."""
        return self.can_manage and not self.is_sandbox


def _query(actor: Actor, account_id: int):
    return (
        select(Product, ServicePlan.name, ServicePlan.edition)
        .join(ServicePlan, ServicePlan.id == Product.service_plan_id)
        .join(Account, Account.id == Product.account_id)
        .where(Product.account_id == account_id, visible_accounts(actor))
    )


def _read(product: Product, plan_name: str, edition: str) -> ProductRead:
    return ProductRead(
        id=product.id,
        product_type=product.product_type,
        service_plan_id=product.service_plan_id,
        plan_name=plan_name,
        edition=edition,
        tenant_type=product.tenant_type,
        storage_regions=list(product.storage_regions or []),
        credit_quota=product.credit_quota,
        quota_effective_date=product.quota_effective_date,
        quota_end_date=product.quota_end_date,
        license_expiry=product.license_expiry,
        user_count=product.user_count,
        preserved_user_count=product.preserved_user_count,
        status=product.status,
    )


def list_products(*, session: Session, actor: Actor, account_id: int) -> list[ProductRead]:
    """The customer's products in ProductType order (Hybrid Workloads, SaaS, Microsoft 365)."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    rows = session.exec(_query(actor, account_id)).all()
    found = [_read(product, name, edition) for product, name, edition in rows]
    return sorted(found, key=lambda p: (_TYPE_ORDER.get(p.product_type, len(_TYPE_ORDER)), p.id))


def get_product(*, session: Session, actor: Actor, account_id: int, product_id: int) -> ProductRead:
    """One product of ``account_id``; NotFound("Product") when missing, another customer's, or out of scope."""
    try:
        require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    except NotFound:
        raise NotFound("Product") from None
    if not in_id_range(product_id):
        raise NotFound("Product")
    row = session.exec(_query(actor, account_id).where(Product.id == product_id)).first()
    if row is None:
        raise NotFound("Product")
    return _read(*row)


def product_permissions(*, session: Session, actor: Actor, account_id: int) -> ProductPermissions:
    """May the actor add, edit, delete, suspend or activate this customer's products?"""
    account = require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    is_customer = account.kind == AccountKind.CUSTOMER
    can_manage = is_customer and allowed(actor, Action.MANAGE_CONTENT, account)
    present = set(session.exec(select(Product.product_type).where(Product.account_id == account.id)).all())
    missing = tuple(t.value for t in ProductType if t.value not in present) if is_customer else ()
    return ProductPermissions(can_manage=can_manage, is_sandbox=account.is_sandbox, missing_types=missing)
