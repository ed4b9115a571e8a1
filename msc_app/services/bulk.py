"""Bulk actions on the customers list (issue 8): one change for many customers at once.

A *selection* is either explicit customer ids (rows ticked by hand, possibly on
several pages) or "all matching" a ``ListQuery`` (the list's search and
filters; the ids are found here, on the server, in the actor's scope, never
sent by the browser). "All matching" means the *customers* that match: the
list's reseller rows, context rows and the actor's own tenant have no products
of their own to change and are left out.

The actions (``assign_plan``, ``suspend_products``, ``activate_products``)
change the customers' products through ``services.products`` — the very
functions the details page uses — so the rules (SANDBOX-2/3, the plans a
customer's parent chain sells, who may change products) and the audit events
are the same as for one product changed by hand.

Each customer is changed in its own SAVEPOINT: when one of its products is
refused, none of that customer's products change (nothing half-done), the
customer is reported with the rule's message, and the others proceed. An id
outside the actor's scope is reported exactly like a missing one ("Customer not
found."), without its name.

Large selections are read ``chunk_size`` ids at a time (keyset on the id, so
customers that stop matching because of the change do not shift the rest), so
100,000 customers never sit in memory at once. ``next_chunk`` lets a caller run
each chunk in a transaction of its own and report progress between them
(``state/customer_bulk.py`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, Product, ProductStatus, ProductType, Role, ServicePlan
from msc_app.services import products
from msc_app.services.customers import ListQuery
from msc_app.services.errors import DomainError, NotFound, PermissionDenied, ValidationError
from msc_app.services.list_filters import filter_conditions
from msc_app.services.permissions import Action, Actor, allowed, visible_accounts

CHUNK_SIZE = 200
# Ids ticked by hand: a person ticks at most a few pages of 100 rows; "all matching" has no limit.
MAX_EXPLICIT_IDS = 10_000
NOT_A_CUSTOMER = "Products belong to customers, not to resellers."


class BulkAction:
    ASSIGN_PLAN = "assign_plan"
    SUSPEND = "suspend"
    ACTIVATE = "activate"


@dataclass(frozen=True)
class Selection:
    """Explicit customer ids, or every customer matching ``query``."""

    ids: tuple[int, ...] = ()
    query: ListQuery | None = None

    @classmethod
    def of_ids(cls, ids: Iterable) -> Selection:
        """Ids from untrusted input: positive integers, once each, sorted; anything else is dropped."""
        clean: set[int] = set()
        for value in ids or ():
            try:
                number = int(value)
            except (TypeError, ValueError, OverflowError):
                continue
            if 0 < number < 2**63:
                clean.add(number)
        if len(clean) > MAX_EXPLICIT_IDS:
            raise DomainError(
                f"Select at most {MAX_EXPLICIT_IDS:,} customers by hand, or select all matching customers."
            )
        return cls(ids=tuple(sorted(clean)))

    @classmethod
    def all_matching(cls, query: ListQuery) -> Selection:
        return cls(query=query)

    @property
    def is_all_matching(self) -> bool:
        return self.query is not None


@dataclass(frozen=True)
class BulkFailure:
    """A customer the action left unchanged, and why (the rule's own message)."""

    account_id: int
    name: str
    message: str


@dataclass
class BulkResult:
    processed: int = 0  # customers looked at
    changed: int = 0  # customers with at least one product changed
    products_changed: int = 0
    unchanged: int = 0  # customers with nothing to change (no such product, already so)
    failures: list[BulkFailure] = field(default_factory=list)

    def merge(self, other: BulkResult) -> BulkResult:
        return BulkResult(
            processed=self.processed + other.processed,
            changed=self.changed + other.changed,
            products_changed=self.products_changed + other.products_changed,
            unchanged=self.unchanged + other.unchanged,
            failures=[*self.failures, *other.failures],
        )


# ---------------------------------------------------------------- who may, and what is selected


def may_change_products(actor: Actor) -> bool:
    """Who may run a bulk action: whoever ``permissions.allowed`` lets change products
    (``Action.MANAGE_CONTENT``): admins and tenant admins, never viewers. Each customer is
    judged again on its own."""
    return actor.role != Role.VIEWER


def require_may_change(actor: Actor) -> None:
    if not may_change_products(actor):
        raise PermissionDenied()


def matching_conditions(actor: Actor, query: ListQuery) -> list:
    """SQL conditions on ``Account``: the customers of the list's current view that a bulk action
    applies to — the list's own scope and search/filter conditions (``services.customers``), limited
    to customers and without the tenant the actor works as."""
    return [
        visible_accounts(actor),
        Account.kind == AccountKind.CUSTOMER.value,
        Account.id != actor.account_id,
        *filter_conditions(Account, query, own_account_id=actor.account_id),
    ]


def count_selected(*, session: Session, actor: Actor, selection: Selection) -> int:
    """How many customers the selection holds (what the confirmation says)."""
    if not selection.is_all_matching:
        return len(selection.ids)
    return session.exec(
        select(func.count()).select_from(Account).where(*matching_conditions(actor, selection.query))
    ).one()


def matching_ids(
    *, session: Session, actor: Actor, query: ListQuery, after_id: int = 0, limit: int = CHUNK_SIZE
) -> list[int]:
    """The next ``limit`` ids (ascending, above ``after_id``) of the customers matching ``query``."""
    return list(
        session.exec(
            select(Account.id)
            .where(*matching_conditions(actor, query), Account.id > after_id)
            .order_by(Account.id)
            .limit(max(1, limit))
        )
    )


def next_chunk(
    *, session: Session, actor: Actor, selection: Selection, after_id: int = 0, size: int = CHUNK_SIZE
) -> list[int]:
    """The selection's next ids above ``after_id``, at most ``size`` (empty when done)."""
    if selection.is_all_matching:
        return matching_ids(session=session, actor=actor, query=selection.query, after_id=after_id, limit=size)
    return [i for i in selection.ids if i > after_id][: max(1, size)]


def chunks(*, session: Session, actor: Actor, selection: Selection, size: int = CHUNK_SIZE) -> Iterator[list[int]]:
    after = 0
    while ids := next_chunk(session=session, actor=actor, selection=selection, after_id=after, size=size):
        yield ids
        after = ids[-1]


# ---------------------------------------------------------------- plans


def plan_choices(*, session: Session, actor: Actor) -> list[ServicePlan]:
    """Plans a bulk assignment may offer: those some customer in the actor's scope could be sold —
    the default plan, plans of the actor's tenant and its parents, and plans of the tenants it sees.
    Each customer is checked again against its own parent chain (``products.update_product``)."""
    chain = products.account_chain(session, actor.account_id)
    return list(
        session.exec(
            select(ServicePlan)
            .where(
                sa.or_(
                    ServicePlan.is_default,
                    ServicePlan.owner_account_id.in_(chain or [-1]),
                    ServicePlan.owner_account_id.in_(select(Account.id).where(visible_accounts(actor))),
                )
            )
            .order_by(func.lower(ServicePlan.name), ServicePlan.id)
        )
    )


def _check_plan(session: Session, actor: Actor, plan_id, product_type: str | None) -> tuple[int, str | None]:
    errors: dict[str, str] = {}
    if product_type in ("", None):
        product_type = None
    elif product_type not in {t.value for t in ProductType}:
        errors["product_type"] = "Choose a product."
    try:
        plan_id = int(plan_id)
    except (TypeError, ValueError, OverflowError):
        plan_id = None
    offered = {p.id: p for p in plan_choices(session=session, actor=actor)}
    plan = offered.get(plan_id)
    if plan is None:
        errors["service_plan_id"] = "Choose one of the service plans offered."
    elif product_type and plan.products and product_type not in plan.products:
        errors["service_plan_id"] = f"The plan {plan.name} does not include {product_type}."
    if errors:
        raise ValidationError(errors)
    return plan_id, product_type


# ---------------------------------------------------------------- running an action


# A change to one customer: (customer, its products) -> how many products it changed.
Change = Callable[[Account, list[Product]], int]


def _message(exc: DomainError) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(dict.fromkeys(exc.errors.values()))
    return exc.message


def apply_to_ids(*, session: Session, actor: Actor, account_ids: list[int], change: Change) -> BulkResult:
    """Run ``change`` on each customer of ``account_ids``, each in its own SAVEPOINT."""
    result = BulkResult(processed=len(account_ids))
    if not account_ids:
        return result
    accounts = {
        account.id: account
        for account in session.exec(select(Account).where(Account.id.in_(account_ids), visible_accounts(actor)))
    }
    by_account: dict[int, list[Product]] = {}
    for product in session.exec(
        select(Product).where(Product.account_id.in_(list(accounts) or [-1])).order_by(Product.id)
    ):
        by_account.setdefault(product.account_id, []).append(product)

    for account_id in account_ids:
        account = accounts.get(account_id)
        if account is None:
            # AUTH-4: outside the scope is "not found", like a missing id, and names nothing.
            result.failures.append(BulkFailure(account_id, f"Customer #{account_id}", NotFound("Customer").message))
            continue
        try:
            if not allowed(actor, Action.MANAGE_CONTENT, account):
                raise PermissionDenied()
            if account.kind != AccountKind.CUSTOMER:
                raise DomainError(NOT_A_CUSTOMER)
            with session.begin_nested():
                changed = change(account, by_account.get(account.id, []))
        except DomainError as exc:
            result.failures.append(BulkFailure(account.id, account.name, _message(exc)))
            continue
        if changed:
            result.changed += 1
            result.products_changed += changed
        else:
            result.unchanged += 1
    return result


def _run(
    *,
    session: Session,
    actor: Actor,
    selection: Selection,
    change: Change,
    chunk_size: int,
    progress: Callable[[BulkResult], None] | None,
) -> BulkResult:
    result = BulkResult()
    for ids in chunks(session=session, actor=actor, selection=selection, size=chunk_size):
        result = result.merge(apply_to_ids(session=session, actor=actor, account_ids=ids, change=change))
        if progress is not None:
            progress(result)
    return result


def plan_change(*, session: Session, actor: Actor, plan_id, product_type: str | None = None) -> Change:
    """The per-customer change of ``assign_plan`` (the plan and product type checked first)."""
    require_may_change(actor)
    plan_id, product_type = _check_plan(session, actor, plan_id, product_type)

    def change(_account: Account, found: list[Product]) -> int:
        targets = [
            p for p in found
            if (product_type is None or p.product_type == product_type) and p.service_plan_id != plan_id
        ]
        for product in targets:
            products.update_product(
                session=session,
                actor=actor,
                product_id=product.id,
                data=products.ProductUpdate(service_plan_id=plan_id),
            )
        return len(targets)

    return change


def status_change(*, session: Session, actor: Actor, status: ProductStatus) -> Change:
    """The per-customer change of ``suspend_products`` / ``activate_products``: every product not
    already in ``status``; the Sandbox's are refused by ``products`` (SANDBOX-3)."""
    require_may_change(actor)
    set_status = products.suspend_product if status == ProductStatus.SUSPENDED else products.activate_product

    def change(_account: Account, found: list[Product]) -> int:
        targets = [p for p in found if p.status != status]
        for product in targets:
            set_status(session=session, actor=actor, product_id=product.id)
        return len(targets)

    return change


def assign_plan(
    *,
    session: Session,
    actor: Actor,
    selection: Selection,
    plan_id: int,
    product_type: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[BulkResult], None] | None = None,
) -> BulkResult:
    """Put the selected customers' products (of ``product_type``, or all) on the service plan ``plan_id``."""
    change = plan_change(session=session, actor=actor, plan_id=plan_id, product_type=product_type)
    return _run(session=session, actor=actor, selection=selection, change=change, chunk_size=chunk_size, progress=progress)


