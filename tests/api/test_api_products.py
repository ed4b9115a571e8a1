"""Issue 8: a customer's products through the API (DETAIL-5), with the Sandbox's limits (SANDBOX-2/3)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from msc_app.models import AuditEvent, Product, ProductStatus
from msc_app.services import products as product_service
from msc_app.services.products import ProductCreate
from tests.api.conftest import bearer, plan_id, problem, service_refusal
from tests.services.support import database_state


def _of(world, key: str) -> str:
    return f"/api/v1/customers/{world.accounts[key]}/products"


def _product(extras, key: str) -> str:
    return f"/api/v1/products/{extras.products[key]}"


def _new(session, **extra) -> dict:
    return {"product_type": "Hybrid Workloads", "service_plan_id": plan_id(session), "storage_regions": ["US East"],
            "credit_quota": 100, **extra}


# ---------------------------------------------------------------- read


def test_detail_5_list_a_customers_products(client, world, tokens, extras):
    response = client.get(_of(world, "r1_cust1"), headers=bearer(tokens["tenant_admin"]))
    assert response.status_code == 200
    [product] = response.json()
    assert (product["product_type"], product["plan_name"], product["status"], product["account_id"]) == (
        "Microsoft 365", "Default Service Plan", "Active", world.accounts["r1_cust1"],
    )


@pytest.mark.parametrize(("user", "target"), [("r1_admin", "r2_cust1"), ("tenant_admin", "r1_cust2"),
                                              ("r2_admin", "sandbox")])
def test_auth_4_a_foreign_customers_products_are_not_found(client, world, tokens, user, target):
    body = problem(client.get(_of(world, target), headers=bearer(tokens[user])), 404)
    assert body["detail"] == "Customer not found."


def test_get_one_product_and_a_foreign_one_looks_missing(client, world, tokens, extras):
    response = client.get(_product(extras, "r1_cust1"), headers=bearer(tokens["r1_viewer"]))
    assert response.status_code == 200 and response.json()["id"] == extras.products["r1_cust1"]
    foreign = problem(client.get(_product(extras, "r2_cust1"), headers=bearer(tokens["r1_viewer"])), 404)
    missing = problem(client.get("/api/v1/products/999999", headers=bearer(tokens["r1_viewer"])), 404)
    assert foreign == missing and foreign["detail"] == "Product not found."


# ---------------------------------------------------------------- add


def test_detail_5_add_a_product(client, session, world, tokens):
    response = client.post(_of(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]), json=_new(session))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/products/{body['id']}"
    assert (body["product_type"], body["storage_regions"], body["credit_quota"]) == (
        "Hybrid Workloads", ["US East"], 100,
    )
    customer = client.get(f"/api/v1/customers/{world.accounts['r1_cust2']}", headers=bearer(tokens["r1_admin"]))
    assert customer.json()["can_delete"] is True  # deletion is refused later by its product (DELETE-1)
    session.expire_all()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "product.create",
                                                 AuditEvent.entity_id == body["id"])).one()


def test_a_tenant_admin_adds_products_to_its_assigned_customer(client, session, world, tokens):
    response = client.post(_of(world, "r1_cust1"), headers=bearer(tokens["tenant_admin"]), json=_new(session))
    assert response.status_code == 201, response.text


def test_detail_5_one_product_of_each_type_with_the_uis_message(client, session, world, tokens):
    payload = _new(session, product_type="Microsoft 365")
    body = problem(client.post(_of(world, "r1_cust1"), headers=bearer(tokens["r1_admin"]), json=payload), 422)
    expected = service_refusal(session, lambda: product_service.add_product(
        session=session, actor=world.actor("r1_admin"), account_id=world.accounts["r1_cust1"],
        data=ProductCreate(**payload)))
    assert body["errors"] == {"product_type": expected}
    assert expected == "Harbor Dental already has a Microsoft 365 product."


def test_add_validation_errors_all_at_once(client, session, world, tokens):
    body = problem(client.post(_of(world, "r1_cust2"), headers=bearer(tokens["r1_admin"]), json={
        "product_type": "Hybrid Workloads", "tenant_type": "Free", "storage_regions": ["Mars"],
        "user_count": -1}), 422)
    assert body["errors"] == {
        "service_plan_id": "Service plan is required.",
        "tenant_type": "Choose a tenant type.",
        "storage_regions": "Unknown storage region: Mars.",
        "user_count": "User count cannot be negative.",
    }


def test_sandbox_2_the_sandbox_may_gain_a_missing_product(client, session, world, tokens):
    response = client.post(_of(world, "sandbox"), headers=bearer(tokens["dist_admin"]),
                           json=_new(session, product_type="Microsoft 365"))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("user", "status", "detail"), [
    ("r1_viewer", 403, "You do not have permission to do this."),
    ("r2_admin", 404, "Customer not found."),
])
def test_add_refused_for_viewers_and_foreign_tokens(client, session, world, tokens, user, status, detail):
    before = database_state(session)
    body = problem(client.post(_of(world, "r1_cust2"), headers=bearer(tokens[user]), json=_new(session)), status)
    assert body["detail"] == detail
    assert database_state(session) == before


def test_products_belong_to_customers_not_resellers(client, session, world, tokens):
    body = problem(client.post(_of(world, "r1"), headers=bearer(tokens["dist_admin"]), json=_new(session)), 409)
    assert body["detail"] == "Products belong to customers, not to resellers."


# ---------------------------------------------------------------- edit


def test_edit_a_product(client, session, world, tokens, extras):
    response = client.patch(_product(extras, "r1_cust1"), headers=bearer(tokens["r1_admin"]),
                            json={"credit_quota": 750, "storage_regions": ["EU Frankfurt", "EU Ireland"],
                                  "license_expiry": None})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["credit_quota"], body["storage_regions"], body["license_expiry"]) == (
        750, ["EU Frankfurt", "EU Ireland"], None,
    )


def test_sandbox_2_a_sandbox_products_tenant_type_and_regions_are_kept(client, world, tokens, extras):
    url = _product(extras, "sandbox")
    body = problem(client.patch(url, headers=bearer(tokens["dist_admin"]), json={"tenant_type": "Commercial"}), 422)
    assert body["errors"] == {
        "tenant_type": "The tenant type of the Sandbox customer's products cannot be changed."}
    body = problem(client.patch(url, headers=bearer(tokens["dist_admin"]), json={"storage_regions": ["Canada"]}), 422)
    assert body["errors"] == {"storage_regions": (
        "Storage regions can only be added to the Sandbox customer's products, never removed (US East).")}
    allowed = client.patch(url, headers=bearer(tokens["dist_admin"]),
                           json={"credit_quota": 5, "storage_regions": ["US East", "Canada"], "user_count": 3})
    assert allowed.status_code == 200, allowed.text


def test_edit_a_too_large_quota_is_the_services_message(client, world, tokens, extras):
    body = problem(client.patch(_product(extras, "r1_cust1"), headers=bearer(tokens["r1_admin"]),
                                json={"credit_quota": 2**40}), 422)
    assert body["errors"] == {"credit_quota": "Credit quota is too large."}


# ---------------------------------------------------------------- delete, suspend, activate


def test_delete_a_product(client, session, world, tokens, extras):
    response = client.delete(_product(extras, "r1_cust1"), headers=bearer(tokens["r1_admin"]))
    assert response.status_code == 204
    session.expire_all()
    assert session.get(Product, extras.products["r1_cust1"]) is None


@pytest.mark.parametrize(("method", "suffix", "verb"), [
    ("delete", "", "deleted"), ("post", "/suspend", "suspended"), ("post", "/activate", "activated"),
])
def test_sandbox_3_the_sandboxs_products_are_never_deleted_suspended_or_activated(
    client, session, world, tokens, extras, method, suffix, verb
):
    before = database_state(session, world.accounts["sandbox"])
    response = getattr(client, method)(_product(extras, "sandbox") + suffix, headers=bearer(tokens["dist_admin"]))
    body = problem(response, 409)
    assert body["detail"] == f"The Sandbox customer's products cannot be {verb}."
    assert database_state(session, world.accounts["sandbox"]) == before


def test_suspend_and_activate(client, world, tokens, extras):
    url = _product(extras, "r1_cust1")
    suspended = client.post(url + "/suspend", headers=bearer(tokens["tenant_admin"]))
    assert suspended.status_code == 200 and suspended.json()["status"] == ProductStatus.SUSPENDED
    body = problem(client.post(url + "/suspend", headers=bearer(tokens["tenant_admin"])), 409)
    assert body["detail"] == "This product is already suspended."
    activated = client.post(url + "/activate", headers=bearer(tokens["tenant_admin"]))
    assert activated.status_code == 200 and activated.json()["status"] == ProductStatus.ACTIVE
    problem(client.post(url + "/activate", headers=bearer(tokens["tenant_admin"])), 409)


@pytest.mark.parametrize(("user", "status"), [("r1_viewer", 403), ("dist_viewer", 403), ("r2_admin", 404)])
@pytest.mark.parametrize(("method", "suffix"), [("delete", ""), ("post", "/suspend"), ("patch", "")])
def test_product_changes_refused_outside_the_roles_rights(
    client, session, world, tokens, extras, user, status, method, suffix
):
    before = database_state(session, world.accounts["r1_cust1"])
    kwargs = {"json": {"credit_quota": 1}} if method == "patch" else {}
    response = getattr(client, method)(_product(extras, "r1_cust1") + suffix, headers=bearer(tokens[user]), **kwargs)
    problem(response, status)
    assert database_state(session, world.accounts["r1_cust1"]) == before
