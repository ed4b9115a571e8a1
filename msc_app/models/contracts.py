"""Contracts between the MSP and its customers (CONTRACT-1/2)."""

from __future__ import annotations

import enum
from datetime import date

from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field


class ContractStatus(enum.StrEnum):
    ACTIVE = "Active"
    PENDING = "Pending"
    EXPIRED = "Expired"
    CANCELLED = "Cancelled"


class Contract(SQLModel, table=True):
    __tablename__ = "contract"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    number: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=200)
    status: str = enum_field(ContractStatus, default=ContractStatus.PENDING, index=True)
    start_date: date
    end_date: date | None = None
    # Contract value in minor currency units (cents).
    value_cents: int = 0
    currency: str = Field(default="USD", max_length=3)
