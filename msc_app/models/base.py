"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_field(enum_cls: type[enum.StrEnum], *, default=None, index: bool = False, **kw):
    """A StrEnum stored as a short string (portable, no database ENUM types to migrate)."""
    return Field(default=default, sa_type=sa.String(32), index=index, **kw)


def json_list_field(**kw):
    """A list of strings stored as JSON."""
    return Field(default_factory=list, sa_type=sa.JSON, **kw)
