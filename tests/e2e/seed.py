"""A known installation for the e2e tests, seeded through services and models, not by clicking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from msc_app.models import (
    Account,
    BillingIngestion,
    Contract,
    ContractStatus,
    IngestionStatus,
    OnboardingTask,
    OnboardingTaskKind,
    TaskStatus,
    AccountKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TenantAdminAssignment,
    TenantType,
    User,
    UserStatus,
)
from msc_app.services import auth, summaries

PASSWORD = "e2e-password-1"


@dataclass
class World:
    distributor_admin: str = "dist.admin@e2e.example"
    reseller_admin: str = "r1.admin@e2e.example"
    tenant_admin: str = "tenant.admin@e2e.example"
    pending_user: str = "pending@e2e.example"
    password: str = PASSWORD
    # account names by group
    r1_customers: list[str] = field(default_factory=list)
    r2_customers: list[str] = field(default_factory=list)
    direct_customers: list[str] = field(default_factory=list)
    tenant_admin_customers: list[str] = field(default_factory=list)

    @property
    def distributor_rows(self) -> set[str]:
        return {
            "Sandbox",
            "Blue Harbor Resellers",
            "Crimson Peak IT",
            *self.r1_customers,
            *self.r2_customers,
            *self.direct_customers,
        }

    @property
    def reseller_rows(self) -> set[str]:
        return {"Blue Harbor Resellers", *self.r1_customers}


def _account(session: Session, *, kind: AccountKind, name: str, parent: Account, created: datetime, **extra) -> Account:
    account = Account(
        kind=kind,
        parent_id=parent.id,
        name=name,
        name_sort=name.lower(),
        customer_name=extra.pop("customer_name", name),
        organization=extra.pop("organization", name),
        created_at=created,
        **extra,
    )
    account.customer_name_sort = account.customer_name.lower()
    session.add(account)
    session.flush()
    return account


def seed(session: Session, today: date | None = None) -> World:
    today = today or date.today()
    world = World()
    admin = auth.create_first_admin(
        session=session,
        distributor_name="Northwind Distribution",
        admin_name="Dana Distributor",
        email=world.distributor_admin,
        password=PASSWORD,
    )
    distributor = session.get(Account, admin.account_id)
    plan = session.exec(select(ServicePlan).where(ServicePlan.is_default)).one()
    premium = ServicePlan(name="Premium Protect", edition="Elite", products=[p.value for p in ProductType], owner_account_id=distributor.id)
    session.add(premium)
    session.flush()
    password_hash = session.get(User, admin.id).password_hash

    base = datetime(2025, 1, 1, tzinfo=UTC)
    r1 = _account(session, kind=AccountKind.RESELLER, name="Blue Harbor Resellers", parent=distributor, created=base)
    r2 = _account(session, kind=AccountKind.RESELLER, name="Crimson Peak IT", parent=distributor, created=base)

    # 30 customers under R1: more than one page of 25 for the reseller.
    r1_names = [f"Harbor Client {i:02d}" for i in range(1, 31)]
    regions = ["US East", "EU Frankfurt", "APAC Sydney"]
    r1_accounts = []
    for i, name in enumerate(r1_names):
        acc = _account(
            session,
            kind=AccountKind.CUSTOMER,
            name=name,
            parent=r1,
            created=base + timedelta(days=i),
            customer_name=f"{name} Holdings",
            organization=f"Org {chr(ord('A') + i % 26)}",
        )
        session.add(
            Product(
                account_id=acc.id,
                product_type=list(ProductType)[i % 3],
                service_plan_id=(premium if i % 2 else plan).id,
                tenant_type=TenantType.COMMERCIAL if i % 2 else TenantType.EVALUATION,
                storage_regions=[regions[i % 3]],
                credit_quota=100 * i,
                license_expiry=today + timedelta(days=30 + i),
            )
        )
        session.flush()
        summaries.refresh_account_summary(session=session, account_id=acc.id)
        r1_accounts.append(acc)
    world.r1_customers = r1_names

    # "=HYPERLINK..." proves the export neutralises formulas (LIST-7).
    world.r2_customers = ["Peak Dental", "Peak Logistics", "Secret Zebra Corp", '=HYPERLINK("http://x.example","Peak")']
    for i, name in enumerate(world.r2_customers):
        _account(session, kind=AccountKind.CUSTOMER, name=name, parent=r2, created=base + timedelta(days=i))

    world.direct_customers = ["Direct Alpha Bakery", "Direct Beta Clinic"]
    for i, name in enumerate(world.direct_customers):
        _account(session, kind=AccountKind.CUSTOMER, name=name, parent=distributor, created=base + timedelta(days=i))

    def user(email: str, name: str, role: Role, home: Account, status=UserStatus.ACTIVE) -> User:
        u = User(
            email=email,
            name=name,
            role=role,
            account_id=home.id,
            status=status,
            password_hash=password_hash if status == UserStatus.ACTIVE else None,
        )
        session.add(u)
        session.flush()
        return u

    user(world.reseller_admin, "Riley Reseller", Role.ADMIN, r1)
    tenant_admin = user(world.tenant_admin, "Tara Tenant", Role.TENANT_ADMIN, r1)
    user(world.pending_user, "Pat Pending", Role.ADMIN, r1, status=UserStatus.PENDING)
    # An invited tenant admin who has not set a password yet (CREATE-4).
    user("pending.tenant@e2e.example", "Penny Pending", Role.TENANT_ADMIN, r1, status=UserStatus.PENDING)
    for acc in r1_accounts[:2]:
        session.add(TenantAdminAssignment(user_id=tenant_admin.id, account_id=acc.id))
    world.tenant_admin_customers = [a.name for a in r1_accounts[:2]]

    # Harbor Client 01: onboarding 2 of 5, billing ingestion failed, three contracts (LIST-2 columns).
    first = r1_accounts[0]
    for i, kind in enumerate(OnboardingTaskKind):
        session.add(OnboardingTask(account_id=first.id, kind=kind, status=TaskStatus.DONE if i < 2 else TaskStatus.NOT_STARTED))
    session.add(BillingIngestion(account_id=first.id, status=IngestionStatus.FAILED))
    for n, status in enumerate([ContractStatus.ACTIVE, ContractStatus.ACTIVE, ContractStatus.PENDING]):
        session.add(Contract(account_id=first.id, number=f"E2E-{n}", title=f"Contract {n}", status=status, start_date=today))
    # The reseller itself is onboarding (1 of 5): its distributor sees the ring, it sees --- (STATUS-2).
    for i, kind in enumerate(OnboardingTaskKind):
        session.add(OnboardingTask(account_id=r1.id, kind=kind, status=TaskStatus.DONE if i < 1 else TaskStatus.NOT_STARTED))
    # Harbor Client 02: onboarding 3 of 5, and four contracts, one of each status (CONTRACT-1 "View all contracts").
    second = r1_accounts[1]
    for i, kind in enumerate(OnboardingTaskKind):
        session.add(OnboardingTask(account_id=second.id, kind=kind, status=TaskStatus.DONE if i < 3 else TaskStatus.IN_PROGRESS))
    for n, status in enumerate(ContractStatus):
        session.add(
            Contract(account_id=second.id, number=f"E2E-2-{n}", title=f"Second {status.value}", status=status, start_date=today)
        )
    # Another reseller's contract, which r1 must never reach (CONTRACT-2 scope).
    peak_dental = session.exec(select(Account).where(Account.name == "Peak Dental")).one()
    session.add(Contract(account_id=peak_dental.id, number="E2E-R2-0", title="Peak Secret Deal", status=ContractStatus.ACTIVE, start_date=today))
    session.flush()
    for account in (first, second, peak_dental, r1):
        summaries.refresh_list_columns(session=session, account_id=account.id)
    session.flush()
    return world
