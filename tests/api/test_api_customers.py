"""Issue 8: ``/api/v1/customers``: the list (LIST-1/4/5/6/9), get, create (CREATE-1..4, EMAIL-1), edit
(EDIT-1/2, CREATE-3, SANDBOX-2) and delete (DELETE-1, SANDBOX-3), with the UI's rules and messages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from msc_app.models import Account, ApiToken, AuditEvent, OutboxEmail, ProductType, Role, UserStatus
from msc_app.services import api_tokens, customer_changes, customers
from msc_app.services.customer_changes import STALE_MESSAGE, CustomerCreate, CustomerUpdate
from msc_app.services.customers import ListQuery
from tests.api.conftest import bearer, make_token, plan_id, problem, service_refusal
from tests.services.support import add_user, database_state

CUSTOMERS = "/api/v1/customers"


def _one(world, key: str) -> str:
    return f"{CUSTOMERS}/{world.accounts[key]}"


# ---------------------------------------------------------------- the list


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "harbor"},
        {"q": "PEAK"},
        {"sort": "created", "desc": "1"},
        {"sort": "products", "size": "2", "page": "2"},
        {"product": "Microsoft 365"},
        {"type": "Commercial,Evaluation"},
        {"region": "US West"},
        {"status": "in_progress"},
        {"sort": "nonsense", "page": "abc", "size": "100000"},
    ],
)
def test_list_1_the_list_takes_the_uis_url_parameters(client, session, world, tokens, params):
    """LIST-9: the same parameters as the list's URL, read by ``ListQuery.from_params``: the same page."""
    response = client.get(CUSTOMERS, headers=bearer(tokens["dist_admin"]), params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = customers.list_customers(
        session=session, actor=world.actor("dist_admin"), query=ListQuery.from_params(params)
    )
    assert [row["id"] for row in body["items"]] == [row.id for row in expected.rows]
    assert (body["total"], body["page"], body["page_size"], body["page_count"]) == (
        expected.total, expected.page, expected.page_size, expected.page_count,
    )


def test_list_4_search_and_6_tree_with_context_rows(client, world, tokens):
    body = client.get(CUSTOMERS, headers=bearer(tokens["dist_admin"]), params={"q": "dental"}).json()
    rows = [(row["name"], row["depth"], row["is_context"]) for row in body["items"]]
    assert rows == [("Blue Harbor Resellers", 0, True), ("Harbor Dental", 1, False)]
    assert body["total"] == 1


def test_list_a_parent_outside_scope_is_not_named(client, world, tokens):
    """AUTH-4: a reseller's own row does not name (or number) the distributor above it."""
    body = client.get(CUSTOMERS, headers=bearer(tokens["r1_admin"])).json()
    reseller = next(row for row in body["items"] if row["id"] == world.accounts["r1"])
    assert (reseller["parent_id"], reseller["parent_name"]) == (None, "")
    child = next(row for row in body["items"] if row["id"] == world.accounts["r1_cust1"])
    assert (child["parent_id"], child["parent_name"]) == (world.accounts["r1"], "Blue Harbor Resellers")
    dist_view = client.get(CUSTOMERS, headers=bearer(tokens["dist_admin"])).json()
    reseller = next(row for row in dist_view["items"] if row["id"] == world.accounts["r1"])
    assert reseller["parent_name"] == "Northwind Distribution"


def test_list_contract_counts_and_summaries_are_in_the_rows(client, world, tokens, extras):
    body = client.get(CUSTOMERS, headers=bearer(tokens["r1_admin"])).json()
    row = next(row for row in body["items"] if row["id"] == world.accounts["r1_cust1"])
    assert row["contracts"] == {"Active": 1}
    assert row["products"] == "Microsoft 365"


# ---------------------------------------------------------------- one customer


def test_detail_1_get_a_customer(client, world, tokens):
    response = client.get(_one(world, "r1_cust1"), headers=bearer(tokens["r1_admin"]))
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["kind"], body["parent_name"], body["can_edit"]) == (
        "Harbor Dental", "customer", "Blue Harbor Resellers", True,
    )
    assert body["version"] == 1
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("user", "target"), [("r1_admin", "r2_cust1"), ("r2_admin", "r1_cust1"),
                                              ("tenant_admin", "r1_cust2"), ("r1_admin", "dist"),
                                              ("r1_viewer", "sandbox")])
