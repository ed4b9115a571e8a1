"""AUTH-4, TENANT-1/2, SPEC 1: every service that reads or changes customer data, as every role, from every tenant.

Each cell of the matrix is one (service function, actor, target customer) and asserts, on SQLite and PostgreSQL:

- the outcome SPEC 1 gives for that role and tenant, written out below cell by cell (not derived from
  ``permissions.py``): allowed, ``PermissionDenied`` (the role sees the customer but may not do this), or
  ``NotFound`` with exactly the message a missing id gets (the customer lies outside the actor's scope);
- that a refused change leaves every row of every table as it was (a whole-database snapshot), that an
  allowed change does change the database, and that a read never writes.

The second half forges ids: each service that takes an id is called with the id of another tenant's object
(customer, contact, product, contract, onboarding task) and with an id that does not exist; both must give
the same ``NotFound`` message and change nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from msc_app.models import Account, Product, ProductStatus, ProductType, Role, ServicePlan, User, UserStatus
from msc_app.models.contacts import ContactCreate, ContactUpdate
from msc_app.services import (
    audit,
    auth,
    consumption,
    contacts,
    contracts,
    customer_changes,
    customer_details,
    customer_export,
    customer_health,
    customer_products,
    customers,
    onboarding,
    preferences,
    products,
    tenants,
)
from msc_app.services.customer_changes import CustomerCreate, CustomerUpdate
from msc_app.services.customers import ListQuery
from msc_app.services.errors import NotFound, PermissionDenied, ValidationError
from msc_app.services.permissions import Actor
from msc_app.services.products import ProductCreate, ProductUpdate
from tests.conftest import World
from tests.security.support import (
    MISSING_ID,
    SecurityWorld,
    blank_sibling,
    build_security_world,
    changed_tables,
    database_snapshot,
)
from tests.services.support import plan_id

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
MISSING = "missing"  # the target of a forged call with an id that does not exist

ALLOWED, DENIED, NOT_FOUND = "allowed", "PermissionDenied", "NotFound"


@pytest.fixture(scope="module")
def sw(world: World, database) -> SecurityWorld:
    with Session(database.engine, expire_on_commit=False) as db_session:
        built = build_security_world(db_session, world)
        db_session.commit()
    return built


# ---------------------------------------------------------------- the cells: SPEC 1, written out

# label -> (actor, target customer). r1_cust1 is assigned to the tenant admin, r1_cust2 is not.
CELLS = {
    "distributor admin": ("dist_admin", "r1_cust1"),
    "reseller admin, own customer": ("r1_admin", "r1_cust1"),
    "reseller admin, another reseller's customer": ("r2_admin", "r1_cust1"),
    "tenant admin, assigned customer": ("tenant_admin", "r1_cust1"),
    "tenant admin, customer not assigned": ("tenant_admin", "r1_cust2"),
    "reseller viewer, own customer": ("r1_viewer", "r1_cust1"),
    "reseller viewer, another reseller's customer": ("r1_viewer", "r2_cust1"),
    "distributor viewer": ("dist_viewer", "r1_cust1"),
}
_OUT_OF_SCOPE = dict(view=NOT_FOUND, create=NOT_FOUND, edit=NOT_FOUND, content=NOT_FOUND, switch=NOT_FOUND)
# Rules: view (read the customer and what it owns), create (a new customer beside it, under its parent),
# edit (its account details, deleting it, its onboarding tasks), content (its contacts and products),
# switch (into its perspective, TENANT-1).
EXPECTED = {
    "distributor admin": dict(view=ALLOWED, create=ALLOWED, edit=ALLOWED, content=ALLOWED, switch=ALLOWED),
    "reseller admin, own customer": dict(view=ALLOWED, create=ALLOWED, edit=ALLOWED, content=ALLOWED, switch=ALLOWED),
    "reseller admin, another reseller's customer": _OUT_OF_SCOPE,
    # Sees only its assigned customers (not their reseller, so it creates nothing); changes their contacts
    # and products, not the customer record; never switches.
    "tenant admin, assigned customer": dict(
        view=ALLOWED, create=NOT_FOUND, edit=DENIED, content=ALLOWED, switch=NOT_FOUND
    ),
    "tenant admin, customer not assigned": _OUT_OF_SCOPE,
    # Viewers see what an admin of their tier sees and change nothing; they never switch.
    "reseller viewer, own customer": dict(view=ALLOWED, create=DENIED, edit=DENIED, content=DENIED, switch=NOT_FOUND),
    "reseller viewer, another reseller's customer": _OUT_OF_SCOPE,
    "distributor viewer": dict(view=ALLOWED, create=DENIED, edit=DENIED, content=DENIED, switch=NOT_FOUND),
}

# Objects of tenants outside each actor's scope, for forged ids (the distributor's scope has no outside).
FOREIGN = {
    "dist_admin": (),
    "dist_viewer": (),
    "r1_admin": ("r2_cust1", "dist_cust1"),
    "r1_viewer": ("r2_cust1", "dist_cust1"),
    "r2_admin": ("r1_cust1", "r1_cust2"),
    "tenant_admin": ("r1_cust2", "r2_cust1"),
}


# ---------------------------------------------------------------- the service calls


@dataclass
class Ctx:
    session: Session
    sw: SecurityWorld
    actor_key: str
    target: str  # a key of support.OWNERS, or MISSING
    extra: dict = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return self.sw.world.actor(self.actor_key)

    def id(self, kind: str) -> int:
        if self.target == MISSING:
            return MISSING_ID
        ids = {
            "account": self.sw.world.accounts,
            "contact": self.sw.contacts,
            "product": self.sw.products,
            "contract": self.sw.contracts,
            "task": self.sw.tasks,
        }[kind]
        return ids[self.target]

    def parent_id(self) -> int:
        if self.target == MISSING:
            return MISSING_ID
        return self.session.get(Account, self.id("account")).parent_id

    def name(self) -> str:
        return self.session.get(Account, self.id("account")).name


@dataclass(frozen=True)
class Op:
    name: str
    rule: str  # a key of EXPECTED's cells
    missing: str  # the NotFound message, the same for a missing id and one outside scope
    run: Callable[[Ctx], object]
    change: bool = False
    listing: bool = False  # never refuses: the target is simply in the answer or not
    prepare: Callable[[Ctx], None] | None = None  # before the snapshot
    check: Callable[[Ctx, object], None] | None = None  # more about an allowed answer


def _s(c: Ctx) -> dict:
    return {"session": c.session, "actor": c.actor}


def _listed(c: Ctx) -> bool:
    page = customers.list_customers(**_s(c), query=ListQuery(search=c.name(), page_size=100))
    return any(r.id == c.id("account") and not r.is_context for r in page.rows)


def _counted(c: Ctx) -> bool:
    return customers.count_matching(**_s(c), query=ListQuery(search=c.name())) == 1


def _exported(c: Ctx) -> bool:
    data = b"".join(customer_export.iter_csv(**_s(c), query=ListQuery(search=c.name()), columns=["name"]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return [c.name()] in rows[1:]


def _suspend_first(c: Ctx) -> None:
    if c.target != MISSING:
        c.session.execute(
            sa.update(Product).where(Product.id == c.id("product")).values(status=ProductStatus.SUSPENDED)
        )


def _blank(c: Ctx) -> None:
    """Deleting: a sibling of the target with nothing that blocks a delete, assigned like the target."""
    if c.extra.get("matrix"):
        c.extra["account_id"] = blank_sibling(c.session, c.sw, c.target, "Matrix Blank Ltd")


def _token(c: Ctx) -> None:
    user = c.session.get(User, c.actor.user_id)
    c.extra["token"] = auth.start_session(session=c.session, user=user)


def _version(c: Ctx) -> int:
    return c.session.get(Account, c.id("account")).version if c.target != MISSING else 1


def _detail_flags(c: Ctx, detail) -> None:
    cell = EXPECTED[c.extra["cell"]]
    assert (detail.can_edit, detail.can_delete) == (cell["edit"] == ALLOWED, cell["edit"] == ALLOWED)


def _can_manage(c: Ctx, answer) -> None:
    assert answer == (EXPECTED[c.extra["cell"]]["content"] == ALLOWED)


def _product_permissions(c: Ctx, answer) -> None:
    assert answer.can_manage == (EXPECTED[c.extra["cell"]]["content"] == ALLOWED)


def _has_contract(c: Ctx, page) -> None:
    assert c.id("contract") in [r.id for r in page.rows]


OPS = [
    # ------------------------------------------------ reads
    Op("customers.list_customers", "view", "", _listed, listing=True),
    Op("customers.count_matching", "view", "", _counted, listing=True),
    Op("customer_export.iter_csv", "view", "", _exported, listing=True),
    Op("customer_details.get_customer", "view", "Customer not found.",
       lambda c: customer_details.get_customer(**_s(c), account_id=c.id("account")), check=_detail_flags),
    Op("contacts.list_contacts", "view", "Customer not found.",
       lambda c: contacts.list_contacts(**_s(c), account_id=c.id("account"))),
    Op("contacts.get_contact", "view", "Contact not found.",
       lambda c: contacts.get_contact(**_s(c), contact_id=c.id("contact"))),
    Op("contacts.can_manage_contacts", "view", "Customer not found.",
       lambda c: contacts.can_manage_contacts(**_s(c), account_id=c.id("account")), check=_can_manage),
    Op("contracts.list_contracts", "view", "Customer not found.",
       lambda c: contracts.list_contracts(**_s(c), account_id=c.id("account")), check=_has_contract),
    Op("contracts.contracts_preview", "view", "Customer not found.",
       lambda c: contracts.contracts_preview(**_s(c), account_id=c.id("account"))),
    Op("contracts.get_contract", "view", "Contract not found.",
       lambda c: contracts.get_contract(**_s(c), contract_id=c.id("contract"))),
    Op("onboarding.list_tasks", "view", "Customer not found.",
       lambda c: onboarding.list_tasks(**_s(c), account_id=c.id("account"))),
    Op("consumption.customer_consumption", "view", "Customer not found.",
       lambda c: consumption.customer_consumption(**_s(c), account_id=c.id("account"), today=TODAY)),
    Op("customer_health.customer_health", "view", "Customer not found.",
       lambda c: customer_health.customer_health(**_s(c), account_id=c.id("account"), now=NOW)),
    Op("customer_products.list_products", "view", "Customer not found.",
       lambda c: customer_products.list_products(**_s(c), account_id=c.id("account"))),
    Op("customer_products.get_product", "view", "Product not found.",
       lambda c: customer_products.get_product(**_s(c), account_id=c.id("account"), product_id=c.id("product"))),
    Op("customer_products.product_permissions", "view", "Customer not found.",
       lambda c: customer_products.product_permissions(**_s(c), account_id=c.id("account")),
       check=_product_permissions),
    Op("audit.list_events", "view", "Customer not found.",
       lambda c: audit.list_events(**_s(c), account_id=c.id("account"))),
    Op("customer_changes.tenant_admin_choices", "view", "Customer not found.",
       lambda c: customer_changes.tenant_admin_choices(**_s(c), account_id=c.id("account"))),
    Op("products.plan_choices", "view", "Customer not found.",
       lambda c: products.plan_choices(**_s(c), account_id=c.id("account"))),
    Op("customer_changes.delete_refusal_reason", "edit", "Customer not found.",
       lambda c: customer_changes.delete_refusal_reason(**_s(c), account_id=c.id("account"))),
    # ------------------------------------------------ changes
    Op("customer_changes.create_customer", "create", "Customer not found.",
       lambda c: customer_changes.create_customer(
           **_s(c), data=CustomerCreate(customer_name="Matrix New Co", parent_account_id=c.parent_id())),
       change=True),
    Op("customer_changes.update_customer", "edit", "Customer not found.",
       lambda c: customer_changes.update_customer(
           **_s(c), account_id=c.id("account"), data=CustomerUpdate(organization="Changed By Matrix"),
           expected_version=_version(c)),
       change=True),
    Op("customer_changes.delete_customer", "edit", "Customer not found.",
       lambda c: customer_changes.delete_customer(**_s(c), account_id=c.extra.get("account_id") or c.id("account")),
       change=True, prepare=_blank),
    Op("products.add_product", "content", "Customer not found.",
       lambda c: products.add_product(
           **_s(c), account_id=c.id("account"),
           data=ProductCreate(product_type=ProductType.SAAS_APPS_ENDPOINTS, service_plan_id=plan_id(c.session),
                              storage_regions=["EU Ireland"])),
       change=True),
    Op("products.update_product", "content", "Product not found.",
       lambda c: products.update_product(**_s(c), product_id=c.id("product"), data=ProductUpdate(user_count=41)),
       change=True),
    Op("products.delete_product", "content", "Product not found.",
       lambda c: products.delete_product(**_s(c), product_id=c.id("product")), change=True),
    Op("products.suspend_product", "content", "Product not found.",
       lambda c: products.suspend_product(**_s(c), product_id=c.id("product")), change=True),
    Op("products.activate_product", "content", "Product not found.",
       lambda c: products.activate_product(**_s(c), product_id=c.id("product")), change=True, prepare=_suspend_first),
    Op("contacts.add_contact", "content", "Customer not found.",
       lambda c: contacts.add_contact(
           **_s(c), account_id=c.id("account"), data=ContactCreate(name="Matrix Person", email="matrix@example.com")),
       change=True),
    Op("contacts.update_contact", "content", "Contact not found.",
       lambda c: contacts.update_contact(**_s(c), contact_id=c.id("contact"), data=ContactUpdate(name="Renamed")),
       change=True),
    Op("contacts.delete_contact", "content", "Contact not found.",
       lambda c: contacts.delete_contact(**_s(c), contact_id=c.id("contact")), change=True),
    Op("onboarding.start_task", "edit", "Onboarding task not found.",
       lambda c: onboarding.start_task(**_s(c), task_id=c.id("task")), change=True),
    Op("onboarding.complete_task", "edit", "Onboarding task not found.",
       lambda c: onboarding.complete_task(**_s(c), task_id=c.id("task")), change=True),
    Op("tenants.switch_into", "switch", "Tenant not found.",
       lambda c: tenants.switch_into(session=c.session, token=c.extra["token"], account_id=c.id("account")),
       change=True, prepare=_token),
]
OPS_BY_NAME = {op.name: op for op in OPS}
FORGEABLE = [op.name for op in OPS if not op.listing]
MATRIX = [(op.name, cell) for op in OPS for cell in CELLS]
FORGED = [(op_name, actor) for op_name in FORGEABLE for actor in World.ACTORS]


def _outcome(run) -> tuple[str, object]:
    try:
        return ALLOWED, run()
    except NotFound as exc:
        return NOT_FOUND, exc
    except PermissionDenied as exc:
        return DENIED, exc


@pytest.mark.parametrize(("op_name", "cell"), MATRIX, ids=[f"{o}-{c}" for o, c in MATRIX])
def test_auth_4_service_matrix_role_by_tenant(session, sw: SecurityWorld, op_name, cell):
    """AUTH-4 / SPEC 1 / TENANT-1: the outcome SPEC 1 gives this role on this tenant's customer; a refusal
    (and every read) leaves the database exactly as it was; an allowed change changes it."""
    op = OPS_BY_NAME[op_name]
    actor_key, target = CELLS[cell]
    expected = EXPECTED[cell][op.rule]
    ctx = Ctx(session=session, sw=sw, actor_key=actor_key, target=target, extra={"matrix": True, "cell": cell})
    if op.prepare:
        op.prepare(ctx)
    before = database_snapshot(session)

    if op.listing:
        found = op.run(ctx)
        assert found is (expected == ALLOWED), f"{cell}: the target is {'listed' if found else 'missing'}"
        assert changed_tables(before, database_snapshot(session)) == []
        return

    outcome, answer = _outcome(lambda: op.run(ctx))
    assert outcome == expected, f"{cell}: {op.name} gave {outcome} ({answer!r}), SPEC 1 says {expected}"
    after = database_snapshot(session)
    if outcome == NOT_FOUND:
        assert answer.message == op.missing  # exactly what a missing id gets (AUTH-4)
    if outcome != ALLOWED or not op.change:
        assert changed_tables(before, after) == []
    else:
        assert changed_tables(before, after), "an allowed change changed nothing"
    if outcome == ALLOWED and op.check:
        op.check(ctx, answer)


@pytest.mark.parametrize(("op_name", "actor_key"), FORGED, ids=[f"{o}-{a}" for o, a in FORGED])
def test_auth_4_forged_ids_get_the_answer_of_a_missing_id(session, sw: SecurityWorld, op_name, actor_key):
    """AUTH-4: an id of another tenant's object and an id that does not exist give the same NotFound
    message, and neither changes anything."""
    op = OPS_BY_NAME[op_name]
    messages = {}
    for target in (*FOREIGN[actor_key], MISSING):
        ctx = Ctx(session=session, sw=sw, actor_key=actor_key, target=target)
        if op.prepare:
            op.prepare(ctx)
        before = database_snapshot(session)
        with pytest.raises(NotFound) as refused:
            op.run(ctx)
        messages[target] = refused.value.message
        assert changed_tables(before, database_snapshot(session)) == [], target
    assert set(messages.values()) == {op.missing}, messages


@pytest.mark.parametrize("actor_key", ["r1_admin", "r1_viewer", "tenant_admin"])
def test_auth_4_product_of_another_customer_under_a_visible_one_is_not_found(session, sw: SecurityWorld, actor_key):
    """AUTH-4: a product id of another tenant, asked for under a customer the actor does see, is "not found"."""
    actor = sw.world.actor(actor_key)
    for foreign in ("r2_cust1", "r1_cust2" if actor_key == "tenant_admin" else "dist_cust1"):
        with pytest.raises(NotFound) as refused:
            customer_products.get_product(
                session=session, actor=actor, account_id=sw.account("r1_cust1"), product_id=sw.products[foreign]
            )
        assert refused.value.message == "Product not found."


def _r2_plan_and_tenant_admin(session: Session, sw: SecurityWorld) -> tuple[int, int]:
    """A service plan of Crimson Peak IT (r2) and an active tenant admin whose home is r2."""
    plan = ServicePlan(name="Peak Private Plan", edition="Business", products=[p.value for p in ProductType],
                       owner_account_id=sw.account("r2"))  # fmt: skip
    user = User(email="peak.tenant@example.com", name="Peak Tenant", role=Role.TENANT_ADMIN,
                account_id=sw.account("r2"), status=UserStatus.ACTIVE)  # fmt: skip
    session.add_all([plan, user])
    session.flush()
    return plan.id, user.id


@pytest.mark.parametrize("forged", ["foreign", "missing"])
def test_auth_4_forged_plan_and_tenant_admin_ids_are_refused_like_missing_ones(session, sw: SecurityWorld, forged):
    """AUTH-4 / CREATE-4 / DETAIL-5: a reseller admin who sends another reseller's service plan or tenant admin
    (or an id that does not exist) gets the answer of a missing one, next to the field, and nothing changes."""
    actor = sw.world.actor("r1_admin")
    foreign_plan, foreign_admin = _r2_plan_and_tenant_admin(session, sw)
    plan_ref, admin_ref = (foreign_plan, foreign_admin) if forged == "foreign" else (MISSING_ID, MISSING_ID)
    target = sw.account("r1_cust1")
    plan_refused, admin_refused = "Choose one of the service plans offered.", "Tenant admin not found."
    calls = [
        ("service_plan_id", plan_refused, lambda: products.add_product(
            session=session, actor=actor, account_id=target,
            data=ProductCreate(product_type=ProductType.SAAS_APPS_ENDPOINTS, service_plan_id=plan_ref,
                               storage_regions=["EU Ireland"]))),
        ("service_plan_id", plan_refused, lambda: products.update_product(
            session=session, actor=actor, product_id=sw.products["r1_cust1"],
            data=ProductUpdate(service_plan_id=plan_ref))),
        ("tenant_admins", admin_refused, lambda: customer_changes.create_customer(
            session=session, actor=actor,
            data=CustomerCreate(customer_name="Forged Admin Co", tenant_admin_user_ids=[admin_ref]))),
        ("tenant_admins", admin_refused, lambda: customer_changes.update_customer(
            session=session, actor=actor, account_id=target,
            data=CustomerUpdate(tenant_admin_user_ids=[admin_ref]), expected_version=_version_of(session, target))),
    ]  # fmt: skip
    for field_name, message, call in calls:
        before = database_snapshot(session)
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.errors.get(field_name) == message, refused.value.errors
        assert changed_tables(before, database_snapshot(session)) == [], field_name


def _version_of(session: Session, account_id: int) -> int:
    return session.get(Account, account_id).version


@pytest.mark.parametrize("actor_key", World.ACTORS)
def test_auth_4_preferences_change_only_the_actors_own_user(session, sw: SecurityWorld, actor_key):
    """LIST-3 / AUTH-4: saving list preferences is allowed to every role (viewers included: it is not customer
    data) and writes the actor's own user row, nothing else."""
    actor = sw.world.actor(actor_key)
    before = database_snapshot(session)
    preferences.save_list_preferences(session=session, actor=actor, density="compact")
    after = database_snapshot(session)
    assert changed_tables(before, after) == ["user_account"]
    changed = [b["id"] for b, a in zip(before["user_account"], after["user_account"], strict=True) if b != a]
    assert changed == [actor.user_id]


def test_auth_4_matrix_size(sw):
    """The number of role × tenant cells and forged-id calls the suite tries (reported in the issue)."""
    forged_calls = sum(len(FOREIGN[a]) + 1 for _op, a in FORGED)
    print(f"\nservice matrix: {len(MATRIX)} cells; forged ids: {len(FORGED)} cases, {forged_calls} refused calls")
    assert len(MATRIX) == len(OPS) * len(CELLS)
    assert all(op.missing.endswith(" not found.") for op in OPS if not op.listing)

