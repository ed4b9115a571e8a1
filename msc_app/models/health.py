"""Billing ingestion, data sources, backup/restore jobs and alerts (SOURCE-1, HEALTH-*)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, json_list_field


class IngestionStatus(enum.StrEnum):
    SUCCESS = "Success"
    WARNING = "Warning"
    FAILED = "Failed"
    NOT_AVAILABLE = "Not available"


class BillingIngestion(SQLModel, table=True):
    """The billing-data ingestion health of one account."""

    __tablename__ = "billing_ingestion"

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    status: str = enum_field(IngestionStatus, default=IngestionStatus.NOT_AVAILABLE, index=True)
    last_run_at: datetime | None = None
    message: str = Field(default="", max_length=500)


class DataSource(SQLModel, table=True):
    """A backup set protected for a customer."""

    __tablename__ = "data_source"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    organization: str = Field(max_length=200)
    name: str = Field(max_length=200)
    workloads: list[str] = json_list_field()
    backup_policy: str = Field(default="Daily", max_length=100)


class JobKind(enum.StrEnum):
    BACKUP = "backup"
    RESTORE = "restore"


class JobStatus(enum.StrEnum):
    SUCCESSFUL = "Successful"
    FAILED = "Failed"


class BackupJob(SQLModel, table=True):
    """One backup or restore job run for a data source."""

    __tablename__ = "backup_job"
    __table_args__ = (
        # A data source's latest job of one kind and status (HEALTH-2) is one descending seek,
        # however long its history and however rarely that kind of job runs (restores).
        sa.Index("ix_backup_job_source_kind_status", "data_source_id", "kind", "status", "started_at", "id"),
        sa.Index("ix_backup_job_account_started", "account_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    data_source_id: int = Field(foreign_key="data_source.id")
    account_id: int = Field(foreign_key="account.id")
    job_number: int  # the job ID shown to the user
    kind: str = enum_field(JobKind, default=JobKind.BACKUP)
    status: str = enum_field(JobStatus, default=JobStatus.SUCCESSFUL)
    started_at: datetime
    finished_at: datetime | None = None


class AlertSeverity(enum.StrEnum):
    CRITICAL = "Critical"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class Alert(SQLModel, table=True):
    __tablename__ = "alert"
    __table_args__ = (sa.Index("ix_alert_account_created", "account_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    alert_type: str = Field(max_length=80)
    severity: str = enum_field(AlertSeverity, default=AlertSeverity.MEDIUM)
    message: str = Field(default="", max_length=500)
    created_at: datetime
    resolved: bool = False
