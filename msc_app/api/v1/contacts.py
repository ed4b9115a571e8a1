"""A customer's contacts: list, add, get, edit, delete (DETAIL-4), through services/contacts.py like the UI."""

from __future__ import annotations

from msc_app.api.v1.framework import PREFIX, Call, Operation, Result
from msc_app.api.v1.schemas import ContactCreateBody, ContactOut, ContactUpdateBody
from msc_app.services import contacts

TAG = "Contacts"


def list_all(call: Call) -> list[ContactOut]:
    return contacts.list_contacts(session=call.session, actor=call.actor, account_id=call.ids["customer_id"])


def add(call: Call) -> Result:
    contact = contacts.add_contact(
        session=call.session, actor=call.actor, account_id=call.ids["customer_id"], data=call.body.to_service()
    )
    read = contacts.get_contact(session=call.session, actor=call.actor, contact_id=contact.id)
    return Result(body=read, headers={"Location": f"{PREFIX}/contacts/{contact.id}"})


def get_one(call: Call) -> ContactOut:
    return contacts.get_contact(session=call.session, actor=call.actor, contact_id=call.ids["contact_id"])


def update(call: Call) -> ContactOut:
    contact = contacts.update_contact(
        session=call.session, actor=call.actor, contact_id=call.ids["contact_id"], data=call.body.to_service()
    )
    return contacts.get_contact(session=call.session, actor=call.actor, contact_id=contact.id)


def delete(call: Call) -> None:
    contacts.delete_contact(session=call.session, actor=call.actor, contact_id=call.ids["contact_id"])


_CUSTOMER = {"customer_id": "Customer"}
_CONTACT = {"contact_id": "Contact"}
_OF_CUSTOMER = PREFIX + "/customers/{customer_id}/contacts"
_ONE = PREFIX + "/contacts/{contact_id}"
_WRITE = (403, 404, 409, 413, 415, 422)

operations = [
    Operation("GET", _OF_CUSTOMER, list_all, "listContacts", "List a customer's contacts", TAG,
              path_ids=_CUSTOMER, response=list[ContactOut], problems=(404,)),
    Operation("POST", _OF_CUSTOMER, add, "addContact", "Add a contact to a customer", TAG,
              description="Name and email required; the email is unique among the customer's contacts. "
              "The Sandbox's contacts do not change (409).",
              path_ids=_CUSTOMER, body=ContactCreateBody, response=ContactOut, status=201, problems=_WRITE),
    Operation("GET", _ONE, get_one, "getContact", "Get a contact", TAG,
              path_ids=_CONTACT, response=ContactOut, problems=(404,)),
    Operation("PATCH", _ONE, update, "updateContact", "Edit a contact", TAG,
              path_ids=_CONTACT, body=ContactUpdateBody, response=ContactOut, problems=_WRITE),
    Operation("DELETE", _ONE, delete, "deleteContact", "Delete a contact", TAG,
              path_ids=_CONTACT, status=204, problems=(403, 404, 409)),
]
