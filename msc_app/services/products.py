"""A customer's products (tenants): add, edit, delete, suspend, activate (DETAIL-5, SANDBOX-2/3).

Scope: ``Action.MANAGE_CONTENT`` on the product's customer, so admins change
the products of the customers below them and tenant admins those of the
customers they are assigned to; viewers change nothing. A product outside the
actor's scope is "not found", exactly like a missing one.

Rules kept here, on the server:

- a customer has at most one product of each type;
- the service plan must be one the customer's parent chain sells (a plan owned
  by the parent, its parent, or the installation's default plan) and must
  include the product type;
- at least one storage region, each a known one; quotas and user counts are
  not negative; the quota end date is not before its effective date;
- the product type of an existing product never changes (add another product);
- on the Sandbox customer (SANDBOX-2/3) products may gain a service plan,
  quota, quota dates, storage regions (added, never removed), user count and
  preserved user count; nothing else changes, and they are never deleted,
  suspended or activated.

Every change refreshes the customers list's summary columns
(``summaries.refresh_account_summary``) and writes an audit event, in the
caller's transaction. Nothing is written when a rule is broken.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, func, select

from msc_app.models import (
    STORAGE_REGIONS,
    Account,
    AccountKind,
    Alert,
    DailyConsumption,
    DataSource,
    OnboardingTask,
    OnboardingTaskKind,
    Product,
    ProductStatus,
    ProductType,
    ServicePlan,
    TaskStatus,
    TenantType,
)
from msc_app.models.base import utcnow
from msc_app.services import audit, summaries
from msc_app.services.errors import DomainError, NotFound, ValidationError
from msc_app.services.permissions import Action, Actor, in_id_range, require

INT_MAX = 2_147_483_647  # the INTEGER columns' upper bound

SANDBOX_PRODUCT_FIELDS = frozenset(
    {
        "service_plan_id",
        "credit_quota",
        "quota_effective_date",
        "quota_end_date",
        "storage_regions",
        "user_count",
        "preserved_user_count",
    }
)
_LABELS = {
    "service_plan_id": "service plan",
    "tenant_type": "tenant type",
    "storage_regions": "storage regions",
    "credit_quota": "credit quota",
    "quota_effective_date": "quota effective date",
    "quota_end_date": "quota end date",
    "license_expiry": "licence expiry date",
    "user_count": "user count",
    "preserved_user_count": "preserved user count",
}


class ProductCreate(BaseModel):
    """A new product (tenant) for a customer."""

    product_type: str = ProductType.HYBRID_WORKLOADS.value
    service_plan_id: int | None = None
    tenant_type: str = TenantType.EVALUATION.value
    storage_regions: list[str] = Field(default_factory=list)
    credit_quota: int = 0
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None
    user_count: int = 0
    preserved_user_count: int = 0


class ProductUpdate(BaseModel):
    """Changes to a product: only the fields that are set change (``model_fields_set``).

    ``None`` clears a date; for the other fields it means "keep".
    """

    service_plan_id: int | None = None
    tenant_type: str | None = None
    storage_regions: list[str] | None = None
    credit_quota: int | None = None
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None
    user_count: int | None = None
    preserved_user_count: int | None = None


_NULLABLE = frozenset({"quota_effective_date", "quota_end_date", "license_expiry"})
_DETAIL_FIELDS = tuple(ProductUpdate.model_fields)


# ---------------------------------------------------------------- reading helpers


def account_chain(session: Session, account_id: int | None) -> list[int]:
    """``account_id`` and its ancestors, nearest first (the tree has at most three tiers)."""
    chain: list[int] = []
    while account_id is not None and account_id not in chain and len(chain) < 5:
        chain.append(account_id)
        account_id = session.exec(select(Account.parent_id).where(Account.id == account_id)).first()
    return chain


def _plans_condition(chain: list[int]):
    return sa.or_(ServicePlan.is_default, ServicePlan.owner_account_id.in_(chain or [-1]))


def plan_choices(*, session: Session, actor: Actor, account_id: int) -> list[ServicePlan]:
    """Service plans for products of ``account_id`` (a customer), or of a new customer under it."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    chain = account_chain(session, account_id)
    return list(
        session.exec(select(ServicePlan).where(_plans_condition(chain)).order_by(ServicePlan.name, ServicePlan.id))
    )


def snapshot(product: Product) -> dict:
    """What the audit trail records of a product."""
    return {
        "product_type": product.product_type,
        "service_plan_id": product.service_plan_id,
        "tenant_type": product.tenant_type,
        "storage_regions": list(product.storage_regions or []),
        "credit_quota": product.credit_quota,
        "quota_effective_date": product.quota_effective_date,
        "quota_end_date": product.quota_end_date,
        "license_expiry": product.license_expiry,
        "user_count": product.user_count,
        "preserved_user_count": product.preserved_user_count,
        "status": product.status,
    }


# ---------------------------------------------------------------- validation


def clean_regions(regions: list[str] | None) -> list[str]:
    seen: list[str] = []
    for region in regions or []:
        region = (region or "").strip()
        if region and region not in seen:
            seen.append(region)
    return seen


