"""CREATE-1..4, EDIT-1, EDIT-2, DELETE-1, SANDBOX-2 (account details) and the audit trail, on the database.

Every refusal is checked twice: the error the person sees, and that the
database is exactly as before (row counts, the rows involved, assignments).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import (
    Account,
    AccountKind,
    AuditEvent,
    BillingIngestion,
    Contact,
    Contract,
    ContractStatus,
    OnboardingTask,
    OnboardingTaskKind,
    OutboxEmail,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    TenantType,
    User,
    UserSession,
    UserStatus,
)
from msc_app.services import audit, customer_changes
from msc_app.services.customer_changes import (
    ConcurrentChange,
    CustomerCreate,
    CustomerUpdate,
    create_customer,
    delete_customer,
    delete_refusal_reason,
    update_customer,
)
from msc_app.services.customers import ListQuery, list_customers
from msc_app.services.errors import DomainError, NotFound, PermissionDenied, ValidationError
from msc_app.services.forms import parse_form
from tests.services.support import add_user, assigned, database_state, plan_id, row, table_counts

MISSING_ID = 999_999


def _create(session, world, user="r1_admin", **fields) -> Account:
    return create_customer(session=session, actor=world.actor(user), data=CustomerCreate(**fields))


def _errors(fn) -> dict[str, str]:
    with pytest.raises(ValidationError) as excinfo:
        fn()
    return excinfo.value.errors


def _not_found(fn) -> str:
    with pytest.raises(NotFound) as excinfo:
        fn()
    return str(excinfo.value)


def _full_service(session, **extra) -> dict:
    return dict(
        service_plan_id=plan_id(session),
        storage_regions=["US East", "Canada"],
        credit_quota=2500,
        quota_effective_date=date(2025, 7, 1),
        quota_end_date=date(2026, 6, 30),
        license_expiry=date(2026, 7, 31),
    ) | extra


# ---------------------------------------------------------------- CREATE-1


def test_create_1_customer_with_account_and_service_details(session, world):
    """CREATE-1: every field of the dialog is stored; several tenant admins; the first product; it is listed."""
    second_admin = add_user(session, world, "ta_second", name="Tess Second")
    customer = _create(
        session,
        world,
        customer_name="  Orchard Vets  ",
        address="12 Orchard Lane, Springfield",
        phone="+1 415 555 0100",
        organization="Orchard Group",
        tenant_admin_user_ids=[world.users["tenant_admin"], second_admin.id],
        **_full_service(session),
    )

    stored = row(session, Account, customer.id)
    assert stored["kind"] == AccountKind.CUSTOMER
    assert stored["parent_id"] == world.accounts["r1"]
    assert (stored["customer_name"], stored["name"]) == ("Orchard Vets", "Orchard Vets")
    assert (stored["customer_name_sort"], stored["name_sort"]) == ("orchard vets", "orchard vets")
    assert stored["address"] == "12 Orchard Lane, Springfield"
    assert stored["phone"] == "+1 415-555-0100"
    assert stored["organization"] == "Orchard Group"
    assert stored["hide_name"] is False and stored["is_sandbox"] is False
    assert stored["version"] == 1
    assert assigned(session, customer.id) == {world.users["tenant_admin"], second_admin.id}

    product = session.exec(select(Product).where(Product.account_id == customer.id)).one()
    assert product.product_type == ProductType.HYBRID_WORKLOADS  # the default product
    assert product.tenant_type == TenantType.EVALUATION  # the default tenant type
    assert product.service_plan_id == plan_id(session)
    assert product.storage_regions == ["US East", "Canada"]
    assert (product.credit_quota, product.quota_effective_date, product.quota_end_date, product.license_expiry) == (
        2500,
        date(2025, 7, 1),
        date(2026, 6, 30),
        date(2026, 7, 31),
    )
    # the list's summary columns were kept in step
    assert stored["products_summary"] == "Hybrid Workloads"
    assert stored["service_plan_summary"] == "Default Service Plan"
    assert stored["storage_regions_summary"] == "Canada, US East"

    page = list_customers(session=session, actor=world.actor("r1_admin"), query=ListQuery(search="orchard"))
    assert [r.id for r in page.rows if not r.is_context] == [customer.id]

    tasks = dict(
        session.exec(
            select(OnboardingTask.kind, OnboardingTask.status).where(OnboardingTask.account_id == customer.id)
        ).all()
    )
    assert set(tasks) == {k.value for k in OnboardingTaskKind}
    assert tasks[OnboardingTaskKind.ADD_PRODUCT] == TaskStatus.DONE
    assert tasks[OnboardingTaskKind.ASSIGN_SERVICE_PLAN] == TaskStatus.DONE
    assert tasks[OnboardingTaskKind.INVITE_ADMIN] == TaskStatus.DONE
    assert tasks[OnboardingTaskKind.SIGN_CONTRACT] == TaskStatus.NOT_STARTED
    assert session.get(BillingIngestion, customer.id) is not None


def test_create_1_tenant_type_defaults_to_evaluation(session, world):
    """CREATE-1: Tenant Type defaults to Evaluation in the dialog's schema and in the stored product."""
    assert CustomerCreate().tenant_type == TenantType.EVALUATION
    customer = _create(session, world, customer_name="Default Tenant Co", **_full_service(session))
    product = session.exec(select(Product).where(Product.account_id == customer.id)).one()
    assert product.tenant_type == TenantType.EVALUATION


