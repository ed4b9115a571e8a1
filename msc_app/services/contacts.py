"""A customer's contacts: list, add, edit, delete (DETAIL-4, validated like CREATE-2).

Scope: reading needs ``Action.VIEW`` on the customer; changes need
``Action.MANAGE_CONTENT`` (admins above the customer, and the tenant admins
assigned to it; viewers never). A contact whose customer lies outside the
actor's scope is "Contact not found.", exactly like a missing one (AUTH-4).

Rules kept here, on the server:

- contacts belong to customers, not to resellers or the distributor;
- the Sandbox customer's contacts do not change: SANDBOX-2 lists everything
  that may change on the sandbox, and contacts are not on that list;
- name required, at most 200 characters; email required, a valid address, at
  most 254 characters, stored normalised (lower case) and unique among the
  customer's contacts regardless of case; phone optional, a valid number,
  stored in international format, at most 40 characters; surrounding
  whitespace is dropped;
- every field error is reported at once and nothing is written on error.

Every change writes an audit event (``contact.create`` / ``contact.update`` /
``contact.delete``) on the customer, in the caller's transaction. No
onboarding task concerns contacts (``OnboardingTaskKind``), and the customers
list shows no contact columns, so there is nothing else to refresh.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from msc_app.models import Account, AccountKind, Contact
from msc_app.models.contacts import EMAIL_MAX, NAME_MAX, PHONE_MAX, ContactCreate, ContactRead, ContactUpdate
from msc_app.services import audit
from msc_app.services.errors import DomainError, NotFound, ValidationError
from msc_app.services.permissions import Action, Actor, allowed, in_id_range, require
from msc_app.services.validation import email_error, format_phone, normalise_email, phone_error

SANDBOX_MESSAGE = (
    "The Sandbox customer's contacts cannot be changed: only its service plan and products can (SANDBOX-2)."
)
NOT_A_CUSTOMER_MESSAGE = "Contacts belong to customers, not to resellers or the distributor."
_FIELDS = ("name", "email", "phone")


def snapshot(contact: Contact) -> dict:
    """What the audit trail records of a contact."""
    return {"name": contact.name, "email": contact.email, "phone": contact.phone}


def _read(contact: Contact) -> ContactRead:
    return ContactRead(
        id=contact.id, account_id=contact.account_id, name=contact.name, email=contact.email, phone=contact.phone
    )


# ---------------------------------------------------------------- scope


def _changeable(actor: Actor, account: Account) -> bool:
    return allowed(actor, Action.MANAGE_CONTENT, account) and account.kind == AccountKind.CUSTOMER and not (
        account.is_sandbox
    )


def _customer_for_changes(session: Session, actor: Actor, account_id: int) -> Account:
    """The customer whose contacts the actor changes, or NotFound / PermissionDenied / DomainError."""
    account = require(session=session, actor=actor, action=Action.MANAGE_CONTENT, account_id=account_id)
    if account.kind != AccountKind.CUSTOMER:
        raise DomainError(NOT_A_CUSTOMER_MESSAGE)
    if account.is_sandbox:
        raise DomainError(SANDBOX_MESSAGE)
    return account


def _contact_in_scope(session: Session, actor: Actor, contact_id: int, action: Action) -> tuple[Contact, Account]:
    """The contact and its customer, or NotFound("Contact") for a missing or out-of-scope id."""
    contact = session.get(Contact, contact_id) if in_id_range(contact_id) else None
    if contact is None:
        raise NotFound("Contact")
    try:
        if action == Action.VIEW:
            account = require(session=session, actor=actor, action=Action.VIEW, account_id=contact.account_id)
        else:
            account = _customer_for_changes(session, actor, contact.account_id)
    except NotFound:
        raise NotFound("Contact") from None
    return contact, account


def _lock_customer(session: Session, account_id: int) -> None:
    """Serialise the email-uniqueness check per customer (PostgreSQL row lock; a no-op on SQLite)."""
    session.exec(select(Account.id).where(Account.id == account_id).with_for_update(key_share=True)).first()


# ---------------------------------------------------------------- reading


def list_contacts(*, session: Session, actor: Actor, account_id: int) -> list[ContactRead]:
    """The customer's contacts by name (case-insensitively, the same on every database), then id."""
    require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    contacts = session.exec(
        select(Contact)
        .where(Contact.account_id == account_id)
        .order_by(func.lower(Contact.name), Contact.name, Contact.id)
    ).all()
    return [_read(c) for c in contacts]


def get_contact(*, session: Session, actor: Actor, contact_id: int) -> ContactRead:
    """One contact the actor may see (for opening the Edit and Delete dialogs), else NotFound."""
    contact, _account = _contact_in_scope(session, actor, contact_id, Action.VIEW)
    return _read(contact)