def test_auth_4_a_foreign_customer_looks_exactly_like_a_missing_one(client, world, tokens, user, target):
    foreign = client.get(_one(world, target), headers=bearer(tokens[user]))
    missing = client.get(f"{CUSTOMERS}/999999", headers=bearer(tokens[user]))
    assert problem(foreign, 404) == problem(missing, 404)
    assert foreign.json()["detail"] == "Customer not found."
    assert dict(foreign.headers) == dict(missing.headers)


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "1.5", "99999999999", "9" * 5000, "%00", "1e3"])
def test_a_path_id_that_is_not_an_id_is_not_found(client, tokens, raw):
    body = problem(client.get(f"{CUSTOMERS}/{raw}", headers=bearer(tokens["dist_admin"])), 404)
    assert body["detail"] == "Customer not found."


def test_a_reseller_sees_its_own_account_without_its_parent(client, world, tokens):
    body = client.get(_one(world, "r1"), headers=bearer(tokens["r1_admin"])).json()
    assert (body["parent_id"], body["parent_name"], body["can_edit"]) == (None, "", False)


# ---------------------------------------------------------------- create


def test_create_1_a_customer_is_created_audited_and_confirmed_by_email(client, session, world, tokens):
    response = client.post(CUSTOMERS, headers=bearer(tokens["r1_admin"]), json={
        "customer_name": "  Harbor Marine ", "organization": "Harbor Marine Inc", "phone": "+1 415 555 0100",
        "service_plan_id": plan_id(session), "product_type": ProductType.HYBRID_WORKLOADS.value,
        "storage_regions": ["US East"], "credit_quota": 500,
        "quota_effective_date": "2025-01-01", "quota_end_date": "2025-12-31",
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{CUSTOMERS}/{body['id']}"
    assert (body["name"], body["customer_name"], body["phone"], body["parent_id"]) == (
        "Harbor Marine", "Harbor Marine", "+1 415-555-0100", world.accounts["r1"],
    )
    session.expire_all()
    account = session.get(Account, body["id"])
    assert account.products_summary == "Hybrid Workloads"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "customer.create",
                                                 AuditEvent.entity_id == body["id"])).one()
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.subject == "Customer created: Harbor Marine")).one()
    assert mail.to_address == world.emails["r1_admin"]
    listed = client.get(CUSTOMERS, headers=bearer(tokens["r1_admin"]), params={"q": "marine"}).json()
    assert [row["id"] for row in listed["items"] if not row["is_context"]] == [body["id"]]


def test_create_a_distributor_creates_under_one_of_its_resellers(client, world, tokens):
    response = client.post(CUSTOMERS, headers=bearer(tokens["dist_admin"]),
                           json={"customer_name": "Via Reseller", "parent_account_id": world.accounts["r2"]})
    assert response.status_code == 201
    assert response.json()["parent_id"] == world.accounts["r2"]


def test_create_under_a_foreign_parent_is_not_found(client, world, tokens):
    body = problem(client.post(CUSTOMERS, headers=bearer(tokens["r1_admin"]),
                               json={"customer_name": "X", "parent_account_id": world.accounts["r2"]}), 404)
    assert body["detail"] == "Customer not found."


