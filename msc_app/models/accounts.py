"""The account tree: distributor -> reseller -> customer.

Every tier is an ``Account``. Customers carry their account details here;
the list's sortable product summary columns are kept denormalised on the row
(``services.summaries`` maintains them) so that a sorted, searched page on
100,000 customers is one indexed query.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, utcnow


class AccountKind(enum.StrEnum):
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Account(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (
        sa.Index("ix_account_parent_name", "parent_id", "name_sort"),
        sa.Index("ix_account_kind_name", "kind", "name_sort"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = enum_field(AccountKind, index=True)
    parent_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    # Account Name: immutable once entered (CREATE-3).
    name: str = Field(max_length=200)
    # Lower-cased copy of ``name`` for case-insensitive sort and search.
    name_sort: str = Field(max_length=200, index=True)
    customer_name: str = Field(default="", max_length=200)
    customer_name_sort: str = Field(default="", max_length=200, index=True)
    hide_name: bool = False
    organization: str = Field(default="", max_length=200, index=True)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=40)
    is_sandbox: bool = False
    # Optimistic locking for concurrent edits (EDIT-2).
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, index=True)

    # --- denormalised summaries of the account's products (kept by services.summaries)
    products_summary: str = Field(default="", max_length=200, index=True)
    service_plan_summary: str = Field(default="", max_length=200, index=True)
    tenant_type_summary: str = Field(default="", max_length=100, index=True)
    storage_regions_summary: str = Field(default="", max_length=300, index=True)
    license_expiry: date | None = Field(default=None, index=True)


class CustomerRead(BaseModel):
    """One row of the customers list."""

    id: int
    kind: str
    parent_id: int | None
    parent_name: str = ""
    name: str
    customer_name: str
    organization: str
    products: str
    service_plan: str
    tenant_type: str
    storage_regions: str
    license_expiry: date | None
    is_sandbox: bool
    created_at: datetime
