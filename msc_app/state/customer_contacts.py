"""The Contacts section of /customers/<id> (DETAIL-4): list, New Contact, Edit, Delete with confirmation.

A substate of ``CustomerDetailState`` so that it reads the customer id from
the URL the same way and can ask the page to reload its Activity after a
change. Ids the browser sends (``open_edit(contact_id)``) only say which
contact to open: it is read again through the scoped service and must belong
to the customer on the page; the dialogs then work on server-side copies
(``_contact_id``, ``_account_id``), so a forged id is answered like a missing
contact. The server refuses anyone who may not change contacts; ``can_manage``
only decides which controls to show.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from msc_app.db import session_scope
from msc_app.models.contacts import ContactCreate, ContactRead, ContactUpdate
from msc_app.services import contacts
from msc_app.services.errors import DomainError, NotFound
from msc_app.services.permissions import Actor
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.form_errors import form_errors
from msc_app.state.session import guarded

_FIELDS = ("name", "email", "phone")
CONTACT_NOT_FOUND = "Contact not found."


@dataclasses.dataclass
class ContactRow:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""


def _row(contact: ContactRead) -> ContactRow:
    return ContactRow(id=contact.id, name=contact.name, email=contact.email, phone=contact.phone)


def _text(form_data: dict, field: str) -> str:
    """A form value as text: a forged event may send anything."""
    value = form_data.get(field)
    return "" if value is None else str(value)


class ContactsState(CustomerDetailState):
    contacts: list[ContactRow] = []
    contacts_loaded: bool = False
    can_manage: bool = False

    # New / Edit Contact dialog
    contact_dialog_open: bool = False
    editing: bool = False  # Edit Contact (True) or New Contact (False)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    form_key: str = ""  # re-creates the form's inputs with the values read

    # Delete confirmation
    delete_dialog_open: bool = False
    delete_name: str = ""

    _contact_id: int = 0
    _account_id: int = 0
    _opened: int = 0  # counts dialog openings, so each one gets fresh inputs

    # ------------------------------------------------------------ reading

    def _read_list(self, actor: Actor, account_id: int) -> None:
        with session_scope() as session:
            listed = contacts.list_contacts(session=session, actor=actor, account_id=account_id)
            can_manage = contacts.can_manage_contacts(session=session, actor=actor, account_id=account_id)
        self._account_id = account_id
        self.contacts = [_row(c) for c in listed]
        self.can_manage = can_manage
        self.contacts_loaded = True

    def _clear(self) -> None:
        self._account_id = 0
        self.contacts = []
        self.can_manage = False
        self.contacts_loaded = True

    def _refresh(self, actor: Actor) -> None:
        """Read the list again after a change (or a refusal): quietly empty when the customer is gone."""
        try:
            self._read_list(actor, self._account_id)
        except DomainError:
            self._clear()

    def _contact_on_page(self, actor: Actor, contact_id) -> ContactRead:
        """The contact, read through the actor's scope, if it belongs to the customer on this page."""
        with session_scope() as session:
            contact = contacts.get_contact(session=session, actor=actor, contact_id=int(contact_id))
        if not self._account_id or contact.account_id != self._account_id:
            raise NotFound("Contact")
        return contact

    def _close_dialogs(self) -> None:
        self.contact_dialog_open = False
        self.delete_dialog_open = False
        self._contact_id = 0

    @rx.event
    @guarded
    def load_section(self) -> None:
        """The customer's contacts and whether to offer changes."""
        self._close_dialogs()
        self.contacts_loaded = False
        try:
            self._read_list(self._signed_actor(), self._customer_id())
        except DomainError:
            self._clear()

    # ------------------------------------------------------------ New / Edit

    def _fill_form(self, *, editing: bool, contact: ContactRead | None) -> None:
        self._opened += 1
        self.editing = editing
        self._contact_id = contact.id if contact else 0
        self.contact_name = contact.name if contact else ""
        self.contact_email = contact.email if contact else ""
        self.contact_phone = contact.phone if contact else ""
        self.errors = {}
        self.form_error = ""
        self.form_key = f"contact-{self._contact_id}-{self._opened}"
        self.contact_dialog_open = True

    @rx.event
    @guarded
    def open_new(self):
        self._close_dialogs()
        try:
            self._read_list(self._signed_actor(), self._customer_id())
        except DomainError as exc:
            self._clear()
            return rx.toast.error(exc.message)
        if not self.can_manage:
            return rx.toast.error("You cannot add contacts to this customer.")
        self._fill_form(editing=False, contact=None)
        return None

    @rx.event
    @guarded
    def open_edit(self, contact_id: int):
        actor = self._signed_actor()
        self._close_dialogs()
        try:
            contact = self._contact_on_page(actor, contact_id)
            self._read_list(actor, contact.account_id)
        except (DomainError, TypeError, ValueError) as exc:
            return rx.toast.error(getattr(exc, "message", CONTACT_NOT_FOUND))
        if not self.can_manage:
            return rx.toast.error("You cannot change this customer's contacts.")
        self._fill_form(editing=True, contact=contact)
        return None

    @rx.event
    def set_contact_dialog_open(self, value: bool):
        self.contact_dialog_open = bool(value)

    @rx.event
    @guarded
    def submit(self, form_data: dict):
        """Save the New or Edit Contact form: errors go next to their fields, nothing is saved on error."""
        self.errors = {}
        self.form_error = ""
        actor = self._signed_actor()
        if not self.contact_dialog_open:
            return None
        values = {field: _text(form_data, field) for field in _FIELDS}
        try:
            with session_scope() as session:
                if self.editing:
                    saved = contacts.update_contact(
                        session=session, actor=actor, contact_id=self._contact_id, data=ContactUpdate(**values)
                    )
                else:
                    saved = contacts.add_contact(
                        session=session, actor=actor, account_id=self._account_id, data=ContactCreate(**values)
                    )
                name = saved.name
        except DomainError as exc:
            self.errors, self.form_error = form_errors(exc)
            return None
        done = f"Contact {name} saved." if self.editing else f"Contact {name} added."
        self._close_dialogs()
        self._refresh(actor)
        return [CustomerDetailState.reload, rx.toast.success(done)]

    # ------------------------------------------------------------ Delete

    @rx.event
    @guarded
    def open_delete(self, contact_id: int):
        actor = self._signed_actor()
        self._close_dialogs()
        try:
            contact = self._contact_on_page(actor, contact_id)
            self._read_list(actor, contact.account_id)
        except (DomainError, TypeError, ValueError) as exc:
            return rx.toast.error(getattr(exc, "message", CONTACT_NOT_FOUND))
        if not self.can_manage:
            return rx.toast.error("You cannot delete this customer's contacts.")
        self._contact_id = contact.id
        self.delete_name = contact.name
        self.delete_dialog_open = True
        return None

    @rx.event
    def set_delete_dialog_open(self, value: bool):
        self.delete_dialog_open = bool(value)

    @rx.event
    @guarded
    def confirm_delete(self):
        actor = self._signed_actor()
        if not self.delete_dialog_open or not self._contact_id:
            return None
        name = self.delete_name
        try:
            with session_scope() as session:
                contacts.delete_contact(session=session, actor=actor, contact_id=self._contact_id)
        except DomainError as exc:
            self._close_dialogs()
            self._refresh(actor)
            return rx.toast.error(exc.message)
        self._close_dialogs()
        self._refresh(actor)
        return [CustomerDetailState.reload, rx.toast.success(f"Contact {name} deleted.")]