def _count_error(value: int | None, label: str) -> str | None:
    if value is None:
        return None
    if value < 0:
        return f"{label} cannot be negative."
    if value > INT_MAX:
        return f"{label} is too large."
    return None


def detail_errors(
    session: Session, values: dict, *, chain: list[int], product_type: str
) -> dict[str, str]:
    """Field errors of a product's service details (``values`` holds every field's final value)."""
    errors: dict[str, str] = {}
    if product_type not in {p.value for p in ProductType}:
        errors["product_type"] = "Choose a product."
    plan_id = values.get("service_plan_id")
    if plan_id is None:
        errors["service_plan_id"] = "Service plan is required."
    else:
        plan = session.exec(
            select(ServicePlan).where(ServicePlan.id == plan_id, _plans_condition(chain))
        ).first() if in_id_range(plan_id) or not isinstance(plan_id, int) else None
        if plan is None:
            errors["service_plan_id"] = "Choose one of the service plans offered."
        elif plan.products and product_type not in plan.products and "product_type" not in errors:
            errors["service_plan_id"] = f"The plan {plan.name} does not include {product_type}."
    if values.get("tenant_type") not in {t.value for t in TenantType}:
        errors["tenant_type"] = "Choose a tenant type."
    regions = values.get("storage_regions") or []
    unknown = [r for r in regions if r not in STORAGE_REGIONS]
    if unknown:
        errors["storage_regions"] = f"Unknown storage region: {', '.join(unknown)}."
    elif not regions:
        errors["storage_regions"] = "Choose at least one storage region."
    for field, label in (
        ("credit_quota", "Credit quota"),
        ("user_count", "User count"),
        ("preserved_user_count", "Preserved user count"),
    ):
        problem = _count_error(values.get(field), label)
        if problem:
            errors[field] = problem
    start, end = values.get("quota_effective_date"), values.get("quota_end_date")
    if start and end and end < start:
        errors["quota_end_date"] = "The quota end date cannot be before the quota effective date."
    return errors


def _duplicate_type_error(session: Session, account: Account, product_type: str) -> str | None:
    exists = session.exec(
        select(Product.id).where(Product.account_id == account.id, Product.product_type == product_type)
    ).first()
    if exists is not None:
        return f"{account.customer_name or account.name} already has a {product_type} product."
    return None


def sandbox_errors(product: Product, changed: dict) -> dict[str, str]:
    """SANDBOX-2/3: what may not change on a Sandbox product (``changed`` = new values that differ)."""
    errors: dict[str, str] = {}
    for field in changed:
        if field not in SANDBOX_PRODUCT_FIELDS:
            errors[field] = f"The {_LABELS.get(field, field)} of the Sandbox customer's products cannot be changed."
    removed = set(product.storage_regions or []) - set(changed.get("storage_regions", product.storage_regions) or [])
    if removed:
        errors["storage_regions"] = (
            "Storage regions can only be added to the Sandbox customer's products, "
            f"never removed ({', '.join(sorted(removed))})."
        )
    return errors


# ---------------------------------------------------------------- writes


def complete_onboarding_tasks(session: Session, account_id: int, kinds: list[OnboardingTaskKind]) -> None:
    """Onboarding tasks (STATUS-1) that the change just completed."""
    tasks = session.exec(
        select(OnboardingTask).where(
            OnboardingTask.account_id == account_id,
            OnboardingTask.kind.in_([k.value for k in kinds]),
            OnboardingTask.status != TaskStatus.DONE,
        )
    ).all()
    for task in tasks:
        task.status = TaskStatus.DONE
        task.updated_at = utcnow()
        session.add(task)
    if tasks:
        session.flush()
        summaries.refresh_onboarding(session=session, account_id=account_id)


def new_product(session: Session, *, account: Account, data: ProductCreate) -> Product:
    """Insert a validated product (no permission or rule checks: callers do those)."""
    product = Product(
        account_id=account.id,
        product_type=data.product_type,
        service_plan_id=data.service_plan_id,
        tenant_type=data.tenant_type,
        storage_regions=clean_regions(data.storage_regions),
        credit_quota=data.credit_quota,
        quota_effective_date=data.quota_effective_date,
        quota_end_date=data.quota_end_date,
        license_expiry=data.license_expiry,
        user_count=data.user_count,
        preserved_user_count=data.preserved_user_count,
        status=ProductStatus.ACTIVE,
    )
    session.add(product)
    session.flush()
    complete_onboarding_tasks(session, account.id, [OnboardingTaskKind.ASSIGN_SERVICE_PLAN, OnboardingTaskKind.ADD_PRODUCT])
    summaries.refresh_account_summary(session=session, account_id=account.id)
    return product


def _customer_for_products(session: Session, actor: Actor, account_id: int) -> Account:
    account = require(session=session, actor=actor, action=Action.MANAGE_CONTENT, account_id=account_id)
    if account.kind != AccountKind.CUSTOMER:
        raise DomainError("Products belong to customers, not to resellers.")
    return account