def test_create_1_chosen_product_and_tenant_type_are_kept(session, world):
    """CREATE-1: a non-default product and tenant type are stored as chosen."""
    customer = _create(
        session,
        world,
        customer_name="Commercial Co",
        **_full_service(session, product_type=ProductType.MICROSOFT_365, tenant_type=TenantType.COMMERCIAL),
    )
    product = session.exec(select(Product).where(Product.account_id == customer.id)).one()
    assert (product.product_type, product.tenant_type) == (ProductType.MICROSOFT_365, TenantType.COMMERCIAL)


def test_create_1_hidden_customer_name_uses_the_account_name(session, world):
    """CREATE-1 / CREATE-3: with "hide name" the Name column is the Account Name entered; search finds both."""
    customer = _create(session, world, customer_name="Secret Pharma", hide_name=True, account_name="ACC-5521")
    stored = row(session, Account, customer.id)
    assert (stored["name"], stored["customer_name"], stored["hide_name"]) == ("ACC-5521", "Secret Pharma", True)
    assert (stored["name_sort"], stored["customer_name_sort"]) == ("acc-5521", "secret pharma")
    actor = world.actor("r1_admin")
    for text in ("acc-55", "SECRET"):
        page = list_customers(session=session, actor=actor, query=ListQuery(search=text))
        assert [r.id for r in page.rows if not r.is_context] == [customer.id]


def test_create_1_without_service_plan_creates_no_product(session, world):
    """CREATE-1: products can be added later; without a service plan the customer has none."""
    customer = _create(session, world, customer_name="Later Products Ltd")
    assert session.exec(select(Product).where(Product.account_id == customer.id)).all() == []
    assert row(session, Account, customer.id)["products_summary"] == ""


def test_create_1_parent_is_the_actors_tenant_unless_a_reseller_in_scope_is_chosen(session, world):
    """CREATE-1: the distributor creates under itself or a reseller; in R1's perspective, under R1."""
    own = _create(session, world, "dist_admin", customer_name="Direct Beta")
    chosen = _create(session, world, "dist_admin", customer_name="Peak Forge", parent_account_id=world.accounts["r2"])
    switched = create_customer(
        session=session,
        actor=world.actor("dist_admin", perspective="r1"),
        data=CustomerCreate(customer_name="Harbor Forge"),
    )
    assert row(session, Account, own.id)["parent_id"] == world.accounts["dist"]
    assert row(session, Account, chosen.id)["parent_id"] == world.accounts["r2"]
    assert row(session, Account, switched.id)["parent_id"] == world.accounts["r1"]


@pytest.mark.parametrize(
    ("user", "parent", "refusal"),
    [
        ("r1_admin", "r2", NotFound),  # another reseller: as if it did not exist
        ("r2_admin", "r1", NotFound),
        ("r1_admin", "dist", NotFound),
        ("r1_viewer", None, PermissionDenied),  # viewers change nothing
        ("dist_viewer", "r1", PermissionDenied),
        ("tenant_admin", None, NotFound),  # tenant admins see only their customers
        ("tenant_admin", "r1_cust1", PermissionDenied),
        ("dist_admin", "r1_cust1", PermissionDenied),  # customers go under a distributor or reseller
    ],
)
def test_create_1_auth_4_refused_outside_scope_and_for_read_only_roles(session, world, user, parent, refusal):
    """CREATE-1 / AUTH-4: the parent must be one the actor may create under; nothing is saved otherwise."""
    before = database_state(session)
    parent_id = world.accounts[parent] if parent else None
    with pytest.raises(refusal) as excinfo:
        _create(session, world, user, customer_name="Intruder Inc", parent_account_id=parent_id)
    if refusal is NotFound:
        assert str(excinfo.value) == _not_found(
            lambda: _create(session, world, user, customer_name="Intruder Inc", parent_account_id=MISSING_ID)
        )
    assert database_state(session) == before


# ---------------------------------------------------------------- CREATE-2


def test_create_2_reports_every_field_error_at_once_and_saves_nothing(session, world):
    """CREATE-2: required name, phone format, quota >= 0, end date not before effective date, all at once."""
    before = database_state(session)
    errors = _errors(
        lambda: _create(
            session,
            world,
            customer_name="   ",
            phone="555-ABCD-12",
            **_full_service(
                session,
                credit_quota=-1,
                quota_effective_date=date(2025, 7, 1),
                quota_end_date=date(2025, 6, 30),
            ),
        )
    )
    assert errors == {
        "customer_name": "Customer name is required.",
        "phone": "Enter a valid phone number, like +1 415 555 0100.",
        "credit_quota": "Credit quota cannot be negative.",
        "quota_end_date": "The quota end date cannot be before the quota effective date.",
    }
    assert database_state(session) == before


