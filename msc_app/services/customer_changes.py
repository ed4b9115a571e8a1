"""Creating, editing and deleting customers (CREATE-1..4, EDIT-1/2, DELETE-1, SANDBOX-2/3, EMAIL-1).

Every function takes ``(*, session, actor, ...)``, works in the caller's
transaction and never commits. Rules are checked before anything is written,
so a refusal leaves the database as it was; every field error is reported at
once (``ValidationError``), refusals that are not about a field raise
``DomainError``, and anything outside the actor's scope is ``NotFound``
exactly like a missing id (AUTH-4).

Decisions where the SPEC is silent:

- Account Name (``Account.name``, the Name column: how the vendor knows the
  customer) is fixed at creation. Without "hide name" it is the customer name
  as entered; with it, the Account Name entered. Renaming the customer later
  changes the Customer Name only. "Hide name" is fixed at creation too:
  hiding later would not hide anything (the account name already is the real
  name) and un-hiding would break "the account name is the customer name".
- Customer names and account names are each unique among the children of one
  parent, case-insensitively (on the lower-cased ``*_sort`` columns); the
  parent row is locked while checking, so two concurrent creates cannot both
  take a name on PostgreSQL (SQLite has one writer at a time).
- Service details are optional at creation (products can be added later):
  without a service plan no product is created.
- Tenant admins are users with the tenant-admin role whose home account is
  the customer, its parent or the distributor above, and visible to the
  actor; pending or deactivated users are refused by name (CREATE-4). Only
  newly assigned users are checked, so an edit never fails because of an
  admin assigned earlier.
- Delete (DELETE-1) is refused for the Sandbox, for a customer with products,
  with active or pending contracts, with users whose home account it is, with
  child accounts, or owning service plans. Otherwise its contacts, expired and
  cancelled contracts, onboarding tasks, billing ingestion row, health rows and
  tenant-admin assignments go with it. Its audit events are kept and move to
  the parent account (so the trail outlives the customer and stays visible to
  the tenant that managed it); sessions and events that were in its
  perspective forget that perspective.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, func, select

from msc_app.models import (
    Account,
    AccountKind,
    Alert,
    AuditEvent,
    BackupJob,
    BillingIngestion,
    Contact,
    Contract,
    ContractStatus,
    DailyConsumption,
    DataSource,
    IngestionStatus,
    OnboardingTask,
    OnboardingTaskKind,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    TenantType,
    User,
    SavedView,
    UserSession,
    UserStatus,
)
from msc_app.services import api_tokens, audit, outbox, products, summaries
from msc_app.services.errors import DomainError, ValidationError
from msc_app.services.permissions import Action, Actor, in_id_range, require, visible_accounts
from msc_app.services.validation import format_phone, phone_error, required

NAME_MAX = 200
ADDRESS_MAX = 500
PHONE_MAX = 40

STALE_MESSAGE = "This customer was changed by someone else since you opened it. Reload to see the changes."
SANDBOX_DELETE_MESSAGE = "The Sandbox customer cannot be deleted: it is kept for demos and training."


class ConcurrentChange(DomainError):
    """EDIT-2: the customer changed since the form was opened."""

    def __init__(self):
        super().__init__(STALE_MESSAGE)


class CustomerCreate(BaseModel):
    """The Create Customer dialog (CREATE-1): account details and, optionally, a first product."""

    customer_name: str = ""
    hide_name: bool = False
    account_name: str = ""  # only when hide_name
    address: str = ""
    phone: str = ""
    organization: str = ""
    tenant_admin_user_ids: list[int] = Field(default_factory=list)
    # The distributor or a reseller in scope; None = the actor's own tenant.
    parent_account_id: int | None = None
    # Service details of the first product; no service plan = no product yet.
    service_plan_id: int | None = None
    product_type: str = ProductType.HYBRID_WORKLOADS.value
    tenant_type: str = TenantType.EVALUATION.value
    storage_regions: list[str] = Field(default_factory=list)
    credit_quota: int = 0
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None


class CustomerUpdate(BaseModel):
    """The Edit Customer dialog (EDIT-1): only the fields that are set change (``model_fields_set``).

    ``account_name`` and ``hide_name`` may be sent back unchanged; a different
    value is refused (CREATE-3).
    """

    customer_name: str | None = None
    hide_name: bool | None = None
    account_name: str | None = None
    address: str | None = None
    phone: str | None = None
    organization: str | None = None
    tenant_admin_user_ids: list[int] | None = None


_SERVICE_FIELDS = (
    "service_plan_id",
    "product_type",
    "tenant_type",
    "storage_regions",
    "credit_quota",
    "quota_effective_date",
    "quota_end_date",
    "license_expiry",
)
_ACCOUNT_LABELS = {
    "customer_name": "customer name",
    "hide_name": "hide-name setting",
    "account_name": "account name",
    "address": "address",
    "phone": "phone number",
    "organization": "organization name",
    "tenant_admins": "tenant admins",
}


# ---------------------------------------------------------------- reading helpers


def snapshot(session: Session, account: Account) -> dict:
    """What the audit trail records of a customer's account details."""
    return {
        "name": account.name,
        "customer_name": account.customer_name,
        "hide_name": account.hide_name,
        "organization": account.organization,
        "address": account.address,
        "phone": account.phone,
        "parent_id": account.parent_id,
        "tenant_admin_user_ids": sorted(_assigned_ids(session, account.id)),
        "version": account.version,
    }


