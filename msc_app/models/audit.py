"""Audit trail: who changed what, from which tenant perspective, before and after."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from msc_app.models.base import utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    perspective_account_id: int | None = Field(default=None, foreign_key="account.id")
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=60)
    entity_id: int | None = None
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    before: dict | None = Field(default=None, sa_type=sa.JSON)
    after: dict | None = Field(default=None, sa_type=sa.JSON)