def _product_in_scope(session: Session, actor: Actor, product_id: int) -> tuple[Product, Account]:
    """The product and its customer, or NotFound("Product") for a missing or out-of-scope id."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("Product")
    try:
        account = _customer_for_products(session, actor, product.account_id)
    except NotFound:
        raise NotFound("Product") from None
    return product, account


def add_product(*, session: Session, actor: Actor, account_id: int, data: ProductCreate) -> Product:
    """DETAIL-5 / SANDBOX-2: add a product; the Sandbox may gain a product type it lacks."""
    account = _customer_for_products(session, actor, account_id)
    values = data.model_dump()
    values["storage_regions"] = clean_regions(data.storage_regions)
    errors = detail_errors(
        session, values, chain=account_chain(session, account.parent_id), product_type=data.product_type
    )
    duplicate = _duplicate_type_error(session, account, data.product_type)
    if duplicate:
        errors.setdefault("product_type", duplicate)
    if errors:
        raise ValidationError(errors)
    product = new_product(session, account=account, data=data)
    audit.record(
        session=session,
        actor=actor,
        action="product.create",
        entity_type="product",
        entity_id=product.id,
        account_id=account.id,
        after=snapshot(product),
    )
    session.flush()
    return product


def update_product(*, session: Session, actor: Actor, product_id: int, data: ProductUpdate) -> Product:
    """Change the fields set in ``data``; on the Sandbox only SANDBOX-2's fields may change."""
    product, account = _product_in_scope(session, actor, product_id)
    before = snapshot(product)
    requested = {
        field: getattr(data, field)
        for field in data.model_fields_set
        if field in _DETAIL_FIELDS and (getattr(data, field) is not None or field in _NULLABLE)
    }
    if "storage_regions" in requested:
        requested["storage_regions"] = clean_regions(requested["storage_regions"])
    changed = {k: v for k, v in requested.items() if v != before[k]}
    if not changed:
        return product

    errors = sandbox_errors(product, changed) if account.is_sandbox else {}
    final = {field: before[field] for field in _DETAIL_FIELDS} | changed
    for field, message in detail_errors(
        session, final, chain=account_chain(session, account.parent_id), product_type=product.product_type
    ).items():
        # Only what this edit touches: an old value it leaves alone does not block it.
        if field in changed or (field == "quota_end_date" and "quota_effective_date" in changed):
            errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)

    for field, value in changed.items():
        setattr(product, field, value)
    session.add(product)
    session.flush()
    summaries.refresh_account_summary(session=session, account_id=account.id)
    audit.record_update(
        session=session,
        actor=actor,
        action="product.update",
        entity_type="product",
        entity_id=product.id,
        account_id=account.id,
        before=before,
        after=snapshot(product),
    )
    session.flush()
    return product


def delete_product(*, session: Session, actor: Actor, product_id: int) -> None:
    """Delete a product with its consumption history; data sources and alerts stay, detached."""
    product, account = _product_in_scope(session, actor, product_id)
    if account.is_sandbox:
        raise DomainError("The Sandbox customer's products cannot be deleted.")
    before = snapshot(product)
    session.execute(sa.delete(DailyConsumption).where(DailyConsumption.product_id == product.id))
    session.execute(sa.update(DataSource).where(DataSource.product_id == product.id).values(product_id=None))
    session.execute(sa.update(Alert).where(Alert.product_id == product.id).values(product_id=None))
    session.delete(product)
    session.flush()
    summaries.refresh_account_summary(session=session, account_id=account.id)
    summaries.refresh_consumption(session=session, account_id=account.id)
    audit.record(
        session=session,
        actor=actor,
        action="product.delete",
        entity_type="product",
        entity_id=product_id,
        account_id=account.id,
        before=before,
    )
    session.flush()


def _set_status(session: Session, actor: Actor, product_id: int, status: ProductStatus) -> Product:
    product, account = _product_in_scope(session, actor, product_id)
    verb = "suspended" if status == ProductStatus.SUSPENDED else "activated"
    if account.is_sandbox:
        raise DomainError(f"The Sandbox customer's products cannot be {verb}.")
    if product.status == status:
        raise DomainError(f"This product is already {status.value.lower()}.")
    before = product.status
    product.status = status
    session.add(product)
    session.flush()
    summaries.refresh_account_summary(session=session, account_id=account.id)
    audit.record(
        session=session,
        actor=actor,
        action="product.suspend" if status == ProductStatus.SUSPENDED else "product.activate",
        entity_type="product",
        entity_id=product.id,
        account_id=account.id,
        before={"status": before},
        after={"status": status},
    )
    session.flush()
    return product


def suspend_product(*, session: Session, actor: Actor, product_id: int) -> Product:
    return _set_status(session, actor, product_id, ProductStatus.SUSPENDED)


def activate_product(*, session: Session, actor: Actor, product_id: int) -> Product:
    return _set_status(session, actor, product_id, ProductStatus.ACTIVE)


def count_products(session: Session, account_id: int) -> int:
    return session.exec(select(func.count()).select_from(Product).where(Product.account_id == account_id)).one()