def test_create_2_quota_zero_and_same_day_end_date_are_valid(session, world):
    """CREATE-2: the limits themselves are allowed (quota 0, end date equal to the effective date)."""
    customer = _create(
        session,
        world,
        customer_name="Boundary Co",
        **_full_service(session, credit_quota=0, quota_effective_date=date(2025, 7, 1), quota_end_date=date(2025, 7, 1)),
    )
    product = session.exec(select(Product).where(Product.account_id == customer.id)).one()
    assert (product.credit_quota, product.quota_end_date) == (0, date(2025, 7, 1))


def test_create_2_hidden_name_requires_an_account_name(session, world):
    """CREATE-2 / CREATE-1: with "hide name" the Account Name is required."""
    before = database_state(session)
    errors = _errors(lambda: _create(session, world, customer_name="Secret Co", hide_name=True, account_name=" "))
    assert errors == {"account_name": "Account name is required."}
    assert database_state(session) == before


@pytest.mark.parametrize("variant", ["harbor dental", "HARBOR DENTAL", "  Harbor Dental "])
def test_create_2_customer_name_unique_within_parent_case_insensitive(session, world, variant):
    """CREATE-2: "Harbor Dental" exists under R1: any casing of it is refused there."""
    before = database_state(session)
    errors = _errors(lambda: _create(session, world, customer_name=variant))
    assert set(errors) == {"customer_name"}
    assert "already exists" in errors["customer_name"]
    assert database_state(session) == before


def test_create_2_same_customer_name_under_another_parent_is_allowed(session, world):
    """CREATE-2: uniqueness is within a parent: R2 may have its own "Harbor Dental"."""
    customer = _create(session, world, "r2_admin", customer_name="Harbor Dental")
    assert row(session, Account, customer.id)["parent_id"] == world.accounts["r2"]


def test_create_2_account_name_unique_within_parent(session, world):
    """CREATE-2: a hidden customer's Account Name may not repeat a sibling's name, in any casing."""
    before = database_state(session)
    errors = _errors(
        lambda: _create(session, world, customer_name="New Secret", hide_name=True, account_name="harbor LOGISTICS")
    )
    assert set(errors) == {"account_name"}
    assert database_state(session) == before


def test_create_2_service_details_need_an_offered_plan_and_known_regions(session, world):
    """CREATE-2: a plan another reseller owns is not offered to R1; unknown storage regions are refused."""
    foreign = ServicePlan(name="Crimson Only", owner_account_id=world.accounts["r2"])
    session.add(foreign)
    session.flush()
    before = database_state(session)
    errors = _errors(
        lambda: _create(
            session,
            world,
            customer_name="Plan Shopper",
            **_full_service(session, service_plan_id=foreign.id, storage_regions=["Mars Base"]),
        )
    )
    assert errors == {
        "service_plan_id": "Choose one of the service plans offered.",
        "storage_regions": "Unknown storage region: Mars Base.",
    }
    errors = _errors(lambda: _create(session, world, customer_name="Plan Shopper", credit_quota=100))
    assert set(errors) == {"service_plan_id"}
    assert database_state(session) == before


def test_create_2_form_text_is_parsed_with_field_errors(session, world):
    """CREATE-2 / EDIT-1: unparsable numbers and dates in the form are reported next to their fields."""
    errors = _errors(
        lambda: parse_form(CustomerCreate, {"customer_name": "X", "credit_quota": "lots", "quota_end_date": "31/12/2025"})
    )
    assert errors == {"credit_quota": "Enter a whole number.", "quota_end_date": "Enter a date like 2025-06-30."}
    parsed = parse_form(
        CustomerCreate,
        {"customer_name": "X", "credit_quota": "", "quota_end_date": "2025-12-31", "tenant_type": ""},
    )
    assert (parsed.credit_quota, parsed.quota_end_date, parsed.tenant_type) == (0, date(2025, 12, 31), "Evaluation")


def test_create_2_too_long_values_are_field_errors(session, world):
    """CREATE-2: values longer than their columns are field errors, not database errors."""
    before = database_state(session)
    errors = _errors(lambda: _create(session, world, customer_name="N" * 201, address="A" * 501, organization="O" * 201))
    assert set(errors) == {"customer_name", "address", "organization"}
    assert database_state(session) == before


# ---------------------------------------------------------------- CREATE-3


def test_create_3_account_name_is_the_customer_name_when_not_hidden(session, world):
    """CREATE-3: without "hide name" an Account Name sent along is ignored: the name is the customer name."""
    customer = _create(session, world, customer_name="Plain Name Co", account_name="Something Else")
    stored = row(session, Account, customer.id)
    assert stored["name"] == stored["customer_name"] == "Plain Name Co"


@pytest.mark.parametrize("hidden", [False, True], ids=["shown", "hidden"])
def test_create_3_account_name_cannot_be_changed(session, world, hidden):
    """CREATE-3: an edit with another Account Name is refused and changes nothing."""
    extra = {"hide_name": True, "account_name": "ACC-1"} if hidden else {}
    customer = _create(session, world, customer_name="Fixed Name Co", **extra)
    before = database_state(session, customer.id)
    errors = _errors(
        lambda: update_customer(
            session=session,
            actor=world.actor("r1_admin"),
            account_id=customer.id,
            data=CustomerUpdate(account_name="Renamed", address="New street 1"),
            expected_version=1,
        )
    )
    assert errors == {"account_name": "Account Name cannot be changed once entered."}
    assert database_state(session, customer.id) == before


