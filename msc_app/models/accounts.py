"""The account tree: distributor -> reseller -> customer.

Every tier is an ``Account``. Customers carry their account details here;
every sortable column of the list (LIST-2) that is not a plain account field
is kept denormalised on the row (``services.summaries`` maintains them) so
that a sorted, searched page on 100,000 customers is one indexed query.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, utcnow


def _server_default(value: str) -> dict:
    """Lets existing rows take the value when a migration adds a NOT NULL column."""
    return {"sa_column_kwargs": {"server_default": value}}


# SOURCE-1 statuses by severity; an aggregate is the status of the highest rank.
SOURCE_DATA_RANKS = ("Not available", "Success", "Warning", "Failed")


# The customers list's sort columns (LIST-1/2). The list is a tree (LIST-6):
# siblings (the children of one parent) are sorted by one of these, then by
# id, so each has an index on (parent_id, column, id) that serves a sibling
# group's order, its ranges and its counts without touching the table. The
# name's index also carries customer_name_sort, so that the search box
# (LIST-4), which reads both names, is answered from that index alone.
LIST_SORT_COLUMNS = (
    "name_sort",
    "customer_name_sort",
    "organization",
    "products_summary",
    "service_plan_summary",
    "tenant_type_summary",
    "storage_regions_summary",
    "license_expiry",
    "created_at",
    "edition_summary",
    "tenant_admin_summary",
    "admin_name",
    "onboarding_progress",
    "source_data_rank",
    "contracts_total",
    "credit_quota_total",
    "quota_effective_date",
    "quota_end_date",
    "consumption_90d",
)


class AccountKind(enum.StrEnum):
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Account(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (
        sa.Index("ix_account_kind_name", "kind", "name_sort"),
        *(
            sa.Index(
                f"ix_account_parent_{column}",
                "parent_id",
                column,
                "id",
                *(["customer_name_sort"] if column == "name_sort" else []),
            )
            for column in LIST_SORT_COLUMNS
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = enum_field(AccountKind, index=True)
    parent_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    # Account Name: immutable once entered (CREATE-3).
    name: str = Field(max_length=200)
    # Lower-cased copy of ``name`` for case-insensitive sort and search.
    name_sort: str = Field(max_length=200, index=True)
    customer_name: str = Field(default="", max_length=200)
    customer_name_sort: str = Field(default="", max_length=200)
    hide_name: bool = False
    organization: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=40)
    is_sandbox: bool = False
    # Two-factor sign-in: a distributor that sets this requires TOTP of every user below it (issue 6).
    require_two_factor: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Optimistic locking for concurrent edits (EDIT-2).
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, index=True)

    # --- denormalised summaries of the account's products (kept by services.summaries)
    products_summary: str = Field(default="", max_length=200)
    service_plan_summary: str = Field(default="", max_length=200)
    tenant_type_summary: str = Field(default="", max_length=100)
    storage_regions_summary: str = Field(default="", max_length=300)
    license_expiry: date | None = Field(default=None)
    edition_summary: str = Field(default="", max_length=100, **_server_default(""))
    credit_quota_total: int = Field(default=0, **_server_default("0"))
    quota_effective_date: date | None = Field(default=None)
    quota_end_date: date | None = Field(default=None)

    # --- denormalised list columns from other aggregates (services.summaries)
    # Onboarding tasks done / total (STATUS-1) and the sort key of the Status
    # column: 1000 * done // total, 1000 when there is nothing to do (shown as ---).
    onboarding_done: int = Field(default=0, **_server_default("0"))
    onboarding_total: int = Field(default=0, **_server_default("0"))
    onboarding_progress: int = Field(default=1000, **_server_default("1000"))
    contracts_total: int = Field(default=0, **_server_default("0"))
    # SOURCE-1 over the account and its downstream tenants, as a severity rank
    # (SOURCE_DATA_RANKS): the aggregate is the highest rank.
    source_data_rank: int = Field(default=0, **_server_default("0"))
    # Units consumed in the 90 days up to the day of the last refresh (DETAIL-3).
    consumption_90d: int = Field(default=0, **_server_default("0"))
    # The account's first invited admin, and its tenant admins' names, comma-joined.
    admin_name: str = Field(default="", max_length=200, **_server_default(""))
    tenant_admin_summary: str = Field(default="", max_length=300, **_server_default(""))


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
    edition: str = ""
    tenant_admins: str = ""  # comma-joined names
    admin: str = ""  # the first invited admin's name
    onboarding_done: int = 0
    onboarding_total: int = 0
    source_data: str = SOURCE_DATA_RANKS[0]
    contracts: dict[str, int] = {}  # ContractStatus value -> count, only non-zero
    credit_quota: int = 0
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    consumption_90d: int = 0
    # LIST-6: 0 for a top-level row, 1 for a customer nested under its reseller.
    depth: int = 0
    # LIST-6: a parent shown only so that its children on the page have their
    # context (it did not match the search or filters, or it is on an earlier
    # page); it is not counted in the total and takes no place in the page.
    is_context: bool = False

    @property
    def onboarding_complete(self) -> bool:
        """STATUS-2: shown as --- (also when there are no tasks)."""
        return self.onboarding_done >= self.onboarding_total
