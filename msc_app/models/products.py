"""Products (tenants) a customer bought, and their daily consumption."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, json_list_field


class ProductType(enum.StrEnum):
    HYBRID_WORKLOADS = "Hybrid Workloads"
    SAAS_APPS_ENDPOINTS = "SaaS Apps and Endpoints"
    MICROSOFT_365 = "Microsoft 365"


class TenantType(enum.StrEnum):
    EVALUATION = "Evaluation"
    COMMERCIAL = "Commercial"
    NFR = "Not for Resale"


class ProductStatus(enum.StrEnum):
    ACTIVE = "Active"
    SUSPENDED = "Suspended"


STORAGE_REGIONS = (
    "US East",
    "US West",
    "Canada",
    "EU Frankfurt",
    "EU Ireland",
    "UK London",
    "APAC Sydney",
    "APAC Singapore",
    "APAC Tokyo",
)


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    product_type: str = enum_field(ProductType)
    service_plan_id: int = Field(foreign_key="service_plan.id", index=True)
    tenant_type: str = enum_field(TenantType, default=TenantType.EVALUATION)
    storage_regions: list[str] = json_list_field()
    credit_quota: int = 0
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None
    user_count: int = 0
    preserved_user_count: int = 0
    status: str = enum_field(ProductStatus, default=ProductStatus.ACTIVE)


class DailyConsumption(SQLModel, table=True):
    __tablename__ = "daily_consumption"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    product_id: int = Field(foreign_key="product.id")
    day: date
    units: int = 0

    __table_args__ = (
        sa.UniqueConstraint("product_id", "day"),
        sa.Index("ix_daily_consumption_account_day", "account_id", "day"),
    )
