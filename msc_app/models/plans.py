"""Service plans: what a customer's products are sold under."""

from __future__ import annotations

import enum

from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, json_list_field


class Edition(enum.StrEnum):
    BUSINESS = "Business"
    ENTERPRISE = "Enterprise"
    ELITE = "Elite"


class ServicePlan(SQLModel, table=True):
    __tablename__ = "service_plan"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    edition: str = enum_field(Edition, default=Edition.BUSINESS)
    # Product types (models.products.ProductType values) the plan covers.
    products: list[str] = json_list_field()
    # Workloads it protects (e.g. "VMware", "Microsoft SQL Server").
    workloads: list[str] = json_list_field()
    is_default: bool = False
    # The distributor or reseller that owns the plan.
    owner_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)


DEFAULT_PLAN_NAME = "Default Service Plan"