def _assigned_ids(session: Session, account_id: int) -> set[int]:
    return set(
        session.exec(
            select(TenantAdminAssignment.user_id).where(TenantAdminAssignment.account_id == account_id)
        ).all()
    )


def tenant_admin_choices(*, session: Session, actor: Actor, account_id: int) -> list[User]:
    """Tenant admins that may be assigned to a customer of (or under) ``account_id``.

    Pending users are included so that a form can show them as such; assigning
    one is refused (CREATE-4).
    """
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    chain = products.account_chain(session, account_id)
    return list(
        session.exec(
            select(User)
            .where(
                User.role == Role.TENANT_ADMIN,
                User.account_id.in_(chain),
                User.account_id.in_(select(Account.id).where(visible_accounts(actor))),
                User.status != UserStatus.DEACTIVATED,
            )
            .order_by(User.name, User.id)
        )
    )


# ---------------------------------------------------------------- validation


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _length_error(value: str, limit: int, label: str) -> str | None:
    if len(value) > limit:
        return f"{label} can be at most {limit} characters."
    return None


def _first(*problems: str | None) -> str | None:
    return next((p for p in problems if p), None)


def _lock_parent(session: Session, parent_id: int) -> None:
    """Serialise name checks under one parent (PostgreSQL row lock; a no-op on SQLite)."""
    session.exec(select(Account.id).where(Account.id == parent_id).with_for_update(key_share=True)).first()


def _name_taken(session: Session, *, parent_id: int, column, value: str, exclude_id: int | None) -> bool:
    query = select(Account.id).where(Account.parent_id == parent_id, column == value.lower())
    if exclude_id is not None:
        query = query.where(Account.id != exclude_id)
    return session.exec(query.limit(1)).first() is not None


def _name_errors(
    session: Session,
    *,
    parent_id: int,
    customer_name: str | None,
    account_name: str | None,
    exclude_id: int | None = None,
) -> dict[str, str]:
    """Uniqueness within the parent, case-insensitive (CREATE-2)."""
    errors: dict[str, str] = {}
    if customer_name and _name_taken(
        session, parent_id=parent_id, column=Account.customer_name_sort, value=customer_name, exclude_id=exclude_id
    ):
        errors["customer_name"] = f"A customer named {customer_name} already exists here."
    if account_name and _name_taken(
        session, parent_id=parent_id, column=Account.name_sort, value=account_name, exclude_id=exclude_id
    ):
        errors["account_name"] = f"The account name {account_name} is already taken here."
    return errors