def suspend_products(
    *,
    session: Session,
    actor: Actor,
    selection: Selection,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[BulkResult], None] | None = None,
) -> BulkResult:
    """Suspend every active product of the selected customers."""
    change = status_change(session=session, actor=actor, status=ProductStatus.SUSPENDED)
    return _run(session=session, actor=actor, selection=selection, change=change, chunk_size=chunk_size, progress=progress)


def activate_products(
    *,
    session: Session,
    actor: Actor,
    selection: Selection,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[BulkResult], None] | None = None,
) -> BulkResult:
    """Activate every suspended product of the selected customers."""
    change = status_change(session=session, actor=actor, status=ProductStatus.ACTIVE)
    return _run(session=session, actor=actor, selection=selection, change=change, chunk_size=chunk_size, progress=progress)


def change_for(*, session: Session, actor: Actor, action: str, plan_id=None, product_type: str | None = None) -> Change:
    """The per-customer change of ``action`` (a ``BulkAction``), for callers that run chunks themselves."""
    if action == BulkAction.ASSIGN_PLAN:
        return plan_change(session=session, actor=actor, plan_id=plan_id, product_type=product_type)
    if action == BulkAction.SUSPEND:
        return status_change(session=session, actor=actor, status=ProductStatus.SUSPENDED)
    if action == BulkAction.ACTIVATE:
        return status_change(session=session, actor=actor, status=ProductStatus.ACTIVE)
    raise DomainError("Choose an action.")
