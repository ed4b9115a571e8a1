"""People to talk to at a customer (DETAIL-4)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

NAME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 40


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=NAME_MAX)
    email: str = Field(max_length=EMAIL_MAX)
    phone: str = Field(default="", max_length=PHONE_MAX)


class ContactCreate(BaseModel):
    """The New Contact form, as typed: the service strips, validates and formats it."""

    name: str = ""
    email: str = ""
    phone: str = ""


class ContactUpdate(BaseModel):
    """The Edit Contact form: ``None`` keeps a field as it is; an empty phone clears it."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


class ContactRead(BaseModel):
    """One contact of a customer, as the Contacts section shows it."""

    id: int
    account_id: int
    name: str
    email: str
    phone: str = ""