def _contact_field_errors(values: dict) -> dict[str, str]:
    """Address, phone and organization: formats and lengths."""
    errors: dict[str, str] = {}
    checks = {
        "address": lambda v: _length_error(v, ADDRESS_MAX, "Address"),
        "phone": lambda v: _first(_length_error(v, PHONE_MAX, "Phone number"), phone_error(v)),
        "organization": lambda v: _length_error(v, NAME_MAX, "Organization name"),
    }
    for field, check in checks.items():
        if field in values:
            problem = check(values[field])
            if problem:
                errors[field] = problem
    return errors


def _tenant_admin_error(
    session: Session, actor: Actor, *, user_ids: set[int], chain: list[int], where: str
) -> str | None:
    """CREATE-4: the users to assign must be active tenant admins the actor may assign here."""
    if not user_ids:
        return None
    visible = select(Account.id).where(visible_accounts(actor))
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(User.id.in_([i for i in user_ids if in_id_range(i)]), User.account_id.in_(visible))
        ).all()
    }
    problems: list[str] = []
    if len(users) < len(user_ids):
        problems.append("Tenant admin not found.")  # missing and out of scope look the same (AUTH-4)
    for user in sorted(users.values(), key=lambda u: (u.name, u.id)):
        who = f"{user.name} ({user.email})"
        if user.role != Role.TENANT_ADMIN:
            problems.append(f"{who} is not a tenant admin.")
        elif user.account_id not in chain:
            problems.append(f"{who} cannot be assigned to customers of {where}.")
        elif user.status == UserStatus.PENDING:
            problems.append(
                f"{who} has not accepted the invitation yet: a pending tenant admin cannot be assigned."
            )
        elif user.status != UserStatus.ACTIVE:
            problems.append(f"{who} is deactivated and cannot be assigned.")
    return " ".join(problems) or None


def _service_errors(session: Session, data: CustomerCreate, parent: Account) -> dict[str, str]:
    values = data.model_dump(include=set(_SERVICE_FIELDS))
    if data.service_plan_id is None:
        defaults = CustomerCreate()
        given = [
            f for f in _SERVICE_FIELDS
            if f not in ("product_type", "tenant_type") and getattr(data, f) != getattr(defaults, f)
        ]
        if given:
            return {"service_plan_id": "Choose a service plan for these service details, or leave them empty."}
        return {}
    values["storage_regions"] = products.clean_regions(data.storage_regions)
    return products.detail_errors(
        session,
        values | {"user_count": 0, "preserved_user_count": 0},
        chain=products.account_chain(session, parent.id),
        product_type=data.product_type,
    )


def _create_errors(session: Session, actor: Actor, data: CustomerCreate, parent: Account) -> dict[str, str]:
    customer_name = _clean(data.customer_name)
    account_name = _clean(data.account_name) if data.hide_name else customer_name
    errors: dict[str, str] = {}
    problem = _first(required(customer_name, "Customer name"), _length_error(customer_name, NAME_MAX, "Customer name"))
    if problem:
        errors["customer_name"] = problem
    if data.hide_name:
        problem = _first(required(account_name, "Account name"), _length_error(account_name, NAME_MAX, "Account name"))
        if problem:
            errors["account_name"] = problem
    errors |= _contact_field_errors(
        {"address": _clean(data.address), "phone": _clean(data.phone), "organization": _clean(data.organization)}
    )
    problem = _tenant_admin_error(
        session,
        actor,
        user_ids=set(data.tenant_admin_user_ids),
        chain=products.account_chain(session, parent.id),
        where=parent.name,
    )
    if problem:
        errors["tenant_admins"] = problem
    errors |= _service_errors(session, data, parent)
    names = _name_errors(
        session,
        parent_id=parent.id,
        customer_name=customer_name if "customer_name" not in errors else None,
        account_name=account_name if "account_name" not in errors and "customer_name" not in errors else None,
    )
    if not data.hide_name and "account_name" in names:
        # Without "hide name" the account name is the customer name: report it there.
        names.setdefault("customer_name", names.pop("account_name").replace("account name", "name"))
        names.pop("account_name", None)
    for field, message in names.items():
        errors.setdefault(field, message)
    return errors


# ---------------------------------------------------------------- create