def can_manage_contacts(*, session: Session, actor: Actor, account_id: int) -> bool:
    """Whether to offer New Contact, Edit and Delete on this customer (NotFound outside scope)."""
    account = require(session=session, actor=actor, action=Action.VIEW, account_id=account_id)
    return _changeable(actor, account)


# ---------------------------------------------------------------- validation


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _name_error(name: str) -> str | None:
    if not name:
        return "Name is required."
    if len(name) > NAME_MAX:
        return f"Name can be at most {NAME_MAX} characters."
    return None


def _email_problem(email: str) -> str | None:
    if len(email) > EMAIL_MAX:
        return f"Email can be at most {EMAIL_MAX} characters."
    problem = email_error(email)
    if problem is None and len(normalise_email(email)) > EMAIL_MAX:
        return f"Email can be at most {EMAIL_MAX} characters."
    return problem


def _phone_problem(phone: str) -> str | None:
    problem = phone_error(phone)
    if problem is None and len(format_phone(phone)) > PHONE_MAX:
        return f"Phone number can be at most {PHONE_MAX} characters."
    return problem


def _email_taken(session: Session, *, account_id: int, email: str, exclude_id: int | None) -> bool:
    query = select(Contact.id).where(Contact.account_id == account_id, func.lower(Contact.email) == email.lower())
    if exclude_id is not None:
        query = query.where(Contact.id != exclude_id)
    return session.exec(query.limit(1)).first() is not None


def _checked(
    session: Session, values: dict[str, str], *, account_id: int, exclude_id: int | None = None
) -> dict[str, str]:
    """``values`` (stripped text of the fields to save) as stored, or ValidationError with every problem."""
    errors: dict[str, str] = {}
    final = dict(values)
    if "name" in values and (problem := _name_error(values["name"])):
        errors["name"] = problem
    if "email" in values:
        problem = _email_problem(values["email"])
        if problem is None:
            final["email"] = normalise_email(values["email"])
            if _email_taken(session, account_id=account_id, email=final["email"], exclude_id=exclude_id):
                problem = f"{final['email']} is already a contact of this customer."
        if problem:
            errors["email"] = problem
    if "phone" in values:
        problem = _phone_problem(values["phone"])
        if problem:
            errors["phone"] = problem
        else:
            final["phone"] = format_phone(values["phone"])
    if errors:
        raise ValidationError(errors)
    return final


def _requested_changes(contact: Contact, data: ContactUpdate) -> dict[str, str]:
    """The fields ``data`` sets to something other than what is stored (as typed, stripped)."""
    requested = {f: _clean(getattr(data, f)) for f in _FIELDS if getattr(data, f) is not None}
    changed = {}
    for field, value in requested.items():
        stored = getattr(contact, field)
        if value == stored:
            continue
        if field == "email" and email_error(value) is None and normalise_email(value) == stored:
            continue
        if field == "phone" and value and phone_error(value) is None and format_phone(value) == stored:
            continue
        changed[field] = value
    return changed


# ---------------------------------------------------------------- writes


def add_contact(*, session: Session, actor: Actor, account_id: int, data: ContactCreate) -> Contact:
    """DETAIL-4: a new contact of a customer; every field error at once, nothing written on error."""
    account = _customer_for_changes(session, actor, account_id)
    _lock_customer(session, account.id)
    values = _checked(
        session, {f: _clean(getattr(data, f)) for f in _FIELDS}, account_id=account.id
    )
    contact = Contact(account_id=account.id, **values)
    session.add(contact)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="contact.create",
        entity_type="contact",
        entity_id=contact.id,
        account_id=account.id,
        after=snapshot(contact),
    )
    session.flush()
    return contact


def update_contact(*, session: Session, actor: Actor, contact_id: int, data: ContactUpdate) -> Contact:
    """DETAIL-4: change the fields ``data`` sets; only the ones that differ are checked and recorded."""
    contact, account = _contact_in_scope(session, actor, contact_id, Action.MANAGE_CONTENT)
    changed = _requested_changes(contact, data)
    if not changed:
        return contact
    _lock_customer(session, account.id)
    final = _checked(session, changed, account_id=account.id, exclude_id=contact.id)
    before = snapshot(contact)
    for field, value in final.items():
        setattr(contact, field, value)
    session.add(contact)
    session.flush()
    audit.record_update(
        session=session,
        actor=actor,
        action="contact.update",
        entity_type="contact",
        entity_id=contact.id,
        account_id=account.id,
        before=before,
        after=snapshot(contact),
    )
    session.flush()
    return contact


def delete_contact(*, session: Session, actor: Actor, contact_id: int) -> None:
    """DETAIL-4: remove a contact (the page asks for confirmation first); the audit event keeps what it was."""
    contact, account = _contact_in_scope(session, actor, contact_id, Action.MANAGE_CONTENT)
    before = snapshot(contact)
    session.delete(contact)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="contact.delete",
        entity_type="contact",
        entity_id=contact_id,
        account_id=account.id,
        before=before,
    )
    session.flush()
