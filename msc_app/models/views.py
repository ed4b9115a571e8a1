"""Saved views of the customers list (issue 8)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from msc_app.models.base import utcnow


class SavedView(SQLModel, table=True):
    """A named search, filters, sort and columns of the customers list.

    Saved by a user while working as ``account_id`` (its tenant, or the perspective it switched into);
    ``shared`` makes it visible, read-only, to the users of the tenants below that account.
    """

    __tablename__ = "saved_view"
    __table_args__ = (sa.UniqueConstraint("owner_user_id", "name", name="uq_saved_view_owner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_user_id: int = Field(foreign_key="user_account.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=100)
    query: dict = Field(default_factory=dict, sa_type=sa.JSON)  # ListQuery.to_params()
    columns: list = Field(default_factory=list, sa_type=sa.JSON)
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": sa.text("false")})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