def create_customer(*, session: Session, actor: Actor, data: CustomerCreate) -> Account:
    """CREATE-1..4 and EMAIL-1: the customer, its first product, onboarding tasks and a confirmation mail."""
    parent_id = data.parent_account_id or actor.account_id
    parent = require(session=session, actor=actor, action=Action.CREATE_CUSTOMER, account_id=parent_id)
    _lock_parent(session, parent.id)
    errors = _create_errors(session, actor, data, parent)
    if errors:
        raise ValidationError(errors)

    customer_name = _clean(data.customer_name)
    account_name = _clean(data.account_name) if data.hide_name else customer_name
    account = Account(
        kind=AccountKind.CUSTOMER,
        parent_id=parent.id,
        name=account_name,
        name_sort=account_name.lower(),
        customer_name=customer_name,
        customer_name_sort=customer_name.lower(),
        hide_name=data.hide_name,
        organization=_clean(data.organization),
        address=_clean(data.address),
        phone=format_phone(_clean(data.phone)),
        is_sandbox=False,
        version=1,
    )
    session.add(account)
    session.flush()
    for user_id in sorted(set(data.tenant_admin_user_ids)):
        session.add(TenantAdminAssignment(user_id=user_id, account_id=account.id))
    for kind in OnboardingTaskKind:
        session.add(OnboardingTask(account_id=account.id, kind=kind, status=TaskStatus.NOT_STARTED))
    session.add(BillingIngestion(account_id=account.id, status=IngestionStatus.NOT_AVAILABLE))
    session.flush()
    if data.tenant_admin_user_ids:
        products.complete_onboarding_tasks(session, account.id, [OnboardingTaskKind.INVITE_ADMIN])
    product = None
    if data.service_plan_id is not None:
        product = products.new_product(
            session,
            account=account,
            data=products.ProductCreate(**data.model_dump(include=set(_SERVICE_FIELDS))),
        )
    session.flush()
    # The list's columns (onboarding, tenant admins, source data, ...) for the new row and its parents.
    summaries.refresh_list_columns(session=session, account_id=account.id)

    audit.record(
        session=session,
        actor=actor,
        action="customer.create",
        entity_type="customer",
        entity_id=account.id,
        account_id=account.id,
        after=snapshot(session, account),
    )
    if product is not None:
        audit.record(
            session=session,
            actor=actor,
            action="product.create",
            entity_type="product",
            entity_id=product.id,
            account_id=account.id,
            after=products.snapshot(product),
        )
    _queue_confirmation(session, actor, account, parent, product)
    session.flush()
    return account


def _queue_confirmation(session: Session, actor: Actor, account: Account, parent: Account, product) -> None:
    """EMAIL-1: the creating admin's registered address hears about the new customer."""
    admin = session.get(User, actor.user_id)
    if admin is None:
        return
    if product is not None:
        plan = session.get(ServicePlan, product.service_plan_id)
        service = f"{product.product_type} on {plan.name if plan else 'its plan'} ({product.tenant_type})"
    else:
        service = "no products yet"
    lines = [
        f"Hello {admin.name},",
        "",
        f"The customer {account.customer_name} was created in MSC.",
        "",
        f"  Account name:   {account.name}",
        f"  Customer name:  {account.customer_name}",
        f"  Parent:         {parent.name}",
        f"  Organization:   {account.organization or '-'}",
        f"  Service:        {service}",
        f"  Created:        {account.created_at:%Y-%m-%d %H:%M} UTC",
        "",
        "You receive this message because you created this customer.",
    ]
    outbox.queue_email(
        session=session,
        to=admin.email,
        subject=f"Customer created: {account.customer_name}",
        body="\n".join(lines) + "\n",
    )


# ---------------------------------------------------------------- update