def test_create_2_a_duplicate_name_gives_the_uis_message(client, session, world, tokens):
    before = database_state(session, world.accounts["r1"])
    response = client.post(CUSTOMERS, headers=bearer(tokens["r1_admin"]), json={"customer_name": "harbor DENTAL"})
    body = problem(response, 422)
    expected = service_refusal(session, lambda: customer_changes.create_customer(
        session=session, actor=world.actor("r1_admin"), data=CustomerCreate(customer_name="harbor DENTAL")))
    assert body["detail"] == expected == "A customer named harbor DENTAL already exists here."
    assert body["errors"] == {"customer_name": expected}
    assert body["type"] == "urn:msc:problem:validation-error"
    assert database_state(session, world.accounts["r1"]) == before


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"customer_name": "Customer name is required."}),
        ({"customer_name": "   "}, {"customer_name": "Customer name is required."}),
        ({"customer_name": "x" * 201}, {"customer_name": "Customer name can be at most 200 characters."}),
        ({"customer_name": "Ok", "phone": "12"}, {"phone": "Enter a valid phone number, like +1 415 555 0100."}),
        ({"customer_name": "Ok", "hide_name": True}, {"account_name": "Account name is required."}),
        ({"customer_name": "Ok", "credit_quota": 5},
         {"service_plan_id": "Choose a service plan for these service details, or leave them empty."}),
    ],
)
def test_create_2_field_errors_are_the_services(client, session, world, tokens, payload, errors):
    body = problem(client.post(CUSTOMERS, headers=bearer(tokens["r1_admin"]), json=payload), 422)
    assert body["errors"] == errors


def test_create_2_service_details_are_validated_like_the_dialog(client, session, world, tokens):
    body = problem(client.post(CUSTOMERS, headers=bearer(tokens["r1_admin"]), json={
        "customer_name": "Ok", "service_plan_id": plan_id(session), "storage_regions": [],
        "credit_quota": -1, "quota_effective_date": "2025-06-01", "quota_end_date": "2025-01-01",
    }), 422)
    assert body["errors"] == {
        "storage_regions": "Choose at least one storage region.",
        "credit_quota": "Credit quota cannot be negative.",
        "quota_end_date": "The quota end date cannot be before the quota effective date.",
    }


def test_create_4_a_pending_tenant_admin_cannot_be_assigned(client, session, world, tokens):
    pending = add_user(session, world, "ta_pending", role=Role.TENANT_ADMIN, status=UserStatus.PENDING)
    session.commit()
    body = problem(client.post(CUSTOMERS, headers=bearer(tokens["r1_admin"]),
                               json={"customer_name": "Ok", "tenant_admin_user_ids": [pending.id]}), 422)
    assert body["errors"] == {"tenant_admin_user_ids": (
        "Ta Pending (ta_pending@example.com) has not accepted the invitation yet: "
        "a pending tenant admin cannot be assigned."
    )}


@pytest.mark.parametrize("user", ["r1_viewer", "dist_viewer", "tenant_admin"])
def test_create_refused_for_viewers_and_tenant_admins(client, session, world, tokens, user):
    before = database_state(session)
    body = problem(client.post(CUSTOMERS, headers=bearer(tokens[user]), json={"customer_name": "Nope"}), 403)
    assert body["detail"] == "You do not have permission to create customers."
    assert database_state(session) == before


# ---------------------------------------------------------------- edit


def test_edit_1_a_customer_is_edited_and_its_version_moves_on(client, session, world, tokens):
    response = client.patch(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]),
                            json={"version": 1, "customer_name": "Harbor Freight", "organization": "HF"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["customer_name"], body["organization"], body["version"], body["name"]) == (
        "Harbor Freight", "HF", 2, "Harbor Logistics",
    )


def test_edit_2_a_stale_version_is_409_and_changes_nothing(client, session, world, tokens):
    url = _one(world, "r1_cust2")
    assert client.patch(url, headers=bearer(tokens["r1_admin"]), json={"version": 1, "address": "A"}).status_code == 200
    before = database_state(session, world.accounts["r1_cust2"])
    body = problem(client.patch(url, headers=bearer(tokens["r1_admin"]), json={"version": 1, "address": "B"}), 409)
    assert body["detail"] == STALE_MESSAGE
    assert body["type"] == "urn:msc:problem:concurrent-change"
    assert database_state(session, world.accounts["r1_cust2"]) == before


def test_edit_the_version_is_required(client, world, tokens):
    body = problem(client.patch(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]),
                                json={"address": "A"}), 422)
    assert body["errors"] == {"version": "This field is required."}