def test_create_3_renaming_the_customer_keeps_the_account_name(session, world):
    """CREATE-3: the Customer Name can be corrected; the Account Name stays what was entered."""
    customer = _create(session, world, customer_name="Typo Nmae Ltd")
    update_customer(
        session=session,
        actor=world.actor("r1_admin"),
        account_id=customer.id,
        data=CustomerUpdate(customer_name="Typo Name Ltd", account_name="Typo Nmae Ltd"),
        expected_version=1,
    )
    stored = row(session, Account, customer.id)
    assert (stored["customer_name"], stored["customer_name_sort"]) == ("Typo Name Ltd", "typo name ltd")
    assert (stored["name"], stored["name_sort"]) == ("Typo Nmae Ltd", "typo nmae ltd")


def test_create_3_hide_name_is_fixed_at_creation(session, world):
    """CREATE-3: hiding later would hide nothing (the account name is already the real name): refused."""
    customer = _create(session, world, customer_name="Open Book Co")
    before = database_state(session, customer.id)
    errors = _errors(
        lambda: update_customer(
            session=session,
            actor=world.actor("r1_admin"),
            account_id=customer.id,
            data=CustomerUpdate(hide_name=True),
            expected_version=1,
        )
    )
    assert set(errors) == {"hide_name"}
    assert database_state(session, customer.id) == before


# ---------------------------------------------------------------- CREATE-4


def test_create_4_pending_tenant_admin_cannot_be_assigned_at_creation(session, world):
    """CREATE-4: a pending tenant admin makes the create fail, naming the user; nothing is saved."""
    pending = add_user(session, world, "ta_pending", status=UserStatus.PENDING, name="Pat Pending")
    before = database_state(session)
    errors = _errors(
        lambda: _create(
            session,
            world,
            customer_name="Pending Test Co",
            tenant_admin_user_ids=[world.users["tenant_admin"], pending.id],
        )
    )
    assert errors == {
        "tenant_admins": "Pat Pending (ta_pending@example.com) has not accepted the invitation yet: "
        "a pending tenant admin cannot be assigned."
    }
    assert database_state(session) == before


def test_create_4_pending_tenant_admin_cannot_be_assigned_on_edit(session, world):
    """CREATE-4 / EDIT-1: adding a pending tenant admin to a customer fails and changes nothing."""
    pending = add_user(session, world, "ta_pending2", status=UserStatus.PENDING, name="Paula Pending")
    target = world.accounts["r1_cust1"]
    before = database_state(session, target)
    errors = _errors(
        lambda: update_customer(
            session=session,
            actor=world.actor("r1_admin"),
            account_id=target,
            data=CustomerUpdate(tenant_admin_user_ids=[world.users["tenant_admin"], pending.id], address="Changed"),
            expected_version=1,
        )
    )
    assert errors == {
        "tenant_admins": "Paula Pending (ta_pending2@example.com) has not accepted the invitation yet: "
        "a pending tenant admin cannot be assigned."
    }
    assert database_state(session, target) == before


def test_create_4_deactivated_and_non_tenant_admin_users_are_refused(session, world):
    """CREATE-4: only active tenant admins can be assigned; each refusal names the user."""
    gone = add_user(session, world, "ta_gone", status=UserStatus.DEACTIVATED, name="Gus Gone")
    before = database_state(session)
    errors = _errors(
        lambda: _create(
            session, world, customer_name="Role Test Co", tenant_admin_user_ids=[gone.id, world.users["r1_viewer"]]
        )
    )
    assert "Gus Gone (ta_gone@example.com) is deactivated" in errors["tenant_admins"]
    assert "R1 Viewer (r1_viewer@example.com) is not a tenant admin." in errors["tenant_admins"]
    assert database_state(session) == before


def test_create_4_auth_4_tenant_admin_outside_scope_looks_missing(session, world):
    """CREATE-4 / AUTH-4: R2's admin cannot assign R1's tenant admin, and learns no more than for a missing id."""
    before = database_state(session)
    foreign = _errors(
        lambda: _create(session, world, "r2_admin", customer_name="Scope Co", tenant_admin_user_ids=[world.users["tenant_admin"]])
    )
    missing = _errors(
        lambda: _create(session, world, "r2_admin", customer_name="Scope Co", tenant_admin_user_ids=[MISSING_ID])
    )
    assert foreign == missing == {"tenant_admins": "Tenant admin not found."}
    assert database_state(session) == before


def test_create_4_tenant_admin_of_one_reseller_cannot_serve_anothers_customer(session, world):
    """CREATE-4: the distributor sees R1's tenant admin, but may not give it a customer of R2."""
    before = database_state(session)
    errors = _errors(
        lambda: _create(
            session,
            world,
            "dist_admin",
            customer_name="Cross Co",
            parent_account_id=world.accounts["r2"],
            tenant_admin_user_ids=[world.users["tenant_admin"]],
        )
    )
    assert "cannot be assigned to customers of Crimson Peak IT" in errors["tenant_admins"]
    assert database_state(session) == before