def _update_errors(
    session: Session, actor: Actor, account: Account, changed: dict, new_admins: set[int]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if account.is_sandbox:
        # SANDBOX-2: none of the account details of the Sandbox may change.
        for field in changed:
            label = _ACCOUNT_LABELS.get(field, field)
            errors[field] = f"The Sandbox customer's {label} cannot be changed."
        return errors
    if "account_name" in changed:
        errors["account_name"] = "Account Name cannot be changed once entered."
    if "hide_name" in changed:
        errors["hide_name"] = "Hiding the customer name is decided when the customer is created."
    if "customer_name" in changed:
        name = changed["customer_name"]
        problem = _first(required(name, "Customer name"), _length_error(name, NAME_MAX, "Customer name"))
        if problem:
            errors["customer_name"] = problem
    errors |= _contact_field_errors(changed)
    if "tenant_admins" in changed:
        if account.kind != AccountKind.CUSTOMER and changed["tenant_admins"]:
            errors["tenant_admins"] = "Tenant admins are assigned to customers."
        else:
            problem = _tenant_admin_error(
                session,
                actor,
                user_ids=new_admins,
                chain=products.account_chain(session, account.id),
                where=account.customer_name or account.name,
            )
            if problem:
                errors["tenant_admins"] = problem
    if "customer_name" in changed and "customer_name" not in errors:
        _lock_parent(session, account.parent_id)
        errors |= _name_errors(
            session,
            parent_id=account.parent_id,
            customer_name=changed["customer_name"],
            account_name=None,
            exclude_id=account.id,
        )
    return errors


def _requested_changes(session: Session, account: Account, data: CustomerUpdate) -> dict:
    """The fields of ``data`` that are set and differ from the account (``tenant_admins`` as a set)."""
    given = {f for f in data.model_fields_set if getattr(data, f) is not None}
    current = {
        "customer_name": account.customer_name,
        "hide_name": account.hide_name,
        "account_name": account.name,
        "address": account.address,
        "phone": account.phone,
        "organization": account.organization,
    }
    changed: dict = {}
    for field, old in current.items():
        if field not in given:
            continue
        new = getattr(data, field)
        if isinstance(new, str):
            new = _clean(new)
            if field == "phone" and new and not phone_error(new):
                new = format_phone(new)
        if new != old:
            changed[field] = new
    if "tenant_admin_user_ids" in given:
        wanted = set(data.tenant_admin_user_ids)
        if wanted != _assigned_ids(session, account.id):
            changed["tenant_admins"] = wanted
    return changed


def update_customer(
    *, session: Session, actor: Actor, account_id: int, data: CustomerUpdate, expected_version: int
) -> Account:
    """EDIT-1/EDIT-2: change the account details set in ``data`` if nobody changed the customer since
    ``expected_version``; a stale version raises ``ConcurrentChange`` and changes nothing."""
    account = require(session=session, actor=actor, action=Action.EDIT_CUSTOMER, account_id=account_id)
    if account.version != expected_version:
        raise ConcurrentChange()
    changed = _requested_changes(session, account, data)
    if not changed:
        return account
    assigned = _assigned_ids(session, account.id)
    new_admins = changed.get("tenant_admins", assigned) - assigned
    errors = _update_errors(session, actor, account, changed, new_admins)
    if errors:
        raise ValidationError(errors)

    before = snapshot(session, account)
    columns: dict = {"version": Account.version + 1}
    for field in ("customer_name", "address", "phone", "organization"):
        if field in changed:
            columns[field] = changed[field]
    if "customer_name" in changed:
        columns["customer_name_sort"] = changed["customer_name"].lower()
    # The version check and the write are one statement: a concurrent save
    # that got in first leaves no row to update (EDIT-2), on every backend.
    result = session.execute(
        sa.update(Account)
        .where(Account.id == account.id, Account.version == expected_version)
        .values(**columns)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConcurrentChange()
    if "tenant_admins" in changed:
        removed = assigned - changed["tenant_admins"]
        if removed:
            session.execute(
                sa.delete(TenantAdminAssignment).where(
                    TenantAdminAssignment.account_id == account.id,
                    TenantAdminAssignment.user_id.in_(removed),
                )
            )
        for user_id in sorted(new_admins):
            session.add(TenantAdminAssignment(user_id=user_id, account_id=account.id))
        if changed["tenant_admins"]:
            products.complete_onboarding_tasks(session, account.id, [OnboardingTaskKind.INVITE_ADMIN])
        session.flush()
        summaries.refresh_tenant_admins(session=session, account_id=account.id)
    session.flush()
    session.refresh(account)
    audit.record_update(
        session=session,
        actor=actor,
        action="customer.update",
        entity_type="customer",
        entity_id=account.id,
        account_id=account.id,
        before=before,
        after=snapshot(session, account),
    )
    session.flush()
    return account


# ---------------------------------------------------------------- delete


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _count(session: Session, model, *conditions) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def _refusal(session: Session, account: Account) -> str | None:
    """Why ``account`` cannot be deleted, or None (DELETE-1)."""
    if account.is_sandbox:
        return SANDBOX_DELETE_MESSAGE
    name = account.customer_name or account.name
    children = _count(session, Account, Account.parent_id == account.id)
    if children:
        return f"{name} has {_plural(children, 'customer')}. Delete or move them first."
    product_count = products.count_products(session, account.id)
    if product_count:
        return f"{name} has {_plural(product_count, 'product')}. Delete its products first."
    live = _count(
        session,
        Contract,
        Contract.account_id == account.id,
        Contract.status.in_([ContractStatus.ACTIVE.value, ContractStatus.PENDING.value]),
    )
    if live:
        return f"{name} has {_plural(live, 'active or pending contract')}. Cancel them first."
    users = _count(session, User, User.account_id == account.id)
    if users:
        return f"{name} is the home account of {_plural(users, 'user')}. Remove them first."
    plans = _count(session, ServicePlan, ServicePlan.owner_account_id == account.id)
    if plans:
        return f"{name} owns {_plural(plans, 'service plan')}. Delete or reassign them first."
    return None


def delete_refusal_reason(*, session: Session, actor: Actor, account_id: int) -> str | None:
    """Why the actor's delete would be refused, for the confirmation dialog; None if it may go ahead.

    NotFound / PermissionDenied when the actor may not delete this customer at all.
    """
    account = require(session=session, actor=actor, action=Action.DELETE_CUSTOMER, account_id=account_id)
    return _refusal(session, account)


def delete_customer(*, session: Session, actor: Actor, account_id: int) -> None:
    """DELETE-1 / SANDBOX-3: delete a customer with no products, and what belongs only to it."""
    account = require(session=session, actor=actor, action=Action.DELETE_CUSTOMER, account_id=account_id)
    reason = _refusal(session, account)
    if reason:
        raise DomainError(reason)
    before = snapshot(session, account)
    aid = account.id
    data_sources = select(DataSource.id).where(DataSource.account_id == aid)
    # API tokens made in the customer's perspective stop working (revoked), and keep no reference to it.
    api_tokens.retire_perspective(session=session, account_id=aid)
    for statement in (
        sa.delete(BackupJob).where(sa.or_(BackupJob.account_id == aid, BackupJob.data_source_id.in_(data_sources))),
        sa.delete(Alert).where(Alert.account_id == aid),
        sa.delete(DailyConsumption).where(DailyConsumption.account_id == aid),
        sa.delete(DataSource).where(DataSource.account_id == aid),
        sa.delete(Contact).where(Contact.account_id == aid),
        sa.delete(Contract).where(Contract.account_id == aid),
        sa.delete(OnboardingTask).where(OnboardingTask.account_id == aid),
        sa.delete(BillingIngestion).where(BillingIngestion.account_id == aid),
        sa.delete(TenantAdminAssignment).where(TenantAdminAssignment.account_id == aid),
        sa.update(UserSession).where(UserSession.perspective_account_id == aid).values(perspective_account_id=None),
        # Views saved while working as the customer go with it (they listed its rows only).
        sa.delete(SavedView).where(SavedView.account_id == aid),
        sa.update(AuditEvent).where(AuditEvent.perspective_account_id == aid).values(perspective_account_id=None),
        sa.update(AuditEvent).where(AuditEvent.account_id == aid).values(account_id=account.parent_id),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    session.delete(account)
    session.flush()
    if account.parent_id is not None:
        # The parent's aggregated Source Data no longer includes the deleted customer (SOURCE-1).
        summaries.refresh_source_data(session=session, account_id=account.parent_id)
    audit.record(
        session=session,
        actor=actor,
        action="customer.delete",
        entity_type="customer",
        entity_id=aid,
        account_id=account.parent_id,
        before=before,
    )
    session.flush()