def test_create_3_the_account_name_cannot_change(client, world, tokens):
    body = problem(client.patch(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]),
                                json={"version": 1, "account_name": "Renamed"}), 422)
    assert body["errors"] == {"account_name": "Account Name cannot be changed once entered."}


def test_edit_2_duplicate_name_on_edit(client, session, world, tokens):
    body = problem(client.patch(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]),
                                json={"version": 1, "customer_name": "Harbor Dental"}), 422)
    expected = service_refusal(session, lambda: customer_changes.update_customer(
        session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust2"],
        data=CustomerUpdate(customer_name="Harbor Dental"), expected_version=1))
    assert body["detail"] == expected


def test_sandbox_2_the_sandboxs_account_details_do_not_change(client, world, tokens):
    body = problem(client.patch(_one(world, "sandbox"), headers=bearer(tokens["dist_admin"]),
                                json={"version": 1, "organization": "Elsewhere"}), 422)
    assert body["errors"] == {"organization": "The Sandbox customer's organization name cannot be changed."}


@pytest.mark.parametrize(("user", "target", "status"), [
    ("r1_viewer", "r1_cust1", 403), ("tenant_admin", "r1_cust1", 403), ("r2_admin", "r1_cust1", 404),
    ("r1_admin", "r1", 403),
])
def test_edit_refused_outside_the_roles_rights(client, world, tokens, user, target, status):
    problem(client.patch(_one(world, target), headers=bearer(tokens[user]), json={"version": 1, "address": "X"}),
            status)


# ---------------------------------------------------------------- delete


def test_delete_1_a_customer_without_products_is_deleted(client, session, world, tokens):
    response = client.delete(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]))
    assert response.status_code == 204 and response.content == b""
    problem(client.get(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"])), 404)


def test_delete_1_a_customer_with_a_product_is_refused_with_the_dialogs_reason(client, session, world, tokens):
    before = database_state(session, world.accounts["r1_cust1"])
    body = problem(client.delete(_one(world, "r1_cust1"), headers=bearer(tokens["r1_admin"])), 409)
    reason = customer_changes.delete_refusal_reason(
        session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"])
    assert body["detail"] == reason == "Harbor Dental has 1 product. Delete its products first."
    assert body["type"] == "urn:msc:problem:rule-violation"
    assert database_state(session, world.accounts["r1_cust1"]) == before


def test_sandbox_3_the_sandbox_cannot_be_deleted(client, world, tokens):
    body = problem(client.delete(_one(world, "sandbox"), headers=bearer(tokens["dist_admin"])), 409)
    assert body["detail"] == customer_changes.SANDBOX_DELETE_MESSAGE


@pytest.mark.parametrize(("user", "status"), [("r1_viewer", 403), ("tenant_admin", 404), ("r2_admin", 404)])
def test_delete_refused_outside_the_roles_rights(client, session, world, tokens, user, status):
    before = database_state(session, world.accounts["r1_cust2"])
    problem(client.delete(_one(world, "r1_cust2"), headers=bearer(tokens[user])), status)
    assert database_state(session, world.accounts["r1_cust2"]) == before


def test_delete_retires_the_tokens_made_in_the_customers_perspective(client, session, world, tokens):
    token = make_token(session, world, "r1_admin", perspective="r1_cust2")
    assert client.delete(_one(world, "r1_cust2"), headers=bearer(tokens["r1_admin"])).status_code == 204
    problem(client.get(CUSTOMERS, headers=bearer(token)), 401)
    session.expire_all()
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == api_tokens.token_hash(token))).one()
    assert record.revoked_at is not None and record.perspective_account_id is None


def test_a_refused_delete_keeps_the_perspective_tokens(client, session, world, tokens, extras):
    token = make_token(session, world, "r1_admin", perspective="r1_cust1")
    problem(client.delete(_one(world, "r1_cust1"), headers=bearer(tokens["r1_admin"])), 409)
    assert client.get(CUSTOMERS, headers=bearer(token)).status_code == 200
