"""DEMO-1: a deterministic generator of a realistic installation.

One distributor (Northwind Distribution) with its first admin, the Sandbox
customer and the Default Service Plan (all through ``auth.create_first_admin``,
exactly as the first-run screen does), then service plans, resellers,
customers with products, contacts, contracts, onboarding tasks, billing
ingestion health, consumption history, data sources, backup and restore jobs,
alerts, an audit trail, sent emails and users of every role.

The same ``seed``, ``customers`` and ``today`` give the same data. Rows are
written with SQLAlchemy Core bulk inserts in chunks, with ids assigned here,
so that ``customers=100_000`` takes well under two minutes on SQLite and
PostgreSQL. The heavy per-day history (consumption, data sources, jobs) is
generated for at most ``DETAIL_LIMIT`` customers: the ones a demo looks at
first (the first pages of the list, the first reseller's customers, the
tenant admins' customers).

Every demo user signs in with ``DEMO_PASSWORD``; they all share one argon2
hash (hashing is deliberately slow).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import re
import time as _time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import phonenumbers
import sqlalchemy as sa
from faker import Faker
from sqlmodel import Session, SQLModel, func, select

from msc_app.models import (
    STORAGE_REGIONS,
    Account,
    AccountKind,
    Alert,
    ApiToken,
    AlertSeverity,
    AuditEvent,
    BackupJob,
    BillingIngestion,
    Contact,
    Contract,
    ContractStatus,
    DailyConsumption,
    DataSource,
    Edition,
    EmailStatus,
    IngestionStatus,
    Invitation,
    JobKind,
    JobStatus,
    LoginAttempt,
    OnboardingTask,
    OnboardingTaskKind,
    OutboxEmail,
    Product,
    ProductStatus,
    SavedView,
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
from msc_app.models.users import RecoveryCode
from msc_app.services import auth, summaries, two_factor
from msc_app.services.customers import ListQuery
from msc_app.services.validation import normalise_email

DEMO_PASSWORD = "demo-password-1"
DISTRIBUTOR_NAME = "Northwind Distribution"
DISTRIBUTOR_DOMAIN = "northwind.example"
ADMIN_NAME = "Dana Whitfield"
ADMIN_EMAIL = f"admin@{DISTRIBUTOR_DOMAIN}"

# Customers that get the per-day history (consumption, data sources, jobs).
DETAIL_LIMIT = 500
MAX_RESELLERS = 400
# Customers generated (and inserted) per batch; rows are inserted in chunks of CHUNK.
BATCH = 2_000
CHUNK = 5_000
CONSUMPTION_DAYS = 90
HISTORY_YEARS = 3

# The list columns (LIST-2) not derived from products, before the generator fills them in.
LIST_COLUMN_DEFAULTS = {
    **summaries.onboarding_values(0, 0),
    "contracts_total": 0,
    "source_data_rank": 0,
    "consumption_90d": 0,
    "admin_name": "",
    "tenant_admin_summary": "",
}

# ------------------------------------------------------------------ result


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str | None  # None: the user is pending and has no password yet
    account: str


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)
    sign_ins: list[DemoSignIn] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def customers(self) -> int:
        return self.counts.get("customers", 0)


# ------------------------------------------------------------------ reference data

# locale -> (weight, phone region, currency, legal suffixes, preferred storage regions)
LOCALES: dict[str, tuple[int, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "en_US": (45, "US", "USD", ("LLC", "Inc."), ("US East", "US West")),
    "en_GB": (12, "GB", "GBP", ("Ltd",), ("UK London",)),
    "en_CA": (8, "CA", "CAD", ("Inc.", "Ltd."), ("Canada", "US East")),
    "de_DE": (10, "DE", "EUR", ("GmbH", "AG"), ("EU Frankfurt",)),
    "fr_FR": (6, "FR", "EUR", ("SAS", "SARL"), ("EU Frankfurt", "EU Ireland")),
    "en_AU": (8, "AU", "AUD", ("Pty Ltd",), ("APAC Sydney",)),
    "nl_NL": (5, "NL", "EUR", ("B.V.",), ("EU Frankfurt", "EU Ireland")),
    "en_IE": (6, "IE", "EUR", ("Ltd", "DAC"), ("EU Ireland",)),
}
LOCALE_NAMES = list(LOCALES)
LOCALE_CUM_WEIGHTS = list(itertools.accumulate(w for w, *_ in LOCALES.values()))

INDUSTRIES = (
    "Dental Care", "Logistics", "Engineering", "Legal", "Accounting", "Architects",
    "Manufacturing", "Medical Group", "Construction", "Consulting", "Retail",
    "Hospitality", "Insurance Brokers", "Veterinary Clinic", "Property Management",
    "Freight", "Pharmacy", "Software", "Marketing", "Financial Advisors", "Foods",
    "Auto Group", "Printing", "Energy", "Labs", "Orthopaedics", "Realty", "Studios",
    "Transport", "Solar", "Robotics", "Analytics", "Healthcare", "Textiles",
)  # fmt: skip
RESELLER_WORDS = (
    "IT Solutions", "Managed Services", "Cloud Services", "Technologies", "Networks",
    "Systems", "Digital", "Data Protection", "Tech Partners", "Computing",
)  # fmt: skip
GROUP_WORDS = ("Holdings", "Group", "Partners", "Enterprises")

US_AREA_CODES = (
    "212", "646", "415", "628", "312", "617", "206", "512", "303", "404", "702", "713",
    "305", "615", "919", "503", "602", "801", "704", "215", "202", "614", "317", "816",
)  # fmt: skip
CA_AREA_CODES = ("416", "647", "604", "778", "514", "438", "403", "613", "780", "902", "204")

# name, edition, products, workloads, owner ("distributor" or "reseller": the first reseller)
PLANS: tuple[tuple[str, Edition, tuple[ProductType, ...], tuple[str, ...], str], ...] = (
    ("Business Backup Essentials", Edition.BUSINESS, (ProductType.HYBRID_WORKLOADS,),
     ("Files", "Microsoft Windows Server", "VMware"), "distributor"),
    ("Business Microsoft 365 Protect", Edition.BUSINESS, (ProductType.MICROSOFT_365,),
     ("Exchange Online", "OneDrive", "SharePoint Online", "Teams"), "distributor"),
    ("Business Endpoint & SaaS", Edition.BUSINESS, (ProductType.SAAS_APPS_ENDPOINTS,),
     ("Endpoints", "Google Workspace"), "distributor"),
    ("Enterprise Hybrid Protect", Edition.ENTERPRISE, (ProductType.HYBRID_WORKLOADS,),
     ("VMware", "Microsoft Hyper-V", "Microsoft SQL Server", "Oracle Database", "NAS"),
     "distributor"),
    ("Enterprise Microsoft 365 Complete", Edition.ENTERPRISE,
     (ProductType.MICROSOFT_365, ProductType.SAAS_APPS_ENDPOINTS),
     ("Exchange Online", "OneDrive", "SharePoint Online", "Teams", "Endpoints"), "distributor"),
    ("Enterprise Cloud Suite", Edition.ENTERPRISE, tuple(ProductType),
     ("VMware", "Microsoft SQL Server", "Exchange Online", "OneDrive", "Endpoints"),
     "distributor"),
    ("Elite Cyber Resilience", Edition.ELITE, tuple(ProductType),
     ("VMware", "Nutanix AHV", "Microsoft SQL Server", "Exchange Online", "Endpoints",
      "Salesforce"), "distributor"),
    ("Elite Disaster Recovery", Edition.ELITE, (ProductType.HYBRID_WORKLOADS,),
     ("VMware", "Microsoft Hyper-V", "Amazon EC2"), "distributor"),
    ("Elite SaaS Shield", Edition.ELITE,
     (ProductType.SAAS_APPS_ENDPOINTS, ProductType.MICROSOFT_365),
     ("Salesforce", "Google Workspace", "Exchange Online", "Teams"), "reseller"),
)  # fmt: skip

CONTRACT_TITLES = (
    "Managed Backup Services Agreement", "Microsoft 365 Protection Subscription",
    "Hybrid Workloads Protection", "Endpoint Backup Add-on", "Disaster Recovery Retainer",
    "Master Services Agreement", "Storage Expansion Order", "Support & Maintenance Renewal",
)  # fmt: skip

DATA_SOURCE_KINDS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # product type -> (name pattern, workloads)
    ProductType.HYBRID_WORKLOADS.value: (
        ("srv-{slug}-fs{n:02d}", ("Files", "Microsoft Windows Server")),
        ("vc-{slug}-{n:02d}", ("VMware",)),
        ("hv-{slug}-{n:02d}", ("Microsoft Hyper-V",)),
        ("sql-{slug}-{n:02d}", ("Microsoft SQL Server",)),
        ("ora-{slug}-{n:02d}", ("Oracle Database",)),
        ("nas-{slug}-{n:02d}", ("NAS", "Files")),
    ),
    ProductType.SAAS_APPS_ENDPOINTS.value: (
        ("Laptops ({slug})", ("Endpoints",)),
        ("Google Workspace ({slug}.example)", ("Google Workspace",)),
        ("Salesforce org {slug}", ("Salesforce",)),
    ),
    ProductType.MICROSOFT_365.value: (
        ("{slug}.onmicrosoft.com", ("Exchange Online", "OneDrive", "SharePoint Online", "Teams")),
        ("{slug}.onmicrosoft.com (mail)", ("Exchange Online",)),
    ),
}
ADDRESS_FORMATS = {
    "en_US": "{n} {street}, {city}, {state} {postcode}",
    "en_GB": "{n} {street}, {city}, {postcode}",
    "en_CA": "{n} {street}, {city}, {state} {postcode}",
    "de_DE": "{street} {n}, {postcode} {city}",
    "fr_FR": "{n}, {street}, {postcode} {city}",
    "en_AU": "{n} {street}, {city} {state} {postcode}",
    "nl_NL": "{street} {n}, {postcode} {city}",
    "en_IE": "{n} {street}, {city}, {postcode}",
}
BACKUP_POLICIES = ("Daily at 22:00", "Daily at 23:30", "Daily at 01:00", "Daily at 02:30")

ALERT_TYPES = (
    # type, severities, message template
    ("Backup failed", (AlertSeverity.HIGH, AlertSeverity.CRITICAL),
     "The last backup of {what} failed."),
    ("Quota threshold", (AlertSeverity.MEDIUM, AlertSeverity.HIGH),
     "{what} used {pct}% of its credit quota."),
    ("License expiring", (AlertSeverity.MEDIUM, AlertSeverity.LOW),
     "The {what} licence expires on {expiry}."),
    ("Agent offline", (AlertSeverity.LOW, AlertSeverity.MEDIUM, AlertSeverity.HIGH),
     "The backup agent for {what} has not checked in for {days} days."),
)  # fmt: skip

INGESTION_MESSAGES = {
    IngestionStatus.WARNING: (
        "Usage file arrived late; yesterday's figures are estimated.",
        "2 usage records could not be matched to a product.",
        "The billing connector is close to its API quota.",
    ),
    IngestionStatus.FAILED: (
        "The billing connector's credentials were rejected.",
        "The usage export timed out after 3 attempts.",
        "The usage file could not be parsed.",
    ),
}


# ------------------------------------------------------------------ helpers


def _slug(text: str, *, limit: int = 30) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") or "company"


LEGAL_WORDS = frozenset(
    {"llc", "inc", "ltd", "gmbh", "ag", "sas", "sarl", "pty", "b", "v", "dac", "plc", "and", "sons"}
)


def _short_slug(text: str, *, limit: int = 18) -> str:
    """'Benson IT Solutions LLC' -> 'benson-it-solutions': whole words, no legal suffix."""
    words = [w for w in _slug(text, limit=200).split("-") if w not in LEGAL_WORDS]
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit and out:
            break
        out = candidate[:limit]
    return out or "company"


def _at(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), UTC)


class _Ids:
    """Primary keys assigned in Python, continuing after what is already in the table."""

    def __init__(self, session: Session):
        self._next: dict[str, int] = {}
        for table in _id_tables():
            current = session.execute(sa.select(func.max(table.c.id))).scalar()
            self._next[table.name] = (current or 0) + 1

    def take(self, table: sa.Table) -> int:
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value


def _id_tables() -> list[sa.Table]:
    return [
        t
        for t in SQLModel.metadata.sorted_tables
        if [c.name for c in t.primary_key.columns] == ["id"]
    ]


class _PhoneBook:
    """Valid international phone numbers, fast.

    Validating every number with ``phonenumbers`` is slow at 100,000 rows, so a
    few dozen valid prefixes per country are found (and formatted) up front;
    a number is a prefix plus four random digits.
    """

    PREFIXES = 60

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._templates: dict[str, list[tuple[str, ...]]] = {}
        for _weight, region, *_ in LOCALES.values():
            self._templates[region] = self._find_templates(region)

    def _candidates(self, region: str) -> Iterable[tuple[int, str]]:
        rng = self._rng
        code = phonenumbers.country_code_for_region(region)
        while True:
            if region in ("US", "CA"):
                area = rng.choice(US_AREA_CODES if region == "US" else CA_AREA_CODES)
                yield code, area + str(rng.randint(2, 9)) + f"{rng.randrange(10**6):06d}"
                continue
            kind = rng.choice(
                (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
            )
            example = phonenumbers.example_number_for_type(region, kind)
            nsn = phonenumbers.national_significant_number(example)
            tail = "".join(rng.choice("0123456789") for _ in range(len(nsn) - 2))
            yield code, nsn[:2] + tail

    def _find_templates(self, region: str) -> list[tuple[str, ...]]:
        templates: list[tuple[str, ...]] = []
        for code, nsn in itertools.islice(self._candidates(region), 2_000):
            prefix = nsn[:-4]
            numbers = [
                phonenumbers.parse(f"+{code}{prefix}{suffix}")
                for suffix in ("0000", "4821", "9999")
            ]
            if not all(phonenumbers.is_valid_number(n) for n in numbers):
                continue
            formatted = phonenumbers.format_number(
                numbers[0], phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
            # The last four digits of the formatted number are the suffix: split around them.
            positions = [i for i, ch in enumerate(formatted) if ch.isdigit()][-4:]
            bounds = [-1, *positions, len(formatted)]
            templates.append(tuple(formatted[a + 1 : b] for a, b in itertools.pairwise(bounds)))
            if len(templates) >= self.PREFIXES:
                break
        if not templates:  # pragma: no cover - metadata for these regions is stable
            raise RuntimeError(f"no valid phone prefix found for {region}")
        return templates

    def number(self, region: str) -> str:
        pieces = self._rng.choice(self._templates[region])
        digits = f"{self._rng.randrange(10_000):04d}"
        return (
            pieces[0] + digits[0] + pieces[1] + digits[1] + pieces[2] + digits[2]
            + pieces[3] + digits[3] + pieces[4]
        )  # fmt: skip


@dataclass
class _Customer:
    """Pass-1 facts about a customer, enough to choose who gets the detailed history."""

    index: int
    parent: int  # 0 = the distributor, k = the k-th reseller (1-based)
    locale: str
    customer_name: str
    name: str
    hide_name: bool
    created_at: datetime
    id: int = 0


@dataclass
class _Rows:
    """Rows for each table, flushed to the database in foreign-key order."""

    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: sa.Table, row: dict) -> None:
        self.tables.setdefault(table.name, []).append(row)


# ------------------------------------------------------------------ the generator


class _Generator:
    def __init__(self, *, session: Session, customers: int, seed: int, today: date, progress):
        self.session = session
        self.n = max(0, int(customers))
        self.rng = random.Random(seed)
        self.fake = Faker(LOCALE_NAMES, use_weighting=False)
        self.fake.seed_instance(seed)
        self.today = today
        self.now = _at(today)  # midnight UTC of ``today``: all history lies before it
        self.start = _at(today - timedelta(days=365 * HISTORY_YEARS))
        self.progress = progress or (lambda _msg: None)
        self.contract_seq = 0
        self.job_seq = 100_000
        self.phones = _PhoneBook(self.rng)
        self.address_parts: dict[str, tuple[list[str], ...]] = {}
        self.dialect = session.get_bind().dialect.name

    # ---------------------------------------------------------- plumbing

    def insert(self, table: sa.Table, rows: list[dict]) -> None:
        if not rows:
            return
        conn = self.session.connection()
        stmt = sa.insert(table)
        for start in range(0, len(rows), CHUNK):
            conn.execute(stmt, rows[start : start + CHUNK])

    def flush(self, rows: _Rows) -> None:
        for table in SQLModel.metadata.sorted_tables:  # parents before children
            self.insert(table, rows.tables.pop(table.name, []))
        assert not rows.tables, f"unknown tables: {list(rows.tables)}"

    def random_moment(self, after: datetime, before: datetime) -> datetime:
        span = max(1, int((before - after).total_seconds()))
        return after + timedelta(seconds=self.rng.randrange(span))

    # ---------------------------------------------------------- names

    def company_name(self, locale: str) -> str:
        fk = self.fake[locale]
        suffix = self.rng.choice(LOCALES[locale][3])
        r = self.rng.random()
        if r < 0.5:
            return fk.company()
        if r < 0.75:
            return f"{fk.last_name()} {self.rng.choice(INDUSTRIES)} {suffix}"
        if r < 0.9:
            return f"{fk.last_name()} {self.rng.choice(INDUSTRIES)}"
        return f"{fk.last_name()} & {fk.last_name()} {self.rng.choice(INDUSTRIES)}"

    def unique_name(self, taken: set[str], make: Callable[[], str]) -> str:
        """A name not yet used under this parent (case-insensitive, CREATE-2)."""
        for _ in range(8):
            name = make()[:200]
            if name.lower() not in taken:
                taken.add(name.lower())
                return name
        base = make()[:180]
        for n in itertools.count(2):
            name = f"{base} {n}"
            if name.lower() not in taken:
                taken.add(name.lower())
                return name
        raise AssertionError("unreachable")

    def account_code(self, name: str, taken: set[str]) -> str:
        letters = re.sub(r"[^A-Z]", "", _slug(name).upper())[:4] or "CUST"
        while True:
            code = f"{letters}-{self.rng.randrange(1000, 10000)}"
            if code.lower() not in taken:
                taken.add(code.lower())
                return code

    def address(self, locale: str) -> str:
        """A postal address in the country's usual order, from pools of Faker's parts.

        Faker's own ``address()`` costs tens of microseconds; 100,000 of them
        dominate the run, so streets, cities, postcodes and states are drawn
        once per locale and combined with a random house number.
        """
        parts = self.address_parts.get(locale)
        if parts is None:
            parts = self.address_parts[locale] = self.make_address_parts(locale)
        rng = self.rng
        street, city, postcode, state = (rng.choice(pool) for pool in parts)
        n = rng.randint(1, 250) if rng.random() < 0.7 else rng.randint(251, 9999)
        return ADDRESS_FORMATS[locale].format(
            n=n, street=street, city=city, postcode=postcode, state=state
        )

    def make_address_parts(self, locale: str) -> tuple[list[str], ...]:
        fk = self.fake[locale]
        size = min(400, self.n + 20)
        if locale == "en_US":  # the fifty states, no territories

            def state() -> str:
                return fk.state_abbr(
                    include_territories=False, include_freely_associated_states=False
                )
        else:
            state = getattr(fk, "state_abbr", None) or getattr(fk, "province_abbr", None)
        return (
            [fk.street_name() for _ in range(size)],
            [fk.city() for _ in range(size)],
            [fk.postcode() for _ in range(size)],
            [state() for _ in range(60)] if state else [""],
        )

    def phone(self, locale: str) -> str:
        return self.phones.number(LOCALES[locale][1])

    # ---------------------------------------------------------- first run and plans

    def first_run(self) -> None:
        self.progress("first admin, Default Service Plan and Sandbox")
        admin = auth.create_first_admin(
            session=self.session,
            distributor_name=DISTRIBUTOR_NAME,
            admin_name=ADMIN_NAME,
            email=ADMIN_EMAIL,
            password=DEMO_PASSWORD,
            today=self.today,
        )
        self.session.flush()
        self.admin = admin
        self.password_hash = admin.password_hash  # the one argon2 hash every demo user shares
        self.distributor = self.session.get(Account, admin.account_id)
        self.sandbox = self.session.exec(
            select(Account).where(Account.is_sandbox, Account.parent_id == self.distributor.id)
        ).one()
        self.default_plan = self.session.exec(
            select(ServicePlan).where(ServicePlan.is_default)
        ).one()
        # Deterministic details for the first-run rows (they default to "now").
        self.distributor.created_at = self.start - timedelta(days=30)
        self.distributor.address = "100 Harbor Way, Seattle, WA 98104"
        self.distributor.phone = self.phones.number("US")
        self.sandbox.created_at = self.start - timedelta(days=29)
        self.sandbox.phone = self.distributor.phone
        self.sandbox.address = self.distributor.address
        admin.created_at = self.start - timedelta(days=30)
        self.session.add_all([self.distributor, self.sandbox, admin])
        for task in self.session.exec(
            select(OnboardingTask).where(OnboardingTask.account_id == self.sandbox.id)
        ):
            task.updated_at = self.sandbox.created_at
            self.session.add(task)
        self.session.flush()
        self.ids = _Ids(self.session)

    def make_plans(self) -> None:
        """The other service plans; ``plans`` and ``plan_names`` include the Default one."""
        owners = {"distributor": self.distributor.id, "reseller": self.reseller_ids[1]}
        rows = [
            {
                "id": self.ids.take(ServicePlan.__table__),
                "name": name,
                "edition": edition.value,
                "products": [p.value for p in products],
                "workloads": list(workloads),
                "is_default": False,
                "owner_account_id": owners[owner],
            }
            for name, edition, products, workloads, owner in PLANS
        ]
        self.insert(ServicePlan.__table__, rows)
        default = self.default_plan
        self.plans: list[dict] = [
            {
                "id": default.id,
                "products": list(default.products),
                "owner": default.owner_account_id,
            },
            *(
                {"id": r["id"], "products": r["products"], "owner": r["owner_account_id"]}
                for r in rows
            ),
        ]
        self.plan_names = {default.id: default.name} | {r["id"]: r["name"] for r in rows}
        self.plan_editions = {default.id: default.edition} | {r["id"]: r["edition"] for r in rows}

    # ---------------------------------------------------------- resellers

    def make_resellers(self) -> None:
        count = min(MAX_RESELLERS, max(3, self.n // 25))
        self.progress(f"{count} resellers")
        rows = _Rows()
        taken = {self.sandbox.name.lower()}
        self.reseller_ids: list[int] = [self.distributor.id]  # index 0 = the distributor
        self.reseller_names: list[str] = [self.distributor.name]
        self.reseller_created: list[datetime] = [self.distributor.created_at]
        self.taken_by_parent: list[set[str]] = [taken]
        # SOURCE-1 aggregate per account id, rolled up to the parents after the customers.
        self.source_rank: dict[int, int] = {}
        for k in range(1, count + 1):
            locale = self.pick_locale() if k > 1 else "en_US"
            fk = self.fake[locale]
            name = self.unique_name(
                taken,
                lambda fk=fk, locale=locale: (
                    f"{fk.last_name()} {self.rng.choice(RESELLER_WORDS)} "
                    f"{self.rng.choice(LOCALES[locale][3])}"
                ),
            )
            created = self.random_moment(self.start, self.start + timedelta(days=365))
            account_id = self.ids.take(Account.__table__)
            rows.add(
                Account.__table__,
                self.account_row(
                    id=account_id,
                    kind=AccountKind.RESELLER,
                    parent_id=self.distributor.id,
                    name=name,
                    customer_name=name,
                    hide_name=False,
                    organization=name,
                    locale=locale,
                    created_at=created,
                    summary=None,
                ),
            )
            own = self.billing_row(rows, account_id, has_data=True)
            self.source_rank[account_id] = summaries.source_data_rank(own)
            self.reseller_ids.append(account_id)
            self.reseller_names.append(name)
            self.reseller_created.append(created)
            self.taken_by_parent.append(set())
        self.flush(rows)

    def pick_locale(self) -> str:
        return self.rng.choices(LOCALE_NAMES, cum_weights=LOCALE_CUM_WEIGHTS)[0]

    def account_row(
        self, *, id, kind, parent_id, name, customer_name, hide_name, organization, locale,
        created_at, summary,
    ) -> dict:  # fmt: skip
        summary = summary or summaries.summarise([], {})
        return {
            **LIST_COLUMN_DEFAULTS,
            "id": id,
            "kind": kind.value,
            "parent_id": parent_id,
            "name": name,
            "name_sort": name.lower(),
            "customer_name": customer_name,
            "customer_name_sort": customer_name.lower(),
            "hide_name": hide_name,
            "organization": organization,
            "address": self.address(locale),
            "phone": self.phone(locale),
            "is_sandbox": False,
            "version": 1,
            "created_at": created_at,
            **summary,
        }

    # ---------------------------------------------------------- customers, pass 1

    def plan_customers(self) -> list[_Customer]:
        """Names, parents and creation dates; decides nothing else yet."""
        self.progress(f"{self.n} customer names")
        resellers = len(self.reseller_ids) - 1
        # A few large resellers, many small ones; the first is the largest.
        cum = list(itertools.accumulate(1 / (k**0.6) for k in range(1, resellers + 1)))
        reseller_indices = range(1, resellers + 1)
        customers: list[_Customer] = []
        for i in range(self.n):
            if i < 4 and self.n >= 8:
                parent = 1  # enough customers for the tenant admins of the first reseller
            elif self.rng.random() < 0.2:
                parent = 0
            else:
                parent = self.rng.choices(reseller_indices, cum_weights=cum)[0]
            locale = self.pick_locale()
            taken = self.taken_by_parent[parent]
            customer_name = self.unique_name(taken, lambda locale=locale: self.company_name(locale))
            hide = self.rng.random() < 0.1
            name = self.account_code(customer_name, taken) if hide else customer_name
            created = self.random_moment(
                max(self.start, self.reseller_created[parent] + timedelta(days=1)),
                self.now - timedelta(hours=1),
            )
            customers.append(_Customer(i, parent, locale, customer_name, name, hide, created))
        for customer in customers:
            customer.id = self.ids.take(Account.__table__)
        return customers

    def choose_detailed(self, customers: list[_Customer]) -> set[int]:
        """The customers a demo meets first get the per-day history; at most DETAIL_LIMIT."""
        if len(customers) <= DETAIL_LIMIT:
            return {c.index for c in customers}
        by_name = sorted(customers, key=lambda c: (c.name.lower(), c.id))
        chosen: list[int] = [c.index for c in by_name[: DETAIL_LIMIT * 2 // 5]]
        for parent in (1, 0):  # the first reseller's and the distributor's own first pages
            chosen += [c.index for c in by_name if c.parent == parent][:100]
        chosen += [c.index for c in self.tenant_admin_customers(customers)]
        chosen += range(DETAIL_LIMIT)  # then the first generated
        detailed: dict[int, None] = {}
        for index in chosen:
            if len(detailed) >= DETAIL_LIMIT:
                break
            detailed[index] = None
        return set(detailed)

    def tenant_admin_customers(self, customers: list[_Customer]) -> list[_Customer]:
        """The first reseller's first four customers by name: the tenant admins' scope."""
        mine = sorted((c for c in customers if c.parent == 1), key=lambda c: c.name.lower())
        return mine[:4]

    # ---------------------------------------------------------- customers, pass 2

    def make_customers(self, customers: list[_Customer], detailed: set[int]) -> None:
        self.progress("customers and their products, contacts, contracts, history")
        for start in range(0, len(customers), BATCH):
            rows = _Rows()
            for customer in customers[start : start + BATCH]:
                self.customer_rows(rows, customer, detailed=customer.index in detailed)
            self.flush(rows)
            if (start // BATCH) % 10 == 9:
                self.progress(f"  {start + BATCH} customers")
        self.customer_ids = [c.id for c in customers]

    def customer_rows(self, rows: _Rows, c: _Customer, *, detailed: bool) -> None:
        rng = self.rng
        parent_id = self.reseller_ids[c.parent]
        products = self.product_rows(c)
        summary = summaries.summarise(
            [SimpleNamespace(**p) for p in products], self.plan_names, self.plan_editions
        )
        organization = (
            c.customer_name
            if rng.random() < 0.7
            else f"{self.fake[c.locale].last_name()} {rng.choice(GROUP_WORDS)}"
        )
        account = self.account_row(
            id=c.id,
            kind=AccountKind.CUSTOMER,
            parent_id=parent_id,
            name=c.name,
            customer_name=c.customer_name,
            hide_name=c.hide_name,
            organization=organization,
            locale=c.locale,
            created_at=c.created_at,
            summary=summary,
        )
        rows.add(Account.__table__, account)
        for p in products:
            rows.add(Product.__table__, p)
        contacts = self.contact_rows(rows, c)
        contracts = self.contract_rows(rows, c)
        billing = self.billing_row(rows, c.id, has_data=bool(products))
        done, total = self.onboarding_rows(rows, c, products, contacts, contracts, billing)
        rank = summaries.source_data_rank(billing)
        self.source_rank[parent_id] = max(self.source_rank.get(parent_id, 0), rank)
        account.update(summaries.onboarding_values(done, total))
        account.update(contracts_total=len(contracts), source_data_rank=rank)
        failed_sources = []
        if detailed:
            account["consumption_90d"] = sum(self.consumption_rows(rows, c, p) for p in products)
            failed_sources = self.data_source_rows(rows, c, products)
            self.audit_rows(rows, c)
        self.alert_rows(rows, c, products, failed_sources)

    def product_rows(self, c: _Customer) -> list[dict]:
        rng = self.rng
        parent_id = self.reseller_ids[c.parent]
        count = rng.choices((0, 1, 2, 3), weights=(10, 45, 30, 15))[0]
        types = rng.sample(list(ProductType), count)
        if not types:
            return []
        # The distributor's plans, and the parent reseller's own.
        plans = [p for p in self.plans if p["owner"] in (self.distributor.id, parent_id)]
        covering_all = [p for p in plans if all(t.value in p["products"] for t in types)]
        shared = rng.choice(covering_all) if covering_all and rng.random() < 0.7 else None
        tenant_type = rng.choices(list(TenantType), weights=(18, 74, 8))[0]
        storage = LOCALES[c.locale][4]
        users = max(3, min(5_000, int(math.exp(rng.gauss(3.5, 1.1)))))
        created_day = c.created_at.date()
        result = []
        for t in types:
            plan = shared
            if plan is None:
                options = [p for p in plans if t.value in p["products"]]
                weights = [0.3 if p["id"] == self.default_plan.id else 1 for p in options]
                plan = rng.choices(options, weights=weights)[0]
            regions = [rng.choice(storage)]
            if rng.random() < 0.08:
                extra = rng.choice(STORAGE_REGIONS)
                if extra not in regions:
                    regions.append(extra)
            quota = max(500, round(users * rng.uniform(8, 20), -2))
            # The quota year that contains today (or the first one, for new customers).
            years = max(0, (self.today - created_day).days // 365)
            effective = created_day + timedelta(days=365 * years)
            end = effective + timedelta(days=365)
            if tenant_type == TenantType.EVALUATION:
                expiry = self.today + timedelta(days=rng.randint(-20, 45))
            else:
                expiry = self.today + timedelta(days=rng.randint(-30, 540))
            # Hybrid Workloads protect servers, not people: a seat per ten users.
            seats = max(1, users // 10) if t == ProductType.HYBRID_WORKLOADS else users
            result.append(
                {
                    "id": self.ids.take(Product.__table__),
                    "account_id": c.id,
                    "product_type": t.value,
                    "service_plan_id": plan["id"],
                    "tenant_type": tenant_type.value,
                    "storage_regions": regions,
                    "credit_quota": int(quota),
                    "quota_effective_date": effective,
                    "quota_end_date": end,
                    "license_expiry": expiry,
                    "user_count": seats,
                    "preserved_user_count": rng.randint(0, max(0, users // 10)),
                    "status": (
                        ProductStatus.SUSPENDED.value
                        if rng.random() < 0.04
                        else ProductStatus.ACTIVE.value
                    ),
                }
            )
        return result

    def contact_rows(self, rows: _Rows, c: _Customer) -> int:
        rng = self.rng
        fk = self.fake[c.locale]
        domain = _short_slug(c.customer_name, limit=24) + ".example"
        count = rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]
        for _ in range(count):
            first, last = fk.first_name(), fk.last_name()
            local = f"{_slug(first, limit=20)}.{_slug(last, limit=20)}".replace("-", "")
            rows.add(
                Contact.__table__,
                {
                    "account_id": c.id,
                    "name": f"{first} {last}",
                    "email": f"{local}@{domain}",
                    "phone": self.phone(c.locale) if rng.random() < 0.85 else "",
                },
            )
        return count

    def contract_rows(self, rows: _Rows, c: _Customer) -> list[str]:
        rng = self.rng
        count = rng.choices(range(6), weights=(12, 30, 25, 15, 10, 8))[0]
        statuses = []
        created = c.created_at.date()
        for _ in range(count):
            self.contract_seq += 1
            start = created + timedelta(
                days=rng.randint(0, max(0, (self.today - created).days + 60))
            )
            end = start + timedelta(days=365 * rng.choice((1, 1, 2, 3)))
            if rng.random() < 0.07:
                status = ContractStatus.CANCELLED
            elif start > self.today or rng.random() < 0.04:
                status = ContractStatus.PENDING
            elif end < self.today:
                status = ContractStatus.EXPIRED
            else:
                status = ContractStatus.ACTIVE
            statuses.append(status)
            rows.add(
                Contract.__table__,
                {
                    "account_id": c.id,
                    "number": f"NW-{start.year}-{self.contract_seq:07d}",
                    "title": rng.choice(CONTRACT_TITLES),
                    "status": status.value,
                    "start_date": start,
                    "end_date": end,
                    "value_cents": rng.randrange(1_200, 250_000) * 100,
                    "currency": LOCALES[c.locale][2],
                },
            )
        return statuses

    def billing_row(self, rows: _Rows, account_id: int, *, has_data: bool, status=None) -> str:
        rng = self.rng
        if status is not None:
            pass
        elif not has_data:
            status = IngestionStatus.NOT_AVAILABLE
        else:
            status = rng.choices(list(IngestionStatus), weights=(80, 11, 6, 3))[0]
        messages = INGESTION_MESSAGES.get(status)
        rows.add(
            BillingIngestion.__table__,
            {
                "account_id": account_id,
                "status": status.value,
                "last_run_at": (
                    None
                    if status == IngestionStatus.NOT_AVAILABLE
                    else self.now - timedelta(hours=rng.randint(20, 30), minutes=rng.randrange(60))
                ),
                "message": rng.choice(messages) if messages else "",
            },
        )
        return status

    def onboarding_rows(self, rows, c: _Customer, products, contacts, contracts, billing) -> tuple[int, int]:
        """Tasks that agree with the data: a customer with products has 'Add product' done, …

        Returns (done, total) for the Status column."""
        rng = self.rng
        finished = 0
        signed = any(s in (ContractStatus.ACTIVE, ContractStatus.EXPIRED) for s in contracts)
        facts = {
            OnboardingTaskKind.SIGN_CONTRACT: (signed, ContractStatus.PENDING in contracts),
            OnboardingTaskKind.INVITE_ADMIN: (contacts > 0 and rng.random() < 0.9, contacts > 0),
            OnboardingTaskKind.ASSIGN_SERVICE_PLAN: (bool(products), False),
            OnboardingTaskKind.ADD_PRODUCT: (bool(products), False),
            OnboardingTaskKind.CONNECT_BILLING: (
                billing != IngestionStatus.NOT_AVAILABLE,
                bool(products),
            ),
        }
        for kind, (done, started) in facts.items():
            finished += bool(done)
            if done:
                status = TaskStatus.DONE
            elif started or rng.random() < 0.3:
                status = TaskStatus.IN_PROGRESS
            else:
                status = TaskStatus.NOT_STARTED
            rows.add(
                OnboardingTask.__table__,
                {
                    "account_id": c.id,
                    "kind": kind.value,
                    "status": status.value,
                    "updated_at": self.random_moment(c.created_at, self.now),
                },
            )
        return finished, len(facts)

    def consumption_rows(self, rows: _Rows, c: _Customer, p: dict) -> int:
        """90 days of consumption; returns the units inside the list's 90-day window."""
        rng = self.rng
        window_start, window_end = summaries.consumption_window(self.today)
        in_window = 0
        utilisation = rng.uniform(0.35, 1.1)
        daily = p["credit_quota"] * utilisation / 365
        first = max(self.today - timedelta(days=CONSUMPTION_DAYS - 1), c.created_at.date())
        suspended = p["status"] == ProductStatus.SUSPENDED.value
        for offset in range((self.today - first).days + 1):
            day = first + timedelta(days=offset)
            weekend = 0.55 if day.weekday() >= 5 else 1.0
            units = 0 if suspended else max(0, round(daily * weekend * rng.uniform(0.75, 1.25)))
            rows.add(
                DailyConsumption.__table__,
                {"account_id": c.id, "product_id": p["id"], "day": day, "units": units},
            )
            if window_start <= day <= window_end:
                in_window += units
        return in_window

    def data_source_rows(self, rows: _Rows, c: _Customer, products: list[dict]) -> list[dict]:
        """1–3 data sources with 30–60 days of nightly backups and a few restores."""
        rng = self.rng
        if not products:
            return []
        slug = _short_slug(c.customer_name, limit=14)
        failed = []
        organization = c.customer_name
        for n in range(1, rng.randint(1, 3) + 1):
            product = rng.choice(products)
            pattern, workloads = rng.choice(DATA_SOURCE_KINDS[product["product_type"]])
            source = {
                "id": self.ids.take(DataSource.__table__),
                "account_id": c.id,
                "product_id": product["id"],
                "organization": organization,
                "name": pattern.format(slug=slug, n=n),
                "workloads": list(workloads),
                "backup_policy": rng.choice(BACKUP_POLICIES),
            }
            rows.add(DataSource.__table__, source)
            last = self.job_rows(rows, c, source)
            if last["status"] == JobStatus.FAILED.value:
                failed.append({"name": source["name"], "product": product, "last": last})
        return failed

    def job_rows(self, rows: _Rows, c: _Customer, source: dict) -> dict:
        """Nightly backups, oldest first, and a few restores; returns the last backup."""
        rng = self.rng
        days = min(rng.randint(30, 60), max(1, (self.now - c.created_at).days))
        hour, minute = (int(x) for x in source["backup_policy"].rsplit(" ", 1)[1].split(":"))
        troubled = rng.random() < 0.08
        streak = rng.randint(1, 4) if troubled else 0
        restores = set(rng.sample(range(days), min(days, rng.choice((0, 0, 1, 1, 2, 3)))))
        last: dict = {}
        for back in range(days, 0, -1):
            day = self.today - timedelta(days=back)
            self.job_seq += rng.randint(1, 40)
            started = _at(day, hour, minute) + timedelta(seconds=rng.randrange(300))
            failed = back <= streak or rng.random() < 0.03
            last = {
                "data_source_id": source["id"],
                "account_id": c.id,
                "job_number": self.job_seq,
                "kind": JobKind.BACKUP.value,
                "status": (JobStatus.FAILED if failed else JobStatus.SUCCESSFUL).value,
                "started_at": started,
                "finished_at": started + timedelta(minutes=rng.randint(4, 180)),
            }
            rows.add(BackupJob.__table__, last)
            if back - 1 in restores:
                self.job_seq += 1
                restore_at = _at(day, rng.randint(9, 17), rng.randrange(60))
                rows.add(
                    BackupJob.__table__,
                    {
                        "data_source_id": source["id"],
                        "account_id": c.id,
                        "job_number": self.job_seq,
                        "kind": JobKind.RESTORE.value,
                        "status": (
                            JobStatus.FAILED if rng.random() < 0.1 else JobStatus.SUCCESSFUL
                        ).value,
                        "started_at": restore_at,
                        "finished_at": restore_at + timedelta(minutes=rng.randint(2, 90)),
                    },
                )
        return last

    def alert_rows(self, rows: _Rows, c: _Customer, products, failed_sources) -> None:
        rng = self.rng
        for source in failed_sources:
            rows.add(
                Alert.__table__,
                {
                    "account_id": c.id,
                    "product_id": source["product"]["id"],
                    "alert_type": "Backup failed",
                    "severity": AlertSeverity.HIGH.value,
                    "message": f"The last backup of {source['name']} failed "
                    f"(job {source['last']['job_number']}).",
                    "created_at": source["last"]["finished_at"] + timedelta(minutes=1),
                    "resolved": False,
                },
            )
        if not products or rng.random() > 0.4:
            return
        for _ in range(rng.randint(1, 3)):
            product = rng.choice(products)
            alert_type, severities, template = rng.choice(ALERT_TYPES)
            expiry = product["license_expiry"]
            if alert_type == "License expiring" and not (
                self.today <= expiry <= self.today + timedelta(days=45)
            ):
                alert_type, severities, template = ALERT_TYPES[3]
            rows.add(
                Alert.__table__,
                {
                    "account_id": c.id,
                    "product_id": product["id"],
                    "alert_type": alert_type,
                    "severity": rng.choice(severities).value,
                    "message": template.format(
                        what=product["product_type"],
                        pct=rng.randint(80, 99),
                        expiry=expiry.isoformat(),
                        days=rng.randint(2, 14),
                    ),
                    "created_at": self.random_moment(
                        max(c.created_at, self.now - timedelta(days=30)), self.now
                    ),
                    "resolved": rng.random() < 0.4,
                },
            )

    def audit_rows(self, rows: _Rows, c: _Customer) -> None:
        rows.add(
            AuditEvent.__table__,
            {
                "at": c.created_at,
                "actor_user_id": self.admin.id,
                "perspective_account_id": None if c.parent == 0 else self.reseller_ids[c.parent],
                "action": "customer.create",
                "entity_type": "customer",
                "entity_id": c.id,
                "account_id": c.id,
                "before": None,
                "after": {"name": c.name, "customer_name": c.customer_name},
            },
        )

    # ---------------------------------------------------------- the Sandbox's history

    def sandbox_history(self) -> None:
        rows = _Rows()
        sandbox = _Customer(
            -1, 0, "en_US", self.sandbox.name, self.sandbox.name, False, self.sandbox.created_at,
            id=self.sandbox.id,
        )  # fmt: skip
        self.billing_row(rows, self.distributor.id, has_data=True, status=IngestionStatus.SUCCESS)
        self.billing_row(rows, self.sandbox.id, has_data=True, status=IngestionStatus.SUCCESS)
        products = [
            {
                "id": p.id,
                "product_type": p.product_type,
                "credit_quota": p.credit_quota,
                "status": p.status,
            }
            for p in self.session.exec(select(Product).where(Product.account_id == self.sandbox.id))
        ]
        consumed = sum(self.consumption_rows(rows, sandbox, p) for p in products)
        self.data_source_rows(rows, sandbox, products)
        self.flush(rows)
        success = summaries.source_data_rank(IngestionStatus.SUCCESS)
        self.sandbox.consumption_90d = consumed
        self.sandbox.source_data_rank = success
        self.source_rank[self.distributor.id] = max(
            self.source_rank.get(self.distributor.id, 0), success
        )
        self.session.add(self.sandbox)
        self.session.flush()

    def roll_up_source_data(self) -> None:
        """SOURCE-1 over downstream tenants: each reseller, then the distributor, takes the worst."""
        top = self.source_rank.get(self.distributor.id, 0)
        updates = []
        for reseller_id in self.reseller_ids[1:]:
            rank = self.source_rank.get(reseller_id, 0)
            top = max(top, rank)
            updates.append({"account_id": reseller_id, "rank": rank})
        if updates:
            table = Account.__table__
            self.session.connection().execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("account_id"))
                .values(source_data_rank=sa.bindparam("rank")),
                updates,
            )
        self.distributor.source_data_rank = top
        self.session.add(self.distributor)
        self.session.flush()

    # ---------------------------------------------------------- users

    def make_users(self, customers: list[_Customer]) -> list[DemoSignIn]:
        self.progress("users of every role")
        reseller_id = self.reseller_ids[1]
        reseller_name = self.reseller_names[1]
        domain = _short_slug(reseller_name, limit=24) + ".example"
        created = self.reseller_created[1] + timedelta(days=2)
        people = [
            # label, email, name, role, account, status
            ("Distributor viewer", f"viewer@{DISTRIBUTOR_DOMAIN}", "Sam Ortega",
             Role.VIEWER, self.distributor.id, UserStatus.ACTIVE),
            ("Reseller admin", f"admin@{domain}", "Priya Raman",
             Role.ADMIN, reseller_id, UserStatus.ACTIVE),
            ("Reseller viewer", f"viewer@{domain}", "Tom Becker",
             Role.VIEWER, reseller_id, UserStatus.ACTIVE),
            ("Tenant admin", f"tenant.admin1@{domain}", "Lena Fischer",
             Role.TENANT_ADMIN, reseller_id, UserStatus.ACTIVE),
            ("Tenant admin", f"tenant.admin2@{domain}", "Marcus Hill",
             Role.TENANT_ADMIN, reseller_id, UserStatus.ACTIVE),
            ("Pending (invited)", f"new.admin@{domain}", "Jordan Lee",
             Role.ADMIN, reseller_id, UserStatus.PENDING),
        ]  # fmt: skip
        sign_ins = [
            DemoSignIn("Distributor admin", self.admin.email, DEMO_PASSWORD, self.distributor.name)
        ]
        rows = _Rows()
        user_ids: dict[str, int] = {}
        for label, email, name, role, account_id, status in people:
            email = normalise_email(email)
            user_id = self.ids.take(User.__table__)
            user_ids[email] = user_id
            active = status == UserStatus.ACTIVE
            # The second tenant admin signs in with two-factor: its setup key is printed with the sign-ins.
            secret = self.two_factor_rows(rows, user_id, created) if email.startswith("tenant.admin2@") else None
            rows.add(
                User.__table__,
                {
                    "id": user_id,
                    "email": email,
                    "name": name,
                    "role": role.value,
                    "account_id": account_id,
                    "status": status.value,
                    "password_hash": self.password_hash if active else None,
                    "created_at": created,
                    "preferences": {},
                    "totp_secret": two_factor.encrypt_secret(secret) if secret else None,
                    "totp_enabled_at": created if secret else None,
                    "totp_last_counter": None,
                },
            )
            account = self.distributor.name if account_id == self.distributor.id else reseller_name
            note = f" (two-factor, setup key {secret})" if secret else ""
            sign_ins.append(DemoSignIn(label, email, DEMO_PASSWORD if active else None, account + note))
        # Tenant admins: the first three and the last three of the first four customers.
        assigned = self.tenant_admin_customers(customers)
        tenant_admins = [user_ids[s.email] for s in sign_ins if s.role == "Tenant admin"]
        for user_id, share in zip(tenant_admins, (assigned[:3], assigned[1:4]), strict=True):
            for customer in share:
                rows.add(
                    TenantAdminAssignment.__table__,
                    {"user_id": user_id, "account_id": customer.id, "assigned_at": created},
                )
        self.history_rows(rows, sign_ins, user_ids, customers)
        self.flush(rows)
        summaries.refresh_admin(session=self.session, account_id=reseller_id)
        for customer in assigned:
            summaries.refresh_tenant_admins(session=self.session, account_id=customer.id)
        self.session.flush()
        return sign_ins

    def two_factor_rows(self, rows: _Rows, user_id: int, created: datetime) -> str:
        """A deterministic TOTP secret (base32) for the user, and its ten recovery codes (hashes only)."""
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        secret = "".join(self.rng.choice(alphabet) for _ in range(32))
        for _ in range(10):
            code = f"{self.rng.getrandbits(40):010x}"
            rows.add(
                RecoveryCode.__table__,
                {"user_id": user_id, "code_hash": hashlib.sha256(code.encode()).hexdigest(),
                 "created_at": created, "used_at": None},
            )
        return secret

    def history_rows(self, rows: _Rows, sign_ins, user_ids, customers) -> None:
        """A past (expired, signed-out) session and the emails the outbox already sent."""
        started = self.now - timedelta(days=1, hours=3)
        token = f"demo-expired-{self.rng.getrandbits(64):016x}"  # never handed out
        rows.add(
            UserSession.__table__,
            {
                "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                "user_id": self.admin.id,
                "perspective_account_id": None,
                "created_at": started,
                "expires_at": started + auth.SESSION_LIFETIME,
                "revoked_at": started + timedelta(hours=2),
            },
        )
        pending = next(s for s in sign_ins if s.password is None)
        sent = self.now - timedelta(days=2)
        invite = f"demo-invitation-{self.rng.getrandbits(64):016x}"  # never handed out: the email has no link
        rows.add(
            Invitation.__table__,
            {
                "user_id": user_ids[pending.email],
                "token_hash": hashlib.sha256(invite.encode()).hexdigest(),
                "invited_by_user_id": user_ids[next(s.email for s in sign_ins if s.role == "Reseller admin")],
                "created_at": sent,
                "expires_at": sent + timedelta(days=7),
                "used_at": None,
                "revoked_at": None,
            },
        )
        # Issue 8: an API token of the admin (never handed out: only its hash) and two views it shares
        # with the resellers below, plus a private one.
        api_token = f"msc_demo-{self.rng.getrandbits(64):016x}"
        rows.add(
            ApiToken.__table__,
            {
                "user_id": self.admin.id, "name": "Billing system sync",
                "token_hash": hashlib.sha256(api_token.encode()).hexdigest(), "token_prefix": api_token[:12],
                "perspective_account_id": None, "created_at": sent, "expires_at": sent + timedelta(days=90),
                "last_used_at": self.now - timedelta(hours=3), "revoked_at": None,
            },
        )
        for name, query, shared in (
            ("Licences expiring first", {"sort": "license_expiry"}, True),
            ("Onboarding in progress", {"status": "in_progress"}, True),
            ("Microsoft 365, newest first", {"product": "Microsoft 365", "sort": "created", "desc": "1"}, False),
        ):
            rows.add(
                SavedView.__table__,
                {
                    "owner_user_id": self.admin.id, "account_id": self.distributor.id, "name": name,
                    "query": ListQuery.from_params(query).to_params(), "columns": [], "shared": shared, "created_at": sent, "updated_at": sent,
                },
            )
        # The admin's sign-ins: one mistyped password, then the right one (AUTH-5 counts the failures).
        for minutes, succeeded in ((2, False), (1, True)):
            rows.add(
                LoginAttempt.__table__,
                {"email": self.admin.email, "client": "127.0.0.1", "at": started - timedelta(minutes=minutes),
                 "succeeded": succeeded},
            )
        rows.add(
            OutboxEmail.__table__,
            self.sent_email(
                pending.email,
                "You are invited to MSC",
                f"Priya Raman invited you to manage {pending.account} in MSC.\n"
                "(Demo data: this invitation has no link.)",
                sent,
            ),
        )
        for c in sorted(customers, key=lambda c: c.created_at)[-10:]:
            rows.add(
                OutboxEmail.__table__,
                self.sent_email(
                    self.admin.email,
                    f"Customer created: {c.name}",
                    f"The customer {c.customer_name} ({c.name}) was created.",
                    c.created_at + timedelta(minutes=1),
                ),
            )

    @staticmethod
    def sent_email(to: str, subject: str, body: str, at: datetime) -> dict:
        return {
            "to_address": to,
            "subject": subject[:300],
            "body": body,
            "status": EmailStatus.SENT.value,
            "attempts": 1,
            "next_attempt_at": at,
            "last_error": "",
            "created_at": at,
            "sent_at": at + timedelta(seconds=3),
        }

    # ---------------------------------------------------------- finish

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids assigned here."""
        if self.dialect != "postgresql":
            return
        conn = self.session.connection()
        for table in _id_tables():
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )

    def table_counts(self, *, detailed: int) -> dict[str, int]:
        """Rows per table, read back, plus a few headline numbers."""
        counts = {
            "customers": len(self.customer_ids) + 1,  # + the Sandbox
            "resellers": len(self.reseller_ids) - 1,
            "customers with history": detailed,
        }
        for table in SQLModel.metadata.sorted_tables:
            counts[table.name] = self.session.execute(
                sa.select(func.count()).select_from(table)
            ).scalar_one()
        return counts

    def run(self) -> DemoSummary:
        began = _time.perf_counter()
        self.first_run()
        self.make_resellers()
        self.make_plans()
        customers = self.plan_customers()
        detailed = self.choose_detailed(customers)
        self.make_customers(customers, detailed)
        self.sandbox_history()
        self.roll_up_source_data()
        sign_ins = self.make_users(customers)
        self.fix_sequences()
        return DemoSummary(
            counts=self.table_counts(detailed=len(detailed)),
            sign_ins=sign_ins,
            seconds=_time.perf_counter() - began,
        )


def generate(
    *,
    engine: sa.Engine,
    customers: int = 60,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """DEMO-1: fill an empty, migrated database with a demo installation, in one transaction.

    Raises ``DomainError`` when the installation is already set up (a user exists).
    """
    with Session(engine, expire_on_commit=False) as session:
        summary = _Generator(
            session=session,
            customers=customers,
            seed=seed,
            today=today or date.today(),
            progress=progress,
        ).run()
        began = _time.perf_counter()
        session.commit()
        summary.seconds += _time.perf_counter() - began
    if engine.dialect.name == "postgresql":
        # Fresh statistics for the planner, and a visibility map so that counts
        # can use index-only scans (a third of the time of a sequential scan).
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
    elif engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
    return summary
