"""Issue 8: a customer's contacts through the API (DETAIL-4), validated like CREATE-2."""

from __future__ import annotations

import pytest

from msc_app.models import Contact
from msc_app.services import contacts
from tests.api.conftest import bearer, problem
from tests.services.support import database_state


def _of(world, key: str) -> str:
    return f"/api/v1/customers/{world.accounts[key]}/contacts"


def _contact(extras, key: str) -> str:
    return f"/api/v1/contacts/{extras.contacts[key]}"


def test_detail_4_list_and_get_contacts(client, world, tokens, extras):
    listed = client.get(_of(world, "r1_cust1"), headers=bearer(tokens["r1_viewer"]))
    assert listed.status_code == 200
    assert [c["name"] for c in listed.json()] == ["Contact of r1_cust1"]
    one = client.get(_contact(extras, "r1_cust1"), headers=bearer(tokens["tenant_admin"]))
    assert one.json() == listed.json()[0]


@pytest.mark.parametrize(("user", "target"), [("r1_admin", "r2_cust1"), ("tenant_admin", "r1_cust2"),
                                              ("r2_admin", "dist_cust1")])
def test_auth_4_foreign_contacts_look_missing(client, world, tokens, extras, user, target):
    assert problem(client.get(_of(world, target), headers=bearer(tokens[user])), 404)["detail"] == "Customer not found."
    foreign = problem(client.get(_contact(extras, target), headers=bearer(tokens[user])), 404)
    missing = problem(client.get("/api/v1/contacts/999999", headers=bearer(tokens[user])), 404)
    assert foreign == missing and foreign["detail"] == "Contact not found."


def test_detail_4_add_edit_and_delete_a_contact(client, session, world, tokens):
    created = client.post(_of(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]),
                          json={"name": " Robin Roe ", "email": "Robin@Example.COM", "phone": "+44 20 7946 0958"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/v1/contacts/{body['id']}"
    assert (body["name"], body["email"], body["phone"]) == ("Robin Roe", "robin@example.com", "+44 20 7946 0958")
    edited = client.patch(f"/api/v1/contacts/{body['id']}", headers=bearer(tokens["r1_admin"]),
                          json={"phone": ""})
    assert edited.status_code == 200 and edited.json()["phone"] == ""
    assert edited.json()["name"] == "Robin Roe"
    deleted = client.delete(f"/api/v1/contacts/{body['id']}", headers=bearer(tokens["r1_admin"]))
    assert deleted.status_code == 204
    session.expire_all()
    assert session.get(Contact, body["id"]) is None


def test_detail_4_a_duplicate_email_gives_the_uis_message(client, world, tokens, extras):
    body = problem(client.post(_of(world, "r1_cust1"), headers=bearer(tokens["tenant_admin"]),
                               json={"name": "Twin", "email": "R1_CUST1@contacts.example"}), 422)
    assert body["errors"] == {"email": "r1_cust1@contacts.example is already a contact of this customer."}


def test_detail_4_every_field_error_at_once(client, world, tokens):
    body = problem(client.post(_of(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]),
                               json={"name": "", "email": "not-an-email", "phone": "abc"}), 422)
    assert body["errors"] == {
        "name": "Name is required.",
        "email": "Enter a valid email address, like name@example.com.",
        "phone": "Enter a valid phone number, like +1 415 555 0100.",
    }


def test_sandbox_2_the_sandboxs_contacts_do_not_change(client, session, world, tokens, extras):
    before = database_state(session, world.accounts["sandbox"])
    body = problem(client.post(_of(world, "sandbox"), headers=bearer(tokens["dist_admin"]),
                               json={"name": "Sam", "email": "sam@example.com"}), 409)
    assert body["detail"] == contacts.SANDBOX_MESSAGE
    problem(client.delete(_contact(extras, "sandbox"), headers=bearer(tokens["dist_admin"])), 409)
    assert database_state(session, world.accounts["sandbox"]) == before


def test_contacts_belong_to_customers(client, world, tokens):
    body = problem(client.post(_of(world, "r1"), headers=bearer(tokens["dist_admin"]),
                               json={"name": "Sam", "email": "sam@example.com"}), 409)
    assert body["detail"] == contacts.NOT_A_CUSTOMER_MESSAGE


@pytest.mark.parametrize(("user", "status"), [("r1_viewer", 403), ("r2_admin", 404), ("dist_viewer", 403)])
def test_contact_changes_refused_outside_the_roles_rights(client, session, world, tokens, extras, user, status):
    before = database_state(session, world.accounts["r1_cust1"])
    problem(client.post(_of(world, "r1_cust1"), headers=bearer(tokens[user]),
                        json={"name": "N", "email": "n@example.com"}), status)
    problem(client.patch(_contact(extras, "r1_cust1"), headers=bearer(tokens[user]), json={"name": "N"}), status)
    problem(client.delete(_contact(extras, "r1_cust1"), headers=bearer(tokens[user])), status)
    assert database_state(session, world.accounts["r1_cust1"]) == before