def test_create_4_tenant_admin_choices_show_only_assignable_users(session, world):
    """CREATE-4: the form's choices are R1's tenant admins (pending ones marked by status), never R2's."""
    pending = add_user(session, world, "ta_choice_pending", status=UserStatus.PENDING)
    add_user(session, world, "ta_choice_r2", home="r2")
    add_user(session, world, "ta_choice_gone", status=UserStatus.DEACTIVATED)
    choices = customer_changes.tenant_admin_choices(
        session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1"]
    )
    assert {(u.id, u.status) for u in choices} == {
        (world.users["tenant_admin"], UserStatus.ACTIVE),
        (pending.id, UserStatus.PENDING),
    }


# ---------------------------------------------------------------- EDIT-1


def test_edit_1_saves_changed_account_details_and_keeps_the_rest(session, world):
    """EDIT-1: the fields sent change, the others stay; the version goes up by one."""
    target = world.accounts["r1_cust2"]
    original = row(session, Account, target)
    updated = update_customer(
        session=session,
        actor=world.actor("r1_admin"),
        account_id=target,
        data=CustomerUpdate(address="1 Quay Street", phone="+44 20 7946 0958"),
        expected_version=original["version"],
    )
    stored = row(session, Account, target)
    assert updated.version == stored["version"] == original["version"] + 1
    assert (stored["address"], stored["phone"]) == ("1 Quay Street", "+44 20 7946 0958")
    for kept in ("name", "customer_name", "organization", "hide_name", "parent_id"):
        assert stored[kept] == original[kept]


def test_edit_1_same_validation_as_create_and_nothing_saved(session, world):
    """EDIT-1 / CREATE-2: a blank name, a bad phone and a taken name are refused, all at once."""
    target = world.accounts["r1_cust2"]
    before = database_state(session, target)
    actor = world.actor("r1_admin")
    errors = _errors(
        lambda: update_customer(
            session=session,
            actor=actor,
            account_id=target,
            data=CustomerUpdate(customer_name=" ", phone="12", address="Elsewhere"),
            expected_version=1,
        )
    )
    assert set(errors) == {"customer_name", "phone"}
    errors = _errors(
        lambda: update_customer(
            session=session,
            actor=actor,
            account_id=target,
            data=CustomerUpdate(customer_name="HARBOR dental"),
            expected_version=1,
        )
    )
    assert set(errors) == {"customer_name"}
    assert database_state(session, target) == before


def test_edit_1_tenant_admins_are_replaced(session, world):
    """EDIT-1 / CREATE-1: the edit's tenant admins replace the assignment, adding and removing."""
    newcomer = add_user(session, world, "ta_newcomer")
    target = world.accounts["r1_cust1"]
    update_customer(
        session=session,
        actor=world.actor("r1_admin"),
        account_id=target,
        data=CustomerUpdate(tenant_admin_user_ids=[newcomer.id]),
        expected_version=1,
    )
    assert assigned(session, target) == {newcomer.id}


def test_edit_1_unchanged_form_saves_nothing(session, world):
    """EDIT-1: saving the form as it was is not a change: no new version, no audit event."""
    target = world.accounts["r1_cust1"]
    stored = row(session, Account, target)
    before = database_state(session, target)
    update_customer(
        session=session,
        actor=world.actor("r1_admin"),
        account_id=target,
        data=CustomerUpdate(
            customer_name=stored["customer_name"],
            account_name=stored["name"],
            hide_name=stored["hide_name"],
            address=stored["address"],
            phone=stored["phone"],
            organization=stored["organization"],
            tenant_admin_user_ids=[world.users["tenant_admin"]],
        ),
        expected_version=stored["version"],
    )
    assert database_state(session, target) == before


@pytest.mark.parametrize(
    ("user", "account", "refusal"),
    [
        ("r2_admin", "r1_cust1", NotFound),
        ("r1_admin", "dist_cust1", NotFound),
        ("r1_viewer", "r1_cust1", PermissionDenied),
        ("dist_viewer", "r2_cust1", PermissionDenied),
        ("tenant_admin", "r1_cust1", PermissionDenied),  # contacts and products, not the customer record
        ("tenant_admin", "r1_cust2", NotFound),
    ],
)
def test_edit_1_auth_4_refused_outside_scope_and_for_read_only_roles(session, world, user, account, refusal):
    """EDIT-1 / AUTH-4: the server refuses a forged edit; out of scope is the same as a missing id."""
    target = world.accounts[account]
    before = database_state(session, target)
    with pytest.raises(refusal) as excinfo:
        update_customer(
            session=session,
            actor=world.actor(user),
            account_id=target,
            data=CustomerUpdate(address="Forged"),
            expected_version=1,
        )
    if refusal is NotFound:
        assert str(excinfo.value) == _not_found(
            lambda: update_customer(
                session=session,
                actor=world.actor(user),
                account_id=MISSING_ID,
                data=CustomerUpdate(address="Forged"),
                expected_version=1,
            )
        )
    assert database_state(session, target) == before


# ---------------------------------------------------------------- EDIT-2


