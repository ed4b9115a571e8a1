"""SQLModel tables, one module per aggregate. Importing this package registers them all."""

from msc_app.models.accounts import SOURCE_DATA_RANKS, Account, AccountKind, CustomerRead
from msc_app.models.audit import AuditEvent
from msc_app.models.contacts import Contact
from msc_app.models.contracts import Contract, ContractStatus
from msc_app.models.health import (
    Alert,
    AlertSeverity,
    BackupJob,
    BillingIngestion,
    DataSource,
    IngestionStatus,
    JobKind,
    JobStatus,
)
from msc_app.models.onboarding import OnboardingTask, OnboardingTaskKind, TaskStatus
from msc_app.models.outbox import EmailStatus, OutboxEmail
from msc_app.models.plans import DEFAULT_PLAN_NAME, Edition, ServicePlan
from msc_app.models.products import (
    STORAGE_REGIONS,
    DailyConsumption,
    Product,
    ProductStatus,
    ProductType,
    TenantType,
)
from msc_app.models.users import (
    ApiToken,
    Invitation,
    LoginAttempt,
    Role,
    TenantAdminAssignment,
    User,
    UserSession,
    UserStatus,
)
from msc_app.models.views import SavedView
from msc_app.models import search_index  # noqa: F401  (the trigram index DDL, after_create on account)

__all__ = [
    "DEFAULT_PLAN_NAME",
    "SOURCE_DATA_RANKS",
    "STORAGE_REGIONS",
    "Account",
    "AccountKind",
    "ApiToken",
    "Alert",
    "AlertSeverity",
    "AuditEvent",
    "BackupJob",
    "BillingIngestion",
    "Contact",
    "Contract",
    "ContractStatus",
    "CustomerRead",
    "DailyConsumption",
    "DataSource",
    "Edition",
    "EmailStatus",
    "IngestionStatus",
    "Invitation",
    "JobKind",
    "JobStatus",
    "LoginAttempt",
    "OnboardingTask",
    "OnboardingTaskKind",
    "OutboxEmail",
    "Product",
    "ProductStatus",
    "ProductType",
    "Role",
    "SavedView",
    "ServicePlan",
    "TaskStatus",
    "TenantAdminAssignment",
    "TenantType",
    "User",
    "UserSession",
    "UserStatus",
]
