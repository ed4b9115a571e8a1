"""A known installation for the e2e tests, seeded through services and models, not by clicking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from msc_app.models import (
    Account,
    AccountKind,
    Alert,
    AlertSeverity,
    BackupJob,
    BillingIngestion,
    Contact,
    Contract,
    ContractStatus,
    DailyConsumption,
    DataSource,
    IngestionStatus,
    JobKind,
    JobStatus,
    OnboardingTask,
    OnboardingTaskKind,
    Product,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    TenantType,
    User,
    UserStatus,
)
from msc_app.services import auth, summaries

PASSWORD = "e2e-password-1"


@dataclass
class DetailWorld:
    """What the details page of ``DETAIL_CUSTOMER`` must show (DETAIL-2..5, HEALTH-1..3)."""

    name: str
    today: date
    quota: int  # both products' credit quotas
    quota_end: date
    used: int  # consumed since the quota's effective date
    forecast: date  # the burn-down forecast: when the quota runs out at the last 30 days' rate
    backup_jobs_30d: int
    successful_30d: int
    restores_30d: int
    # data source name -> (last status, days ago, job id, last successful (days ago, job id) or None,
    #                       last restore (days ago, job id) or None)
    sources: dict[str, tuple] = field(default_factory=dict)
    alerts_by_type: dict[str, int] = field(default_factory=dict)
    alerts_by_severity: dict[str, int] = field(default_factory=dict)


DETAIL_CUSTOMER = "Harbor Client 10"


@dataclass
class World:
    distributor_admin: str = "dist.admin@e2e.example"
    reseller_admin: str = "r1.admin@e2e.example"
    tenant_admin: str = "tenant.admin@e2e.example"
    reseller_viewer: str = "vera.viewer@e2e.example"  # a read-only user of Blue Harbor Resellers
    pending_user: str = "pending@e2e.example"
    password: str = PASSWORD
    # account names by group
    r1_customers: list[str] = field(default_factory=list)
    r2_customers: list[str] = field(default_factory=list)
    direct_customers: list[str] = field(default_factory=list)
    tenant_admin_customers: list[str] = field(default_factory=list)
    detail: DetailWorld | None = None

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
    user(world.reseller_viewer, "Vera Viewer", Role.VIEWER, r1)
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
    world.detail = _seed_details(session, r1_accounts[9], plan, today)
    for account in (first, second, peak_dental, r1, r1_accounts[9]):
        summaries.refresh_list_columns(session=session, account_id=account.id)
    session.flush()
    return world


def _at(today: date, days_ago: int, hour: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour, 0), tzinfo=UTC)


def _seed_details(session: Session, account: Account, default_plan: ServicePlan, today: date) -> DetailWorld:
    """Harbor Client 10: two products, contacts, 120 days of consumption, two data sources, jobs and alerts."""
    hybrid = session.exec(select(Product).where(Product.account_id == account.id)).one()
    effective, end = today - timedelta(days=60), today + timedelta(days=30)
    hybrid.credit_quota, hybrid.quota_effective_date, hybrid.quota_end_date = 3000, effective, end
    saas = Product(
        account_id=account.id,
        product_type=ProductType.SAAS_APPS_ENDPOINTS,
        service_plan_id=default_plan.id,
        # Commercial, like the Hybrid product: an Evaluation one would make this customer match the list's
        # "Premium Protect and Evaluation" filter, which test_list_filters expects nobody to match.
        tenant_type=TenantType.COMMERCIAL,
        storage_regions=["EU Frankfurt"],
        credit_quota=1000,
        quota_effective_date=effective,
        quota_end_date=end,
        license_expiry=today + timedelta(days=200),
        user_count=25,
        preserved_user_count=5,
    )
    session.add_all([hybrid, saas])
    session.add(Contact(account_id=account.id, name="Alice Admin", email="alice@harbor10.example", phone="+1 415-555-0101"))
    session.add(Contact(account_id=account.id, name="Bob Billing", email="bob@harbor10.example"))
    session.flush()
    # 40 units a day on Hybrid Workloads and 20 on SaaS for 120 days: 60 a day since the quota took effect
    # (61 days, today included) = 3,660 of 4,000; 340 left at 60 a day runs out in 6 days, before the quota ends.
    for days_ago in range(120):
        day = today - timedelta(days=days_ago)
        session.add(DailyConsumption(account_id=account.id, product_id=hybrid.id, day=day, units=40))
        session.add(DailyConsumption(account_id=account.id, product_id=saas.id, day=day, units=20))

    files = DataSource(
        account_id=account.id, product_id=hybrid.id, organization="Harbor Ten Org", name="File Server FS01",
        workloads=["File Servers", "NAS"], backup_policy="Daily",
    )
    sql = DataSource(
        account_id=account.id, product_id=hybrid.id, organization="Harbor Ten Org", name="SQL Cluster",
        workloads=["MS-SQL"], backup_policy="Every 6 hours",
    )
    session.add_all([files, sql])
    session.flush()
    job_number = 5000

    def job(source: DataSource, days_ago: int, *, kind=JobKind.BACKUP, status=JobStatus.SUCCESSFUL, hour=2) -> int:
        nonlocal job_number
        job_number += 1
        started = _at(today, days_ago, hour)
        session.add(
            BackupJob(
                data_source_id=source.id, account_id=account.id, job_number=job_number, kind=kind, status=status,
                started_at=started, finished_at=started + timedelta(minutes=20),
            )
        )
        return job_number

    # No job runs exactly 30 days ago, so whether "the last 30 days" holds it cannot depend on the hour the test runs.
    # FS01: a backup every day for 45 days (1..45 days ago); the newest (1 day ago) failed, and the
    # 12-days-ago one; a restore 3 days ago succeeded, one 40 days ago (outside the 30 days) too.
    fs_days = [d for d in range(45, 0, -1) if d != 30]
    fs_jobs = {d: job(files, d, status=JobStatus.FAILED if d in (1, 12) else JobStatus.SUCCESSFUL) for d in fs_days}
    old_restore = job(files, 40, kind=JobKind.RESTORE)
    restore = job(files, 3, kind=JobKind.RESTORE, hour=9)
    # SQL Cluster: a backup every other day (0..58 days ago), all successful, the newest today at 00:00; no restore.
    sql_jobs = {d: job(sql, d, hour=0) for d in range(58, -1, -2) if d != 30}
    session.flush()
    del old_restore
    in_30 = [d for d in fs_jobs if d < 30] + [d for d in sql_jobs if d < 30]
    failed_in_30 = 2  # FS01 1 and 12 days ago

    alerts = [
        ("Backup failed", AlertSeverity.CRITICAL, False),
        ("Backup failed", AlertSeverity.HIGH, False),
        ("Quota nearly used", AlertSeverity.MEDIUM, False),
        ("Agent offline", AlertSeverity.HIGH, True),  # resolved: not counted
    ]
    for n, (kind, severity, resolved) in enumerate(alerts):
        session.add(
            Alert(
                account_id=account.id, product_id=hybrid.id, alert_type=kind, severity=severity,
                message=f"{kind} on Harbor Client 10", created_at=_at(today, n + 1, 6), resolved=resolved,
            )
        )
    session.flush()
    used = 61 * 60
    return DetailWorld(
        name=account.name,
        today=today,
        quota=4000,
        quota_end=end,
        used=used,
        forecast=today + timedelta(days=6),
        backup_jobs_30d=len(in_30),
        successful_30d=len(in_30) - failed_in_30,
        restores_30d=1,
        sources={
            "File Server FS01": ("Failed", 1, fs_jobs[1], (2, fs_jobs[2]), (3, restore)),
            "SQL Cluster": ("Successful", 0, sql_jobs[0], None, None),
        },
        alerts_by_type={"Backup failed": 2, "Quota nearly used": 1},
        alerts_by_severity={"Critical": 1, "High": 1, "Medium": 1},
    )