def test_edit_2_save_over_a_newer_version_is_refused(session, world):
    """EDIT-2: two dialogs opened at version 1; the second save says so instead of overwriting."""
    target = world.accounts["r1_cust2"]
    actor = world.actor("r1_admin")
    update_customer(
        session=session, actor=actor, account_id=target, data=CustomerUpdate(address="First"), expected_version=1
    )
    before = database_state(session, target)
    with pytest.raises(ConcurrentChange) as excinfo:
        update_customer(
            session=session, actor=actor, account_id=target, data=CustomerUpdate(address="Second"), expected_version=1
        )
    assert str(excinfo.value) == (
        "This customer was changed by someone else since you opened it. Reload to see the changes."
    )
    assert database_state(session, target) == before
    assert row(session, Account, target)["address"] == "First"


def test_edit_2_stale_version_is_reported_first_even_without_changes(session, world):
    """EDIT-2: an outdated dialog hears that the customer changed before any field error, and even
    when it sends nothing new (its view of the customer is out of date)."""
    target = world.accounts["r1_cust2"]
    actor = world.actor("r1_admin")
    update_customer(
        session=session, actor=actor, account_id=target, data=CustomerUpdate(address="Moved"), expected_version=1
    )
    before = database_state(session, target)
    for data in (CustomerUpdate(phone="not a phone"), CustomerUpdate(address="Moved")):
        with pytest.raises(ConcurrentChange):
            update_customer(session=session, actor=actor, account_id=target, data=data, expected_version=1)
    assert database_state(session, target) == before


def test_edit_2_version_is_checked_by_the_update_itself(session, world, monkeypatch):
    """EDIT-2: a save that commits between our read and our write is caught by the conditional UPDATE."""
    target = world.accounts["r1_cust2"]
    checks = customer_changes._update_errors

    def someone_else_saves_first(*args, **kwargs):
        session.execute(
            sa.update(Account.__table__)
            .where(Account.__table__.c.id == target)
            .values(address="Theirs", version=Account.__table__.c.version + 1)
        )
        return checks(*args, **kwargs)

    monkeypatch.setattr(customer_changes, "_update_errors", someone_else_saves_first)
    counts = table_counts(session)
    with pytest.raises(ConcurrentChange):
        update_customer(
            session=session,
            actor=world.actor("r1_admin"),
            account_id=target,
            data=CustomerUpdate(address="Mine", organization="Mine Org"),
            expected_version=1,
        )
    stored = row(session, Account, target)
    assert (stored["address"], stored["organization"], stored["version"]) == ("Theirs", "Harbor Logistics", 2)
    assert table_counts(session) == counts  # no audit event, no assignment


def test_edit_2_each_save_increments_the_version(session, world):
    """EDIT-2: saves in a row, each at the version it read, all succeed and number the versions."""
    target = world.accounts["r2_cust2"]
    actor = world.actor("r2_admin")
    for version, address in enumerate(["One", "Two", "Three"], start=1):
        updated = update_customer(
            session=session, actor=actor, account_id=target, data=CustomerUpdate(address=address), expected_version=version
        )
        assert updated.version == version + 1
    assert row(session, Account, target)["version"] == 4


# ---------------------------------------------------------------- DELETE-1


def test_delete_1_customer_with_products_is_refused_with_the_reason(session, world):
    """DELETE-1: "Harbor Dental has 1 product. Delete its products first." and nothing changes."""
    target = world.accounts["r1_cust1"]
    actor = world.actor("r1_admin")
    expected = "Harbor Dental has 1 product. Delete its products first."
    assert delete_refusal_reason(session=session, actor=actor, account_id=target) == expected
    before = database_state(session, target)
    with pytest.raises(DomainError) as excinfo:
        delete_customer(session=session, actor=actor, account_id=target)
    assert str(excinfo.value) == expected
    assert database_state(session, target) == before


def test_delete_1_sandbox_3_sandbox_can_never_be_deleted(session, world):
    """DELETE-1 / SANDBOX-3: the sandbox cannot be deleted, even with its products gone."""
    sandbox = world.accounts["sandbox"]
    actor = world.actor("dist_admin")
    session.execute(sa.delete(Product.__table__).where(Product.__table__.c.account_id == sandbox))
    before = database_state(session, sandbox)
    assert "Sandbox customer cannot be deleted" in delete_refusal_reason(session=session, actor=actor, account_id=sandbox)
    with pytest.raises(DomainError, match="Sandbox customer cannot be deleted"):
        delete_customer(session=session, actor=actor, account_id=sandbox)
    assert database_state(session, sandbox) == before


