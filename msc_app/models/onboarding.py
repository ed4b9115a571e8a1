"""Onboarding tasks per customer (STATUS-1/2)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from msc_app.models.base import enum_field, utcnow


class OnboardingTaskKind(enum.StrEnum):
    SIGN_CONTRACT = "Sign contract"
    INVITE_ADMIN = "Invite admin"
    ASSIGN_SERVICE_PLAN = "Assign service plan"
    ADD_PRODUCT = "Add product"
    CONNECT_BILLING = "Connect billing data"


class TaskStatus(enum.StrEnum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    DONE = "Done"


class OnboardingTask(SQLModel, table=True):
    __tablename__ = "onboarding_task"
    __table_args__ = (sa.UniqueConstraint("account_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = enum_field(OnboardingTaskKind)
    status: str = enum_field(TaskStatus, default=TaskStatus.NOT_STARTED)
    updated_at: datetime = Field(default_factory=utcnow)