def test_delete_1_removes_the_customer_and_what_belongs_only_to_it(session, world):
    """DELETE-1: contacts, ended contracts, onboarding tasks, billing row and assignments go with it;
    its audit trail stays, moved to the parent, with the delete event."""
    actor = world.actor("r1_admin")
    customer = _create(session, world, customer_name="Short Lived Ltd", tenant_admin_user_ids=[world.users["tenant_admin"]])
    cid = customer.id
    session.add(Contact(account_id=cid, name="Cleo Contact", email="cleo@example.com"))
    session.add(
        Contract(account_id=cid, number="C-DEL-1", title="Old deal", status=ContractStatus.EXPIRED, start_date=date(2024, 1, 1))
    )
    user = session.get(User, world.users["dist_admin"])
    session.add(
        UserSession(token_hash="x" * 64, user_id=user.id, perspective_account_id=cid, expires_at=customer.created_at)
    )
    session.flush()
    assert delete_refusal_reason(session=session, actor=actor, account_id=cid) is None
    counts = table_counts(session)

    delete_customer(session=session, actor=actor, account_id=cid)

    assert row(session, Account, cid) is None
    for model in (Contact, Contract, OnboardingTask, TenantAdminAssignment):
        assert session.exec(select(model).where(model.account_id == cid)).all() == []
    assert session.get(BillingIngestion, cid) is None
    assert session.exec(select(UserSession.perspective_account_id).where(UserSession.token_hash == "x" * 64)).one() is None
    after = table_counts(session)
    assert after["account"] == counts["account"] - 1
    assert after["onboarding_task"] == counts["onboarding_task"] - len(OnboardingTaskKind)
    assert after["audit_event"] == counts["audit_event"] + 1
    # the trail outlives the customer: its events now belong to the parent, R1
    events = audit.list_events(session=session, actor=actor, account_id=world.accounts["r1"])
    mine = [e for e in events if e.entity_type == "customer" and e.entity_id == cid]
    assert [e.action for e in mine] == ["customer.delete", "customer.create"]
    assert mine[0].before["customer_name"] == "Short Lived Ltd"
    assert mine[0].after is None


def test_delete_1_customer_with_a_live_contract_is_refused(session, world):
    """DELETE-1: an active or pending contract is a reason to refuse, given in the message."""
    actor = world.actor("r1_admin")
    target = world.accounts["r1_cust2"]
    session.add(
        Contract(account_id=target, number="C-LIVE-1", title="Live", status=ContractStatus.ACTIVE, start_date=date(2025, 1, 1))
    )
    session.flush()
    before = database_state(session, target)
    with pytest.raises(DomainError, match="has 1 active or pending contract. Cancel them first."):
        delete_customer(session=session, actor=actor, account_id=target)
    assert database_state(session, target) == before


def test_delete_1_reseller_with_customers_is_refused(session, world):
    """DELETE-1: a reseller row cannot be deleted while customers hang below it."""
    actor = world.actor("dist_admin")
    before = database_state(session, world.accounts["r1"])
    with pytest.raises(DomainError, match="Blue Harbor Resellers has 2 customers"):
        delete_customer(session=session, actor=actor, account_id=world.accounts["r1"])
    assert database_state(session, world.accounts["r1"]) == before


@pytest.mark.parametrize(
    ("user", "account", "refusal"),
    [
        ("r2_admin", "r1_cust2", NotFound),
        ("r1_admin", "sandbox", NotFound),
        ("r1_viewer", "r1_cust2", PermissionDenied),
        ("tenant_admin", "r1_cust1", PermissionDenied),
        ("tenant_admin", "r1_cust2", NotFound),
    ],
)
def test_delete_1_auth_4_refused_outside_scope_and_for_read_only_roles(session, world, user, account, refusal):
    """DELETE-1 / AUTH-4: a forged delete is refused; out of scope looks exactly like a missing id."""
    target = world.accounts[account]
    before = database_state(session, target)
    actor = world.actor(user)
    for attempt in (delete_customer, delete_refusal_reason):
        with pytest.raises(refusal) as excinfo:
            attempt(session=session, actor=actor, account_id=target)
        if refusal is NotFound:
            assert str(excinfo.value) == _not_found(
                lambda: attempt(session=session, actor=actor, account_id=MISSING_ID)
            )
    assert database_state(session, target) == before


# ---------------------------------------------------------------- SANDBOX-2 (account details)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_name", "Demo Box"),
        ("account_name", "Demo Box"),
        ("address", "1 Demo Way"),
        ("phone", "+1 415 555 0100"),
        ("organization", "Other Org"),
        ("tenant_admin_user_ids", "tenant_admin"),
    ],
)
def test_sandbox_2_account_details_of_the_sandbox_are_read_only(session, world, field, value):
    """SANDBOX-2: names, address, phone, organization and tenant admins of the sandbox are refused."""
    sandbox = world.accounts["sandbox"]
    if field == "tenant_admin_user_ids":
        add_user(session, world, "ta_dist", home="dist")
        value = [session.exec(select(User.id).where(User.email == "ta_dist@example.com")).one()]
    before = database_state(session, sandbox)
    errors = _errors(
        lambda: update_customer(
            session=session,
            actor=world.actor("dist_admin"),
            account_id=sandbox,
            data=CustomerUpdate(**{field: value}),
            expected_version=1,
        )
    )
    assert len(errors) == 1
    (message,) = errors.values()
    assert message.startswith("The Sandbox customer's") and message.endswith("cannot be changed.")
    assert database_state(session, sandbox) == before


def test_sandbox_2_resubmitting_the_sandbox_form_unchanged_is_accepted(session, world):
    """SANDBOX-2: the edit form sent back as it was is not a change and is not refused."""
    sandbox = world.accounts["sandbox"]
    stored = row(session, Account, sandbox)
    before = database_state(session, sandbox)
    result = update_customer(
        session=session,
        actor=world.actor("dist_admin"),
        account_id=sandbox,
        data=CustomerUpdate(customer_name=stored["customer_name"], address=stored["address"], tenant_admin_user_ids=[]),
        expected_version=stored["version"],
    )
    assert result.id == sandbox
    assert database_state(session, sandbox) == before


# ---------------------------------------------------------------- EMAIL-1 (queued with the customer)


def test_email_1_confirmation_is_queued_in_the_same_transaction(session, world):
    """EMAIL-1: creating a customer queues one mail to the creating admin's registered address."""
    before = table_counts(session)["outbox_email"]
    _create(session, world, "dist_admin", customer_name="Mail Me Ltd", parent_account_id=world.accounts["r2"])
    mails = session.exec(select(OutboxEmail).order_by(OutboxEmail.id.desc())).all()
    assert len(mails) == before + 1
    mail = mails[0]
    assert mail.to_address == world.emails["dist_admin"] == "dist_admin@example.com"
    assert mail.subject == "Customer created: Mail Me Ltd"
    assert "Mail Me Ltd" in mail.body and "Crimson Peak IT" in mail.body
    assert (mail.status, mail.attempts, mail.sent_at) == ("queued", 0, None)


def test_email_1_no_mail_when_the_create_is_refused(session, world):
    """EMAIL-1 / CREATE-2: a refused create queues nothing."""
    before = table_counts(session)
    with pytest.raises(ValidationError):
        _create(session, world, customer_name="")
    assert table_counts(session) == before


# ---------------------------------------------------------------- audit trail


def test_audit_every_change_is_recorded_with_actor_perspective_and_json_values(session, world):
    """Audit trail: who, what, before/after (dates as ISO text) and from which tenant perspective."""
    actor = world.actor("dist_admin", perspective="r1")
    customer = create_customer(
        session=session, actor=actor, data=CustomerCreate(customer_name="Audited Ltd", **_full_service(session))
    )
    update_customer(
        session=session, actor=actor, account_id=customer.id, data=CustomerUpdate(address="Audit Road 9"), expected_version=1
    )
    events = session.exec(
        select(AuditEvent).where(AuditEvent.account_id == customer.id).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["customer.create", "product.create", "customer.update"]
    for event in events:
        assert event.actor_user_id == world.users["dist_admin"]
        assert event.perspective_account_id == world.accounts["r1"]
    assert events[0].before is None and events[0].after["customer_name"] == "Audited Ltd"
    assert events[1].after["quota_end_date"] == "2026-06-30"
    assert events[2].before == {"address": "", "version": 1}
    assert events[2].after == {"address": "Audit Road 9", "version": 2}

    listed = audit.list_events(session=session, actor=world.actor("r1_viewer"), account_id=customer.id)
    assert [e.action for e in listed] == ["customer.update", "product.create", "customer.create"]
    assert listed[0].actor_name == "Dana Distributor"
    assert listed[0].perspective_name == "Blue Harbor Resellers"
    assert len(audit.list_events(session=session, actor=world.actor("r1_viewer"), account_id=customer.id, limit=1)) == 1


def test_audit_events_are_scoped_like_customers(session, world):
    """Audit trail / AUTH-4: another reseller's customer's activity is "not found", like a missing id."""
    customer = _create(session, world, customer_name="Private History Ltd")
    hidden = _not_found(lambda: audit.list_events(session=session, actor=world.actor("r2_admin"), account_id=customer.id))
    missing = _not_found(lambda: audit.list_events(session=session, actor=world.actor("r2_admin"), account_id=MISSING_ID))
    assert hidden == missing


def test_audit_refused_changes_leave_no_event(session, world):
    """Audit trail: a refused change writes no event (it is part of the same transaction)."""
    before = table_counts(session)["audit_event"]
    with pytest.raises(DomainError):
        delete_customer(session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"])
    with pytest.raises(ValidationError):
        update_customer(
            session=session,
            actor=world.actor("r1_admin"),
            account_id=world.accounts["r1_cust2"],
            data=CustomerUpdate(phone="nope"),
            expected_version=1,
        )
    assert table_counts(session)["audit_event"] == before


def test_create_1_created_customer_role_sees_it_as_tenant_admin(session, world):
    """CREATE-1 / AUTH-4: an assigned tenant admin sees the new customer in its list at once."""
    customer = _create(session, world, customer_name="Assigned Ltd", tenant_admin_user_ids=[world.users["tenant_admin"]])
    page = list_customers(session=session, actor=world.actor("tenant_admin"), query=ListQuery(page_size=100))
    assert customer.id in {r.id for r in page.rows}
    assert session.get(User, world.users["tenant_admin"]).role == Role.TENANT_ADMIN


def test_list_2_new_customer_row_has_its_list_columns(session, world):
    """LIST-2 / STATUS-1: a customer created through the service shows its onboarding progress,
    tenant admins and source data in the list at once (the denormalised columns are refreshed)."""
    from msc_app.models import Account, User
    from msc_app.services.customer_changes import CustomerCreate, create_customer

    tenant_admin = session.get(User, world.users["tenant_admin"])
    account = create_customer(
        session=session,
        actor=world.actor("r1_admin"),
        data=CustomerCreate(customer_name="Fresh Start Ltd", tenant_admin_user_ids=[tenant_admin.id]),
    )
    row = session.get(Account, account.id)
    assert row.onboarding_total == 5
    assert row.onboarding_done == 1  # inviting the admin is done by assigning one
    assert row.tenant_admin_summary == tenant_admin.name
